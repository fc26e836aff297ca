// The send gate: Sealpost's compose.onBeforeSend listener. It settles on every path; when a
// check cannot finish it fails closed for protected and unknown recipients, and a refused
// message stays untouched in its compose window.
import { type ComposeSnapshot, type Decision, evaluate } from "@sealpost/core";
import type { Host } from "../host/thunderbird-api.js";
import type { ComposeDetails, EncryptionTechnology, MailIdentity, Tab } from "../host/thunderbird-types.js";
import { encryptionChoice, encryptionOn, type Technology } from "./encryption-choice.js";
import { type PolicyState, policyForEvaluation } from "./policy-store.js";
import { buildSnapshot, encryptionState, plainRecipients } from "./snapshot-builder.js";

export interface PromptRequest {
  readonly kind: "block" | "confirm" | "encrypted";
  readonly decision: Decision;
  readonly tabId: number;
  readonly subject: string;
  readonly encryptWith?: Technology;
  /** For "encrypted": protected recipients Thunderbird has no OpenPGP key for (its Key Assistant opens). */
  readonly missingKeys?: readonly string[];
}

export interface GateDeps {
  readonly host: Host;
  readonly policy: () => Promise<PolicyState>;
  /** Shows the user the decision; resolves with their answer ("cancel" for a block). */
  readonly prompt: (request: PromptRequest) => Promise<"send" | "cancel">;
  /** How long gathering the snapshot may take before the check fails closed. */
  readonly deadlineMs: number;
  /** Told when the user answers "Send anyway" to a confirm rule. */
  readonly onConfirmed?: (decision: Decision, identityId: string | undefined, subject: string) => void;
  /** Told of every decision taken, with how long the check took (for logs and the bench). */
  readonly onDecision?: (decision: Decision, elapsedMs: number) => void;
}

export type GateResult = { cancel: boolean; details?: { selectedEncryptionTechnology: EncryptionTechnology } };

export async function checkBeforeSend(deps: GateDeps, tab: Tab, details: ComposeDetails): Promise<GateResult> {
  const started = Date.now();
  let policy: PolicyState;
  try {
    policy = await withDeadline(deps.policy(), deps.deadlineMs, "reading the policy");
  } catch (error) {
    policy = { kind: "invalid", source: "managed", errors: [], reason: `the policy could not be read (${describe(error)})` };
  }
  if (policy.kind === "none") return { cancel: false };

  const snapshot = await withDeadline(buildSnapshot(deps.host, details), deps.deadlineMs, "reading the message and account settings").catch(
    (error: unknown) => fallbackSnapshot(deps.host, details, describe(error)),
  );
  const decision = evaluate(policyForEvaluation(policy), snapshot);
  deps.onDecision?.(decision, Date.now() - started);
  if (decision.verdict === "allow") return { cancel: false };

  // Without the identity nothing is encrypted for the user and no fix is offered: the message is refused.
  const identity =
    details.identityId === undefined
      ? null
      : await withDeadline(deps.host.getIdentity(details.identityId), deps.deadlineMs, "reading the sending identity").catch(() => null);
  const autoEncrypted = autoEncryption(decision, policy, identity, snapshot, details.selectedEncryptionTechnology);
  if (autoEncrypted !== undefined) {
    // The same message, encrypted, meets the policy: Thunderbird encrypts it (and never falls
    // back to plaintext when it cannot), and the user is told what happened.
    const missingKeys = autoEncrypted.name === "OpenPGP" ? recipientsWithoutKey(decision, snapshot) : [];
    const told: PromptRequest = {
      kind: "encrypted",
      decision,
      tabId: tab.id ?? -1,
      subject: details.subject ?? "",
      encryptWith: autoEncrypted.name,
      ...(missingKeys.length === 0 ? {} : { missingKeys }),
    };
    deps.prompt(told).catch(() => undefined);
    return { cancel: false, details: { selectedEncryptionTechnology: autoEncrypted } };
  }
  const encryptWith = encryptionChoice(decision, policy, identity);
  const request: PromptRequest = {
    kind: decision.verdict,
    decision,
    tabId: tab.id ?? -1,
    subject: details.subject ?? "",
    ...(encryptWith === undefined ? {} : { encryptWith }),
  };
  if (decision.verdict === "block") {
    // The dialog explains; the send is refused now, not when the user closes it.
    deps.prompt(request).catch(() => undefined);
    return { cancel: true };
  }
  const answer = await deps.prompt(request).catch(() => "cancel" as const);
  if (answer === "send") deps.onConfirmed?.(decision, details.identityId, details.subject ?? "");
  return { cancel: answer !== "send" };
}

