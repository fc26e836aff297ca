// OpenPGP packet framing (RFC 9580 §4.2): walks a message's packets by their headers, without
// reading the bodies, so a sealed attachment is checked in time proportional to its packets.
import type { ByteSource } from "./bytes.js";

export const TAG = {
  pkesk: 1,
  signature: 2,
  skesk: 3,
  onePassSignature: 4,
  secretKey: 5,
  publicKey: 6,
  secretSubkey: 7,
  compressedData: 8,
  symmetricallyEncryptedData: 9,
  marker: 10,
  literalData: 11,
  userId: 13,
  userAttribute: 17,
  publicSubkey: 14,
  seipd: 18,
  /** LibrePGP's OCB-encrypted data (GnuPG 2.3 and later); not in RFC 9580. */
  aeadEncryptedData: 20,
  padding: 21,
} as const;

// Only these may use partial body lengths (RFC 9580 §4.2.1.4; tag 20 from LibrePGP).
const PARTIAL_ALLOWED = new Set<number>([
  TAG.compressedData,
  TAG.symmetricallyEncryptedData,
  TAG.literalData,
  TAG.seipd,
  TAG.aeadEncryptedData,
]);

export interface Packet {
  readonly tag: number;
  /** Offset of the body's first byte. */
  readonly bodyStart: number;
  /** The body's length; for partial lengths, the sum of its chunks. */
  readonly bodyLength: number;
  /** Whether the body is split into chunks (partial lengths), so not one contiguous range. */
  readonly chunked: boolean;
  /** Offset just after the packet. */
  readonly end: number;
}

export class PacketError extends Error {
  override readonly name = "PacketError";
}

/** The packets of `source` in order; throws PacketError where the framing is broken. */
export function readPackets(source: ByteSource): Packet[] {
  const packets: Packet[] = [];
  let offset = 0;
  while (offset < source.length) {
    const packet = readPacket(source, offset);
    packets.push(packet);
    offset = packet.end;
  }
  return packets;
}

/** A packet's body as bytes: only for contiguous bodies (keys, PKESKs), which are small. */
export function packetBody(source: ByteSource, packet: Packet): Uint8Array {
  if (packet.chunked) throw new PacketError(`packet ${String(packet.tag)} is split into chunks`);
  return source.slice(packet.bodyStart, packet.bodyStart + packet.bodyLength);
}

function readPacket(source: ByteSource, start: number): Packet {
  const first = source.byteAt(start);
  if ((first & 0x80) === 0) throw new PacketError(`byte ${String(start)} does not start a packet`);
  let offset = start + 1;
  const need = (count: number) => {
    if (offset + count > source.length) throw new PacketError(`packet at byte ${String(start)} is cut short`);
  };

  if ((first & 0x40) === 0) {
    // Legacy format (§4.2.2): the tag and the size of the length field share the first byte.
    const tag = (first >> 2) & 0x0f;
    const lengthType = first & 0x03;
    if (lengthType === 3) return { tag, bodyStart: offset, bodyLength: source.length - offset, chunked: false, end: source.length };
    const size = lengthType === 0 ? 1 : lengthType === 1 ? 2 : 4;
    need(size);
    let length = 0;
    for (let i = 0; i < size; i++) length = length * 256 + source.byteAt(offset + i);
    offset += size;
    need(length);
    return { tag, bodyStart: offset, bodyLength: length, chunked: false, end: offset + length };
  }

  // OpenPGP format (§4.2.1): a body may come in chunks, each announced by a partial length.
  const tag = first & 0x3f;
  const bodyStart = offset + lengthFieldSize(source, offset, start);
  let total = 0;
  let chunked = false;
  const done = (length: number): Packet => ({ tag, bodyStart, bodyLength: total + length, chunked, end: offset + length });
  for (;;) {
    need(1);
    const octet = source.byteAt(offset);
    if (octet < 192) {
      offset += 1;
      need(octet);
      return done(octet);
    }
    if (octet < 224) {
      need(2);
      const length = ((octet - 192) << 8) + source.byteAt(offset + 1) + 192;
      offset += 2;
      need(length);
      return done(length);
    }
    if (octet === 255) {
      need(5);
      const length =
        source.byteAt(offset + 1) * 0x1000000 +
        ((source.byteAt(offset + 2) << 16) | (source.byteAt(offset + 3) << 8) | source.byteAt(offset + 4));
      offset += 5;
      need(length);
      return done(length);
    }
    if (!PARTIAL_ALLOWED.has(tag)) throw new PacketError(`packet ${String(tag)} at byte ${String(start)} may not use partial lengths`);
    const length = 1 << (octet & 0x1f);
    offset += 1;
    need(length);
    offset += length;
    total += length;
    chunked = true;
  }
}

// Where the first chunk's bytes begin: after the first length field.
function lengthFieldSize(source: ByteSource, offset: number, start: number): number {
  if (offset >= source.length) throw new PacketError(`packet at byte ${String(start)} is cut short`);
  const octet = source.byteAt(offset);
  if (octet < 192) return 1;
  if (octet < 224) return 2;
  if (octet === 255) return 5;
  return 1;
}
