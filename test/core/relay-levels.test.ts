// require.relay: how it is validated, what level every protected domain and exception ends up
// with when rules overlap, and that the add-ins' send decision does not look at it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { evaluate, relayLevels, validatePolicy } from "@sealpost/core";
import { compilePolicy, insecureSnapshot, snapshot } from "./fixtures.js";

function rule(id: string, domains: string[], require: Record<string, unknown>, except?: string[]): Record<string, unknown> {
  return { id, domains, ...(except === undefined ? {} : { except }), require, action: "block" };
}

function levels(...rules: Record<string, unknown>[]): [string, string, string][] {
  return relayLevels(compilePolicy({ version: 1, rules })).map((entry) => [entry.domain, entry.level, entry.rules.join(",")]);
}

describe("require.relay: validation", () => {
  it("accepts a rule that requires only relay", () => {
    const result = validatePolicy({ version: 1, rules: [rule("banks", ["examplebank.com"], { relay: "verify" })] });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.equal(result.policy.rules[0]?.relay, "verify");
  });

  it("carries no relay level into the compiled rule when the rule sets none", () => {
    const policy = compilePolicy({ version: 1, rules: [rule("banks", ["examplebank.com"], { submission: "tls" })] });
    assert.equal(policy.rules[0]?.relay, undefined);
  });

  it("refuses an unknown level, listing the allowed values at its path", () => {
    const result = validatePolicy({ version: 1, rules: [rule("banks", ["examplebank.com"], { relay: "tls" })] });
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((error) => [error.path, error.message]),
      [["rules[0].require.relay", 'must be one of "encrypt", "verify", "dane" (found "tls")']],
    );
  });

  it("suggests relay for a misspelt field", () => {
    const result = validatePolicy({ version: 1, rules: [rule("banks", ["examplebank.com"], { submission: "tls", rela: "dane" })] });
    assert.ok(!result.ok);
    assert.equal(result.errors[0]?.path, "rules[0].require.rela");
    assert.match(result.errors[0]?.message ?? "", /did you mean "relay"/);
  });
});

describe("relayLevels: the level of every protected domain", () => {
  it("gives each domain of a relay rule its level, and ignores rules without relay", () => {
    assert.deepEqual(
      levels(
        rule("banks", ["examplebank.com", "bank.example"], { relay: "verify" }),
        rule("auditor", ["audit.example"], { submission: "tls" }),
      ),
      [
        ["examplebank.com", "verify", "banks"],
        ["bank.example", "verify", "banks"],
      ],
    );
  });

  it("lets the strongest level win where several rules name the same domain", () => {
    assert.deepEqual(levels(rule("a", ["bank.example"], { relay: "encrypt" }), rule("b", ["bank.example"], { relay: "dane" })), [
      ["bank.example", "dane", "b"],
    ]);
  });

  it("lets a parent's stronger level reach a subdomain that another rule names with a weaker one", () => {
    assert.deepEqual(levels(rule("a", ["bank.example"], { relay: "verify" }), rule("b", ["pay.bank.example"], { relay: "encrypt" })), [
      ["bank.example", "verify", "a"],
      ["pay.bank.example", "verify", "a"],
    ]);
  });

  it("names every rule that asks for the winning level", () => {
    assert.deepEqual(levels(rule("a", ["bank.example"], { relay: "verify" }), rule("b", ["bank.example"], { relay: "verify" })), [
      ["bank.example", "verify", "a,b"],
    ]);
  });

  it("turns forcing off at an exception that no other rule covers", () => {
    assert.deepEqual(levels(rule("banks", ["examplebank.com"], { relay: "verify" }, ["newsletter.examplebank.com"])), [
      ["examplebank.com", "verify", "banks"],
      ["newsletter.examplebank.com", "none", "banks"],
    ]);
  });

  it("writes IDN domains in A-label form and keeps the Unicode form for people", () => {
    const [entry] = relayLevels(compilePolicy({ version: 1, rules: [rule("banks", ["bänk.example"], { relay: "dane" })] }));
    assert.equal(entry?.domain, "xn--bnk-qla.example");
    assert.equal(entry?.unicodeDomain, "bänk.example");
  });

  it("orders entries as a tree, parents before their subdomains, whatever the policy order", () => {
    assert.deepEqual(
      levels(rule("a", ["z.b.example", "c.example", "b.example", "a.b.example"], { relay: "encrypt" })).map(([domain]) => domain),
      ["b.example", "a.b.example", "z.b.example", "c.example"],
    );
  });

  it("is empty for a policy without relay requirements", () => {
    assert.deepEqual(levels(rule("banks", ["examplebank.com"], { submission: "tls" })), []);
  });
});

