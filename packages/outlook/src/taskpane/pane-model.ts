// What the task pane says about a check, as plain strings: the verdict, each recipient and the
// rule that protects it, the account's transport, the encryption state and what to do. Kept
// apart from the DOM so that it can be read (and tested) without a browser.
import { groupFindings, type Verdict } from "@sealpost/core";
import type { CheckResult } from "../launch/send-check.js";
import { say, sayNote } from "../launch/messages.js";

export interface PaneModel {
  readonly verdict: Verdict;
  readonly summary: string;
  readonly policy: string;
  readonly recipients: readonly { readonly address: string; readonly status: string; readonly protected: boolean }[];
  readonly account: string;
  readonly encryption: string;
  readonly todo: readonly string[];
}

const ACCOUNT_NAMES: Readonly<Record<string, string>> = {
  enterprise: "Exchange",
  office365: "Microsoft 365",
  outlookCom: "Outlook.com",
  gmail: "Gmail",
};

export function paneModel(result: CheckResult): PaneModel {
  const { decision } = result;
  const locale = decision.locale;
  const lists = new Set(
    (result.recipients ?? []).filter((recipient) => recipient.details.recipientType === "distributionList").map((r) => r.input.text),
  );
  const recipients = decision.recipients.map((report) => {
    if (!report.ok) return { address: report.input, status: say(locale, "pane.invalid"), protected: true };
    const rules = report.rules.map((rule) => `${rule.id} (${rule.domain})`).join(", ");
    let status = report.protected
      ? say(locale, "pane.protected", { rules: rules || "?" })
      : report.excepted.length > 0
        ? say(locale, "pane.excepted", { rules: report.excepted.map((rule) => rule.id).join(", ") })
        : say(locale, "pane.unprotected");
    if (lists.has(report.input)) status += `; ${say(locale, "pane.distribution-list")}`;
    return { address: `${report.name === "" ? "" : `${report.name} `}<${report.address}>`, status, protected: report.protected };
  });

  const todo: string[] = [];
  for (const reason of groupFindings(decision.findings)) {
    const who = reason.recipients.length > 0 ? ` (${reason.recipients.join(", ")})` : "";
    todo.push(`${reason.problem}${who} ${reason.fix}`);
  }
  for (const note of result.notes) todo.push(sayNote(locale, note));
  for (const message of decision.ruleMessages) todo.push(message.text);
  if (todo.length === 0 && decision.policyActive) todo.push(say(locale, "pane.nothing-to-do"));

  return {
    verdict: decision.verdict,
    summary: decision.summary,
    policy: policyLine(result, locale),
    recipients,
    account: accountLine(result, locale),
    encryption: encryptionLine(result, locale),
    todo,
  };
}

function policyLine(result: CheckResult, locale: string): string {
  const policy = result.policy;
  if (policy === undefined) return say(locale, "pane.policy-unavailable", { reason: result.interrupted ?? "?" });
  if (policy.kind === "none") return say(locale, "pane.policy-none");
  if (policy.kind === "unavailable") return say(locale, "pane.policy-unavailable", { reason: policy.reason });
  const source = say(
    locale,
    policy.source === "built-in" ? "pane.source-built-in" : policy.source === "server" ? "pane.source-server" : "pane.source-cache",
  );
  return say(locale, "pane.policy-active", { rules: String(policy.policy.rules.length), source });
}

function accountLine(result: CheckResult, locale: string): string {
  const transport = result.transport;
  if (transport?.kind === "https") {
    return say(locale, "pane.account-https", { type: ACCOUNT_NAMES[result.accountType ?? ""] ?? result.accountType ?? "?" });
  }
  return say(locale, "pane.account-unknown", { reason: transport?.kind === "unknown" ? transport.reason : (result.interrupted ?? "?") });
}

function encryptionLine(result: CheckResult, locale: string): string {
  const state = result.encryption;
  if (state?.kind === "openpgp") return say(locale, "pane.encryption-openpgp", { keys: (state.keyIds ?? []).join(", ") || "?" });
  if (state?.kind === "label") {
    const name = result.policy?.kind === "active" ? result.policy.policy.encryptingLabels.get(state.id.toLowerCase()) : undefined;
    return say(locale, "pane.encryption-label", { label: name ?? state.id });
  }
  return say(locale, "pane.encryption-none");
}
