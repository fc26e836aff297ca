// Reads an armored OpenPGP public key far enough to name it: the fingerprint and key id of the
// primary key and of every subkey. Signatures are not verified; the keys read here are the
// administrator's pins from the policy, which is trusted as a whole.
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

export interface PublicKeyInfo extends KeyName {
  readonly subkeys: readonly KeyName[];
}

export type PublicKeys = { readonly ok: true; readonly keys: readonly PublicKeyInfo[] } | { readonly ok: false; readonly reason: string };

export function readArmoredKeyNames(text: string): PublicKeys {
  const armor = readArmor(text);
  if (!armor.ok) return { ok: false, reason: armor.reason };
  if (armor.label !== "PGP PUBLIC KEY BLOCK") return { ok: false, reason: `the block is a ${armor.label}, not a public key` };
  return readKeyNames(armor.data);
}

export function readKeyNames(source: ByteSource): PublicKeys {
  let packets: Packet[];
  try {
    packets = readPackets(source);
  } catch (error) {
    if (error instanceof PacketError) return { ok: false, reason: error.message };
    throw error;
  }
  const keys: { primary: KeyName; subkeys: KeyName[] }[] = [];
  for (const packet of packets) {
    if (packet.tag === TAG.secretKey || packet.tag === TAG.secretSubkey) return { ok: false, reason: "the block holds a secret key" };
    if (packet.tag !== TAG.publicKey && packet.tag !== TAG.publicSubkey) continue;
    const name = keyName(packetBody(source, packet));
    if (typeof name === "string") return { ok: false, reason: name };
    if (packet.tag === TAG.publicKey) keys.push({ primary: name, subkeys: [] });
    else if (keys.length === 0) return { ok: false, reason: "a subkey comes before any primary key" };
    else keys[keys.length - 1]?.subkeys.push(name);
  }
  if (keys.length === 0) return { ok: false, reason: "the block holds no public key" };
  return { ok: true, keys: keys.map(({ primary, subkeys }) => ({ ...primary, subkeys })) };
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
