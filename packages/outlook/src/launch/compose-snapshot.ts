// Gathers core's ComposeSnapshot from Outlook: every recipient in To, Cc and Bcc, the sender,
// the account's transport and, only when a recipient's rules ask for encryption, the encryption
// state (an encrypting sensitivity label, or content sealed with OpenPGP).
import {
  addressKey,
  type CompiledPolicy,
  type EncryptionState,
  type ParsedAddress,
  parseRecipients,
  type RecipientInput,
  type Transport,
} from "@sealpost/core";
import type { AttachmentSummary, Host, RecipientDetails, RecipientField } from "../host/office-compose.js";
import { describeError } from "../shared/errors.js";
import type { KeyDirectory } from "./key-directory.js";
import type { Note } from "./messages.js";
import { RECORD_KEY, readSealedFacts, type SealedFacts } from "./seal-record.js";
import { attachmentName, attachmentPart, bodyPart, judgeSealing, type KeyHolder, looksSealed, unreadablePart } from "./sealed-content.js";

export const FIELDS: readonly RecipientField[] = ["to", "cc", "bcc"];

export interface GatheredRecipient {
  readonly input: RecipientInput;
  readonly details: RecipientDetails;
}

/** Every recipient of the message; rejects when any field cannot be read, since one unknown field hides who receives it. */
export async function readRecipients(host: Host): Promise<GatheredRecipient[]> {
  const fields = await Promise.all(
    FIELDS.map(async (kind) => (await host.recipients(kind)).map((details) => ({ input: recipientInput(details, kind), details }))),
  );
  return ([] as GatheredRecipient[]).concat(...fields);
}

// The address is what counts. A distribution list is judged by its own address: Office.js
// cannot expand it. An entry without an address falls back to its display name, and one
// without either becomes a text core refuses, so that no recipient silently disappears.
export function recipientInput(details: RecipientDetails, kind: RecipientField): RecipientInput {
  const text = details.emailAddress.trim() || details.displayName.trim() || "(a recipient without an address)";
  return { text, kind };
}

export async function readSender(host: Host): Promise<string | undefined> {
  try {
    const from = await host.sender();
    if (from !== undefined && from.emailAddress.trim() !== "") return from.emailAddress.trim();
  } catch {
    // The signed-in user's address is the next best answer.
  }
  return host.userAddress();
}

/**
 * Office.js reports no TLS state, only the account type: Exchange (on-premises or Microsoft
 * 365), Outlook.com and Gmail accounts reach their servers over HTTPS (DESIGN.md, Outlook).
 */
export function transportFor(accountType: string | undefined): Transport {
  if (accountType === undefined) return { kind: "unknown", reason: "Outlook does not report the account type" };
  if (HTTPS_ACCOUNTS.has(accountType)) return { kind: "https" };
  return { kind: "unknown", reason: `the account type is "${accountType}"` };
}

const HTTPS_ACCOUNTS = new Set(["enterprise", "office365", "outlookCom", "gmail"]);

export interface Needs {
  /** Some recipient's rules require encryption, so the encryption state matters. */
  readonly encryption: boolean;
  /** Recipients whose rules accept OpenPGP: sealed content must be encrypted to each one's key. */
  readonly keyHolders: readonly KeyHolder[];
}

export function needsOf(policy: CompiledPolicy, recipients: readonly RecipientInput[]): Needs {
  let encryption = false;
  const holders = new Map<string, KeyHolder>();
  for (const recipient of recipients) {
    for (const parsed of parseRecipients(recipient.text)) {
      if (!parsed.ok) continue;
      for (const rule of rulesFor(policy, parsed)) {
        if (rule.encryption === undefined) continue;
        encryption = true;
        if (rule.encryption.includes("openpgp")) holders.set(addressKey(parsed), { key: addressKey(parsed), display: display(parsed) });
      }
    }
  }
  return { encryption, keyHolders: [...holders.values()] };
}

export function rulesFor(policy: CompiledPolicy, address: ParsedAddress): CompiledPolicy["rules"] {
  return policy.matcher
    .lookup(address.domain)
    .matches.map((match) => policy.rules[match.rule])
    .filter((rule) => rule !== undefined);
}

function display(address: ParsedAddress): string {
  return `${address.local}@${address.unicodeDomain}`;
}

/**
 * The encryption state, and what stands in the way of it. An encrypting label settles it
 * without reading the content; otherwise a body that is an armored OpenPGP message makes the
 * content worth checking, attachments included; a plain body is simply not encrypted.
 */
export async function readEncryption(
  host: Host,
  policy: CompiledPolicy,
  keys: KeyDirectory,
  needs: Needs,
  notes: Note[],
): Promise<EncryptionState> {
  let label: string | undefined;
  try {
    label = await host.sensitivityLabel();
  } catch (error) {
    notes.push({ key: "check.label-unreadable", values: { reason: describeError(error) } });
  }
  if (label !== undefined && policy.encryptingLabels.has(label.toLowerCase())) return { kind: "label", id: label };
  const otherwise: EncryptionState = label === undefined ? { kind: "none" } : { kind: "label", id: label };

  let body: string;
  try {
    body = await host.bodyText();
  } catch (error) {
    notes.push({ key: "check.unchecked", values: { reason: describeError(error) } });
    return { kind: "none" };
  }
  if (!looksSealed(body)) return otherwise;

  const parts = [bodyPart(body)];
  let attachments: AttachmentSummary[];
  try {
    attachments = await host.attachments();
  } catch (error) {
    notes.push({ key: "check.unchecked", values: { reason: describeError(error) } });
    return { kind: "none" };
  }
  // Contents are read one after another: several large attachments at once could exhaust memory.
  for (const attachment of attachments) {
    try {
      parts.push(attachmentPart(attachment, await host.attachmentContent(attachment.id)));
    } catch (error) {
      parts.push(unreadablePart(attachmentName(attachment.name), describeError(error)));
    }
  }
  const sealed = await sealedFacts(host, notes);
  const subjectProtected = sealed?.neutralSubject !== undefined && (await subjectIs(host, sealed.neutralSubject, notes));
  const sealing = judgeSealing(parts, keys, needs.keyHolders, sealed, subjectProtected);
  notes.push(...sealing.notes);
  return sealing.state;
}

// What Seal recorded; a record that cannot be read lends no keys, so unpinned recipients stay blocked.
async function sealedFacts(host: Host, notes: Note[]): Promise<SealedFacts | undefined> {
  let facts: SealedFacts | undefined | Error;
  try {
    facts = readSealedFacts(await host.sessionValue(RECORD_KEY));
  } catch (error) {
    facts = error instanceof Error ? error : new Error(describeError(error));
  }
  if (!(facts instanceof Error)) return facts;
  notes.push({ key: "seal.record-unreadable", values: { reason: describeError(facts) } });
  return undefined;
}

// The real subject travels inside only while the neutral one Seal set is still the subject.
async function subjectIs(host: Host, neutral: string, notes: Note[]): Promise<boolean> {
  try {
    if ((await host.subject()) === neutral) return true;
    notes.push({ key: "seal.subject-changed" });
  } catch (error) {
    notes.push({ key: "check.unchecked", values: { reason: describeError(error) } });
  }
  return false;
}
