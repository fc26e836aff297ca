// The pane's view of core's OpenPGP entry: until @sealpost/core/openpgp lands, its planned types.
export interface KeyInfo {
  fingerprint: string;
  keyIds: readonly string[];
  encryptionKeyIds: readonly string[];
  userIds: readonly string[];
  addresses: readonly string[];
  created: Date;
  expires: Date | null;
  algorithm: string;
  armored: string;
}
export type KeyProblemCode = "unreadable" | "expired" | "revoked" | "no-encryption-key" | "weak" | "not-for-address" | "pin-mismatch";
export interface KeyProblem {
  code: KeyProblemCode;
  message: string;
}
export type KeyRead = { ok: true; key: KeyInfo } | { ok: false; problem: KeyProblem; fingerprint?: string };
export type KeyLookup =
  | { address: string; status: "found"; key: KeyInfo; source: string }
  | { address: string; status: "missing"; tried: readonly { source: string; outcome: string }[] }
  | { address: string; status: "refused"; source: string; problem: KeyProblem; key?: KeyInfo };
export interface KeyFinder {
  find(addresses: readonly string[]): Promise<KeyLookup[]>;
}
export interface SealInput {
  subject: string;
  body: { type: "text" | "html"; content: string };
  attachments: readonly { name: string; contentType: string; content: Uint8Array }[];
  keys: readonly KeyInfo[];
  protectSubject?: { neutralSubject: string };
}
export interface Sealed {
  subject: string;
  body: string;
  attachments: readonly { name: string; contentType: string; content: Uint8Array }[];
}
