// Finds the key to encrypt to for each recipient: the policy's pin, then each source in order,
// all recipients in parallel, each lookup under a timeout, answers cached for a while.
import { addressKey, parseRecipients } from "../address/recipients.js";
import type { CompiledPolicy } from "../policy/validate-policy.js";
import type { KeyInfo, KeyProblem } from "./key-info.js";
import { type KeySource, KeySourceError, type LookupFailureCode } from "./key-source.js";
import { after, newAbortController } from "./platform.js";
import { type InspectedKey, inspectKeys } from "./read-keys.js";

export interface LookupAttempt {
  readonly source: string;
  /** What happened, in English: "HTTP 404 (no key) from https://…", "timed out after 5000 ms", "TLS error (…)". */
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
  /** One answer per address, in the same order, each carrying the address as given; never rejects. */
  find(addresses: readonly string[]): Promise<KeyLookup[]>;
}

export interface KeyFinderOptions {
  readonly policy: CompiledPolicy | null;
  /** Asked in this order for each recipient; the first usable key wins. */
  readonly sources: readonly KeySource[];
  /** Per source and recipient; 10 s by default. */
  readonly timeoutMs?: number;
  /** How long an answer is reused; 10 minutes by default. Timeouts and network errors are not kept. */
  readonly cacheTtlMs?: number;
  /** Milliseconds since the epoch; Date.now by default. */
  readonly now?: () => number;
}

/** The source name of a key the policy carries itself. */
export const POLICY_SOURCE = "policy";

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_TTL_MS = 10 * 60_000;
const TRANSIENT = new Set<LookupFailureCode>(["timeout", "network-error", "tls-error", "http-error", "error"]);

type Answer = { readonly lookup: KeyLookup; readonly cacheable: boolean };

