// Named security regressions, kept forever: each one is a way a protected recipient could be
// hidden from the check, or a harmless one made to look protected. The policy protects the
// banks; the message is sent in the clear (plain submission, no encryption), so a protected
// recipient must block it and an unprotected one must not.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Decision, evaluate, type RecipientInput } from "@sealpost/core";
import { BANKS_POLICY, codes, compilePolicy, insecureSnapshot, reportFor, snapshot, to } from "./fixtures.js";

const policy = compilePolicy(BANKS_POLICY);

function send(...recipients: (string | RecipientInput)[]): Decision {
  return evaluate(policy, insecureSnapshot(recipients));
}

function assertProtected(decision: Decision, address: string): void {
  assert.equal(reportFor(decision, address).protected, true, `${address} must be protected`);
  assert.equal(decision.verdict, "block");
  assert.ok(
    decision.findings.some((finding) => finding.recipient?.address === address && finding.code === "not-encrypted"),
    `a finding must name ${address}`,
  );
}

function assertNotProtected(decision: Decision, address: string): void {
  assert.equal(reportFor(decision, address).protected, false, `${address} must not be protected`);
  assert.equal(decision.verdict, "allow");
}

function assertBlockedAsInvalid(decision: Decision, input: string): void {
  assert.equal(decision.verdict, "block");
  assert.deepEqual(codes(decision), ["invalid-recipient"]);
  assert.equal(decision.findings[0]?.recipient?.input, input);
}

describe("security regression: spoofed display names", () => {
  it('a display name showing a bank address does not make a foreign address protected ("alice@examplebank.com" <alice@evil.org>)', () => {
    const decision = send('"alice@examplebank.com" <alice@evil.org>');
    assertNotProtected(decision, "alice@evil.org");
    assert.equal(reportFor(decision, "alice@evil.org").name, "alice@examplebank.com");
  });

  it('a harmless display name does not hide a bank address ("Evil" <x@examplebank.com>)', () => {
    assertProtected(send('"Evil" <x@examplebank.com>'), "x@examplebank.com");
  });

  it("a display name in angle brackets does not replace the real address", () => {
    assertProtected(send('"<x@evil.org>" <pay@examplebank.com>'), "pay@examplebank.com");
  });

  it("an RFC 2047 encoded display name spelling a bank address does not make a foreign address protected", () => {
    const decision = send("=?UTF-8?B?cGF5QGV4YW1wbGViYW5rLmNvbQ==?= <x@evil.org>");
    assertNotProtected(decision, "x@evil.org");
    assert.equal(reportFor(decision, "x@evil.org").name, "pay@examplebank.com");
  });

  it("an RFC 2047 encoded display name spelling a foreign address does not hide a bank address", () => {
    assertProtected(send("=?UTF-8?Q?x=40evil.org?= <pay@examplebank.com>"), "pay@examplebank.com");
  });

  it("a comment holding a foreign address does not hide a bank address", () => {
    assertProtected(send("pay@examplebank.com (forward to x@evil.org)"), "pay@examplebank.com");
  });

  it("an unbracketed bank address before a bracketed one blocks as invalid (alice@examplebank.com <alice@evil.org>)", () => {
    assertBlockedAsInvalid(send("alice@examplebank.com <alice@evil.org>"), "alice@examplebank.com <alice@evil.org>");
  });
});

describe("security regression: look-alike domains", () => {
  it("examplebank.com.evil.org is not the bank", () => {
    assertNotProtected(send("pay@examplebank.com.evil.org"), "pay@examplebank.com.evil.org");
  });

  it("notexamplebank.com is not the bank", () => {
    assertNotProtected(send("pay@notexamplebank.com"), "pay@notexamplebank.com");
  });

  it("a look-alike of an exception stays protected (xnewsletter.examplebank.com)", () => {
    assertProtected(send("pay@xnewsletter.examplebank.com"), "pay@xnewsletter.examplebank.com");
  });

  it("an exception does not reach a bank subdomain beside it", () => {
    assertProtected(send("pay@newsletter-examplebank.examplebank.com"), "pay@newsletter-examplebank.examplebank.com");
  });
});

