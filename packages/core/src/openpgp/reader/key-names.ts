// Reads an armored OpenPGP public key far enough to name it: the fingerprint and key id of the
// primary key and of every subkey, and whether the key's own signatures still let each subkey
// encrypt. Signatures are not verified; the keys read here are the administrator's pins from
// the policy, which is trusted as a whole.
import { readArmor } from "./armor.js";
import { type ByteSource, toHex } from "./bytes.js";
import { sha1, sha256 } from "./digest.js";
import { type Packet, packetBody, PacketError, readPackets, TAG } from "./packets.js";

export interface KeyName {
  /** Upper-case hex: 40 digits for a v4 key, 64 for v5 and v6. */
  readonly fingerprint: string;
  readonly keyId: string;
  readonly version: number;
}

export interface SubkeyName extends KeyName {
  /**
   * Why the key's own signatures rule this subkey out for encryption: a subkey revocation, a
   * binding whose key flags allow no encryption, or a binding expiry passed at `now`.
   */
  readonly unusable?: string;
}

export interface PublicKeyInfo extends KeyName {
  readonly subkeys: readonly SubkeyName[];
  /** Set when a key revocation signature follows the primary key. */
  readonly revoked?: boolean;
}

export type PublicKeys = { readonly ok: true; readonly keys: readonly PublicKeyInfo[] } | { readonly ok: false; readonly reason: string };

export function readArmoredKeyNames(text: string, now: Date = new Date()): PublicKeys {
  const armor = readArmor(text);
  if (!armor.ok) return { ok: false, reason: armor.reason };
  if (armor.label !== "PGP PUBLIC KEY BLOCK") return { ok: false, reason: `the block is a ${armor.label}, not a public key` };
  return readKeyNames(armor.data, now);
}

interface Reading {
  primary: KeyName;
  revoked: boolean;
  subkeys: { name: KeyName; created: number; revoked: boolean; binding?: Binding }[];
}

export function readKeyNames(source: ByteSource, now: Date = new Date()): PublicKeys {
  let packets: Packet[];
  try {
    packets = readPackets(source);
  } catch (error) {
    if (error instanceof PacketError) return { ok: false, reason: error.message };
    throw error;
  }
  const keys: Reading[] = [];
  // Signatures belong to the key packet before them: the primary key's until a user ID, then a subkey's.
  let signer: "primary" | "user" | "subkey" = "primary";
  for (const packet of packets) {
    if (packet.tag === TAG.secretKey || packet.tag === TAG.secretSubkey) return { ok: false, reason: "the block holds a secret key" };
    const current = keys[keys.length - 1];
    if (packet.tag === TAG.signature && current !== undefined) {
      const signature = readSignature(packetBody(source, packet));
      if (signature === undefined) continue;
      if (signer === "primary" && signature.type === SIG.keyRevocation) current.revoked = true;
      const subkey = signer === "subkey" ? current.subkeys[current.subkeys.length - 1] : undefined;
      if (subkey === undefined) continue;
      if (signature.type === SIG.subkeyRevocation) subkey.revoked = true;
      // Of several bindings, the newest speaks (RFC 9580 §5.2.3.10, "the most recent").
      if (signature.type === SIG.subkeyBinding && (subkey.binding === undefined || signature.created >= subkey.binding.created)) {
        subkey.binding = signature;
      }
      continue;
    }
    if (packet.tag === TAG.userId || packet.tag === TAG.userAttribute) signer = "user";
    if (packet.tag !== TAG.publicKey && packet.tag !== TAG.publicSubkey) continue;
    const body = packetBody(source, packet);
    const name = keyName(body);
    if (typeof name === "string") return { ok: false, reason: name };
    if (packet.tag === TAG.publicKey) {
      keys.push({ primary: name, revoked: false, subkeys: [] });
      signer = "primary";
    } else if (current === undefined) return { ok: false, reason: "a subkey comes before any primary key" };
    else {
      current.subkeys.push({ name, created: uint32(body, 1), revoked: false });
      signer = "subkey";
    }
  }
  if (keys.length === 0) return { ok: false, reason: "the block holds no public key" };
  const seconds = Math.floor(now.getTime() / 1000);
  return {
    ok: true,
    keys: keys.map(({ primary, revoked, subkeys }) => ({
      ...primary,
      ...(revoked ? { revoked } : {}),
      subkeys: subkeys.map((subkey) => {
        const why = unusable(subkey, seconds);
        return why === undefined ? subkey.name : { ...subkey.name, unusable: why };
      }),
    })),
  };
}

