// The TLS level our mail server must use towards each protected domain, computed once from the
// policy so that every exporter (Postfix, Exim, Exchange) enforces exactly the same thing.
import { normalizeDomain } from "../address/domain.js";
import { RELAY_LEVELS, type RelayLevel } from "./policy-schema.js";
import type { CompiledPolicy } from "./validate-policy.js";

export interface RelayEntry {
  /** The domain in ASCII (A-label) form, as mail servers look it up. */
  readonly domain: string;
  /** The same domain in Unicode, for comments people read. */
  readonly unicodeDomain: string;
  /**
   * The level for this domain and every subdomain that has no entry of its own. "none" marks
   * an exception: the server's default applies there, as it does outside the policy.
   */
  readonly level: RelayLevel | "none";
  /** Ids of the rules that ask for `level` here (for "none": the rules whose exception this is). */
  readonly rules: readonly string[];
}

/** Whether `a` is at least as strong as `b`. */
export function relayAtLeast(a: RelayLevel, b: RelayLevel): boolean {
  return RELAY_LEVELS.indexOf(a) >= RELAY_LEVELS.indexOf(b);
}

/**
 * One entry per domain or exception that a rule with a relay requirement names, ordered by
 * domain (labels compared from the right, so a parent comes before its subdomains).
 *
 * The matcher already decides, per rule, whether a domain is covered (its most specific entry
 * wins); a domain's level is then the strongest level among the rules that cover it. So an
 * exception switches forcing off below it only where no other rule still covers that domain,
 * and a subdomain with no entry inherits the level of its nearest listed parent. Lookups of
 * that subdomain in the matcher would give the same rules, since no entry lies in between.
 */
export function relayLevels(policy: CompiledPolicy): RelayEntry[] {
  const points = new Set<string>();
  for (const rule of policy.rules) {
    if (rule.relay === undefined) continue;
    for (const domain of rule.domains) points.add(domain);
    for (const domain of rule.except) points.add(domain);
  }
  const entries: RelayEntry[] = [];
  for (const domain of points) {
    const lookup = policy.matcher.lookup(domain);
    let level: RelayLevel | undefined;
    let rules: string[] = [];
    for (const match of lookup.matches) {
      const rule = policy.rules[match.rule];
      if (rule?.relay === undefined) continue;
      if (level === undefined || !relayAtLeast(level, rule.relay)) {
        level = rule.relay;
        rules = [rule.id];
      } else if (level === rule.relay) {
        rules.push(rule.id);
      }
    }
    if (level === undefined) {
      const excepting = lookup.excepted.flatMap((match) => {
        const rule = policy.rules[match.rule];
        return rule?.relay !== undefined && match.domain === domain ? [rule.id] : [];
      });
      entries.push({ domain, unicodeDomain: unicodeOf(domain), level: "none", rules: excepting });
    } else {
      entries.push({ domain, unicodeDomain: unicodeOf(domain), level, rules });
    }
  }
  return entries.sort((a, b) => compareDomains(a.domain, b.domain));
}

/** Orders domains as a tree: by their labels from the right, so `b.example` < `a.b.example` < `c.example`. */
export function compareDomains(a: string, b: string): number {
  const left = a.split(".").reverse();
  const right = b.split(".").reverse();
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] ?? "";
    const y = right[i] ?? "";
    if (x !== y) return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

function unicodeOf(ascii: string): string {
  const normalized = normalizeDomain(ascii);
  return normalized.ok ? normalized.unicode : ascii;
}