describe("security regression: hidden recipients", () => {
  it("a bank address in Bcc is protected", () => {
    assertProtected(send("friend@example.org", to("pay@examplebank.com", "bcc")), "pay@examplebank.com");
  });

  it("a bank address in Cc is protected", () => {
    assertProtected(send(to("pay@examplebank.com", "cc")), "pay@examplebank.com");
  });

  it("a bank address inside a group is protected (Friends: a@x.org, pay@examplebank.com;)", () => {
    const decision = send("Friends: a@x.org, pay@examplebank.com;");
    assertProtected(decision, "pay@examplebank.com");
    assert.equal(reportFor(decision, "pay@examplebank.com").group, "Friends");
  });

  it("a bank address expanded from a mailing list is protected", () => {
    const decision = send({ text: "pay@examplebank.com", kind: "list-member", list: "Finance <finance@corp.example>" });
    assertProtected(decision, "pay@examplebank.com");
    assert.equal(decision.findings[0]?.recipient?.kind, "list-member");
  });

  it("a bank address after a harmless one in the same field is protected", () => {
    assertProtected(send("friend@example.org, pay@examplebank.com"), "pay@examplebank.com");
  });

  it("an obsolete source route does not hide the bank address it leads to", () => {
    assertProtected(send("<@relay.evil.org:pay@examplebank.com>"), "pay@examplebank.com");
  });
});

describe("security regression: other spellings of a protected domain", () => {
  const forms: [name: string, text: string, address: string][] = [
    ["upper case", "PAY@EXAMPLEBANK.COM", "PAY@examplebank.com"],
    ["mixed case", "pay@ExampleBank.Com", "pay@examplebank.com"],
    ["the Unicode form", "pay@bänk.de", "pay@xn--bnk-qla.de"],
    ["the Unicode form in upper case", "pay@BÄNK.DE", "pay@xn--bnk-qla.de"],
    ["the Punycode form", "pay@xn--bnk-qla.de", "pay@xn--bnk-qla.de"],
    ["the Punycode form in upper case", "pay@XN--BNK-QLA.DE", "pay@xn--bnk-qla.de"],
    ["a trailing root dot", "pay@examplebank.com.", "pay@examplebank.com"],
    ["a trailing root dot inside angle brackets", "Pay <pay@bänk.de.>", "pay@xn--bnk-qla.de"],
    ["a full-width full stop (U+FF0E)", "pay@examplebank\uFF0Ecom", "pay@examplebank.com"],
    ["an ideographic full stop (U+3002)", "pay@examplebank\u3002com", "pay@examplebank.com"],
    ["full-width letters", "pay@ｅｘａｍｐｌｅｂａｎｋ.com", "pay@examplebank.com"],
    ["a soft hyphen inside a label", "pay@example\u00ADbank.com", "pay@examplebank.com"],
    ["a comment inside the domain", "pay@(treasury)examplebank.com", "pay@examplebank.com"],
  ];

  for (const [name, text, address] of forms) {
    it(`a bank address written with ${name} is protected (${JSON.stringify(text)})`, () => {
      assertProtected(send(text), address);
    });
  }

  it('a bank address written with spaces around the @ and the dots (obsolete syntax) is protected ("pay @ examplebank . com")', () => {
    const decision = send("pay @ examplebank . com");
    assert.equal(decision.recipients[0]?.ok && decision.recipients[0].protected, true);
    assert.equal(decision.verdict, "block");
  });
});

describe("security regression: pinned keys", () => {
  const pinned = compilePolicy({
    ...BANKS_POLICY,
    keys: { "payments@examplebank.com": "7780 CA90 FDA1 40C1 8929  4A55 924B 0AAA CC53 0A7D" },
  });
  const encryptedToAnotherKey = (text: string): Decision =>
    evaluate(
      pinned,
      insecureSnapshot([text], { transport: { kind: "https" }, encryption: { kind: "openpgp", keyIds: ["1111222233334444"] } }),
    );

  it("a message to a pinned address encrypted to another key blocks", () => {
    assert.deepEqual(codes(encryptedToAnotherKey("payments@examplebank.com")), ["pinned-key-not-used"]);
  });

  it("a pinned address written in upper case still has its pin checked", () => {
    assert.deepEqual(codes(encryptedToAnotherKey("PAYMENTS@EXAMPLEBANK.COM")), ["pinned-key-not-used"]);
  });

  it("a pinned address written with a comment before the @ still has its pin checked", () => {
    assert.deepEqual(codes(encryptedToAnotherKey("payments (treasury)@examplebank.com")), ["pinned-key-not-used"]);
  });

  it('a pinned address written with spaces around the @ and the dots still has its pin checked ("payments @ examplebank . com")', () => {
    assert.deepEqual(codes(encryptedToAnotherKey("payments @ examplebank . com")), ["pinned-key-not-used"]);
  });
});