describe("relayLevels: security regressions", () => {
  it("an exception in one rule does not weaken a domain that another rule protects", () => {
    assert.deepEqual(
      levels(
        rule("banks", ["examplebank.com"], { relay: "verify" }, ["newsletter.examplebank.com"]),
        rule("marketing-partner", ["newsletter.examplebank.com"], { relay: "encrypt" }),
      ),
      [
        ["examplebank.com", "verify", "banks"],
        ["newsletter.examplebank.com", "encrypt", "marketing-partner"],
      ],
    );
  });

  it("an exception does not switch off a level that another rule sets on a parent domain", () => {
    assert.deepEqual(
      levels(
        rule("group", ["bank.example"], { relay: "encrypt" }),
        rule("payments", ["pay.bank.example"], { relay: "dane" }, ["news.pay.bank.example"]),
      ),
      [
        ["bank.example", "encrypt", "group"],
        ["pay.bank.example", "dane", "payments"],
        ["news.pay.bank.example", "encrypt", "group"],
      ],
    );
  });

  it("an exception of a rule without relay changes nothing for the server hop", () => {
    assert.deepEqual(
      levels(
        rule("relay", ["bank.example"], { relay: "verify" }),
        rule("e2e", ["bank.example"], { encryption: ["openpgp"] }, ["news.bank.example"]),
      ),
      [["bank.example", "verify", "relay"]],
    );
  });
});

describe("evaluate ignores require.relay (it is the server's hop)", () => {
  const relayOnly = compilePolicy({ version: 1, rules: [rule("banks", ["examplebank.com"], { relay: "dane" })] });

  it("allows a plain, unencrypted message to a domain whose only rule requires relay", () => {
    const decision = evaluate(relayOnly, insecureSnapshot(["alice@examplebank.com"]));
    assert.equal(decision.verdict, "allow");
    assert.deepEqual(decision.findings, []);
  });

  it("still reports the recipient as covered by the rule", () => {
    const decision = evaluate(relayOnly, insecureSnapshot(["alice@examplebank.com"]));
    const report = decision.recipients[0];
    assert.ok(report?.ok === true);
    assert.deepEqual(
      report.rules.map((ref) => ref.id),
      ["banks"],
    );
  });

  it("decides exactly as without relay when a rule has other requirements too", () => {
    const base = { submission: "tls", encryption: ["openpgp"] };
    const withRelay = compilePolicy({ version: 1, rules: [rule("banks", ["examplebank.com"], { ...base, relay: "verify" })] });
    const without = compilePolicy({ version: 1, rules: [rule("banks", ["examplebank.com"], base)] });
    for (const message of [insecureSnapshot(["alice@examplebank.com"]), snapshot(["alice@examplebank.com"])]) {
      assert.deepEqual(evaluate(withRelay, message), evaluate(without, message));
    }
  });
});

describe("relayLevels: properties", () => {
  // A small tree of names, so that random rules overlap, nest and except each other often.
  const NAMES = ["b.example", "a.b.example", "x.a.b.example", "c.b.example", "d.example", "y.d.example"];
  const level = fc.constantFrom("encrypt", "verify", "dane");
  const ruleArbitrary = fc.record({
    domains: fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 }),
    except: fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 2 }),
    relay: fc.option(level, { nil: undefined }),
  });
  const STRENGTH = ["none", "encrypt", "verify", "dane"];

  it("gives every domain the level of its nearest entry, which is the strongest rule that covers it", () => {
    fc.assert(
      fc.property(
        fc.array(ruleArbitrary, { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...NAMES, "z.x.a.b.example", "e.example"),
        (drafts, query) => {
          // Keep only exceptions that are valid: strictly below one of the rule's own domains.
          const rules = drafts.map((draft, index) => ({
            id: `r${String(index)}`,
            domains: draft.domains,
            except: draft.except.filter(
              (name) => !draft.domains.includes(name) && draft.domains.some((parent) => name.endsWith(`.${parent}`)),
            ),
            require: draft.relay === undefined ? { submission: "tls" } : { relay: draft.relay },
            action: "block",
          }));
          const policy = compilePolicy({ version: 1, rules });
          const expected = policy.matcher
            .lookup(query)
            .matches.map((match) => policy.rules[match.rule]?.relay ?? "none")
            .reduce((best, candidate) => (STRENGTH.indexOf(candidate) > STRENGTH.indexOf(best) ? candidate : best), "none");
          const entries = relayLevels(policy);
          const nearest = entries
            .filter((entry) => query === entry.domain || query.endsWith(`.${entry.domain}`))
            .sort((a, b) => b.domain.length - a.domain.length)[0];
          assert.equal(nearest?.level ?? "none", expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
