// Which encryption the user can switch on to satisfy the policy (one that the identity can use
// and that every rule asking for encryption accepts), and the full setting that switches it on.
import type { Decision } from "@sealpost/core";
import type { EncryptionTechnology, MailIdentity } from "../host/thunderbird-types.js";
import type { PolicyState } from "./policy-store.js";

export type Technology = "OpenPGP" | "S/MIME";

export function encryptionChoice(
  decision: Decision,
  state: PolicyState,
  identity: MailIdentity | null | undefined,
): Technology | undefined {
  const unmet = decision.findings.filter((finding) => finding.code === "not-encrypted" || finding.code === "encryption-not-accepted");
  if (unmet.length === 0 || state.kind !== "active") return undefined;
  const accepts = (method: "openpgp" | "smime") =>
    unmet.every((finding) => state.policy.rules.find((rule) => rule.id === finding.rule)?.encryption?.includes(method) === true);
  const capabilities = identity?.encryptionCapabilities;
  if (capabilities?.OpenPGP?.canEncrypt === true && accepts("openpgp")) return "OpenPGP";
  if (capabilities?.["S/MIME"]?.canEncrypt === true && accepts("smime")) return "S/MIME";
  return undefined;
}

/** Whether a rule behind the decision's findings asks for the subject to be encrypted too. */
export function subjectProtected(decision: Decision, state: PolicyState): boolean {
  if (state.kind !== "active") return false;
  return decision.findings.some((finding) => state.policy.rules.find((rule) => rule.id === finding.rule)?.protectSubject === true);
}

/**
 * The setting that switches encryption on and changes nothing else. Thunderbird toggles every
 * flag that differs from the one given, a flag left out included (ext-compose.js compares
 * `gSendSigned != technology.signMessage`), so the user's signing and subject choices are restated.
 */
export function encryptionOn(name: Technology, current: EncryptionTechnology | undefined, protectSubject: boolean): EncryptionTechnology {
  // Signing is restated only within the same technology: S/MIME signing may not be set up.
  const signMessage = current?.name === name && current.signMessage === true;
  if (name === "S/MIME") return { name, encryptBody: true, signMessage };
  const encryptSubject = protectSubject || (current?.name === "OpenPGP" && current.encryptSubject === true);
  return { name, encryptBody: true, encryptSubject, signMessage };
}
