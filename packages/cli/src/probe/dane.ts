// DANE for SMTP (RFC 7672): which TLSA records a sender may use, and whether the certificates an
// MX host presented match one of them.
import { createHash, X509Certificate } from "node:crypto";

export interface TlsaRecord {
  readonly usage: number;
  readonly selector: number;
  readonly matchingType: number;
  /** The certificate association data, lower-case hex. */
  readonly data: string;
}

const USAGE_NAMES: Record<number, string> = { 0: "PKIX-TA", 1: "PKIX-EE", 2: "DANE-TA", 3: "DANE-EE" };

export function describeTlsa(record: TlsaRecord): string {
  const usage = USAGE_NAMES[record.usage] ?? "unknown usage";
  return `${String(record.usage)} ${String(record.selector)} ${String(record.matchingType)} (${usage}) ${record.data.slice(0, 16)}…`;
}

/**
 * RFC 7672 §3.1.3: SMTP clients treat PKIX-TA(0) and PKIX-EE(1) as unusable; selectors are
 * 0 (whole certificate) and 1 (public key), matching types 0 (exact), 1 (SHA-256), 2 (SHA-512).
 */
export function isUsableTlsa(record: TlsaRecord): boolean {
  return (
    (record.usage === 2 || record.usage === 3) &&
    (record.selector === 0 || record.selector === 1) &&
    [0, 1, 2].includes(record.matchingType)
  );
}

/**
 * The usable record that the presented chain (leaf first, DER) matches, if any. DANE-EE(3) is
 * matched against the leaf; DANE-TA(2) against the certificates above it that the server sent.
 */
export function matchTlsa(records: readonly TlsaRecord[], chain: readonly Buffer[]): TlsaRecord | undefined {
  for (const record of records.filter(isUsableTlsa)) {
    const candidates = record.usage === 3 ? chain.slice(0, 1) : chain.slice(1);
    for (const der of candidates) {
      if (associationData(der, record.selector, record.matchingType) === record.data.toLowerCase()) return record;
    }
  }
  return undefined;
}

function associationData(der: Buffer, selector: number, matchingType: number): string {
  const selected = selector === 0 ? der : new X509Certificate(der).publicKey.export({ type: "spki", format: "der" });
  if (matchingType === 0) return selected.toString("hex");
  return createHash(matchingType === 1 ? "sha256" : "sha512")
    .update(selected)
    .digest("hex");
}
