// keys.openpgp.org through its Verifying Key Server API: by-email returns the key whose holder
// proved the address, with only verified user IDs.
import type { FetchLike, KeySource } from "./key-source.js";

export function keysOpenpgpOrgSource(options: { readonly fetch: FetchLike; readonly baseUrl?: string }): KeySource {
  void options;
  return {
    name: "keys.openpgp.org",
    lookup: () => Promise.reject(new Error("keysOpenpgpOrgSource is not implemented yet")),
  };
}
