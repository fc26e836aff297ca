// Whether bytes are an OpenPGP *encrypted* message, and to which keys: the packet sequence must
// be session-key packets followed by one integrity-protected encrypted-data packet and nothing
// readable (RFC 9580 §10.3). An armor header or a PKESK alone proves nothing; the whole
// sequence is checked, so plaintext cannot hide behind or after the encrypted part.
import { type ByteSource, toHex } from "./bytes.js";
import { type Packet, packetBody, PacketError, readPackets, TAG } from "./packets.js";

/** A key a PKESK names: always a key id; a v6 PKESK names the full fingerprint too. */
export interface KeyRef {
  /** 16 upper-case hex digits; all zeros for an anonymous recipient. */
  readonly keyId: string;
  readonly fingerprint?: string;
}

export type MessageProblem =
  | "malformed"
  /** A literal, compressed or signed message: readable by anyone. */
  | "not-encrypted"
  /** Symmetrically Encrypted Data without integrity protection (tag 9), which RFC 9580 forbids producing. */
  | "no-integrity"
  /** Packets after the encrypted data, which would travel readable. */
  | "trailing-data"
  /** Encrypted only to passwords (SKESK), to no key. */
  | "no-recipient-keys";

export type EncryptedMessage =
  | { readonly ok: true; readonly recipients: readonly KeyRef[]; readonly passwords: number }
  | { readonly ok: false; readonly problem: MessageProblem; readonly detail: string };

const MAX_PADDING = 32;

export function inspectEncryptedMessage(source: ByteSource): EncryptedMessage {
  // Every OpenPGP packet starts with a byte whose high bit is set (RFC 9580 §4.2); a PDF or any
  // other plain file does not, and is plainly not encrypted rather than a broken message.
  if (source.length === 0 || (source.byteAt(0) & 0x80) === 0) return { ok: false, problem: "not-encrypted", detail: "not OpenPGP data" };
  let packets: Packet[];
  try {
    packets = readPackets(source);
  } catch (error) {
    if (error instanceof PacketError) return { ok: false, problem: "malformed", detail: error.message };
    throw error;
  }
  const recipients: KeyRef[] = [];
  let passwords = 0;
  let encrypted = false;
  for (const packet of packets) {
    // Nothing may follow the encrypted data: even a padding packet's bytes travel readable.
    if (encrypted) return { ok: false, problem: "trailing-data", detail: `packet ${String(packet.tag)} follows the encrypted data` };
    // Before it, a marker packet (fixed "PGP", RFC 9580 §5.8) is ignored; a padding packet
    // (§5.14) only when small, since its bytes are arbitrary and readable.
    if (packet.tag === TAG.marker) continue;
    if (packet.tag === TAG.padding) {
      if (packet.bodyLength > MAX_PADDING)
        return { ok: false, problem: "trailing-data", detail: "a large padding packet could carry readable data" };
      continue;
    }
    switch (packet.tag) {
      case TAG.pkesk: {
        const ref = pkeskRecipient(source, packet);
        if (ref === undefined) return { ok: false, problem: "malformed", detail: "a public-key session key packet cannot be read" };
        recipients.push(ref);
        break;
      }
      case TAG.skesk:
        passwords++;
        break;
      case TAG.seipd: {
        const version = packet.bodyLength > 0 ? source.byteAt(packet.bodyStart) : 0;
        if (version !== 1 && version !== 2)
          return { ok: false, problem: "malformed", detail: `encrypted data packet version ${String(version)}` };
        encrypted = true;
        break;
      }
      case TAG.aeadEncryptedData:
        encrypted = true;
        break;
      case TAG.symmetricallyEncryptedData:
        return { ok: false, problem: "no-integrity", detail: "symmetrically encrypted data without integrity protection" };
      default:
        return { ok: false, problem: "not-encrypted", detail: `packet ${String(packet.tag)} where encrypted data belongs` };
    }
  }
  if (!encrypted) return { ok: false, problem: "not-encrypted", detail: "no encrypted data packet" };
  if (recipients.length === 0) return { ok: false, problem: "no-recipient-keys", detail: "no public-key session key packet" };
  return { ok: true, recipients, passwords };
}

// PKESK v3 names a key id (RFC 9580 §5.1.1); v6 names the key version and fingerprint, or
// nothing for an anonymous recipient (§5.1.2). A v4 key id is a fingerprint's low 64 bits, a
// v6 key id its high 64 bits (§5.5.4).
function pkeskRecipient(source: ByteSource, packet: Packet): KeyRef | undefined {
  const body = packetBody(source, packet);
  const version = body[0];
  if (version === 3) return body.length >= 10 ? { keyId: toHex(body.slice(1, 9)) } : undefined;
  if (version !== 6) return undefined;
  const size = body[1] ?? 0;
  if (size === 0) return { keyId: "0000000000000000" };
  const keyVersion = body[2];
  const fingerprint = toHex(body.slice(3, 2 + size));
  if (keyVersion === 4 && fingerprint.length === 40) return { keyId: fingerprint.slice(24), fingerprint };
  if (keyVersion === 6 && fingerprint.length === 64) return { keyId: fingerprint.slice(0, 16), fingerprint };
  return undefined;
}
