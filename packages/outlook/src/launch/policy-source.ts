// Where the policy comes from: built into the bundle, or fetched from beside the add-in and
// kept (OfficeRuntime.storage where the runtime has it, memory otherwise). A copy under a day
// old stands in while the server cannot be reached; an invalid policy is never replaced by an
// older one, and anything else fails closed as PolicyUnavailable.
import { type CompiledPolicy, parsePolicyText, type PolicyError, type PolicyUnavailable } from "@sealpost/core";
import type { KeyValueStorage } from "../host/office-compose.js";
import { withDeadline } from "../shared/deadline.js";
import { describeError } from "../shared/errors.js";
import { KeyDirectory } from "./key-directory.js";

export interface SealpostConfig {
  readonly baseUrl: string;
  readonly builtInPolicy: string | null;
}

export type LoadedPolicy =
  | { readonly kind: "none" }
  | {
      readonly kind: "active";
      readonly policy: CompiledPolicy;
      readonly keys: KeyDirectory;
      readonly source: "built-in" | "server" | "cache";
      /** When the server's copy was fetched (ms since the epoch); undefined for a built-in policy. */
      readonly fetchedAt?: number;
    }
  | { readonly kind: "unavailable"; readonly reason: string };

export interface PolicySource {
  load(): Promise<LoadedPolicy>;
}

/** Just what is used of the Fetch API, which the JavaScript-only runtime offers too. */
export type FetchText = (url: string) => Promise<{ readonly ok: boolean; readonly status: number; text(): Promise<string> }>;

export interface PolicySourceOptions {
  readonly config: SealpostConfig;
  readonly fetch: FetchText | undefined;
  /** Looked up at each load: the storage belongs to the event's runtime. */
  readonly storage: () => KeyValueStorage | undefined;
  readonly now: () => number;
  readonly fetchTimeoutMs: number;
  /** A copy younger than this is used without asking the server again. */
  readonly refreshAfterMs: number;
  /** A copy older than this is no longer used when the server cannot be reached. */
  readonly maxAgeMs: number;
}

export const POLICY_TIMINGS = { fetchTimeoutMs: 2000, refreshAfterMs: 5 * 60_000, maxAgeMs: 24 * 3_600_000 } as const;

export const STORAGE_KEY = "sealpost.policy.v1";

interface Copy {
  readonly text: string;
  readonly fetchedAt: number;
}

export function createPolicySource(options: PolicySourceOptions): PolicySource {
  const { config } = options;
  const url = policyUrl(config.baseUrl);
  let builtIn: LoadedPolicy | undefined;
  // The server's latest answer, valid or not, and what it compiled to (compiling is not free).
  let memory: { copy: Copy; loaded: LoadedPolicy } | undefined;

  const compiled = (copy: Copy, source: "server" | "cache"): LoadedPolicy => {
    const loaded = memory?.copy.text === copy.text ? memory.loaded : compile(copy.text, "server", `the policy at ${url ?? "?"}`);
    memory = { copy, loaded };
    return loaded.kind === "active" ? { ...loaded, source, fetchedAt: copy.fetchedAt } : loaded;
  };

  return {
    async load() {
      if (config.builtInPolicy !== null) {
        builtIn ??= compile(config.builtInPolicy, "built-in", "the policy built into Sealpost");
        return builtIn;
      }
      if (url === undefined) return { kind: "none" };
      const now = options.now();
      const storage = options.storage();
      const saved = memory?.copy ?? (await readCopy(storage));
      const age = saved === undefined ? -1 : now - saved.fetchedAt;
      if (saved !== undefined && age >= 0 && age < options.refreshAfterMs) return compiled(saved, "server");

      let text: string;
      try {
        text = await fetchPolicy(options.fetch, url, options.fetchTimeoutMs);
      } catch (error) {
        // The server's last answer stands in while it cannot be reached, for a day at most. An
        // invalid answer is kept like a valid one, so an older policy never outlives it.
        if (saved !== undefined && age >= 0 && age < options.maxAgeMs) return compiled(saved, "cache");
        return { kind: "unavailable", reason: `fetching ${url} failed: ${describeError(error)}` };
      }
      const copy = { text, fetchedAt: now };
      const loaded = compiled(copy, "server");
      await writeCopy(storage, copy);
      return loaded;
    },
  };
}

/** What core's evaluate takes: the policy (with armored pins resolved), null, or the fail-closed stand-in. */
export function forEvaluation(loaded: LoadedPolicy): CompiledPolicy | PolicyUnavailable | null {
  if (loaded.kind === "none") return null;
  if (loaded.kind === "unavailable") return { kind: "unavailable", reason: loaded.reason };
  return loaded.keys.resolvedPolicy();
}

function compile(text: string, source: "built-in" | "server", owner: string): LoadedPolicy {
  const result = parsePolicyText(text);
  if (!result.ok) return { kind: "unavailable", reason: `${owner} is invalid: ${firstError(result.errors)}` };
  return { kind: "active", policy: result.policy, keys: KeyDirectory.fromPolicy(result.policy), source };
}

function firstError(errors: readonly PolicyError[]): string {
  const first = errors[0];
  if (first === undefined) return "unknown error";
  const where = first.line === undefined ? "" : ` (line ${String(first.line)})`;
  return `${first.path === "" ? "" : `${first.path}: `}${first.message}${where}`;
}

function policyUrl(baseUrl: string): string | undefined {
  if (typeof baseUrl !== "string" || baseUrl.trim() === "") return undefined;
  return `${baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`}policy.json`;
}

async function fetchPolicy(fetchText: FetchText | undefined, url: string, timeoutMs: number): Promise<string> {
  if (fetchText === undefined) throw new Error("this Outlook offers no way to fetch it");
  // No AbortController: the JavaScript-only runtime may not have one. A late answer is ignored.
  const response = await withDeadline(fetchText(url), timeoutMs, `no answer within ${String(timeoutMs / 1000)} s`);
  if (!response.ok) throw new Error(`HTTP ${String(response.status)}`);
  return withDeadline(response.text(), timeoutMs, `the answer did not finish within ${String(timeoutMs / 1000)} s`);
}

async function readCopy(storage: KeyValueStorage | undefined): Promise<Copy | undefined> {
  if (storage === undefined) return undefined;
  try {
    const raw = await storage.getItem(STORAGE_KEY);
    if (raw === null) return undefined;
    const value = JSON.parse(raw) as Partial<Copy> | null;
    return typeof value?.text === "string" && typeof value.fetchedAt === "number"
      ? { text: value.text, fetchedAt: value.fetchedAt }
      : undefined;
  } catch {
    // A saved copy that cannot be read is no copy; the server is asked instead.
    return undefined;
  }
}

async function writeCopy(storage: KeyValueStorage | undefined, copy: Copy): Promise<void> {
  if (storage === undefined) return;
  try {
    await storage.setItem(STORAGE_KEY, JSON.stringify(copy));
  } catch {
    // Keeping a copy is an optimisation; the policy just fetched is used either way.
  }
}
