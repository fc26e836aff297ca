// Reads public keys that a user imports or a directory serves, with openpgp.js, and judges each:
// usable, or refused with a stable code and a message that says why.
import * as openpgp from "openpgp";
import { addressKey, parseRecipients } from "../address/recipients.js";
import type { KeyInfo, KeyProblem, KeyProblemCode, KeyRead } from "./key-info.js";

export interface ReadKeysOptions {
  /** The moment validity is judged at; now by default. */
  readonly now?: Date;
}

/** A key as the finder needs it: what it is, who it claims to be for, and why it is refused. */
export interface InspectedKey {
  readonly fingerprint?: string;
  /** Set when the key could be read at all, refused or not. */
  readonly info?: KeyInfo;
  /** Addresses of every user ID, valid or not: enough to tell whose key a refused one is. */
  readonly claimed: readonly string[];
  readonly problem?: KeyProblem;
}

/** RSA, DSA and ElGamal below this many bits are refused (NIST SP 800-131A retired 1024-bit keys). */
export const MIN_FINITE_FIELD_BITS = 2048;

const KEY_BLOCK = /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;
const ARMOR_START = /^\s*-----BEGIN PGP /;
// openpgp.js refuses RSA below 2047 bits itself; reading and encryption-key selection run with a
// lower floor so that a short key is reported as "weak" rather than as having no encryption key.
const LENIENT: openpgp.Config = { ...openpgp.config, minRSABits: 512 };

/** Every key in `input` (armored, possibly several blocks, or binary), each judged on its own. */
export async function readPublicKeys(input: string | Uint8Array, options: ReadKeysOptions = {}): Promise<KeyRead[]> {
  const inspected = await inspectKeys(input, options.now ?? new Date());
  return inspected.map((key): KeyRead => {
    if (key.problem === undefined && key.info !== undefined) return { ok: true, key: key.info };
    const problem = key.problem ?? { code: "unreadable", message: "the key cannot be read" };
    return key.fingerprint === undefined ? { ok: false, problem } : { ok: false, problem, fingerprint: key.fingerprint };
  });
}

export async function inspectKeys(input: string | Uint8Array, now: Date): Promise<InspectedKey[]> {
  if (typeof input !== "string" && !(input instanceof Uint8Array)) {
    return [unreadable("the key must be armored text or binary OpenPGP data")];
  }
  const text = typeof input === "string" ? input : ARMOR_START.test(latin1(input.subarray(0, 64))) ? latin1(input) : undefined;
  if (text === undefined) return inspectParsed(() => openpgp.readKeys({ binaryKeys: input as Uint8Array, config: LENIENT }), now);
  const blocks = text.match(KEY_BLOCK) ?? [];
  if (blocks.length === 0) return [unreadable("there is no armored OpenPGP key block (-----BEGIN PGP PUBLIC KEY BLOCK-----)")];
  const results: InspectedKey[] = [];
  for (const block of blocks) results.push(...(await inspectParsed(() => openpgp.readKeys({ armoredKeys: block, config: LENIENT }), now)));
  return results;
}

async function inspectParsed(read: () => Promise<openpgp.Key[]>, now: Date): Promise<InspectedKey[]> {
  let keys: openpgp.Key[];
  try {
    keys = await read();
  } catch (error) {
    return [unreadable(`the key cannot be read: ${error instanceof Error ? error.message : String(error)}`)];
  }
  return Promise.all(
    keys.map((key) =>
      inspectKey(key, now).catch((error: unknown) => ({
        ...unreadable(
          `key ${key.getFingerprint().toUpperCase()} cannot be checked: ${error instanceof Error ? error.message : String(error)}`,
        ),
        fingerprint: key.getFingerprint().toUpperCase(),
      })),
    ),
  );
}

async function inspectKey(key: openpgp.Key, now: Date): Promise<InspectedKey> {
  const fingerprint = key.getFingerprint().toUpperCase();
  const claimed = unique(key.users.flatMap((user) => addressOf(user.userID?.email)));
  const refuse = (code: KeyProblemCode, why: string, info?: KeyInfo): InspectedKey => ({
    fingerprint,
    claimed,
    problem: { code, message: `key ${fingerprint}${claimed.length > 0 ? ` (${claimed.join(", ")})` : ""} ${why}` },
    ...(info === undefined ? {} : { info }),
  });
  // A secret key is never kept: whoever pasted it should not have to wonder where it went.
  if (key.isPrivate()) return refuse("unreadable", "is a secret key: import only its public key");

  const info = await describe(key, fingerprint, now);
  if (await key.isRevoked(undefined, undefined, now, LENIENT)) return refuse("revoked", "is revoked by its owner", info);
  if (info.expires !== null && info.expires.getTime() <= now.getTime()) {
    return refuse("expired", `expired on ${info.expires.toISOString().slice(0, 10)}`, info);
  }
  try {
    await key.verifyPrimaryKey(now, undefined, LENIENT);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (/expired/i.test(reason)) return refuse("expired", "has expired", info);
    if (/revoked/i.test(reason)) return refuse("revoked", "is revoked", info);
    return refuse("unreadable", `is not valid: ${reason}`, info);
  }
  // A weak primary key makes its subkey bindings forgeable, whatever the subkeys are.
  const primaryWeakness = weakness(key.getAlgorithmInfo());
  if (primaryWeakness !== undefined) return refuse("weak", `is too weak: its primary key is ${primaryWeakness}`, info);

  const candidates = await encryptionCandidates(key, now);
  if (candidates.length === 0) {
    const why = await subkeyTroubles(key, now);
    return refuse("no-encryption-key", `has no subkey that is valid for encryption${why.length > 0 ? `: ${why.join("; ")}` : ""}`, info);
  }
  const strong = candidates.filter((candidate) => weakness(candidate.getAlgorithmInfo()) === undefined);
  if (strong.length === 0) {
    const names = candidates.map((candidate) => weakness(candidate.getAlgorithmInfo()) ?? "").join(", ");
    return refuse("weak", `is too weak: its only encryption keys are ${names}`, info);
  }
  let preferred: string | undefined;
  try {
    preferred = (await key.getEncryptionKey(undefined, now)).getKeyID().toHex().toUpperCase();
  } catch {
    preferred = undefined;
  }
  const ids = strong.map((candidate) => candidate.getKeyID().toHex().toUpperCase());
  const encryptionKeyIds = preferred !== undefined && ids.includes(preferred) ? [preferred, ...ids.filter((id) => id !== preferred)] : ids;
  return { fingerprint, claimed, info: { ...info, encryptionKeyIds } };
}