const SIG = { subkeyBinding: 0x18, keyRevocation: 0x20, subkeyRevocation: 0x28 } as const;
const SUBPACKET = { created: 2, keyExpiry: 9, keyFlags: 27 } as const;
/** Key flags 0x04 and 0x08: encrypt communications, encrypt storage (RFC 9580 §5.2.3.29). */
const ENCRYPTS = 0x04 | 0x08;

interface Binding {
  readonly type: number;
  readonly created: number;
  /** Seconds after the subkey's creation; 0 for never. */
  readonly expiry: number;
  readonly flags: number | undefined;
}

function unusable(subkey: Reading["subkeys"][number], now: number): string | undefined {
  if (subkey.revoked) return "revoked";
  const binding = subkey.binding;
  if (binding === undefined) return "not bound to the primary key";
  if (binding.flags !== undefined && (binding.flags & ENCRYPTS) === 0) return "not for encryption";
  if (binding.expiry !== 0 && subkey.created + binding.expiry <= now) return "expired";
  return undefined;
}

// v4 and v6 signatures (RFC 9580 §5.2.3): version, type, algorithms, then the hashed subpackets,
// whose length takes two octets in v4 and four in v6. Only the hashed area is read: the
// unhashed one is not covered by the signature. A v3 signature carries no subpackets.
function readSignature(body: Uint8Array): Binding | undefined {
  const version = body[0];
  if (version !== 4 && version !== 6) return undefined;
  const type = body[1] ?? 0;
  const sizeOctets = version === 4 ? 2 : 4;
  let length = 0;
  for (let i = 0; i < sizeOctets; i++) length = length * 256 + (body[4 + i] ?? 0);
  const start = 4 + sizeOctets;
  const end = Math.min(start + length, body.length);
  let created = 0;
  let expiry = 0;
  let flags: number | undefined;
  for (let offset = start; offset < end;) {
    const first = body[offset] ?? 0;
    let size: number;
    if (first < 192) {
      size = first;
      offset += 1;
    } else if (first < 255) {
      size = ((first - 192) << 8) + (body[offset + 1] ?? 0) + 192;
      offset += 2;
    } else {
      size = uint32(body, offset + 1);
      offset += 5;
    }
    if (size === 0 || offset + size > end) break;
    const kind = (body[offset] ?? 0) & 0x7f;
    if (kind === SUBPACKET.created && size >= 5) created = uint32(body, offset + 1);
    if (kind === SUBPACKET.keyExpiry && size >= 5) expiry = uint32(body, offset + 1);
    if (kind === SUBPACKET.keyFlags && size >= 2) flags = body[offset + 1] ?? 0;
    offset += size;
  }
  return { type, created, expiry, flags };
}

function uint32(bytes: Uint8Array, offset: number): number {
  return (
    (((bytes[offset] ?? 0) << 24) >>> 0) + ((bytes[offset + 1] ?? 0) << 16) + ((bytes[offset + 2] ?? 0) << 8) + (bytes[offset + 3] ?? 0)
  );
}

// The fingerprint hashes the key packet's body behind a fixed prefix: 0x99 and a two-octet
// length for v4 (RFC 4880 §12.2), 0x9A (LibrePGP v5) or 0x9B (RFC 9580 §5.5.4, v6) and a
// four-octet length. The key id is the low 64 bits of a v4 fingerprint, the high 64 otherwise.
function keyName(body: Uint8Array): KeyName | string {
  const version = body[0];
  const length = body.length;
  if (version === 4) {
    if (length > 0xffff) return "a v4 key packet is too long";
    const fingerprint = toHex(sha1(concat([0x99, length >> 8, length & 0xff], body)));
    return { fingerprint, keyId: fingerprint.slice(24), version };
  }
  if (version === 5 || version === 6) {
    const prefix = [version === 6 ? 0x9b : 0x9a, (length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff];
    const fingerprint = toHex(sha256(concat(prefix, body)));
    return { fingerprint, keyId: fingerprint.slice(0, 16), version };
  }
  return `key version ${String(version)} is not supported`;
}

function concat(prefix: readonly number[], body: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix);
  out.set(body, prefix.length);
  return out;
}
