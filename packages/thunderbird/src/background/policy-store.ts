// Where the policy comes from: an administrator's enterprise policy (storage.managed, from
// policies.json `3rdparty.Extensions`), which locks it; otherwise one loaded on the options page.
import { type CompiledPolicy, type PolicyError, parsePolicyText, type PolicyUnavailable, validatePolicy } from "@sealpost/core";
import type { PolicyStatus } from "../shared/protocol.js";

export interface PolicyStorage {
  /** The managed `policy` value; `undefined` when no enterprise policy configures Sealpost. */
  readManaged(): Promise<unknown>;
  readLocal(): Promise<string | undefined>;
  writeLocal(text: string): Promise<void>;
  clearLocal(): Promise<void>;
}

export type PolicyState =
  | { readonly kind: "none" }
  | { readonly kind: "active"; readonly source: "managed" | "local"; readonly policy: CompiledPolicy; readonly text?: string }
  | {
      readonly kind: "invalid";
      readonly source: "managed" | "local";
      readonly errors: readonly PolicyError[];
      readonly reason: string;
      readonly text?: string;
      /** The source could not be read at all (rather than read and found invalid). */
      readonly unreadable?: boolean;
    };

export class PolicyStore {
  private cached: Promise<PolicyState> | undefined;

  constructor(
    private readonly storage: PolicyStorage,
    /** A read still unanswered after this long is dropped, so that a later send reads again. */
    private readonly staleAfterMs = 10_000,
  ) {}

  /**
   * The policy in force, read once and kept until the local policy changes. A read that failed,
   * or hangs, is not kept: that send fails closed, and a later one reads again.
   */
  current(): Promise<PolicyState> {
    if (this.cached === undefined) {
      const loading = this.load();
      this.cached = loading;
      const forget = () => {
        if (this.cached === loading) this.cached = undefined;
      };
      // The send gate stops waiting after its deadline; a storage that never answers must not
      // make every later send wait for the same hung read.
      const stale = setTimeout(forget, this.staleAfterMs);
      loading.then(
        (state) => {
          clearTimeout(stale);
          if (state.kind === "invalid" && state.unreadable === true) forget();
        },
        () => {
          clearTimeout(stale);
          forget();
        },
      );
    }
    return this.cached;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  async save(text: string): Promise<{ ok: true; state: PolicyState } | { ok: false; locked: boolean; errors: readonly PolicyError[] }> {
    const state = await this.current();
    if (state.kind !== "none" && state.source === "managed") {
      return {
        ok: false,
        locked: true,
        errors: [{ code: "invalid", path: "", segments: [], message: "the policy is set by your organisation and cannot be changed here" }],
      };
    }
    const result = parsePolicyText(text);
    if (!result.ok) return { ok: false, locked: false, errors: result.errors };
    await this.storage.writeLocal(text);
    this.invalidate();
    return { ok: true, state: await this.current() };
  }

  async clear(): Promise<{ ok: boolean; locked: boolean }> {
    const state = await this.current();
    if (state.kind !== "none" && state.source === "managed") return { ok: false, locked: true };
    await this.storage.clearLocal();
    this.invalidate();
    return { ok: true, locked: false };
  }

  private async load(): Promise<PolicyState> {
    let managed: unknown;
    try {
      managed = await this.storage.readManaged();
    } catch (error) {
      // The administrator's policy exists but cannot be read: never fall back to a weaker one.
      return {
        kind: "invalid",
        source: "managed",
        errors: [],
        reason: `the policy set by your organisation could not be read (${describe(error)})`,
        unreadable: true,
      };
    }
    if (managed !== undefined) return compile("managed", managed);
    const text = await this.storage.readLocal().catch((error: unknown) => {
      throw new Error(`the policy saved in Sealpost's options could not be read (${describe(error)})`, { cause: error });
    });
    return text === undefined ? { kind: "none" } : compile("local", text);
  }
}

// A managed policy may be given as the policy object itself or as its JSON text.
function compile(source: "managed" | "local", value: unknown): PolicyState {
  const result = typeof value === "string" ? parsePolicyText(value) : validatePolicy(value);
  if (result.ok)
    return {
      kind: "active",
      source,
      policy: result.policy,
      ...(typeof value === "string" ? { text: value } : { text: JSON.stringify(value, null, 2) }),
    };
  const first = result.errors[0];
  const where = first === undefined ? "" : `: ${first.path === "" ? "" : `${first.path}: `}${first.message}`;
  const owner = source === "managed" ? "the policy set by your organisation" : "the policy in Sealpost's options";
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  return invalid(source, `${owner} is invalid${where}`, result.errors, text);
}

function invalid(source: "managed" | "local", reason: string, errors: readonly PolicyError[], text?: string): PolicyState {
  return { kind: "invalid", source, errors, reason, ...(text === undefined ? {} : { text }) };
}

/** What core's evaluate takes for a state: the policy, `null` for none, or a fail-closed stand-in. */
export function policyForEvaluation(state: PolicyState): CompiledPolicy | PolicyUnavailable | null {
  if (state.kind === "none") return null;
  if (state.kind === "invalid") return { kind: "unavailable", reason: state.reason };
  return state.policy;
}

export function policyStatus(state: PolicyState): PolicyStatus {
  if (state.kind === "none") return { state: "none", source: "none", locked: false };
  const locked = state.source === "managed";
  if (state.kind === "invalid") {
    return {
      state: "invalid",
      source: state.source,
      locked,
      errors: state.errors,
      reason: state.reason,
      ...(state.text === undefined ? {} : { text: state.text }),
    };
  }
  const domains = state.policy.rules.reduce((sum, rule) => sum + rule.domains.length, 0);
  return {
    state: "active",
    source: state.source,
    locked,
    rules: state.policy.rules.length,
    domains,
    ...(state.text === undefined ? {} : { text: state.text }),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
