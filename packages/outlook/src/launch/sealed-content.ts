// Decides whether a message's content is sealed: the body is one armored OpenPGP message, every
// attachment an OpenPGP message (armored or binary), and each of them encrypted to the key of
// every recipient whose rules ask for OpenPGP. Anything less is not sealed, and says why.
import type { EncryptionState } from "@sealpost/core";
import {
  base64Bytes,
  type ByteSource,
  type EncryptedMessage,
  inspectEncryptedMessage,
  type KeyRef,
  readArmor,
  startsArmored,
} from "@sealpost/core/openpgp/reader";
import type { AttachmentData, AttachmentSummary } from "../host/office-compose.js";
import { type KeyDirectory, keyIdOf } from "./key-directory.js";
import type { Note } from "./messages.js";
import type { SealedFacts, SealedKey } from "./seal-record.js";

export type PartVerdict = { readonly ok: true; readonly recipients: readonly KeyRef[] } | { readonly ok: false; readonly note: Note };

export interface SealedPart {
  /** How the part is named to the user. */
  readonly part: Note;
  readonly verdict: PartVerdict;
}

/** A recipient whose rules require OpenPGP, by core's address key and as shown to people. */
export interface KeyHolder {
  readonly key: string;
  readonly display: string;
}

const BODY: Note = { key: "seal.body" };
const MESSAGE = "PGP MESSAGE";

/** Whether a body looks like an attempt at sealing, so its attachments are worth reading. */
export function looksSealed(body: string): boolean {
  return startsArmored(body, MESSAGE);
}

export function attachmentName(name: string): Note {
  return { key: "seal.attachment", values: { name } };
}

export function bodyPart(body: string): SealedPart {
  const armor = readArmor(body);
  if (!armor.ok) return { part: BODY, verdict: problem("seal.malformed", BODY, armor.reason) };
  if (armor.label !== MESSAGE) return { part: BODY, verdict: problem("seal.not-encrypted", BODY) };
  if (armor.textOutside) return { part: BODY, verdict: { ok: false, note: { key: "seal.body-outside" } } };
  return { part: BODY, verdict: verdictOf(inspectEncryptedMessage(armor.data), BODY) };
}

export function attachmentPart(summary: AttachmentSummary, data: AttachmentData): SealedPart {
  const part = attachmentName(summary.name);
  // An attached mail item or a cloud link cannot carry ciphertext; only a file can.
  if (summary.attachmentType !== "file" || data.format !== "base64") return { part, verdict: problem("seal.not-a-file", part) };
  const bytes = base64Bytes(data.content);
  if (bytes === undefined) return { part, verdict: problem("seal.unreadable", part, "its content is not base64") };
  // An attachment may be armored (.asc) or binary (.pgp, .gpg); armor is told by its first line.
  if (!startsArmored(asciiText(bytes, 64), MESSAGE)) return { part, verdict: verdictOf(inspectEncryptedMessage(bytes), part) };
  const armor = readArmor(asciiText(bytes, bytes.length));
  if (!armor.ok) return { part, verdict: problem("seal.malformed", part, armor.reason) };
  // Text outside an armored attachment's block is as readable as any other text.
  if (armor.textOutside) return { part, verdict: problem("seal.trailing-data", part) };
  return { part, verdict: verdictOf(inspectEncryptedMessage(armor.data), part) };
}

export function unreadablePart(part: Note, reason: string): SealedPart {
  return { part, verdict: problem("seal.unreadable", part, reason) };
}

// Armor is ASCII; bytes beyond it become characters that the armor check then refuses.
function asciiText(bytes: ByteSource, length: number): string {
  const all = bytes.slice(0, Math.min(length, bytes.length));
  let text = "";
  // In slices: String.fromCharCode with a huge argument list overflows the stack.
  for (let i = 0; i < all.length; i += 8192) text += String.fromCharCode(...Array.from(all.subarray(i, i + 8192)));
  return text;
}

function verdictOf(message: EncryptedMessage, part: Note): PartVerdict {
  if (message.ok) return { ok: true, recipients: message.recipients };
  switch (message.problem) {
    case "not-encrypted":
      return problem("seal.not-encrypted", part);
    case "no-integrity":
      return problem("seal.no-integrity", part);
    case "trailing-data":
      return problem("seal.trailing-data", part);
    case "no-recipient-keys":
      return problem("seal.password-only", part);
    default:
      return problem("seal.malformed", part, message.detail);
  }
}

