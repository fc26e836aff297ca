// DomainMatcher and domain matching through evaluate: a policy domain covers itself and every
// subdomain on a label boundary, exceptions carve out, the most specific entry of each rule
// decides, and every rule that matches applies.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DomainMatcher, evaluate } from "@sealpost/core";
import { compilePolicy, insecureSnapshot, reportFor } from "./fixtures.js";

function matcher(entries: readonly [domain: string, rule: number, kind: "domain" | "except"][]): DomainMatcher {
  const built = new DomainMatcher();
  for (const [domain, rule, kind] of entries) built.add(domain, rule, kind);
  return built;
}

const banks = matcher([
  ["examplebank.com", 0, "domain"],
  ["newsletter.examplebank.com", 0, "except"],
]);

describe("DomainMatcher.lookup", () => {
  it("matches a policy domain itself", () => {
    assert.deepEqual(banks.lookup("examplebank.com"), { matches: [{ rule: 0, domain: "examplebank.com" }], excepted: [] });
  });

  it("matches a subdomain, naming the policy domain that covers it", () => {
    assert.deepEqual(banks.lookup("payments.eu.examplebank.com").matches, [{ rule: 0, domain: "examplebank.com" }]);
  });

  it("does not match a name that continues past the policy domain (examplebank.com.evil.org)", () => {
    assert.deepEqual(banks.lookup("examplebank.com.evil.org"), { matches: [], excepted: [] });
  });

  it("does not match a name that ends with the same characters without a label boundary (notexamplebank.com)", () => {
    assert.deepEqual(banks.lookup("notexamplebank.com"), { matches: [], excepted: [] });
  });

  it("does not match the parent domain of a policy domain", () => {
    assert.deepEqual(banks.lookup("com"), { matches: [], excepted: [] });
  });

  it("carves out an exception, reporting the exception that did", () => {
    assert.deepEqual(banks.lookup("newsletter.examplebank.com"), {
      matches: [],
      excepted: [{ rule: 0, domain: "newsletter.examplebank.com" }],
    });
  });

  it("carves out the subdomains of an exception too", () => {
    assert.deepEqual(banks.lookup("eu.newsletter.examplebank.com").matches, []);
  });

  it("protects a deeper domain re-listed below an exception: the most specific entry of the rule decides", () => {
    const relisted = matcher([
      ["examplebank.com", 0, "domain"],
      ["mail.examplebank.com", 0, "except"],
      ["secure.mail.examplebank.com", 0, "domain"],
    ]);
    assert.deepEqual(relisted.lookup("x.secure.mail.examplebank.com").matches, [{ rule: 0, domain: "secure.mail.examplebank.com" }]);
    assert.deepEqual(relisted.lookup("other.mail.examplebank.com").matches, []);
  });

  it("returns every rule that covers the domain, in policy order", () => {
    const several = matcher([
      ["examplebank.com", 2, "domain"],
      ["payments.examplebank.com", 0, "domain"],
      ["com", 1, "domain"],
    ]);
    assert.deepEqual(several.lookup("payments.examplebank.com").matches, [
      { rule: 0, domain: "payments.examplebank.com" },
      { rule: 1, domain: "com" },
      { rule: 2, domain: "examplebank.com" },
    ]);
  });

  it("keeps one rule's exception from carving a domain out of another rule", () => {
    const two = matcher([
      ["examplebank.com", 0, "domain"],
      ["newsletter.examplebank.com", 0, "except"],
      ["examplebank.com", 1, "domain"],
    ]);
    assert.deepEqual(two.lookup("newsletter.examplebank.com"), {
      matches: [{ rule: 1, domain: "examplebank.com" }],
      excepted: [{ rule: 0, domain: "newsletter.examplebank.com" }],
    });
  });

  it("finds the right rule among ten thousand", () => {
    const big = new DomainMatcher();
    for (let rule = 0; rule < 10_000; rule++) big.add(`bank${rule}.example`, rule, "domain");
    assert.equal(big.size, 10_000);
    assert.deepEqual(big.lookup("pay.bank7321.example").matches, [{ rule: 7321, domain: "bank7321.example" }]);
    assert.deepEqual(big.lookup("bank7321.example.org").matches, []);
    assert.deepEqual(big.lookup("xbank7321.example").matches, []);
  });

  it("counts each distinct domain once in its size", () => {
    const shared = matcher([
      ["examplebank.com", 0, "domain"],
      ["examplebank.com", 1, "domain"],
      ["news.examplebank.com", 1, "except"],
    ]);
    assert.equal(shared.size, 2);
  });
});

