// Which relay level (what our server may demand on the hop to the bank's MX) a domain supports
// today, from what was observed at each of its MX hosts. Pure: the probe gathers, this judges.
import { RELAY_LEVELS, type RelayLevel } from "@sealpost/core";

/** What one MX host lacks for each level: undefined where it meets it. */
export interface MxCapability {
  readonly host: string;
  readonly encrypt: string | undefined;
  readonly verify: string | undefined;
  readonly dane: string | undefined;
}

export interface Recommendation {
  /** The strongest level every MX meets, or "none". */
  readonly level: RelayLevel | "none";
  /** Each level on its own: a DANE domain with self-signed certificates supports dane but not verify. */
  readonly supports: Readonly<Record<RelayLevel, boolean>>;
  /** For each level not supported, which host falls short and how (or the domain's own problem). */
  readonly why: Readonly<Record<RelayLevel, readonly string[]>>;
}

/**
 * `domainProblem` is set when the domain could not be judged at all (its MX lookup failed, it
 * publishes a null MX): nothing may be required of it then, and the reason says why.
 */
export function recommendRelayLevel(mx: readonly MxCapability[], domainProblem?: string): Recommendation {
  const why = {} as Record<RelayLevel, string[]>;
  const supports = {} as Record<RelayLevel, boolean>;
  for (const level of RELAY_LEVELS) {
    const reasons =
      domainProblem !== undefined
        ? [domainProblem]
        : mx.length === 0
          ? ["the domain has no mail host"]
          : mx.flatMap((host) => {
              const problem = host[level];
              return problem === undefined ? [] : [`${host.host} ${problem}`];
            });
    why[level] = reasons;
    supports[level] = reasons.length === 0;
  }
  const level = [...RELAY_LEVELS].reverse().find((candidate) => supports[candidate]) ?? "none";
  return { level, supports, why };
}

export interface RequirementCheck {
  /** The rules that ask for this level (the strongest of those covering the domain). */
  readonly rules: readonly string[];
  readonly required: RelayLevel;
  readonly met: boolean;
  /** When not met: why mail under this rule would be deferred. */
  readonly reasons: readonly string[];
}

/** A level is met when the domain supports that level itself, not merely a stronger one. */
export function checkRequirement(rules: readonly string[], required: RelayLevel, recommendation: Recommendation): RequirementCheck {
  const met = recommendation.supports[required];
  return { rules, required, met, reasons: met ? [] : recommendation.why[required] };
}
