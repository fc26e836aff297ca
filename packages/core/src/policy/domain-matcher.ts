// Suffix lookup from a recipient's domain to the rules that cover it. The map is keyed by
// normalized domain, so a lookup costs one map probe per label of the recipient's domain,
// however many rules and domains the policy holds.

export interface RuleMatch {
  /** Index of the rule in the policy. */
  readonly rule: number;
  /** The policy domain that matched (ASCII form). */
  readonly domain: string;
}

export interface DomainLookup {
  /** Rules that cover the domain, in policy order. */
  readonly matches: readonly RuleMatch[];
  /** Rules whose `except` carved the domain out, with the exception that did. */
  readonly excepted: readonly RuleMatch[];
}

interface Entry {
  readonly rule: number;
  readonly kind: "domain" | "except";
}

export class DomainMatcher {
  private readonly entries = new Map<string, Entry[]>();

  add(domain: string, rule: number, kind: Entry["kind"]): void {
    const list = this.entries.get(domain);
    if (list === undefined) this.entries.set(domain, [{ rule, kind }]);
    else list.push({ rule, kind });
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * For each rule, the most specific entry that covers `domain` decides: a domain entry
   * makes the rule apply, an exception below it carves the domain out again.
   */
  lookup(domain: string): DomainLookup {
    const decided = new Set<number>();
    const matches: RuleMatch[] = [];
    const excepted: RuleMatch[] = [];
    let start = 0;
    for (;;) {
      const suffix = start === 0 ? domain : domain.slice(start);
      const found = this.entries.get(suffix);
      if (found !== undefined) {
        for (const entry of found) {
          if (decided.has(entry.rule)) continue;
          decided.add(entry.rule);
          (entry.kind === "domain" ? matches : excepted).push({ rule: entry.rule, domain: suffix });
        }
      }
      const dot = domain.indexOf(".", start);
      if (dot < 0) break;
      start = dot + 1;
    }
    matches.sort((a, b) => a.rule - b.rule);
    excepted.sort((a, b) => a.rule - b.rule);
    return { matches, excepted };
  }
}
