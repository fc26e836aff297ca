// normalizeDomain and isSameOrSubdomain: the one normalization (IDNA UTS #46, lower case, no
// root dot) that policy domains and recipient domains both go through before they are compared.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSameOrSubdomain, normalizeDomain } from "@sealpost/core";

function asciiOf(input: string): string {
  const result = normalizeDomain(input);
  assert.ok(result.ok, `expected "${input}" to normalize, got ${JSON.stringify(result)}`);
  return result.ascii;
}

function reasonFor(input: string): string {
  const result = normalizeDomain(input);
  assert.ok(!result.ok, `expected "${input}" to be refused, got ${JSON.stringify(result)}`);
  return result.reason;
}

describe("normalizeDomain: accepted forms", () => {
  it("lower-cases an ASCII domain", () => {
    assert.equal(asciiOf("ExampleBank.COM"), "examplebank.com");
  });

  it("removes the trailing root dot", () => {
    assert.equal(asciiOf("examplebank.com."), "examplebank.com");
  });

  it("gives the Unicode form, its upper case and its Punycode form the same ASCII name", () => {
    for (const form of ["bänk.de", "BÄNK.DE", "xn--bnk-qla.de", "XN--BNK-QLA.DE", "bänk.de."]) {
      assert.equal(asciiOf(form), "xn--bnk-qla.de", form);
    }
  });

  it("returns the Unicode form for display, also when given Punycode", () => {
    const result = normalizeDomain("xn--bnk-qla.de");
    assert.deepEqual(result, { ok: true, ascii: "xn--bnk-qla.de", unicode: "bänk.de" });
  });

  it("maps the full-width full stop (U+FF0E) to a dot", () => {
    assert.equal(asciiOf("examplebank\uFF0Ecom"), "examplebank.com");
  });

  it("maps the ideographic full stop (U+3002) to a dot", () => {
    assert.equal(asciiOf("examplebank\u3002com"), "examplebank.com");
  });

  it("maps the halfwidth ideographic full stop (U+FF61) to a dot", () => {
    assert.equal(asciiOf("examplebank\uFF61com"), "examplebank.com");
  });

  it("maps full-width letters to their ASCII letters", () => {
    assert.equal(asciiOf("ｅｘａｍｐｌｅｂａｎｋ.ｃｏｍ"), "examplebank.com");
  });

  it("keeps ß as its own letter (non-transitional processing, as IDNA2008 expects)", () => {
    assert.equal(asciiOf("faß.de"), "xn--fa-hia.de");
    assert.notEqual(asciiOf("faß.de"), asciiOf("fass.de"));
  });

  it("drops a soft hyphen (U+00AD), which UTS #46 maps to nothing", () => {
    assert.equal(asciiOf("example\u00ADbank.com"), "examplebank.com");
  });

  it("accepts a label of exactly 63 characters", () => {
    const label = "a".repeat(63);
    assert.equal(asciiOf(`${label}.com`), `${label}.com`);
  });

  it("accepts a name of exactly 253 characters, and the same name with its root dot", () => {
    const name = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(57)}.com`;
    assert.equal(name.length, 253);
    assert.equal(asciiOf(name), name);
    assert.equal(asciiOf(`${name}.`), name);
  });

  it("accepts a single-label name", () => {
    assert.equal(asciiOf("localhost"), "localhost");
  });
});

describe("normalizeDomain: refusals, each with its reason", () => {
  it("refuses the empty string", () => {
    assert.equal(reasonFor(""), "is empty");
  });

  it("refuses a lone root dot", () => {
    assert.equal(reasonFor("."), "is empty");
  });

  it('refuses an empty label ("bank..com")', () => {
    assert.equal(reasonFor("bank..com"), "has an empty label");
  });

  it("refuses a leading dot", () => {
    assert.equal(reasonFor(".bank.com"), "has an empty label");
  });

  it("refuses two trailing dots", () => {
    assert.equal(reasonFor("bank.com.."), "has an empty label");
  });

  it("refuses an IPv4 address", () => {
    assert.equal(reasonFor("192.168.0.1"), "is an IP address, not a domain name");
  });

  it("refuses an address literal", () => {
    assert.equal(reasonFor("[192.168.0.1]"), "is an address literal, not a domain name");
  });

  it("refuses an IPv6 address literal", () => {
    assert.equal(reasonFor("[IPv6:2001:db8::1]"), "is an address literal, not a domain name");
  });

  it("refuses an underscore (STD3 rules)", () => {
    assert.match(reasonFor("bank_payments.com"), /not allow/);
  });

  it("refuses a space", () => {
    assert.match(reasonFor("example bank.com"), /not allow/);
  });

  it('refuses invalid Punycode ("xn--zz.de")', () => {
    assert.match(reasonFor("xn--zz.de"), /not allow/);
  });

  it("refuses a label longer than 63 characters", () => {
    assert.equal(reasonFor(`${"a".repeat(64)}.com`), "has a label longer than 63 characters");
  });

  it("refuses a Unicode label whose Punycode form is longer than 63 characters", () => {
    assert.equal(reasonFor(`${"ä".repeat(60)}.de`), "has a label longer than 63 characters");
  });

  it("refuses a name longer than 253 characters", () => {
    const name = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(58)}.com`;
    assert.equal(name.length, 254);
    assert.equal(reasonFor(name), "is longer than 253 characters");
  });

  it("refuses a label that starts with a hyphen", () => {
    assert.equal(reasonFor("-bank.com"), "has a label that starts or ends with a hyphen");
  });

  it("refuses a label that ends with a hyphen", () => {
    assert.equal(reasonFor("bank-.com"), "has a label that starts or ends with a hyphen");
  });

  it("refuses a zero-width joiner outside the context IDNA allows it in", () => {
    assert.match(reasonFor("example\u200Dbank.com"), /not allow/);
  });

  it("refuses input far longer than any domain without processing it", () => {
    assert.equal(reasonFor("a".repeat(5000)), "is far too long to be a domain name");
  });
});

describe("isSameOrSubdomain", () => {
  it("holds for the domain itself", () => {
    assert.equal(isSameOrSubdomain("examplebank.com", "examplebank.com"), true);
  });

  it("holds for a subdomain at any depth", () => {
    assert.equal(isSameOrSubdomain("a.b.examplebank.com", "examplebank.com"), true);
  });

  it("does not hold for a name that only ends with the same characters", () => {
    assert.equal(isSameOrSubdomain("notexamplebank.com", "examplebank.com"), false);
  });

  it("does not hold for the parent of the domain", () => {
    assert.equal(isSameOrSubdomain("com", "examplebank.com"), false);
  });
});
