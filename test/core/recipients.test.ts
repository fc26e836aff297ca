// parseRecipients and addressKey: what a host hands over as a recipient field (one address,
// "Name <addr>", a list, a group) turned into mailboxes with normalized domains, or a failure.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AddressParse, addressKey, type ParsedAddress, parseRecipients, type UnparsableAddress } from "@sealpost/core";

function parsedOnly(input: string): ParsedAddress[] {
  const results = parseRecipients(input);
  for (const result of results) assert.ok(result.ok, `expected "${input}" to parse, got ${JSON.stringify(result)}`);
  return results.filter((result): result is ParsedAddress => result.ok);
}

function single(input: string): ParsedAddress {
  const results = parsedOnly(input);
  assert.equal(results.length, 1, `expected one mailbox in "${input}", got ${JSON.stringify(results)}`);
  const [first] = results;
  assert.ok(first !== undefined);
  return first;
}

function failure(input: string): UnparsableAddress {
  const results: AddressParse[] = parseRecipients(input);
  assert.equal(results.length, 1, `expected one failure for "${input}", got ${JSON.stringify(results)}`);
  const [first] = results;
  assert.ok(first !== undefined && !first.ok, `expected "${input}" to be refused, got ${JSON.stringify(first)}`);
  return first;
}

describe("parseRecipients: single mailboxes", () => {
  it("parses a bare address", () => {
    assert.deepEqual(single("alice@examplebank.com"), {
      ok: true,
      name: "",
      local: "alice",
      domain: "examplebank.com",
      unicodeDomain: "examplebank.com",
      address: "alice@examplebank.com",
    });
  });

  it("parses an address in angle brackets without a name", () => {
    assert.equal(single("<alice@examplebank.com>").address, "alice@examplebank.com");
  });

  it('parses "Name <addr>" into the display name and the address', () => {
    const parsed = single("Alice Smith <alice@examplebank.com>");
    assert.equal(parsed.name, "Alice Smith");
    assert.equal(parsed.address, "alice@examplebank.com");
  });

  it("keeps a comma inside a quoted display name as part of the name", () => {
    const parsed = single('"Smith, Alice" <alice@examplebank.com>');
    assert.equal(parsed.name, "Smith, Alice");
    assert.equal(parsed.address, "alice@examplebank.com");
  });

  it("takes the address from the angle brackets when the quoted display name holds an @", () => {
    const parsed = single('"alice@examplebank.com" <alice@evil.org>');
    assert.equal(parsed.name, "alice@examplebank.com");
    assert.equal(parsed.domain, "evil.org");
  });

  it("takes the address from the angle brackets when the quoted display name holds angle brackets", () => {
    const parsed = single('"<pay@examplebank.com>" <x@evil.org>');
    assert.equal(parsed.name, "<pay@examplebank.com>");
    assert.equal(parsed.address, "x@evil.org");
  });

  it("ignores a comment after the address", () => {
    assert.equal(single("alice@examplebank.com (Alice, treasury)").address, "alice@examplebank.com");
  });

  it("ignores a comment inside the display name", () => {
    const parsed = single("Alice (treasury) <alice@examplebank.com>");
    assert.equal(parsed.address, "alice@examplebank.com");
    assert.equal(parsed.name, "Alice");
  });

  it("ignores a comment inside the domain", () => {
    assert.equal(single("pay@(payments)examplebank.com").domain, "examplebank.com");
  });

  it("keeps the case of the local part and lower-cases the domain", () => {
    const parsed = single("Fred.Bloggs@ExampleBank.COM");
    assert.equal(parsed.local, "Fred.Bloggs");
    assert.equal(parsed.address, "Fred.Bloggs@examplebank.com");
  });

  it("drops the whitespace that obsolete syntax allows around the @ and the dots (RFC 5322 §4.4)", () => {
    assert.equal(single("pay @ examplebank . com").address, "pay@examplebank.com");
    assert.equal(single("pay . ments@examplebank.com").address, "pay.ments@examplebank.com");
  });

  it("keeps a quoted local part", () => {
    const parsed = single('"treasury desk"@examplebank.com');
    assert.equal(parsed.local, "treasury desk");
    assert.equal(parsed.domain, "examplebank.com");
  });
});

describe("parseRecipients: encoded-word display names (RFC 2047)", () => {
  it("decodes a Q-encoded UTF-8 display name", () => {
    assert.equal(single("=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <j@examplebank.com>").name, "Jörg Müller");
  });

  it("decodes a B-encoded UTF-8 display name", () => {
    assert.equal(single("=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <j@examplebank.com>").name, "Jörg Müller");
  });

  it("decodes a Q-encoded ISO-8859-1 display name", () => {
    assert.equal(single("=?ISO-8859-1?Q?J=F6rg?= <j@examplebank.com>").name, "Jörg");
  });

  it("decodes the display name only: the address still comes from the angle brackets", () => {
    const parsed = single("=?UTF-8?Q?pay=40examplebank.com?= <x@evil.org>");
    assert.equal(parsed.name, "pay@examplebank.com");
    assert.equal(parsed.address, "x@evil.org");
  });
});