describe("security regression: addresses that cannot be read", () => {
  it("an address that cannot be parsed blocks, naming it", () => {
    assertBlockedAsInvalid(send("pay at examplebank dot com"), "pay at examplebank dot com");
  });

  it("a list with one broken entry blocks instead of checking the rest", () => {
    assertBlockedAsInvalid(send("friend@example.org, pay@@examplebank.com"), "friend@example.org, pay@@examplebank.com");
  });

  it("a bank domain with an empty label blocks", () => {
    assert.equal(send("pay@examplebank..com").verdict, "block");
  });

  it("a zero-width joiner inside a bank domain blocks instead of passing as another domain", () => {
    assert.deepEqual(codes(send("pay@example\u200Dbank.com")), ["invalid-recipient"]);
  });

  it("a full-width at sign (U+FF20) blocks instead of passing as a name", () => {
    assertBlockedAsInvalid(send("pay\uFF20examplebank.com"), "pay\uFF20examplebank.com");
  });

  it("an address literal blocks, since it names no domain to check", () => {
    assertBlockedAsInvalid(send("pay@[192.0.2.1]"), "pay@[192.0.2.1]");
  });

  it("a control character in an address blocks", () => {
    assert.equal(send("pay@examplebank.com\u0000").verdict, "block");
  });
});

describe("pinned keys a host cannot check", () => {
  const pinned = compilePolicy({
    version: 1,
    rules: [{ id: "banks", domains: ["examplebank.com"], require: { encryption: ["openpgp"] }, action: "block" }],
    keys: { "payments@examplebank.com": "7780CA90FDA140C189294A55924B0AAACC530A7D" },
  });

  // Regression: a host that reports no key ids (Thunderbird before it reads its key ring) let any
  // OpenPGP message through to a pinned recipient, whatever key it was encrypted to.
  it("refuses OpenPGP to a pinned recipient when the host cannot say which keys it is encrypted to", () => {
    const decision = evaluate(pinned, snapshot(["payments@examplebank.com"], { encryption: { kind: "openpgp" } }));
    assert.equal(decision.verdict, "block");
    assert.equal(decision.findings[0]?.code, "pinned-key-not-used");
    assert.equal(decision.findings[0]?.observed, "unknown");
    assert.match(decision.findings[0]?.problem ?? "", /cannot tell which key/);
  });

  it("still lets OpenPGP go to an unpinned recipient of the same rule", () => {
    assert.equal(evaluate(pinned, snapshot(["other@examplebank.com"], { encryption: { kind: "openpgp" } })).verdict, "allow");
  });
});

describe("pinned keys checked against the keys the host will use", () => {
  const pinned = compilePolicy({
    version: 1,
    rules: [{ id: "banks", domains: ["examplebank.com"], require: { encryption: ["openpgp"] }, action: "block" }],
    keys: { "payments@examplebank.com": "7780CA90FDA140C189294A55924B0AAACC530A7D" },
  });
  const withKeys = (keys: Record<string, string[]>) =>
    evaluate(pinned, snapshot(["Payments@ExampleBank.com"], { encryption: { kind: "openpgp" }, recipientKeys: keys }));

  it("allows the recipient whose key is the pinned one", () => {
    assert.equal(withKeys({ "payments@examplebank.com": ["7780CA90FDA140C189294A55924B0AAACC530A7D"] }).verdict, "allow");
  });

  it("refuses when the host would use another key for the pinned recipient, even if another recipient's key is the pinned one", () => {
    const decision = withKeys({
      "payments@examplebank.com": ["1111111111111111111111111111111111111111"],
      "x@other.org": ["7780CA90FDA140C189294A55924B0AAACC530A7D"],
    });
    assert.equal(decision.verdict, "block");
    assert.equal(decision.findings[0]?.code, "pinned-key-not-used");
  });

  it("refuses when the host has no key for the pinned recipient", () => {
    assert.equal(withKeys({}).verdict, "block");
  });
});
