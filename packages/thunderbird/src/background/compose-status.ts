// The live status the compose-action popup shows: the decision Sealpost would take if the
// user pressed Send now, with what was observed and what the identity can do about it.
import { type ComposeSnapshot, evaluate } from "@sealpost/core";
import type { Host } from "../host/thunderbird-api.js";
import type { ComposeStatus } from "../shared/protocol.js";
import { encryptionChoice, encryptionOn, subjectProtected, type Technology } from "./encryption-choice.js";
import { type PolicyState, policyForEvaluation, policyStatus } from "./policy-store.js";
import { withDeadline } from "./send-gate.js";
import { buildSnapshot, encryptionState, plainRecipients } from "./snapshot-builder.js";

export async function composeStatus(host: Host, state: PolicyState, tabId: number, deadlineMs: number): Promise<ComposeStatus> {
  const details = await withDeadline(host.getComposeDetails(tabId), deadlineMs, "reading the message");
  let problem: string | undefined;
  // The same deadline as at Send: a popup that waits forever says nothing.
  const gathering = withDeadline(buildSnapshot(host, details), deadlineMs, "reading the message and account settings");
  const snapshot: ComposeSnapshot = await gathering.catch((error: unknown): ComposeSnapshot => {
    problem = error instanceof Error ? error.message : String(error);
    return {
      recipients: plainRecipients(details),
      transport: { kind: "unknown", reason: problem },
      encryption: encryptionState(details),
      locale: host.uiLanguage(),
    };
  });
  const identity =
    details.identityId === undefined
      ? null
      : await withDeadline(host.getIdentity(details.identityId), deadlineMs, "reading the sending identity").catch(() => null);
  const capabilities = identity?.encryptionCapabilities;
  const decision = evaluate(policyForEvaluation(state), snapshot);
  const encryptWith = encryptionChoice(decision, state, identity);
  return {
    policy: policyStatus(state),
    decision,
    ...(encryptWith === undefined ? {} : { encryptWith }),
    transport: snapshot.transport,
    ...(snapshot.sentCopy === undefined ? {} : { sentCopy: snapshot.sentCopy }),
    encryption: snapshot.encryption,
    canEncrypt: { openpgp: capabilities?.OpenPGP?.canEncrypt === true, smime: capabilities?.["S/MIME"]?.canEncrypt === true },
    ...(problem === undefined ? {} : { problem }),
  };
}

/**
 * The popup's and the dialog's "Turn on encryption": encryption on, the subject too where a rule
 * asks for it, and the user's signing choice kept.
 */
export async function switchEncryptionOn(
  host: Host,
  state: PolicyState,
  tabId: number,
  technology: Technology,
  deadlineMs: number,
): Promise<void> {
  const status = await composeStatus(host, state, tabId, deadlineMs);
  const details = await withDeadline(host.getComposeDetails(tabId), deadlineMs, "reading the message");
  await host.setEncryption(tabId, encryptionOn(technology, details.selectedEncryptionTechnology, subjectProtected(status.decision, state)));
}