describe("matching through evaluate", () => {
  const policy = compilePolicy({
    version: 1,
    rules: [
      {
        id: "banks",
        domains: ["examplebank.com", "bänk.de", "secure.newsletter.examplebank.com"],
        except: ["newsletter.examplebank.com"],
        require: { encryption: ["openpgp"] },
        action: "block",
      },
      { id: "treasury", domains: ["payments.examplebank.com"], require: { submission: "tls" }, action: "confirm" },
    ],
  });

  it("marks a recipient at a policy domain as protected, naming the rule and the domain", () => {
    const report = reportFor(evaluate(policy, insecureSnapshot(["alice@examplebank.com"])), "alice@examplebank.com");
    assert.equal(report.protected, true);
    assert.deepEqual(report.rules, [{ id: "banks", domain: "examplebank.com" }]);
  });

  it("marks a recipient at a subdomain as protected", () => {
    assert.equal(reportFor(evaluate(policy, insecureSnapshot(["a@eu.examplebank.com"])), "a@eu.examplebank.com").protected, true);
  });

  it("names the matched policy domain in Unicode form for display", () => {
    const report = reportFor(evaluate(policy, insecureSnapshot(["pay@xn--bnk-qla.de"])), "pay@xn--bnk-qla.de");
    assert.deepEqual(report.rules, [{ id: "banks", domain: "bänk.de" }]);
  });

  it("does not protect examplebank.com.evil.org", () => {
    const decision = evaluate(policy, insecureSnapshot(["a@examplebank.com.evil.org"]));
    assert.equal(reportFor(decision, "a@examplebank.com.evil.org").protected, false);
    assert.equal(decision.verdict, "allow");
  });

  it("does not protect notexamplebank.com", () => {
    const decision = evaluate(policy, insecureSnapshot(["a@notexamplebank.com"]));
    assert.equal(reportFor(decision, "a@notexamplebank.com").protected, false);
    assert.equal(decision.verdict, "allow");
  });

  it("does not protect a recipient carved out by an exception, and says which exception did", () => {
    const decision = evaluate(policy, insecureSnapshot(["news@newsletter.examplebank.com"]));
    const report = reportFor(decision, "news@newsletter.examplebank.com");
    assert.equal(report.protected, false);
    assert.deepEqual(report.excepted, [{ id: "banks", domain: "newsletter.examplebank.com" }]);
    assert.equal(decision.verdict, "allow");
  });

  it("protects a domain re-listed below an exception", () => {
    const decision = evaluate(policy, insecureSnapshot(["a@secure.newsletter.examplebank.com"]));
    assert.equal(reportFor(decision, "a@secure.newsletter.examplebank.com").protected, true);
    assert.equal(decision.verdict, "block");
  });

  it("applies every rule that matches a recipient", () => {
    const decision = evaluate(policy, insecureSnapshot(["pay@payments.examplebank.com"]));
    assert.deepEqual(
      reportFor(decision, "pay@payments.examplebank.com").rules.map((ref) => ref.id),
      ["banks", "treasury"],
    );
    assert.deepEqual(
      decision.findings.map((finding) => [finding.rule, finding.code]),
      [
        ["banks", "not-encrypted"],
        ["treasury", "submission-not-tls"],
      ],
    );
  });
});
