// What the task pane's Seal left in sessionData that the send check needs: which key it sealed to
// for each recipient (a key found in a Web Key Directory or imported by the user, which the policy
// does not pin) and whether it put a neutral subject in place of the real one. The record only
// names keys; the check still proves from the PKESK packets that every part is encrypted to them.
import { addressKey, parseRecipients } from "@sealpost/core";

/** The sessionData key under which the task pane keeps its seal record. */
export const RECORD_KEY = "sealpost.sealed";

export interface SealedKey {
  readonly fingerprint: string;
  /** 16 upper-case hex digits: the encryption subkeys a PKESK may name. */
  readonly keyIds: readonly string[];
}

export interface SealedFacts {
  /** By core's address key. */
  readonly keys: ReadonlyMap<string, SealedKey>;
  /** The neutral subject Seal set, when it protected the real one. */
  readonly neutralSubject: string | undefined;
}

const HEX = /^[0-9A-F]+$/;

/** Reads the record; undefined for none, an Error naming what is wrong for one Sealpost did not write. */
export function readSealedFacts(text: string | undefined): SealedFacts | undefined | Error {
  if (text === undefined) return undefined;
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return new Error(`sessionData "${RECORD_KEY}" is not JSON`);
  }
  if (!isObject(record) || record.v !== 1) return new Error(`sessionData "${RECORD_KEY}" is not a seal record Sealpost wrote`);
  const keys = new Map<string, SealedKey>();
  const recipients = Array.isArray(record.recipients) ? (record.recipients as unknown[]) : [];
  for (const [index, entry] of recipients.entries()) {
    const where = `sessionData "${RECORD_KEY}" recipients[${String(index)}]`;
    if (!isObject(entry) || typeof entry.address !== "string" || typeof entry.fingerprint !== "string")
      return new Error(`${where} is incomplete`);
    const keyIds = Array.isArray(entry.encryptionKeyIds) ? (entry.encryptionKeyIds as unknown[]) : [];
    if (!isFingerprint(entry.fingerprint) || !keyIds.every((id) => typeof id === "string" && id.length === 16 && HEX.test(id))) {
      return new Error(`${where} names a key that is not a fingerprint with key ids`);
    }
    const [parsed] = parseRecipients(entry.address);
    if (parsed === undefined || !parsed.ok) return new Error(`${where} has an address that cannot be read`);
    keys.set(addressKey(parsed), { fingerprint: entry.fingerprint, keyIds: keyIds as string[] });
  }
  const protectedSubject =
    typeof record.subject === "string" && typeof record.sealedSubject === "string" && record.sealedSubject !== record.subject;
  return { keys, neutralSubject: protectedSubject ? (record.sealedSubject as string) : undefined };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFingerprint(value: string): boolean {
  return (value.length === 40 || value.length === 64) && HEX.test(value);
}
