// SMTP TLS Reporting (RFC 8460 §3): the _smtp._tls TXT record and where reports go (rua).
import type { ParseResult } from "./mta-sts-policy.js";

export interface TlsRptRecord {
  /** mailto: or https: addresses that receive the reports. */
  readonly rua: readonly string[];
}

/** RFC 8460 §3: records not starting with "v=TLSRPTv1" are discarded; exactly one must remain. */
export function parseTlsRptRecord(txt: readonly string[]): ParseResult<TlsRptRecord> {
  const candidates = txt.filter((record) => /^v=TLSRPTv1\s*(;|$)/.test(record));
  if (candidates.length === 0) return { ok: false, error: txt.length === 0 ? "no TXT record" : 'no TXT record starts with "v=TLSRPTv1;"' };
  if (candidates.length > 1)
    return { ok: false, error: `${String(candidates.length)} records start with "v=TLSRPTv1": senders ignore them all` };
  const fields = (candidates[0] ?? "").split(";").map((field) => field.trim());
  if (fields[fields.length - 1] === "") fields.pop();
  let rua: string[] | undefined;
  for (const field of fields.slice(1)) {
    const match = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,31})=(.*)$/.exec(field);
    if (match === null) return { ok: false, error: `field ${JSON.stringify(field)} is not NAME=VALUE` };
    if (match[1] !== "rua") continue;
    if (rua !== undefined) return { ok: false, error: "rua appears twice" };
    rua = (match[2] ?? "").split(",").map((uri) => uri.trim());
    const bad = rua.find((uri) => !/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/i.test(uri));
    if (bad !== undefined) return { ok: false, error: `rua ${JSON.stringify(bad)} is not a mailto: or https: address` };
  }
  if (rua === undefined) return { ok: false, error: 'the record has no "rua=" field' };
  return { ok: true, value: { rua } };
}
