// The lookup a policy engine without a suffix map would do: for each recipient domain, every
// rule and every domain in it, one regular expression per domain, built once up front.
import { type CompiledPolicy, type DomainLookup, DomainMatcher, type RuleMatch } from "@sealpost/core";

interface Pattern {
  readonly domain: string;
  readonly regex: RegExp;
}

interface NaiveRule {
  readonly rule: number;
  readonly domains: readonly Pattern[];
  readonly except: readonly Pattern[];
}

function pattern(domain: string): Pattern {
  const escaped = domain.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return { domain, regex: new RegExp(`(^|\\.)${escaped}$`, "i") };
}

// Of all patterns that match, the longest is the most specific, because every match is a
// suffix of the same domain. Every pattern is tried: that is the cost being measured.
function mostSpecific(patterns: readonly Pattern[], domain: string): string | undefined {
  let best: string | undefined;
  for (const { domain: candidate, regex } of patterns) {
    if (regex.test(domain) && (best === undefined || candidate.length > best.length)) best = candidate;
  }
  return best;
}

/**
 * Same answers as {@link DomainMatcher}, found by brute force. It subclasses the real matcher
 * only so that `evaluate` accepts it: the bench then runs the very same evaluation with only
 * the lookup swapped, and the ratio between the two is the cost of the lookup strategy.
 */
export class NaiveMatcher extends DomainMatcher {
  private readonly rules: readonly NaiveRule[];

  constructor(policy: CompiledPolicy) {
    super();
    this.rules = policy.rules.map((rule) => ({ rule: rule.index, domains: rule.domains.map(pattern), except: rule.except.map(pattern) }));
  }

  override get size(): number {
    return this.rules.reduce((sum, rule) => sum + rule.domains.length + rule.except.length, 0);
  }

  override lookup(domain: string): DomainLookup {
    const matches: RuleMatch[] = [];
    const excepted: RuleMatch[] = [];
    for (const rule of this.rules) {
      const covering = mostSpecific(rule.domains, domain);
      if (covering === undefined) continue;
      const carved = mostSpecific(rule.except, domain);
      if (carved !== undefined && carved.length > covering.length) excepted.push({ rule: rule.rule, domain: carved });
      else matches.push({ rule: rule.rule, domain: covering });
    }
    return { matches, excepted };
  }
}

/** The same compiled policy with the naive lookup in place of the suffix map. */
export function withNaiveMatcher(policy: CompiledPolicy): CompiledPolicy {
  return { ...policy, matcher: new NaiveMatcher(policy) };
}
