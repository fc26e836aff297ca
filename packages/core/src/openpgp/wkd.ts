// Web Key Directory lookups (draft-koch-openpgp-webkey-service): the advanced method on the
// openpgpkey subdomain first, then the direct method on the domain itself.
import type { FetchLike, KeySource } from "./key-source.js";

export interface WkdUrls {
  readonly advanced: string;
  readonly direct: string;
}

/** The two request URLs for an address (core's `addressKey()`: local part lower-cased, domain normalized). */
export function wkdUrls(address: string): WkdUrls {
  void address;
  throw new Error("wkdUrls is not implemented yet");
}

export function wkdSource(options: { readonly fetch: FetchLike }): KeySource {
  void options;
  return {
    name: "wkd",
    lookup: () => Promise.reject(new Error("wkdSource is not implemented yet")),
  };
}
