// Turns a decision's findings into the short list a user reads: the same problem for several
// recipients is said once, with the recipients it concerns.
import type { Decision, Finding } from "./evaluate.js";

export interface Reason {
  readonly code: Finding["code"];
  readonly action: Finding["action"];
  readonly problem: string;
  readonly fix: string;
  /** Addresses (or inputs) concerned, in the order they were found. */
  readonly recipients: readonly string[];
  readonly rules: readonly string[];
}

export function groupFindings(findings: readonly Finding[]): Reason[] {
  const reasons = new Map<string, { reason: Reason; recipients: string[]; rules: string[] }>();
  for (const finding of findings) {
    const key = `${finding.code}\u0000${finding.problem}\u0000${finding.fix}`;
    let entry = reasons.get(key);
    if (entry === undefined) {
      entry = {
        reason: { code: finding.code, action: finding.action, problem: finding.problem, fix: finding.fix, recipients: [], rules: [] },
        recipients: [],
        rules: [],
      };
      reasons.set(key, entry);
    }
    const who = finding.recipient?.display ?? finding.recipient?.address ?? finding.recipient?.input;
    if (who !== undefined && !entry.recipients.includes(who)) entry.recipients.push(who);
    if (finding.rule !== undefined && !entry.rules.includes(finding.rule)) entry.rules.push(finding.rule);
    if (finding.action === "block") entry.reason = { ...entry.reason, action: "block" };
  }
  return [...reasons.values()].map(({ reason, recipients, rules }) => ({ ...reason, recipients, rules }));
}

/** Plain text for a dialog or a terminal: the verdict, each reason with its fix, and the policy's own words. */
export function describeDecision(decision: Decision): string {
  const lines = [decision.summary];
  for (const reason of groupFindings(decision.findings)) {
    const who = reason.recipients.length > 0 ? ` (${reason.recipients.join(", ")})` : "";
    lines.push(`- ${reason.problem}${who} ${reason.fix}`);
  }
  for (const message of decision.ruleMessages) lines.push(message.text);
  return lines.join("\n");
}
