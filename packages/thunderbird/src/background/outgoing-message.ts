// Reads what a message that is about to leave really is, from the start of the file Thunderbird
// hands to the outgoing server: its top-level Content-Type (PGP/MIME, S/MIME or neither), its
// outer Subject, and, for PGP/MIME, the keys its session key is encrypted to. Nothing is
// decrypted; the PKESK packets at the start of an OpenPGP message name their recipients.

export type OutgoingEncryption =
  | { readonly kind: "none"; readonly contentType: string }
  | {
      readonly kind: "openpgp";
      /** Key ids (16 hex digits) or v6 fingerprints the session key is encrypted to, upper case. */
      readonly recipients: readonly string[];
      /** True where a recipient is hidden (a "wildcard" key id): the keys cannot all be told. */
      readonly hiddenRecipients: boolean;
    }
  | { readonly kind: "smime" };

export interface OutgoingMessage {
  readonly subject?: string;
  readonly encryption: OutgoingEncryption;
}

const ARMOR_BEGIN = "-----BEGIN PGP MESSAGE-----";

export function readOutgoingMessage(head: string): OutgoingMessage {
  const headerEnd = head.search(/\r?\n\r?\n/);
  const headers = parseHeaders(headerEnd === -1 ? head : head.slice(0, headerEnd));
  const subject = headers.get("subject");
  const contentType = parseContentType(headers.get("content-type") ?? "text/plain");
  const encryption = encryptionOf(contentType, headerEnd === -1 ? "" : head.slice(headerEnd));
  return { ...(subject === undefined ? {} : { subject }), encryption };
}

function encryptionOf(contentType: ContentType, body: string): OutgoingEncryption {
  if (contentType.type === "multipart/encrypted" && contentType.params.get("protocol")?.toLowerCase() === "application/pgp-encrypted") {
    const start = body.indexOf(ARMOR_BEGIN);
    if (start === -1) return { kind: "none", contentType: "multipart/encrypted without an OpenPGP message" };
    return { kind: "openpgp", ...pkeskRecipients(dearmor(body.slice(start + ARMOR_BEGIN.length))) };
  }
  const smime = contentType.type === "application/pkcs7-mime" || contentType.type === "application/x-pkcs7-mime";
  if (smime && (contentType.params.get("smime-type")?.toLowerCase() ?? "enveloped-data") === "enveloped-data") return { kind: "smime" };
  return { kind: "none", contentType: contentType.type };
}

/** Unfolded header fields by lower-case name; the first occurrence wins. */
function parseHeaders(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
  }
  return fields;
}

interface ContentType {
  readonly type: string;
  readonly params: Map<string, string>;
}

function parseContentType(value: string): ContentType {
  const [type = "", ...rest] = value.split(";");
  const params = new Map<string, string>();
  for (const part of rest) {
    const equals = part.indexOf("=");
    if (equals === -1) continue;
    const name = part.slice(0, equals).trim().toLowerCase();
    params.set(
      name,
      part
        .slice(equals + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1"),
    );
  }
  return { type: type.trim().toLowerCase(), params };
}

// The armored data after the BEGIN line: optional armor headers, a blank line, base64. The head
// may end in the middle of it; the PKESK packets come first, so a prefix is enough.
function dearmor(text: string): Uint8Array {
  const lines = text.split(/\r?\n/).slice(1);
  const blank = lines.findIndex((line) => line.trim() === "");
  const base64: string[] = [];
  for (const line of lines.slice(blank === -1 ? 0 : blank + 1)) {
    const trimmed = line.trim();
    if (trimmed.startsWith("=") || trimmed.startsWith("-----")) break;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(trimmed)) break;
    base64.push(trimmed);
  }
  const joined = base64.join("");
  const whole = joined.slice(0, joined.length - (joined.length % 4));
  const binary = atob(whole);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0"))
    .join("")
    .toUpperCase();

const WILDCARD = "0000000000000000";

// Walks the packets before the encrypted data (RFC 9580 section 4.2 headers): public-key
// encrypted session keys (tag 1), symmetric ones (tag 3) and marker packets (tag 10).
function pkeskRecipients(bytes: Uint8Array): { recipients: string[]; hiddenRecipients: boolean } {
  const recipients: string[] = [];
  let hiddenRecipients = false;
  let offset = 0;
  while (offset < bytes.length) {
    const header = readPacketHeader(bytes, offset);
    if (header === undefined || offset + header.headerLength + header.bodyLength > bytes.length) break;
    const body = bytes.subarray(offset + header.headerLength, offset + header.headerLength + header.bodyLength);
    if (header.tag === 1) {
      const recipient = pkeskRecipient(body);
      if (recipient === undefined) hiddenRecipients = true;
      else recipients.push(recipient);
    } else if (header.tag !== 3 && header.tag !== 10) {
      break;
    }
    offset += header.headerLength + header.bodyLength;
  }
  return { recipients, hiddenRecipients };
}

function pkeskRecipient(body: Uint8Array): string | undefined {
  if (body[0] === 3 && body.length >= 9) {
    const keyId = hex(body.subarray(1, 9));
    return keyId === WILDCARD ? undefined : keyId;
  }
  if (body[0] === 6 && body.length >= 2) {
    // A length octet, then the key version and its fingerprint; zero length is an anonymous recipient.
    const length = body[1] ?? 0;
    return length === 0 || body.length < 2 + length ? undefined : hex(body.subarray(3, 2 + length));
  }
  return undefined;
}

function readPacketHeader(bytes: Uint8Array, offset: number): { tag: number; headerLength: number; bodyLength: number } | undefined {
  const first = bytes[offset];
  if (first === undefined || (first & 0x80) === 0) return undefined;
  if ((first & 0x40) !== 0) {
    const tag = first & 0x3f;
    const o1 = bytes[offset + 1];
    if (o1 === undefined) return undefined;
    if (o1 < 192) return { tag, headerLength: 2, bodyLength: o1 };
    if (o1 < 224) {
      const o2 = bytes[offset + 2];
      return o2 === undefined ? undefined : { tag, headerLength: 3, bodyLength: ((o1 - 192) << 8) + o2 + 192 };
    }
    if (o1 === 255) {
      const length = readUint32(bytes, offset + 2);
      return length === undefined ? undefined : { tag, headerLength: 6, bodyLength: length };
    }
    return undefined; // a partial body length: the encrypted data has begun
  }
  const tag = (first >> 2) & 0x0f;
  const lengthType = first & 0x03;
  if (lengthType === 0) {
    const length = bytes[offset + 1];
    return length === undefined ? undefined : { tag, headerLength: 2, bodyLength: length };
  }
  if (lengthType === 1) {
    const high = bytes[offset + 1];
    const low = bytes[offset + 2];
    return high === undefined || low === undefined ? undefined : { tag, headerLength: 3, bodyLength: (high << 8) | low };
  }
  if (lengthType === 2) {
    const length = readUint32(bytes, offset + 1);
    return length === undefined ? undefined : { tag, headerLength: 5, bodyLength: length };
  }
  return undefined;
}

function readUint32(bytes: Uint8Array, offset: number): number | undefined {
  if (offset + 4 > bytes.length) return undefined;
  return (
    (((bytes[offset] ?? 0) << 24) | ((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0)) >>> 0
  );
}