export function createKeyFinder(options: KeyFinderOptions): KeyFinder {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ttlMs = options.cacheTtlMs ?? DEFAULT_TTL_MS;
  const now = options.now ?? (() => Date.now());
  if (!(timeoutMs > 0)) throw new Error(`createKeyFinder: timeoutMs must be a positive number of milliseconds, not ${String(timeoutMs)}`);
  if (!(ttlMs >= 0)) throw new Error(`createKeyFinder: cacheTtlMs must be zero or more milliseconds, not ${String(ttlMs)}`);
  const cache = new Map<string, { readonly expiresAt: number; readonly lookup: KeyLookup }>();
  // Two recipients that are the same address, or two find() calls in flight, share one lookup.
  const pending = new Map<string, Promise<Answer>>();

  async function findOne(input: string): Promise<KeyLookup> {
    const parsed = parseRecipients(input);
    const first = parsed[0];
    if (parsed.length !== 1 || first?.ok !== true) {
      const reason = first?.ok === false ? first.reason : "is not one email address";
      return { address: input, status: "missing", tried: [{ source: "address", outcome: `"${input}" ${reason}`, code: "error" }] };
    }
    const address = addressKey(first);
    const cached = cache.get(address);
    if (cached !== undefined && cached.expiresAt > now()) return { ...cached.lookup, address: input };
    let answer = pending.get(address);
    if (answer === undefined) {
      // find() never rejects: a failure of the finder itself is reported like any other.
      answer = lookUp(address)
        .catch((error: unknown): Answer => {
          const outcome = `failed: ${error instanceof Error ? error.message : String(error)}`;
          return { lookup: { address, status: "missing", tried: [{ source: "finder", outcome, code: "error" }] }, cacheable: false };
        })
        .finally(() => pending.delete(address));
      pending.set(address, answer);
    }
    const { lookup, cacheable } = await answer;
    if (cacheable && ttlMs > 0) cache.set(address, { expiresAt: now() + ttlMs, lookup });
    return { ...lookup, address: input };
  }

  async function lookUp(address: string): Promise<Answer> {
    const pin = options.policy?.keys.get(address);
    // An armored pin may also carry its fingerprint (Outlook's KeyDirectory adds it for core's pin check).
    if (pin?.armored !== undefined) return { lookup: await pinnedKey(address, pin.armored, pin.fingerprint), cacheable: true };
    const pinned = pin?.fingerprint;
    const tried: LookupAttempt[] = [];
    let refusal: { source: string; problem: KeyProblem; key?: KeyInfo } | undefined;
    let transient = false;
    for (const source of options.sources) {
      const got = await ask(source, address);
      if (!got.ok) {
        tried.push({ source: source.name, outcome: got.outcome, code: got.code });
        if (TRANSIENT.has(got.code)) transient = true;
        continue;
      }
      const keys = await inspectKeys(got.data, new Date(now()));
      const verdict = pinned === undefined ? choose(keys, address) : choosePinned(keys, address, pinned, source.name);
      if (verdict.kind === "found") return { lookup: { address, status: "found", key: verdict.key, source: source.name }, cacheable: true };
      tried.push({ source: source.name, outcome: verdict.problem.message, code: "refused" });
      refusal ??= { source: source.name, problem: verdict.problem, ...keyOf(verdict.key) };
    }
    // A refused key says more than "nothing found", so it is what the user sees.
    if (refusal !== undefined) return { lookup: { address, status: "refused", ...refusal, tried }, cacheable: !transient };
    return { lookup: { address, status: "missing", tried }, cacheable: !transient };
  }

  async function pinnedKey(address: string, armored: string, fingerprint: string | undefined): Promise<KeyLookup> {
    const keys = await inspectKeys(armored, new Date(now()));
    const [key, ...others] = keys;
    // One pin, one key: a block of several keys would let any of them stand for the recipient.
    if (key === undefined || others.length > 0) {
      const problem: KeyProblem = {
        code: "unreadable",
        message: `the policy pins ${String(keys.length)} keys for ${address} in one block; it must pin exactly one`,
      };
      return { address, status: "refused", source: POLICY_SOURCE, problem };
    }
    if (key.problem !== undefined || key.info === undefined) {
      const problem = key.problem ?? { code: "unreadable", message: `the key the policy pins for ${address} cannot be read` };
      return {
        address,
        status: "refused",
        source: POLICY_SOURCE,
        problem: { ...problem, message: `the key the policy pins for ${address}: ${problem.message}` },
        ...keyOf(key.info),
      };
    }
    if (fingerprint !== undefined && key.info.fingerprint !== fingerprint) {
      const problem: KeyProblem = {
        code: "pin-mismatch",
        message: `the policy pins key ${key.info.fingerprint} for ${address} and names it ${fingerprint}: the pin contradicts itself`,
      };
      return { address, status: "refused", source: POLICY_SOURCE, problem, key: key.info };
    }
    // The administrator's pin stands for the address even when no user ID names it.
    return { address, status: "found", key: key.info, source: POLICY_SOURCE };
  }

  async function ask(
    source: KeySource,
    address: string,
  ): Promise<{ ok: true; data: string | Uint8Array } | { ok: false; code: LookupFailureCode; outcome: string }> {
    const controller = newAbortController();
    let cancel = (): void => undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      cancel = after(timeoutMs, () => {
        controller.abort(new Error(`${source.name} timed out`));
        resolve("timeout");
      });
    });
    try {
      // A source that ignores the signal still loses the race.
      const data = await Promise.race([source.lookup(address, controller.signal), timeout]);
      if (data === "timeout") return { ok: false, code: "timeout", outcome: `timed out after ${String(timeoutMs)} ms` };
      if (data === null) return { ok: false, code: "not-found", outcome: "has no key for this address" };
      return { ok: true, data };
    } catch (error) {
      if (controller.signal.aborted) return { ok: false, code: "timeout", outcome: `timed out after ${String(timeoutMs)} ms` };
      if (error instanceof KeySourceError) return { ok: false, code: error.code, outcome: error.message };
      return { ok: false, code: "error", outcome: `failed: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      cancel();
    }
  }

  return {
    find: (addresses) => Promise.all(addresses.map((address) => findOne(address))),
  };
}

type Verdict =
  { readonly kind: "found"; readonly key: KeyInfo } | { readonly kind: "refused"; readonly problem: KeyProblem; readonly key?: KeyInfo };

/** Without a pin: a usable key with a valid user ID for the address, the newest if several. */
function choose(keys: readonly InspectedKey[], address: string): Verdict {
  const usable = keys.flatMap((key) => (key.problem === undefined && key.info?.addresses.includes(address) === true ? [key.info] : []));
  const newest = usable.sort((a, b) => b.created.getTime() - a.created.getTime())[0];
  if (newest !== undefined) return { kind: "found", key: newest };
  const refused = keys.find((key) => key.problem !== undefined && key.claimed.includes(address));
  if (refused?.problem !== undefined) return { kind: "refused", problem: refused.problem, ...keyOf(refused.info) };
  const unreadable = keys.find((key) => key.problem?.code === "unreadable");
  if (unreadable?.problem !== undefined && keys.length === 1) return { kind: "refused", problem: unreadable.problem };
  const named = keys.map((key) => key.fingerprint ?? "an unreadable key").join(", ");
  return {
    kind: "refused",
    problem: { code: "not-for-address", message: `no valid user ID of ${named} carries ${address}, so it is not used for that address` },
  };
}

/** With a pinned fingerprint: only that key, whatever user IDs the others claim. */
function choosePinned(keys: readonly InspectedKey[], address: string, pinned: string, source: string): Verdict {
  const match = keys.find((key) => key.fingerprint === pinned);
  if (match?.info !== undefined && match.problem === undefined) return { kind: "found", key: match.info };
  if (match?.problem !== undefined) return { kind: "refused", problem: match.problem, ...keyOf(match.info) };
  const other =
    keys.find((key) => key.info !== undefined && key.claimed.includes(address)) ?? keys.find((key) => key.fingerprint !== undefined);
  const served = other?.fingerprint ?? "no readable key";
  return {
    kind: "refused",
    problem: {
      code: "pin-mismatch",
      message: `${source} serves key ${served} for ${address}, but the policy pins ${pinned} for that address: the served key is not used`,
    },
    ...keyOf(other?.info),
  };
}

function keyOf(key: KeyInfo | undefined): { key?: KeyInfo } {
  return key === undefined ? {} : { key };
}
