// Web Key Directory lookups (draft-koch-openpgp-webkey-service §3.1): the advanced method on the
// openpgpkey subdomain first, then the direct method on the domain itself.
import { sha1 } from "@noble/hashes/legacy.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import { normalizeDomain } from "../address/domain.js";
import { fetchKey, type FetchOutcome } from "./fetch-key.js";
import { type AbortSignalLike, type FetchLike, type KeySource, KeySourceError } from "./key-source.js";
import { after, newAbortController } from "./platform.js";
import { zBase32 } from "./z-base-32.js";

export interface WkdUrls {
  readonly advanced: string;
  readonly direct: string;
}

/**
 * The two request URLs for an address. The hash is z-base-32 of SHA-1 over the local part with
 * ASCII upper case mapped to lower case (§3.1); `l=` carries the local part as given.
 */
export function wkdUrls(address: string): WkdUrls {
  const at = address.lastIndexOf("@");
  if (at <= 0 || at === address.length - 1) throw new Error(`"${address}" is not an email address (local@domain)`);
  const local = address.slice(0, at);
  const domain = normalizeDomain(address.slice(at + 1));
  if (!domain.ok) throw new Error(`"${address}" has a domain that ${domain.reason}`);
  const hash = zBase32(sha1(utf8ToBytes(local.replace(/[A-Z]+/g, (upper) => upper.toLowerCase()))));
  const query = `?l=${encodeURIComponent(local)}`;
  return {
    advanced: `https://openpgpkey.${domain.ascii}/.well-known/openpgpkey/${domain.ascii}/hu/${hash}${query}`,
    direct: `https://${domain.ascii}/.well-known/openpgpkey/hu/${hash}${query}`,
  };
}

/** How long the advanced method may take before the direct one is asked instead. */
export const WKD_ADVANCED_TIMEOUT_MS = 3000;

/**
 * A source that asks the recipient's own domain. The advanced method is tried first; the direct
 * one follows whenever it serves no key, since many domains have no openpgpkey subdomain (or one
 * that a wildcard points at an unrelated server). Both outcomes are reported when both fail.
 * The advanced method gets a deadline of its own: a subdomain whose server never answers would
 * otherwise use up the finder's whole timeout, and the direct method would never be asked.
 */
export function wkdSource(options: { readonly fetch: FetchLike; readonly advancedTimeoutMs?: number }): KeySource {
  const { fetch } = options;
  const advancedMs = options.advancedTimeoutMs ?? WKD_ADVANCED_TIMEOUT_MS;
  if (!(advancedMs > 0))
    throw new Error(`wkdSource: advancedTimeoutMs must be a positive number of milliseconds, not ${String(advancedMs)}`);
  return {
    name: "wkd",
    async lookup(address, signal) {
      const urls = wkdUrls(address);
      const advanced = await withinDeadline(fetch, urls.advanced, signal, advancedMs);
      if (advanced.ok) return advanced.bytes;
      const direct = await fetchKey(fetch, urls.direct, signal);
      if (direct.ok) return direct.bytes;
      throw new KeySourceError(codeOf(advanced, direct), `advanced method: ${advanced.message}; direct method: ${direct.message}`);
    },
  };
}

async function withinDeadline(fetch: FetchLike, url: string, outer: AbortSignalLike, ms: number): Promise<FetchOutcome> {
  const controller = newAbortController();
  const forward = () => controller.abort(outer.reason);
  if (outer.aborted) forward();
  else outer.addEventListener("abort", forward, { once: true });
  const late: FetchOutcome = { ok: false, code: "timeout", message: `no answer within ${String(ms)} ms from ${url}` };
  let cancel = (): void => undefined;
  // A fetch that ignores the signal still loses the race.
  const timer = new Promise<FetchOutcome>((resolve) => {
    cancel = after(ms, () => {
      controller.abort(new Error(`the advanced method took longer than ${String(ms)} ms`));
      resolve(late);
    });
  });
  try {
    return await Promise.race([fetchKey(fetch, url, controller.signal), timer]);
  } catch (error) {
    if (!outer.aborted && controller.signal.aborted) return late;
    throw error;
  } finally {
    cancel();
    outer.removeEventListener("abort", forward);
  }
}

// An advanced method that cannot even connect usually means the subdomain does not exist, the
// common case: then the direct method's answer is the one that counts.
function codeOf(advanced: FetchOutcome & { ok: false }, direct: FetchOutcome & { ok: false }): KeySourceError["code"] {
  return advanced.code === "network-error" ? direct.code : advanced.code;
}