function problem(key: Note["key"], part: Note, reason?: string): PartVerdict {
  return { ok: false, note: { key, values: reason === undefined ? { part } : { part, reason } } };
}

/**
 * The encryption state of sealed content. Every part must be encrypted, and each one to the
 * key of every holder; the key ids reported are those every part is encrypted to, named as
 * core's pin check expects (primary fingerprints where a pinned key knows them). A holder the
 * policy pins no key for is held to the key Seal recorded for them; the subject counts as
 * protected only when the caller has seen Seal's neutral subject still in place.
 */
export function judgeSealing(
  parts: readonly SealedPart[],
  keys: KeyDirectory,
  holders: readonly KeyHolder[],
  sealed?: SealedFacts,
  subjectProtected = false,
): { state: EncryptionState; notes: Note[] } {
  const notes: Note[] = [];
  for (const { verdict } of parts) if (!verdict.ok) notes.push(verdict.note);
  if (notes.length > 0) return { state: { kind: "none" }, notes };

  for (const holder of holders) {
    const pin = keys.pinFor(holder.key);
    if (pin === undefined) {
      // No pin: the key Seal found for this recipient (WKD, keys.openpgp.org, an imported key).
      const key = sealed?.keys.get(holder.key);
      if (key === undefined) {
        notes.push({ key: "seal.key-unknown", values: { address: holder.display } });
        continue;
      }
      const missedPart = parts.find(({ verdict }) => verdict.ok && !verdict.recipients.some((ref) => namesSealedKey(key, ref)));
      if (missedPart !== undefined) {
        notes.push({ key: "seal.key-missing", values: { part: missedPart.part, address: holder.display, key: key.fingerprint } });
      }
      continue;
    }
    if (pin.kind === "unreadable") {
      notes.push({ key: "seal.pin-unreadable", values: { address: holder.display, reason: pin.reason } });
      continue;
    }
    // A pinned fingerprint names the primary key only; the encryption subkeys a PKESK names are
    // known from Seal's record when the key it sealed to is the pinned one (the pane checked
    // the subkeys' bindings with openpgp.js). Another key in the record changes nothing.
    const recorded = pin.kind === "fingerprint" ? sealed?.keys.get(holder.key) : undefined;
    const subkeys = pin.kind === "fingerprint" && recorded?.fingerprint === pin.fingerprint ? recorded : undefined;
    const covered = (ref: KeyRef) => keys.covers(pin, ref) || (subkeys !== undefined && namesSealedKey(subkeys, ref));
    // One note per recipient, for the first part that misses their key.
    const missed = parts.find(({ verdict }) => verdict.ok && !verdict.recipients.some(covered));
    if (missed === undefined) continue;
    notes.push(
      // A fingerprint names one key: a message encrypted to another subkey of it cannot be told from one encrypted to a wrong key.
      pin.kind === "fingerprint"
        ? { key: "seal.fingerprint-only", values: { address: holder.display, key: pin.fingerprint } }
        : { key: "seal.key-missing", values: { part: missed.part, address: holder.display, key: pin.primary } },
    );
  }
  if (notes.length > 0) return { state: { kind: "none" }, notes };

  let common: string[] | undefined;
  for (const { verdict } of parts) {
    if (!verdict.ok) continue;
    const named = verdict.recipients.map((ref) => nameOf(ref, keys, sealed));
    common = common === undefined ? unique(named) : common.filter((id) => named.includes(id));
  }
  return { state: { kind: "openpgp", keyIds: common ?? [], subject: subjectProtected }, notes };
}

/** As core's pin check names a PKESK's key: by a pin, else by the primary fingerprint of a key Seal recorded. */
function nameOf(ref: KeyRef, keys: KeyDirectory, sealed: SealedFacts | undefined): string {
  const named = keys.primaryOf(ref);
  if (named !== (ref.fingerprint ?? ref.keyId)) return named;
  for (const key of sealed?.keys.values() ?? []) if (namesSealedKey(key, ref)) return key.fingerprint;
  return named;
}

/** Whether a PKESK names one of the encryption subkeys Seal recorded for a recipient. */
function namesSealedKey(key: SealedKey, ref: KeyRef): boolean {
  if (ref.fingerprint !== undefined) return ref.fingerprint === key.fingerprint || key.keyIds.includes(keyIdOf(ref.fingerprint));
  return key.keyIds.includes(ref.keyId);
}

function unique(values: readonly string[]): string[] {
  return values.filter((value, index) => values.indexOf(value) === index);
}
