// Seals a message for Outlook, which cannot build PGP/MIME: the body becomes one armored OpenPGP
// message (inline PGP) and each attachment a binary OpenPGP message named NAME.pgp. README's
// "Sealed message format (OpenPGP)" says why each choice was made.
import { utf8ToBytes } from "@noble/hashes/utils.js";
import * as openpgp from "openpgp";
import { encryptedTo } from "./encrypted-to.js";
import type { KeyInfo } from "./key-info.js";

export interface SealAttachment {
  readonly name: string;
  readonly contentType: string;
  readonly content: Uint8Array;
}

export interface SealInput {
  readonly subject: string;
  /**
   * An HTML body is sealed as its text rendering: inline-PGP readers (Thunderbird) show decrypted
   * inline text as text, so encrypted markup would reach the reader as tags. Core carries no HTML
   * renderer (one costs more than openpgp.js's half again in the bundle): pass the host's own text
   * (Office.js CoercionType.Text) as type "text", or give `htmlToText`.
   */
  readonly body: { readonly type: "text" | "html"; readonly content: string };
  /** Renders an HTML body as text (a browser host can use its DOM); required when body.type is "html". Added after the first API. */
  readonly htmlToText?: (html: string) => string;
  readonly attachments: readonly SealAttachment[];
  /**
   * Every recipient's key that is known, protected recipients or not: the message is encrypted
   * to all of them, so each recipient can read it. The caller must refuse to seal while a
   * protected recipient has no key; sealMessage cannot tell who is protected.
   */
  readonly keys: readonly KeyInfo[];
  /** Replace the subject with a neutral one; the real one travels inside the encrypted body. */
  readonly protectSubject?: { readonly neutralSubject: string };
}

export interface Sealed {
  /** The subject to set: the neutral one when the subject is protected. */
  readonly subject: string;
  /** The armored OpenPGP message that becomes the whole body, as plain text. */
  readonly body: string;
  /** One per input attachment, in order: NAME.pgp, application/octet-stream, binary OpenPGP. */
  readonly attachments: readonly SealAttachment[];
}

/** What a sealed attachment's content type is: the type Thunderbird and Enigmail give inline-PGP attachments. */
export const SEALED_ATTACHMENT_TYPE = "application/octet-stream";

export async function sealMessage(input: SealInput): Promise<Sealed> {
  if (input.keys.length === 0) throw new Error("sealMessage: no keys to encrypt to (pass the key of every recipient who has one)");
  if (input.body.type !== "text" && input.body.type !== "html") {
    throw new Error(`sealMessage: body.type must be "text" or "html", not ${JSON.stringify(input.body.type)}`);
  }
  const keys = await readEncryptionKeys(input.keys);
  const date = new Date();

  const text = input.body.type === "html" ? htmlAsText(input.body.content, input.htmlToText) : input.body.content;
  const payload = input.protectSubject === undefined ? text : `${legacyDisplay(input.subject)}${text}`;
  // Literal format "b", not "u": GnuPG and RNP turn a text packet's CRLF into the platform's line
  // ends, and the body is to arrive exactly as written. Readers decode it as UTF-8 text all the same.
  const bodyMessage = await openpgp.createMessage({ binary: utf8ToBytes(payload), format: "binary", date });
  const body = await encrypt(bodyMessage, keys, "armored", "the body");

  const attachments: SealAttachment[] = [];
  for (const attachment of input.attachments) {
    if (!(attachment.content instanceof Uint8Array)) throw new Error(`sealMessage: attachment "${attachment.name}" has no byte content`);
    // The literal packet keeps the name, so `gpg --use-embedded-filename` and Thunderbird restore it.
    const message = await openpgp.createMessage({ binary: attachment.content, filename: attachment.name, format: "binary", date });
    const content = await encrypt(message, keys, "binary", `attachment "${attachment.name}"`);
    attachments.push({ name: `${attachment.name}.pgp`, contentType: SEALED_ATTACHMENT_TYPE, content });
  }

  // Fail closed: what leaves must name every key it was meant for, in every part.
  const expected = keys.map(({ encryptionKeyId }) => encryptionKeyId);
  for (const [part, data] of [["the body", body] as const, ...attachments.map((a) => [`attachment "${a.name}"`, a.content] as const)]) {
    const named = encryptedTo(data);
    const missing = expected.filter((id) => !named.includes(id));
    if (missing.length > 0) throw new Error(`sealMessage: ${part} came out not encrypted to ${missing.join(", ")}`);
  }
  return { subject: input.protectSubject?.neutralSubject ?? input.subject, body, attachments };
}