/**
 * Wraps the gate so that nothing escapes: an unexpected failure cancels the send when a policy
 * is active (the user is told why), and lets it go only when no policy is configured at all.
 * Thunderbird 153 never settles a send whose onBeforeSend listener rejects (ext-compose.js
 * awaits it without a catch), leaving the compose window locked, so this never rejects.
 */
export function sendGate(deps: GateDeps): (tab: Tab, details: ComposeDetails) => Promise<GateResult> {
  return async (tab, details) => {
    try {
      return await checkBeforeSend(deps, tab, details);
    } catch (error) {
      try {
        const state = await withDeadline(deps.policy(), deps.deadlineMs, "reading the policy").catch(() => undefined);
        if (state?.kind === "none") return { cancel: false };
        const decision = evaluate(
          { kind: "unavailable", reason: `Sealpost failed while checking this message (${describe(error)})` },
          fallbackSnapshot(deps.host, details, describe(error)),
        );
        deps.prompt({ kind: "block", decision, tabId: tab.id ?? -1, subject: details.subject ?? "" }).catch(() => undefined);
      } catch {
        // Not even the explanation could be given; the message still does not leave.
      }
      return { cancel: true };
    }
  };
}

// What is known without asking Thunderbird: the recipients as written and the encryption
// switch. The transport becomes `unknown`, which blocks wherever TLS is required; unexpanded
// mailing lists cannot be parsed, which blocks too.
function fallbackSnapshot(host: Host, details: ComposeDetails, reason: string): ComposeSnapshot {
  let locale = "en";
  try {
    locale = host.uiLanguage();
  } catch {
    // keep English
  }
  return {
    recipients: plainRecipients(details),
    transport: { kind: "unknown", reason },
    encryption: encryptionState(details),
    locale,
  };
}

// Encryption is switched on for the user only where every unmet requirement is about encryption,
// every rule concerned allows it (autoEncrypt), the identity can encrypt with a technology they
// all accept, and the message would then meet the whole policy.
function autoEncryption(
  decision: Decision,
  state: PolicyState,
  identity: MailIdentity | null,
  snapshot: ComposeSnapshot,
  current: EncryptionTechnology | undefined,
): EncryptionTechnology | undefined {
  if (state.kind !== "active" || decision.findings.length === 0) return undefined;
  const fixable = new Set(["not-encrypted", "encryption-not-accepted", "subject-not-protected"]);
  if (!decision.findings.every((finding) => fixable.has(finding.code))) return undefined;
  const rules = decision.findings.map((finding) => state.policy.rules.find((rule) => rule.id === finding.rule));
  if (!rules.every((rule) => rule?.autoEncrypt === true)) return undefined;
  const onlySubject = decision.findings.every((finding) => finding.code === "subject-not-protected");
  const name = onlySubject ? "OpenPGP" : encryptionChoice(decision, state, identity);
  if (name === undefined) return undefined;
  const setting = encryptionOn(
    name,
    current,
    rules.some((rule) => rule?.protectSubject === true),
  );
  const encrypted: ComposeSnapshot = {
    ...snapshot,
    encryption: name === "OpenPGP" ? { kind: "openpgp", subject: setting.encryptSubject === true } : { kind: "smime" },
  };
  if (evaluate(state.policy, encrypted).verdict !== "allow") return undefined;
  return setting;
}

// Thunderbird will not send until it has a key for each of these; the dialog must not claim the
// message is on its way. Where the key ring could not be read, nothing is claimed either way.
function recipientsWithoutKey(decision: Decision, snapshot: ComposeSnapshot): string[] {
  const keys = snapshot.recipientKeys;
  if (keys === undefined) return [];
  const addresses = decision.findings.flatMap((finding) => (finding.recipient?.address === undefined ? [] : [finding.recipient.address]));
  return [...new Set(addresses)].filter((address) => (keys[address] ?? keys[address.toLowerCase()] ?? []).length === 0);
}

export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${String(Math.round(ms / 1000))} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
