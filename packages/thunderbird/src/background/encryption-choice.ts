// Which encryption the user can switch on to satisfy the policy: one that the identity can use
// and that every rule asking for encryption accepts.
import type { Decision } from "@sealpost/core";
import type { MailIdentity } from "../host/thunderbird-types.js";
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
