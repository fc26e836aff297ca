// MTA-STS (RFC 8461) without I/O: the _mta-sts TXT record, the policy file, and whether an MX
// host name matches the policy's mx patterns. Each parser returns what is wrong and where.

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface StsRecord {
  readonly id: string;
}

export type StsMode = "enforce" | "testing" | "none";

export interface StsPolicy {
  readonly mode: StsMode;
  /** Seconds a sender may cache the policy. */
  readonly maxAge: number;
  readonly mx: readonly string[];
}

/** RFC 8461 §3.2: max_age is at most 31557600 seconds (about one year). */
export const MAX_AGE_LIMIT = 31_557_600;

/**
 * Picks the MTA-STS record out of the TXT strings at _mta-sts.DOMAIN (each record's strings
 * already joined). RFC 8461 §3.1: records not starting with "v=STSv1" are discarded; anything
 * other than exactly one left means no policy.
 */
export function parseStsRecord(txt: readonly string[]): ParseResult<StsRecord> {
  const candidates = txt.filter((record) => /^v=STSv1\s*(;|$)/.test(record));
  if (candidates.length === 0) {
    return { ok: false, error: txt.length === 0 ? "no TXT record" : `no TXT record starts with "v=STSv1;" (found ${quoteAll(txt)})` };
  }
  if (candidates.length > 1)
    return { ok: false, error: `${String(candidates.length)} records start with "v=STSv1": senders ignore them all` };
  const record = candidates[0] ?? "";
  const fields = record.split(";").map((field) => field.trim());
  if (fields[fields.length - 1] === "") fields.pop();
  let id: string | undefined;
  for (const [index, field] of fields.entries()) {
    if (index === 0) continue;
    const match = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,31})=(.*)$/.exec(field);
    if (match === null) return { ok: false, error: `field ${String(index + 1)} ${JSON.stringify(field)} is not NAME=VALUE` };
    const [, name, value = ""] = match;
    if (name === "id") {
      if (id !== undefined) return { ok: false, error: "id appears twice" };
      if (!/^[A-Za-z0-9]{1,32}$/.test(value)) return { ok: false, error: `id ${JSON.stringify(value)} is not 1 to 32 letters and digits` };
      id = value;
    } else if (!/^[\x21-\x3a\x3c\x3e-\x7e]+$/.test(value)) {
      return { ok: false, error: `extension ${name ?? ""} has an invalid value ${JSON.stringify(value)}` };
    }
  }
  if (id === undefined) return { ok: false, error: 'the record has no "id=" field' };
  return { ok: true, value: { id } };
}

/** Parses the policy file (RFC 8461 §3.2): "key: value" lines; unknown keys are ignored. */
export function parseStsPolicy(text: string): ParseResult<StsPolicy> {
  let version: string | undefined;
  let mode: StsMode | undefined;
  let maxAge: number | undefined;
  const mx: string[] = [];
  // The RFC separates lines with CRLF; bare LF is accepted as the major senders accept it.
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const where = `line ${String(index + 1)}`;
    const line = raw.trimEnd();
    if (line === "") continue;
    const match = /^([A-Za-z0-9_.-]+):[ \t]*(.*)$/.exec(line);
    if (match === null) return { ok: false, error: `${where}: ${JSON.stringify(line.slice(0, 60))} is not "key: value"` };
    const [, key = "", value = ""] = match;
    switch (key) {
      case "version":
        if (version !== undefined) return { ok: false, error: `${where}: version appears twice` };
        if (value !== "STSv1") return { ok: false, error: `${where}: version is ${JSON.stringify(value)}, not "STSv1"` };
        version = value;
        break;
      case "mode":
        if (mode !== undefined) return { ok: false, error: `${where}: mode appears twice` };
        if (value !== "enforce" && value !== "testing" && value !== "none") {
          return { ok: false, error: `${where}: mode is ${JSON.stringify(value)}, not enforce, testing or none` };
        }
        mode = value;
        break;
      case "max_age":
        if (maxAge !== undefined) return { ok: false, error: `${where}: max_age appears twice` };
        if (!/^\d{1,10}$/.test(value) || Number(value) > MAX_AGE_LIMIT) {
          return {
            ok: false,
            error: `${where}: max_age ${JSON.stringify(value)} is not a number of seconds from 0 to ${String(MAX_AGE_LIMIT)}`,
          };
        }
        maxAge = Number(value);
        break;
      case "mx": {
        const problem = patternProblem(value);
        if (problem !== undefined) return { ok: false, error: `${where}: mx ${JSON.stringify(value)} ${problem}` };
        mx.push(value.toLowerCase().replace(/\.$/, ""));
        break;
      }
      default:
        break;
    }
  }
  if (version === undefined) return { ok: false, error: 'the policy has no "version: STSv1" line' };
  if (mode === undefined) return { ok: false, error: 'the policy has no "mode:" line' };
  if (maxAge === undefined) return { ok: false, error: 'the policy has no "max_age:" line' };
  if (mx.length === 0 && mode !== "none") return { ok: false, error: `mode ${mode} needs at least one "mx:" line` };
  return { ok: true, value: { mode, maxAge, mx } };
}

/**
 * RFC 8461 §4.1: a pattern is a host name, or "*." and a domain where the wildcard stands for
 * exactly one leftmost label. Case does not matter; a trailing dot is ignored.
 */
export function mxMatchesPattern(host: string, pattern: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  const wanted = pattern.toLowerCase().replace(/\.$/, "");
  if (!wanted.startsWith("*.")) return name === wanted;
  const dot = name.indexOf(".");
  return dot > 0 && name.slice(dot + 1) === wanted.slice(2);
}

/** The MX hosts that no pattern matches. */
export function unmatchedMx(hosts: readonly string[], patterns: readonly string[]): string[] {
  return hosts.filter((host) => !patterns.some((pattern) => mxMatchesPattern(host, pattern)));
}

function patternProblem(value: string): string | undefined {
  const name = value.startsWith("*.") ? value.slice(2) : value;
  if (name === "") return "is empty";
  const labels = name.replace(/\.$/, "").split(".");
  if (labels.some((label) => !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label))) {
    return 'is not a host name or "*." followed by a domain';
  }
  return undefined;
}

function quoteAll(values: readonly string[]): string {
  return values.map((value) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)).join(", ");
}