/**
 * The protected subject as the first lines of the encrypted text, "Subject: …" and a blank line:
 * the text form of RFC 9788's Legacy Display Element, which is also how pEp's inline messages
 * carry it and what Thunderbird recognizes (it lifts the line into the header when the outer
 * subject is pEp's "pEp", and otherwise shows it as the body's first line). A line break would
 * end the header line early, so each becomes a space.
 */
function legacyDisplay(subject: string): string {
  return `Subject: ${subject.replace(/[\r\n]+/g, " ")}\r\n\r\n`;
}

function htmlAsText(html: string, render: ((html: string) => string) | undefined): string {
  if (render === undefined) {
    throw new Error('sealMessage: an HTML body needs htmlToText, or pass the host\'s text rendering as body.type "text"');
  }
  const text = render(html);
  if (typeof text !== "string") throw new Error("sealMessage: htmlToText returned no text");
  return text;
}

interface EncryptionKey {
  readonly key: openpgp.PublicKey;
  readonly fingerprint: string;
  readonly encryptionKeyId: string;
}

async function readEncryptionKeys(infos: readonly KeyInfo[]): Promise<EncryptionKey[]> {
  const keys: EncryptionKey[] = [];
  for (const info of infos) {
    if (keys.some((key) => key.fingerprint === info.fingerprint)) continue;
    let key: openpgp.PublicKey;
    try {
      key = await openpgp.readKey({ armoredKey: info.armored });
    } catch (error) {
      throw new Error(`sealMessage: the key ${info.fingerprint} cannot be read`, { cause: error });
    }
    if (key.getFingerprint().toUpperCase() !== info.fingerprint) {
      throw new Error(`sealMessage: the armored key of ${info.fingerprint} is key ${key.getFingerprint().toUpperCase()}`);
    }
    let encryptionKeyId: string;
    try {
      encryptionKeyId = (await key.getEncryptionKey()).getKeyID().toHex().toUpperCase();
    } catch (error) {
      throw new Error(`sealMessage: key ${info.fingerprint} cannot encrypt now (expired, revoked or too weak?)`, { cause: error });
    }
    keys.push({ key: key.toPublic(), fingerprint: info.fingerprint, encryptionKeyId });
  }
  return keys;
}

async function encrypt(
  message: openpgp.Message<Uint8Array>,
  keys: readonly EncryptionKey[],
  format: "armored",
  part: string,
): Promise<string>;
async function encrypt(
  message: openpgp.Message<Uint8Array>,
  keys: readonly EncryptionKey[],
  format: "binary",
  part: string,
): Promise<Uint8Array>;
async function encrypt(
  message: openpgp.Message<Uint8Array>,
  keys: readonly EncryptionKey[],
  format: "armored" | "binary",
  part: string,
): Promise<string | Uint8Array> {
  try {
    const encryptionKeys = keys.map(({ key }) => key);
    // Typed through openpgp.js's stream types, which core (no DOM library) cannot see.
    const encrypted: unknown =
      format === "armored"
        ? await openpgp.encrypt({ message, encryptionKeys, format: "armored" })
        : await openpgp.encrypt({ message, encryptionKeys, format: "binary" });
    if (format === "armored" ? typeof encrypted !== "string" : !(encrypted instanceof Uint8Array)) {
      throw new Error(`openpgp.js returned ${typeof encrypted} for format ${format}`);
    }
    return encrypted as string | Uint8Array;
  } catch (error) {
    throw new Error(`sealMessage: ${part} could not be encrypted: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
