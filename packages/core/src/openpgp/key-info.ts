// What Sealpost says about an OpenPGP public key, and the stable codes for why it refuses one:
// the shapes the task pane shows and the key finder returns.

export interface KeyInfo {
  /** The primary key's fingerprint, upper-case hex: 40 digits (v4) or 64 (v6). */
  readonly fingerprint: string;
  /** Key ids (16 upper-case hex digits) of the primary key and of every subkey. */
  readonly keyIds: readonly string[];
  /** Key ids of the (sub)keys that are valid for encryption now; the first is the one openpgp.js encrypts to. */
  readonly encryptionKeyIds: readonly string[];
  /** Every user ID as written, valid or not. */
  readonly userIds: readonly string[];
  /** core's `addressKey()` of the address in each valid (self-signed, unrevoked, unexpired) user ID. */
  readonly addresses: readonly string[];
  readonly created: Date;
  /** When the primary key expires; null when it does not. */
  readonly expires: Date | null;
  /** The primary key's algorithm and size, such as "RSA 3072", "Curve25519", "Ed25519", "NIST P-256". */
  readonly algorithm: string;
  /** The public key, armored (a secret key given in is never kept). */
  readonly armored: string;
}

/** Stable: callers branch on them and they cross the task pane's message boundary. */
export type KeyProblemCode = "unreadable" | "expired" | "revoked" | "no-encryption-key" | "weak" | "not-for-address" | "pin-mismatch";

export const KEY_PROBLEM_CODES: readonly KeyProblemCode[] = [
  "unreadable",
  "expired",
  "revoked",
  "no-encryption-key",
  "weak",
  "not-for-address",
  "pin-mismatch",
];

export interface KeyProblem {
  readonly code: KeyProblemCode;
  /** Says why, in English, naming the fingerprint and the address where they are known. */
  readonly message: string;
}

export type KeyRead =
  { readonly ok: true; readonly key: KeyInfo } | { readonly ok: false; readonly problem: KeyProblem; readonly fingerprint?: string };
