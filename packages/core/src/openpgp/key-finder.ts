// Finds the key to encrypt to for each recipient: the policy's pin, then each source in order,
// all recipients in parallel, each lookup under a timeout, answers cached for a while.
import type { CompiledPolicy } from "../policy/validate-policy.js";
import type { KeyInfo, KeyProblem } from "./key-info.js";
import type { KeySource, LookupFailureCode } from "./key-source.js";

export interface LookupAttempt {
  readonly source: string;
  /** What happened, in English: "HTTP 404 from https://…", "timed out after 5000 ms", "TLS error: …". */
  readonly outcome: string;
  readonly code?: LookupFailureCode;
}

export type KeyLookup =
  | { readonly address: string; readonly status: "found"; readonly key: KeyInfo; readonly source: string }
  | { readonly address: string; readonly status: "missing"; readonly tried: readonly LookupAttempt[] }
  | {
      readonly address: string;
      readonly status: "refused";
      readonly source: string;
      readonly problem: KeyProblem;
      readonly key?: KeyInfo;
      /** Every source asked, in order (added after the first API; optional for compatibility). */
      readonly tried?: readonly LookupAttempt[];
    };

export interface KeyFinder {
  /** One answer per address, in the same order; never rejects. */
  find(addresses: readonly string[]): Promise<KeyLookup[]>;
}

export interface KeyFinderOptions {
  readonly policy: CompiledPolicy | null;
  readonly sources: readonly KeySource[];
  /** Per source and recipient; 10 s by default. */
  readonly timeoutMs?: number;
  /** How long an answer is reused; 10 minutes by default. */
  readonly cacheTtlMs?: number;
  /** Milliseconds since the epoch; Date.now by default. */
  readonly now?: () => number;
}

export function createKeyFinder(options: KeyFinderOptions): KeyFinder {
  void options;
  return { find: () => Promise.reject(new Error("createKeyFinder is not implemented yet")) };
}
