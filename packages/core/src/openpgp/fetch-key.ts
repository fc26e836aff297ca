// One GET for key material through the injected fetch, with each way it can fail named: an HTTP
// status, a TLS error, a network error; an abort is passed on for the finder to call a timeout.
import type { AbortSignalLike, FetchLike, LookupFailureCode } from "./key-source.js";

export type FetchOutcome =
  { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly code: LookupFailureCode; readonly message: string };

/** Keys are a few kilobytes; a directory that sends megabytes is not serving a key. */
const MAX_KEY_BYTES = 1024 * 1024;

export async function fetchKey(
  fetch: FetchLike,
  url: string,
  signal: AbortSignalLike,
  headers?: Record<string, string>,
): Promise<FetchOutcome> {
  let bytes: Uint8Array;
  try {
    const response = await fetch(url, headers === undefined ? { signal } : { signal, headers });
    if (response.status === 404) return { ok: false, code: "not-found", message: `HTTP 404 (no key) from ${url}` };
    if (!response.ok) return { ok: false, code: "http-error", message: `HTTP ${String(response.status)} from ${url}` };
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    if (signal.aborted) throw error;
    return { ok: false, ...describeFailure(error), message: `${describeFailure(error).message} for ${url}` };
  }
  if (bytes.length === 0) return { ok: false, code: "invalid-response", message: `an empty response from ${url}` };
  if (bytes.length > MAX_KEY_BYTES) {
    return { ok: false, code: "invalid-response", message: `a response of ${String(bytes.length)} bytes from ${url}, too large for a key` };
  }
  return { ok: true, bytes };
}

const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/**
 * Node's fetch (undici) puts the system error in `cause` (code ECONNREFUSED, ENOTFOUND,
 * DEPTH_ZERO_SELF_SIGNED_CERT, ERR_TLS_CERT_ALTNAME_INVALID…); a browser's says only "Failed to
 * fetch", and then the message says that the browser does not tell.
 */
function describeFailure(error: unknown): { code: LookupFailureCode; message: string } {
  for (let cause: unknown = error, depth = 0; cause !== undefined && cause !== null && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    const text = cause instanceof Error ? cause.message : typeof cause === "string" ? cause : "no message";
    if (typeof code === "string") {
      if (TLS_CODE.test(code)) return { code: "tls-error", message: `TLS error (${code}: ${text})` };
      if (code === "ENOTFOUND" || code === "EAI_AGAIN") return { code: "network-error", message: `no such host (${code})` };
      if (code.startsWith("E") || code.startsWith("UND_ERR")) return { code: "network-error", message: `network error (${code}: ${text})` };
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  const text = error instanceof Error ? error.message : String(error);
  return { code: "network-error", message: `the request failed (${text}; the runtime does not say whether DNS, TLS or the connection)` };
}
