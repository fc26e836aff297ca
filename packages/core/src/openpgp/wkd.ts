// Web Key Directory lookups (draft-koch-openpgp-webkey-service §3.1): the advanced method on the
// openpgpkey subdomain first, then the direct method on the domain itself.
import { sha1 } from "@noble/hashes/legacy.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import { normalizeDomain } from "../address/domain.js";
import { fetchKey, type FetchOutcome } from "./fetch-key.js";
import { type FetchLike, type KeySource, KeySourceError } from "./key-source.js";
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

/**
 * A source that asks the recipient's own domain. The advanced method is tried first; the direct
 * one follows whenever it serves no key, since many domains have no openpgpkey subdomain (or one
 * that a wildcard points at an unrelated server). Both outcomes are reported when both fail.
 */
export function wkdSource(options: { readonly fetch: FetchLike }): KeySource {
  const { fetch } = options;
  return {
    name: "wkd",
    async lookup(address, signal) {
      const urls = wkdUrls(address);
      const advanced = await fetchKey(fetch, urls.advanced, signal);
      if (advanced.ok) return advanced.bytes;
      const direct = await fetchKey(fetch, urls.direct, signal);
      if (direct.ok) return direct.bytes;
      throw new KeySourceError(codeOf(advanced, direct), `advanced method: ${advanced.message}; direct method: ${direct.message}`);
    },
  };
}

// An advanced method that cannot even connect usually means the subdomain does not exist, the
// common case: then the direct method's answer is the one that counts.
function codeOf(advanced: FetchOutcome & { ok: false }, direct: FetchOutcome & { ok: false }): KeySourceError["code"] {
  return advanced.code === "network-error" ? direct.code : advanced.code;
}
