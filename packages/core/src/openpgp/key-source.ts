// Where keys come from: the small interface each source implements, the fetch it is given (the
// host's own, or a test's), and the error a source throws to say how a lookup failed.

/** The part of an AbortSignal a source needs; a real AbortSignal has it. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { readonly once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

export interface KeySource {
  /** Shown to users and in `tried`: "wkd", "keys.openpgp.org", "imported". */
  readonly name: string;
  /**
   * The key material the source holds for `address` (core's `addressKey()`), armored or binary,
   * possibly several keys; null when it has none. Throws KeySourceError to say how it failed.
   */
  lookup(address: string, signal: AbortSignalLike): Promise<string | Uint8Array | null>;
}

export interface FetchInit {
  readonly signal: AbortSignalLike;
  readonly headers?: Record<string, string>;
}

export interface FetchResponse {
  readonly ok: boolean;
  readonly status: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

// Declared as a method so that parameters compare bivariantly: the host's own `fetch`, whose
// init is the DOM's RequestInit, can then be passed as it is.
interface FetchHolder {
  fetch(url: string, init: FetchInit): Promise<FetchResponse>;
}

/** `fetch` as a source uses it: GET only, the response read as bytes. */
export type FetchLike = FetchHolder["fetch"];

/** How a lookup failed; stable, for callers that branch on it. */
export type LookupFailureCode =
  "not-found" | "http-error" | "timeout" | "tls-error" | "network-error" | "invalid-response" | "refused" | "error";

export class KeySourceError extends Error {
  override readonly name = "KeySourceError";
  constructor(
    readonly code: LookupFailureCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
