// keys.openpgp.org through its Verifying Key Server API (GET /vks/v1/by-email/ADDRESS): it serves
// only keys whose holder proved the address, with only the verified user IDs.
import { fetchKey } from "./fetch-key.js";
import { type FetchLike, type KeySource, KeySourceError } from "./key-source.js";

export const KEYS_OPENPGP_ORG = "https://keys.openpgp.org";

export function keysOpenpgpOrgSource(options: { readonly fetch: FetchLike; readonly baseUrl?: string }): KeySource {
  const base = (options.baseUrl ?? KEYS_OPENPGP_ORG).replace(/\/+$/, "");
  if (!/^https:\/\//i.test(base)) throw new Error(`keysOpenpgpOrgSource: baseUrl must be an https URL, not "${base}"`);
  return {
    name: "keys.openpgp.org",
    async lookup(address, signal) {
      const outcome = await fetchKey(options.fetch, `${base}/vks/v1/by-email/${encodeURIComponent(address)}`, signal);
      if (outcome.ok) return outcome.bytes;
      throw new KeySourceError(outcome.code, outcome.message);
    },
  };
}
