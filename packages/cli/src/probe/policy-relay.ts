// The domains a policy names and the relay level the exported server configuration will enforce
// for each (core's relayLevels: the strongest level among the rules that cover it), for
// `sealpost probe --policy`.
import { type RelayLevel, relayLevels } from "@sealpost/core";
import type { CliIo } from "../io.js";
import { formatPolicyError, loadPolicy } from "../load-policy.js";

export interface PolicyTarget {
  readonly domain: string;
  /** What the exported configuration demands for this domain, and which rules ask for it. */
  readonly requirement: { readonly level: RelayLevel; readonly rules: readonly string[] } | undefined;
}

export type PolicyTargets =
  { readonly ok: true; readonly targets: readonly PolicyTarget[] } | { readonly ok: false; readonly errors: readonly string[] };

export async function loadPolicyTargets(io: CliIo, path: string): Promise<PolicyTargets> {
  const loaded = await loadPolicy(io, path);
  if (!loaded.ok) return { ok: false, errors: loaded.errors.map((error) => formatPolicyError(path, error)) };
  const targets = new Map<string, PolicyTarget>();
  // Every listed domain is probed, so that a rule without a relay level shows what it could ask.
  for (const rule of loaded.policy.rules) for (const domain of rule.domains) targets.set(domain, { domain, requirement: undefined });
  for (const entry of relayLevels(loaded.policy)) {
    targets.set(entry.domain, {
      domain: entry.domain,
      requirement: entry.level === "none" ? undefined : { level: entry.level, rules: entry.rules },
    });
  }
  return { ok: true, targets: [...targets.values()] };
}
