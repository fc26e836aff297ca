// The delivery gate: the second, lower line of the check. The Experiment asks it about every
// message just before Thunderbird hands it to the outgoing server, whatever started the send
// (a compose window, the Outbox, the calendar, messages.sendMessage, another add-on's
// onBeforeSend changes). It judges what really leaves: the recipients Thunderbird will deliver
// to, the identity's servers, and the message's own MIME structure and PKESK recipients.
import {
  type ComposeSnapshot,
  type Decision,
  describeDecision,
  type EncryptionState,
  evaluate,
  type RecipientInput,
  type Transport,
} from "@sealpost/core";
import type { Host } from "../host/thunderbird-api.js";
import type { Delivery, DeliveryVerdict, SendingRoute } from "../host/thunderbird-types.js";
import { type PolicyState, policyForEvaluation } from "./policy-store.js";
import { readOutgoingMessage } from "./outgoing-message.js";
import type { PromptRequest } from "./send-gate.js";
import { incomingTransport, outgoingTransport, weakestCopy } from "./snapshot-builder.js";

export interface DeliveryDeps {
  readonly host: Pick<Host, "getSendingRoute" | "getPrimaryFingerprints" | "uiLanguage">;
  readonly policy: () => Promise<PolicyState>;
  /** Asks the user about a "confirm" rule that was not already answered in the compose window. */
  readonly prompt: (request: PromptRequest) => Promise<"send" | "cancel">;
  readonly approvals: Approvals;
  /** The first line of the refusal Thunderbird shows, in the user's language. */
  readonly refusalIntro: string;
  readonly onDecision?: (decision: Decision, delivery: Delivery) => void;
}

export async function checkDelivery(deps: DeliveryDeps, delivery: Delivery): Promise<DeliveryVerdict> {
  try {
    const policy = await deps.policy().catch((error: unknown): PolicyState => ({
      kind: "invalid",
      source: "managed",
      errors: [],
      reason: `the policy could not be read (${describe(error)})`,
    }));
    if (policy.kind === "none") return { allow: true };
    const decision = evaluate(policyForEvaluation(policy), await deliverySnapshot(deps.host, delivery));
    deps.onDecision?.(decision, delivery);
    if (decision.verdict === "allow") return { allow: true };
    if (decision.verdict === "confirm") {
      if (deps.approvals.take(decision, delivery.identityId, delivery.subject ?? "")) return { allow: true };
      const answer = await deps
        .prompt({ kind: "confirm", decision, tabId: -1, subject: delivery.subject ?? "" })
        .catch(() => "cancel" as const);
      if (answer === "send") return { allow: true };
    }
    return { allow: false, message: `${deps.refusalIntro}\n\n${describeDecision(decision)}` };
  } catch (error) {
    return { allow: false, message: `${deps.refusalIntro}\n\n${describe(error)}` };
  }
}

export async function deliverySnapshot(host: DeliveryDeps["host"], delivery: Delivery): Promise<ComposeSnapshot> {
  const recipients: RecipientInput[] = [];
  for (const kind of ["to", "cc", "bcc"] as const) {
    const text = delivery[kind];
    if (text !== undefined && text.trim() !== "") recipients.push({ text, kind });
  }
  const { transport, sentCopy } = await routeTransports(host, delivery);
  const message = readOutgoingMessage(delivery.head);
  return {
    recipients,
    transport,
    ...(sentCopy === undefined ? {} : { sentCopy }),
    encryption: await encryptionState(host, message),
    ...(delivery.from === undefined ? {} : { sender: delivery.from }),
    locale: host.uiLanguage(),
  };
}

async function routeTransports(host: DeliveryDeps["host"], delivery: Delivery): Promise<{ transport: Transport; sentCopy?: Transport }> {
  const { identityId } = delivery;
  if (identityId === undefined) return { transport: { kind: "unknown", reason: "the message has no sending identity" } };
  const route = await host.getSendingRoute(identityId);
  const transport: Transport =
    route.outgoing === undefined
      ? { kind: "unknown", reason: route.outgoingProblem ?? "no outgoing server is configured for this identity" }
      : outgoingTransport(route.outgoing);
  const sentCopy = delivery.sentCopies === undefined ? identitySentCopy(route) : weakestCopy(delivery.sentCopies.map(incomingTransport));
  return sentCopy === undefined ? { transport } : { transport, sentCopy };
}

// Where the Experiment does not say where this message's copies go: the identity's Sent folder.
function identitySentCopy(route: SendingRoute): Transport | undefined {
  if (!route.savesSentCopy) return undefined;
  return route.sentCopy === undefined
    ? { kind: "unknown", reason: route.sentCopyProblem ?? "the Sent folder's server is unknown" }
    : incomingTransport(route.sentCopy);
}

// The policy pins primary keys; a PKESK names the encryption subkey. Thunderbird's key ring maps
// one to the other. A key id it does not know stays as it is, and matches no pin.
async function encryptionState(host: DeliveryDeps["host"], message: ReturnType<typeof readOutgoingMessage>): Promise<EncryptionState> {
  const { encryption } = message;
  if (encryption.kind === "smime") return { kind: "smime" };
  if (encryption.kind === "none") return { kind: "none" };
  const primaries = encryption.recipients.length === 0 ? {} : await host.getPrimaryFingerprints([...encryption.recipients]);
  const keyIds = encryption.recipients.map((id) => primaries[id] ?? id);
  // Thunderbird's protected headers put "..." outside and the real subject inside.
  return { kind: "openpgp", keyIds, subject: message.subject === "..." };
}

/**
 * "Send anyway" answers given in the compose window, so that the delivery gate does not ask the
 * same question again a moment later. An answer covers one message: the rules and recipients it
 * was given for, from the same identity, with the same subject, once, within a few minutes.
 * Another message to the same recipient (another add-on's messages.sendMessage, a later send)
 * is asked about again.
 */
export class Approvals {
  private readonly entries: { readonly keys: readonly string[]; readonly expires: number }[] = [];

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  record(decision: Decision, identityId: string | undefined, subject: string): void {
    const keys = confirmKeys(decision, identityId, subject);
    if (keys !== undefined && keys.length > 0) this.entries.push({ keys, expires: this.now() + this.ttlMs });
  }

  /** Whether an answer covers this decision; the answer is then used up. */
  take(decision: Decision, identityId: string | undefined, subject: string): boolean {
    const now = this.now();
    for (let index = this.entries.length - 1; index >= 0; index--)
      if ((this.entries[index]?.expires ?? 0) <= now) this.entries.splice(index, 1);
    const keys = confirmKeys(decision, identityId, subject);
    if (keys === undefined || keys.length === 0) return false;
    const index = this.entries.findIndex((entry) => keys.every((key) => entry.keys.includes(key)));
    if (index === -1) return false;
    this.entries.splice(index, 1);
    return true;
  }
}

// One key per finding; a decision with a blocking finding is never covered.
function confirmKeys(decision: Decision, identityId: string | undefined, subject: string): string[] | undefined {
  if (decision.findings.some((finding) => finding.action !== "confirm")) return undefined;
  return decision.findings.map((finding) =>
    [
      identityId ?? "",
      subject,
      finding.rule ?? "",
      finding.code,
      finding.recipient?.address?.toLowerCase() ?? finding.recipient?.input ?? "",
    ].join("\u0000"),
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