async function describe(key: openpgp.Key, fingerprint: string, now: Date): Promise<KeyInfo> {
  const valid: string[] = [];
  for (const user of key.users) {
    if (user.userID === null) continue;
    try {
      await user.verify(now, LENIENT);
      valid.push(...addressOf(user.userID.email));
    } catch {
      // An unsigned, revoked or expired user ID names nobody.
    }
  }
  let expires: Date | null = null;
  try {
    const time = await key.getExpirationTime(undefined, LENIENT);
    if (time instanceof Date) expires = time;
  } catch {
    // No valid primary user to read the expiry from: verifyPrimaryKey reports why.
  }
  return {
    fingerprint,
    keyIds: key.getKeyIDs().map((id) => id.toHex().toUpperCase()),
    encryptionKeyIds: [],
    userIds: key.getUserIDs(),
    addresses: unique(valid),
    created: key.getCreationTime(),
    expires,
    algorithm: algorithmName(key.getAlgorithmInfo()),
    armored: key.toPublic().armor(),
  };
}

/** The primary key and subkeys that openpgp.js would encrypt to, judged without its RSA floor. */
async function encryptionCandidates(key: openpgp.Key, now: Date): Promise<(openpgp.Key | openpgp.Subkey)[]> {
  const found: (openpgp.Key | openpgp.Subkey)[] = [];
  for (const candidate of [key, ...key.subkeys]) {
    try {
      const chosen = await key.getEncryptionKey(candidate.getKeyID(), now, undefined, LENIENT);
      if (!found.includes(chosen)) found.push(chosen);
    } catch {
      // Not an encryption key, or expired, revoked or unbound: skipped.
    }
  }
  return found;
}

/** Why subkeys cannot serve, where their signatures say it (revoked, expired): "none valid" alone tells the user nothing. */
async function subkeyTroubles(key: openpgp.Key, now: Date): Promise<string[]> {
  const troubles: string[] = [];
  for (const subkey of key.subkeys) {
    const id = subkey.getKeyID().toHex().toUpperCase();
    try {
      await subkey.verify(now, LENIENT);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (/revoked/i.test(reason)) troubles.push(`subkey ${id} is revoked`);
      else if (/expired/i.test(reason)) {
        const expires = await subkey.getExpirationTime(now, LENIENT).catch(() => null);
        troubles.push(`subkey ${id} expired${expires instanceof Date ? ` on ${expires.toISOString().slice(0, 10)}` : ""}`);
      }
    }
  }
  return troubles;
}

function weakness(info: openpgp.AlgorithmInfo): string | undefined {
  const bits = info.bits ?? 0;
  const finiteField = /^(rsa|dsa|elgamal)/.test(info.algorithm);
  return finiteField && bits < MIN_FINITE_FIELD_BITS
    ? `${algorithmName(info)} (at least ${String(MIN_FINITE_FIELD_BITS)} bits needed)`
    : undefined;
}

const CURVES: Readonly<Record<string, string>> = {
  ed25519Legacy: "Curve25519",
  curve25519Legacy: "Curve25519",
  nistP256: "NIST P-256",
  nistP384: "NIST P-384",
  nistP521: "NIST P-521",
  brainpoolP256r1: "Brainpool P-256",
  brainpoolP384r1: "Brainpool P-384",
  brainpoolP512r1: "Brainpool P-512",
  secp256k1: "secp256k1",
};

export function algorithmName(info: openpgp.AlgorithmInfo): string {
  const algorithm: string = info.algorithm;
  if (algorithm.startsWith("rsa")) return `RSA ${String(info.bits ?? 0)}`;
  if (algorithm === "dsa") return `DSA ${String(info.bits ?? 0)}`;
  if (algorithm === "elgamal") return `ElGamal ${String(info.bits ?? 0)}`;
  // RFC 9580's own Curve25519 and Curve448 algorithms carry no curve field.
  if (algorithm === "ed25519" || algorithm === "x25519") return "Curve25519";
  if (algorithm === "ed448" || algorithm === "x448") return "Curve448";
  if (info.curve !== undefined) return CURVES[info.curve] ?? info.curve;
  return algorithm;
}

function addressOf(email: string | undefined): string[] {
  if (email === undefined || email === "") return [];
  const parsed = parseRecipients(email);
  const first = parsed[0];
  return parsed.length === 1 && first?.ok === true ? [addressKey(first)] : [];
}

function unreadable(message: string): InspectedKey {
  return { claimed: [], problem: { code: "unreadable", message } };
}

function unique(values: readonly string[]): string[] {
  return values.filter((value, index) => values.indexOf(value) === index);
}

function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return text;
}