describe("parseRecipients: lists and groups", () => {
  it("returns every address of a comma-separated list, in order", () => {
    assert.deepEqual(
      parsedOnly("a@x.org, Bob <b@y.org>, c@examplebank.com").map((parsed) => parsed.address),
      ["a@x.org", "b@y.org", "c@examplebank.com"],
    );
  });

  it("returns the members of a group, each carrying the group's name", () => {
    const members = parsedOnly("Friends: a@x.org, pay@examplebank.com;");
    assert.deepEqual(
      members.map((parsed) => [parsed.address, parsed.group]),
      [
        ["a@x.org", "Friends"],
        ["pay@examplebank.com", "Friends"],
      ],
    );
  });

  it("does not put addresses after a group into the group", () => {
    const parsed = parsedOnly("Friends: a@x.org;, z@q.com");
    assert.deepEqual(
      parsed.map((entry) => [entry.address, entry.group]),
      [
        ["a@x.org", "Friends"],
        ["z@q.com", undefined],
      ],
    );
  });

  it('yields nothing for an empty group ("undisclosed-recipients:;")', () => {
    assert.deepEqual(parseRecipients("undisclosed-recipients:;"), []);
  });

  it("decodes an encoded-word group name", () => {
    assert.equal(single("=?UTF-8?Q?Pr=C3=BCfer?=: a@audit.example;").group, "Prüfer");
  });

  it("reports a group member whose domain does not normalize, next to the members that do", () => {
    const results = parseRecipients("Friends: a@x.org, b@[192.0.2.1];");
    assert.equal(results.length, 2);
    assert.equal(results[0]?.ok, true);
    assert.deepEqual(results[1], {
      ok: false,
      input: "b@[192.0.2.1]",
      reason: "has a domain that is an address literal, not a domain name",
    });
  });
});

describe("parseRecipients: blank and unparseable text", () => {
  it("yields nothing for the empty string", () => {
    assert.deepEqual(parseRecipients(""), []);
  });

  it("yields nothing for whitespace only", () => {
    assert.deepEqual(parseRecipients(" \t\n "), []);
  });

  it("yields one failure naming the input when the text has no @", () => {
    assert.deepEqual(failure("Alice Smith"), {
      ok: false,
      input: "Alice Smith",
      reason: "is not an email address (it has no @)",
    });
  });

  it("yields one failure for an unclosed angle bracket", () => {
    assert.equal(failure("Alice <alice@examplebank.com").reason, "has unbalanced angle brackets");
  });

  it("yields one failure for a stray closing angle bracket", () => {
    assert.equal(failure("alice@examplebank.com>").reason, "has unbalanced angle brackets");
  });

  it("yields one failure for an unbracketed address followed by a bracketed one", () => {
    const refused = failure("alice@examplebank.com <alice@evil.org>");
    assert.equal(refused.input, "alice@examplebank.com <alice@evil.org>");
    assert.match(refused.reason, /not a valid RFC 5322 address/);
  });

  it("yields one failure for a whole list when one entry is broken, not a partial list", () => {
    const refused = failure("a@x.org, not an address, pay@examplebank.com");
    assert.equal(refused.input, "a@x.org, not an address, pay@examplebank.com");
  });

  it("yields one failure for an address with two @", () => {
    assert.equal(failure("pay@examplebank.com@evil.org").ok, false);
  });

  it("yields one failure for a missing local part", () => {
    assert.equal(failure("@examplebank.com").ok, false);
  });

  it("yields one failure for a missing domain", () => {
    assert.equal(failure("alice@").ok, false);
  });

  it("yields one failure for a domain with an empty label", () => {
    assert.equal(failure("alice@bank..com").ok, false);
  });

  it("refuses an IP address as the domain, saying why", () => {
    assert.equal(failure("alice@192.0.2.1").reason, "has a domain that is an IP address, not a domain name");
  });

  it("refuses an address literal as the domain, saying why", () => {
    assert.equal(failure("alice@[192.0.2.1]").reason, "has a domain that is an address literal, not a domain name");
  });

  it("does not read a full-width at sign (U+FF20) as an @", () => {
    assert.equal(failure("alice\uFF20examplebank.com").reason, "is not an email address (it has no @)");
  });

  it("refuses text longer than any address list, naming its start", () => {
    const refused = failure(`${"a".repeat(100_001)}@examplebank.com`);
    assert.equal(refused.reason, "is too long to be an address list");
    assert.ok(refused.input.length < 100, "the input shown is shortened");
  });
});

describe("parseRecipients: internationalized domains", () => {
  it("normalizes a Unicode domain to Punycode and keeps the Unicode form for display", () => {
    const parsed = single("pay@bänk.de");
    assert.equal(parsed.domain, "xn--bnk-qla.de");
    assert.equal(parsed.unicodeDomain, "bänk.de");
    assert.equal(parsed.address, "pay@xn--bnk-qla.de");
  });

  it("normalizes an upper-case Unicode domain", () => {
    assert.equal(single("PAY@BÄNK.DE").domain, "xn--bnk-qla.de");
  });

  it("normalizes an upper-case Punycode domain", () => {
    const parsed = single("pay@XN--BNK-QLA.DE");
    assert.equal(parsed.domain, "xn--bnk-qla.de");
    assert.equal(parsed.unicodeDomain, "bänk.de");
  });

  it("maps a full-width full stop in the domain", () => {
    assert.equal(single("pay@examplebank\uFF0Ecom").domain, "examplebank.com");
  });

  it("maps an ideographic full stop in the domain", () => {
    assert.equal(single("pay@examplebank\u3002com").domain, "examplebank.com");
  });

  it("maps full-width letters in the domain", () => {
    assert.equal(single("pay@ｅｘａｍｐｌｅｂａｎｋ.com").domain, "examplebank.com");
  });

  it("accepts a Unicode local part (RFC 6532)", () => {
    assert.equal(single("jörg@bänk.de").local, "jörg");
  });
});

describe("addressKey", () => {
  it("lower-cases the local part, as WKD and key servers look addresses up", () => {
    assert.equal(addressKey(single("Payments@ExampleBank.com")), "payments@examplebank.com");
  });

  it("uses the normalized domain", () => {
    assert.equal(addressKey(single("Pay@BÄNK.de")), "pay@xn--bnk-qla.de");
  });
});
