// validatePolicy and parsePolicyText: what a valid policy compiles to, and that every mistake
// in a policy is reported at once, in words an administrator can act on, at its JSON path and
// (when read from text) its line and column.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type PolicyError, type PolicyResult, parsePolicyText, validatePolicy } from "@sealpost/core";
import { readPolicyFixture } from "./fixtures.js";

function errorsOf(result: PolicyResult): readonly PolicyError[] {
  assert.ok(!result.ok, "expected the policy to be refused");
  return result.errors;
}

/** The one error at `path`, failing when there is none or several. */
function errorAt(result: PolicyResult, path: string): PolicyError {
  const errors = errorsOf(result);
  const found = errors.filter((error) => error.path === path);
  assert.equal(found.length, 1, `expected one error at ${path}, got ${JSON.stringify(errors, null, 2)}`);
  const [error] = found;
  assert.ok(error !== undefined);
  return error;
}

/** A valid rule to start from; each test changes the one field it is about. */
function rule(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "banks",
    domains: ["examplebank.com"],
    require: { submission: "tls", encryption: ["openpgp"] },
    action: "block",
    ...overrides,
  };
}

/** A copy of `value` without the field `key`. */
function without(value: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([name]) => name !== key));
}

function policy(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { version: 1, rules: [rule()], ...overrides };
}

const FINGERPRINT = "7780CA90FDA140C189294A55924B0AAACC530A7D";

describe("validatePolicy: a valid policy", () => {
  it("compiles the fixture valid-banks.json", () => {
    const result = parsePolicyText(readPolicyFixture("valid-banks.json"));
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.deepEqual(
      result.policy.rules.map((compiled) => [compiled.id, compiled.action]),
      [
        ["banks", "block"],
        ["auditor", "confirm"],
      ],
    );
  });

  it("compiles every domain and exception to its normalized ASCII form", () => {
    const result = parsePolicyText(readPolicyFixture("valid-banks.json"));
    assert.ok(result.ok);
    const [banks] = result.policy.rules;
    assert.deepEqual(banks?.domains, ["examplebank.com", "xn--bnk-qla.de", "sparkasse-example.de"]);
    assert.deepEqual(banks?.except, ["newsletter.examplebank.com"]);
  });

  it("compiles the requirements, the action and the message of each rule", () => {
    const result = validatePolicy(policy({ rules: [rule({ action: "confirm", message: { en: "Encrypt it.", de: "Verschlüsseln." } })] }));
    assert.ok(result.ok);
    assert.deepEqual(result.policy.rules[0], {
      index: 0,
      id: "banks",
      domains: ["examplebank.com"],
      except: [],
      submission: "tls",
      encryption: ["openpgp"],
      relay: undefined,
      action: "confirm",
      message: { en: "Encrypt it.", de: "Verschlüsseln." },
      autoEncrypt: true,
      protectSubject: false,
    });
  });

  it("switches auto-encryption on by default only for rules that require encryption", () => {
    const result = validatePolicy(
      policy({
        rules: [
          rule({ id: "encrypting" }),
          rule({ id: "tls-only", require: { submission: "tls" } }),
          rule({ id: "manual", autoEncrypt: false, protectSubject: true }),
        ],
      }),
    );
    assert.ok(result.ok);
    assert.deepEqual(
      result.policy.rules.map((compiled) => [compiled.id, compiled.autoEncrypt, compiled.protectSubject]),
      [
        ["encrypting", true, false],
        ["tls-only", false, false],
        ["manual", false, true],
      ],
    );
  });

  it("keeps the document it was compiled from", () => {
    const document = policy({ description: "Banks only." });
    const result = validatePolicy(document);
    assert.ok(result.ok);
    assert.equal(result.policy.document.description, "Banks only.");
  });

  it("indexes encrypting labels by their lower-case id", () => {
    const result = parsePolicyText(readPolicyFixture("valid-banks.json"));
    assert.ok(result.ok);
    assert.deepEqual([...result.policy.encryptingLabels], [["9f3b2c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "Confidential \\ Encrypted"]]);
  });

  it("accepts a rule with only a submission requirement", () => {
    assert.equal(validatePolicy(policy({ rules: [rule({ require: { submission: "tls" } })] })).ok, true);
  });

  it("accepts a rule with only an encryption requirement", () => {
    assert.equal(validatePolicy(policy({ rules: [rule({ require: { encryption: ["smime"] } })] })).ok, true);
  });

  it("accepts a policy without rules", () => {
    assert.equal(validatePolicy({ version: 1, rules: [] }).ok, true);
  });

  it("accepts a $schema reference", () => {
    assert.equal(validatePolicy(policy({ $schema: "https://sealpost.dev/schema/policy-v1.json" })).ok, true);
  });

  it("accepts a domain re-listed below one of the rule's exceptions", () => {
    const result = validatePolicy(
      policy({ rules: [rule({ domains: ["examplebank.com", "secure.mail.examplebank.com"], except: ["mail.examplebank.com"] })] }),
    );
    assert.equal(result.ok, true, JSON.stringify(!result.ok && result.errors));
  });
});

describe("validatePolicy: unknown and missing fields", () => {
  it('reports an unknown field at its path, suggesting the field meant ("acton")', () => {
    const result = validatePolicy(
      policy({ rules: [{ id: "banks", domains: ["examplebank.com"], require: { submission: "tls" }, acton: "block" }] }),
    );
    assert.equal(errorAt(result, "rules[0].acton").message, 'unknown field "acton" (did you mean "action"?)');
  });

  it("reports an unknown field without a suggestion when nothing is close", () => {
    const result = validatePolicy(policy({ rules: [rule({ priority: 3 })] }));
    assert.equal(errorAt(result, "rules[0].priority").message, 'unknown field "priority"');
  });

  it("suggests a field for an unknown field at the top level", () => {
    const result = validatePolicy({ version: 1, rules: [], encryptingLabel: [] });
    assert.equal(errorAt(result, "encryptingLabel").message, 'unknown field "encryptingLabel" (did you mean "encryptingLabels"?)');
  });

  it('reports a missing required field as "is required" at its path', () => {
    const result = validatePolicy(policy({ rules: [without(rule(), "action")] }));
    assert.equal(errorAt(result, "rules[0].action").message, "is required");
  });

  it("reports a missing version as required", () => {
    assert.equal(errorAt(validatePolicy({ rules: [] }), "version").message, "is required");
  });

  it("reports a misspelt field once, as unknown with the field it should have been, not also as missing", () => {
    const result = parsePolicyText(readPolicyFixture("typo-in-action.json"));
    assert.deepEqual(
      errorsOf(result).map((error) => [error.code, error.path, error.message]),
      [["unknown-field", "rules[0].acton", 'unknown field "acton" (did you mean "action"?)']],
    );
  });

  it('gives a missing field the code "missing" and an unknown field the code "unknown-field"', () => {
    const result = validatePolicy(policy({ rules: [{ ...without(rule(), "action"), priority: 3 }] }));
    assert.equal(errorAt(result, "rules[0].action").code, "missing");
    assert.equal(errorAt(result, "rules[0].priority").code, "unknown-field");
  });

  it("reports a policy that is not an object as such, not as an unknown field", () => {
    for (const value of [null, [], "policy", 1]) {
      const error = errorAt(validatePolicy(value), "");
      assert.match(error.message, /^must be an object/, `for ${JSON.stringify(value)}`);
    }
  });

  it("reports a rule that is not an object as such", () => {
    assert.match(errorAt(validatePolicy({ version: 1, rules: ["banks"] }), "rules[0]").message, /^must be an object/);
  });

  it("reports a value of the wrong type with what was found", () => {
    assert.equal(errorAt(validatePolicy({ version: 1, rules: "banks" }), "rules").message, 'must be an array (found "banks")');
  });
});

describe("validatePolicy: values", () => {
  it("refuses another format version, saying which one it reads", () => {
    assert.equal(errorAt(validatePolicy(policy({ version: 2 })), "version").message, "must be 1 (found 2)");
  });

  it("refuses an unknown action, listing the allowed values", () => {
    assert.equal(
      errorAt(validatePolicy(policy({ rules: [rule({ action: "warn" })] })), "rules[0].action").message,
      'must be one of "block", "confirm" (found "warn")',
    );
  });

  it("refuses an unknown encryption method, listing the allowed values", () => {
    const result = validatePolicy(policy({ rules: [rule({ require: { encryption: ["pgp"] } })] }));
    assert.equal(errorAt(result, "rules[0].require.encryption[0]").message, 'must be one of "openpgp", "smime", "label" (found "pgp")');
  });

  it('refuses a submission requirement other than "tls"', () => {
    const result = validatePolicy(policy({ rules: [rule({ require: { submission: "starttls" } })] }));
    assert.equal(errorAt(result, "rules[0].require.submission").message, 'must be one of "tls" (found "starttls")');
  });

  it("refuses a rule that requires nothing", () => {
    assert.equal(
      errorAt(validatePolicy(policy({ rules: [rule({ require: {} })] })), "rules[0].require").message,
      "names no requirement: add submission, encryption, relay or several",
    );
  });

  it("refuses an empty list of encryption methods", () => {
    const result = validatePolicy(policy({ rules: [rule({ require: { encryption: [] } })] }));
    assert.equal(errorAt(result, "rules[0].require.encryption").message, "must list at least one method");
  });

  it("refuses a rule without domains", () => {
    assert.equal(
      errorAt(validatePolicy(policy({ rules: [rule({ domains: [] })] })), "rules[0].domains").message,
      "must list at least one domain",
    );
  });

  it("refuses a rule id with spaces", () => {
    const result = validatePolicy(policy({ rules: [rule({ id: "our banks" })] }));
    assert.equal(errorAt(result, "rules[0].id").message, '"our banks" is not a rule id (letters, digits, ".", "_" and "-", at most 64)');
  });

  it("refuses a message in a tag that is not a language tag", () => {
    const result = validatePolicy(policy({ rules: [rule({ message: { english: "Encrypt it." } })] }));
    assert.equal(errorAt(result, "rules[0].message.english").message, '"english" is not a language tag such as "en" or "de-CH"');
  });

  it("refuses an empty message text", () => {
    const result = validatePolicy(policy({ rules: [rule({ message: { en: "" } })] }));
    assert.equal(errorAt(result, "rules[0].message.en").message, "must not be empty");
  });
});

describe("validatePolicy: domains", () => {
  it("refuses a domain with an empty label, quoting it, at its path", () => {
    const result = validatePolicy(policy({ rules: [rule({ domains: ["examplebank.com", "bänk.de", "bank..com"] })] }));
    assert.equal(errorAt(result, "rules[0].domains[2]").message, '"bank..com" is not a domain name (it has an empty label)');
  });

  it('refuses a wildcard, saying the plain domain already covers subdomains ("*.bank.com")', () => {
    const result = validatePolicy(policy({ rules: [rule({ domains: ["*.bank.com"] })] }));
    assert.equal(
      errorAt(result, "rules[0].domains[0]").message,
      '"*.bank.com" is not a domain name: write "bank.com", which already covers its subdomains',
    );
  });

  it("refuses a domain written with an @, saying to drop it", () => {
    const result = validatePolicy(policy({ rules: [rule({ domains: ["@bank.com"] })] }));
    assert.equal(errorAt(result, "rules[0].domains[0]").message, '"@bank.com" is not a domain name: write "bank.com" without the @');
  });

  it("refuses a URL in place of a domain", () => {
    const result = validatePolicy(policy({ rules: [rule({ domains: ["https://bank.com"] })] }));
    assert.equal(errorAt(result, "rules[0].domains[0]").message, '"https://bank.com" is a URL, not a domain name');
  });

  it("refuses an IP address in place of a domain", () => {
    const result = validatePolicy(policy({ rules: [rule({ domains: ["192.0.2.1"] })] }));
    assert.equal(
      errorAt(result, "rules[0].domains[0]").message,
      '"192.0.2.1" is not a domain name (it is an IP address, not a domain name)',
    );
  });

  it("refuses a domain listed twice in one rule, also when written in another form", () => {
    const result = validatePolicy(policy({ rules: [rule({ domains: ["bänk.de", "examplebank.com", "XN--BNK-QLA.DE"] })] }));
    assert.equal(errorAt(result, "rules[0].domains[2]").message, '"XN--BNK-QLA.DE" repeats rules[0].domains[0]');
  });

  it("accepts the same domain in two rules (all matching rules apply)", () => {
    const result = validatePolicy(policy({ rules: [rule(), rule({ id: "treasury", action: "confirm" })] }));
    assert.equal(result.ok, true);
  });

  it("refuses an exception that is not below any of the rule's domains", () => {
    const result = validatePolicy(policy({ rules: [rule({ except: ["newsletter.otherbank.com"] })] }));
    assert.equal(
      errorAt(result, "rules[0].except[0]").message,
      '"newsletter.otherbank.com" is not below any of this rule\'s domains, so it would have no effect',
    );
  });

  it("refuses an exception below another rule's domain only", () => {
    const result = validatePolicy(
      policy({ rules: [rule(), rule({ id: "auditor", domains: ["audit.example"], except: ["news.examplebank.com"] })] }),
    );
    assert.match(errorAt(result, "rules[1].except[0]").message, /is not below any of this rule's domains/);
  });

  it("refuses an exception equal to one of the rule's domains", () => {
    const result = validatePolicy(policy({ rules: [rule({ except: ["ExampleBank.com"] })] }));
    assert.equal(
      errorAt(result, "rules[0].except[0]").message,
      '"ExampleBank.com" is also listed in domains; an exception must be more specific than the domain it narrows',
    );
  });

  it("refuses an exception that is not a domain name", () => {
    const result = validatePolicy(policy({ rules: [rule({ except: ["news..examplebank.com"] })] }));
    assert.equal(errorAt(result, "rules[0].except[0]").message, '"news..examplebank.com" is not a domain name (it has an empty label)');
  });
});

describe("validatePolicy: rules across the document", () => {
  it("refuses a rule id used twice, naming the first rule", () => {
    const result = validatePolicy(policy({ rules: [rule(), rule({ domains: ["audit.example"] })] }));
    assert.equal(errorAt(result, "rules[1].id").message, '"banks" is already the id of rules[0]');
  });

  it('refuses "label" encryption when the policy lists no encrypting labels', () => {
    const result = validatePolicy(policy({ rules: [rule({ require: { encryption: ["openpgp", "label"] } })] }));
    assert.equal(errorAt(result, "rules[0].require.encryption[1]").message, '"label" needs at least one entry in encryptingLabels');
  });

  it('refuses "label" encryption when the list of encrypting labels is empty', () => {
    const result = validatePolicy(policy({ encryptingLabels: [], rules: [rule({ require: { encryption: ["label"] } })] }));
    assert.equal(errorAt(result, "rules[0].require.encryption[0]").message, '"label" needs at least one entry in encryptingLabels');
  });

  it('accepts "label" encryption when an encrypting label is listed', () => {
    const result = validatePolicy(
      policy({ encryptingLabels: [{ id: "9f3b2c4e", name: "Encrypted" }], rules: [rule({ require: { encryption: ["label"] } })] }),
    );
    assert.equal(result.ok, true);
  });

  it("refuses an encrypting label without a name", () => {
    const result = validatePolicy(policy({ encryptingLabels: [{ id: "9f3b2c4e", name: "" }] }));
    assert.equal(errorAt(result, "encryptingLabels[0].name").message, "must not be empty");
  });

  it("reports every mistake at once, each at its path (three-mistakes.json)", () => {
    const result = parsePolicyText(readPolicyFixture("three-mistakes.json"));
    assert.deepEqual(
      errorsOf(result).map((error) => [error.path, error.message]),
      [
        ["rules[0].domains[2]", '"bank..com" is not a domain name (it has an empty label)'],
        ["rules[0].action", 'must be one of "block", "confirm" (found "blok")'],
        ["rules[1].descripton", 'unknown field "descripton" (did you mean "description"?)'],
      ],
    );
  });

  it("reports schema errors and cross-field errors together", () => {
    const result = validatePolicy(policy({ rules: [rule({ action: "warn" }), rule({ domains: ["audit.example"] })] }));
    assert.deepEqual(
      errorsOf(result)
        .map((error) => error.path)
        .sort(),
      ["rules[0].action", "rules[1].id"],
    );
  });
});

describe("validatePolicy: pinned keys", () => {
  it("normalizes a fingerprint: spaces removed, upper case", () => {
    const result = validatePolicy(policy({ keys: { "payments@examplebank.com": "7780 ca90 fda1 40c1 8929 4a55 924b 0aaa cc53 0a7d" } }));
    assert.ok(result.ok);
    assert.deepEqual([...result.policy.keys], [["payments@examplebank.com", { fingerprint: FINGERPRINT }]]);
  });

  it("accepts a fingerprint as GnuPG prints it, with two spaces between the halves", () => {
    const result = parsePolicyText(readPolicyFixture("valid-banks.json"));
    assert.ok(result.ok);
    assert.deepEqual(result.policy.keys.get("payments@examplebank.com"), { fingerprint: FINGERPRINT });
  });

  it('accepts a fingerprint written with a "0x" prefix', () => {
    const result = validatePolicy(policy({ keys: { "payments@examplebank.com": `0x${FINGERPRINT.toLowerCase()}` } }));
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.deepEqual(result.policy.keys.get("payments@examplebank.com"), { fingerprint: FINGERPRINT });
  });

  it("accepts a 64-digit (v6) fingerprint", () => {
    const v6 = "CB186C4F0609A697E4D52DFA6C722B0C1F1E27C18A56708F6525EC27BAD9ACC9";
    const result = validatePolicy(policy({ keys: { "payments@examplebank.com": v6 } }));
    assert.ok(result.ok);
    assert.deepEqual(result.policy.keys.get("payments@examplebank.com"), { fingerprint: v6 });
  });

  it("keeps an armored public key as armored", () => {
    const armored = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ0abc\n-----END PGP PUBLIC KEY BLOCK-----";
    const result = validatePolicy(policy({ keys: { "payments@examplebank.com": `\n${armored}\n` } }));
    assert.ok(result.ok);
    assert.deepEqual(result.policy.keys.get("payments@examplebank.com"), { armored });
  });

  it("keys pins by address with the local part lower-cased and the domain normalized", () => {
    const result = validatePolicy(policy({ keys: { "Payments@BÄNK.de": FINGERPRINT } }));
    assert.ok(result.ok);
    assert.deepEqual([...result.policy.keys.keys()], ["payments@xn--bnk-qla.de"]);
  });

  it("refuses a fingerprint of the wrong length", () => {
    const result = validatePolicy(policy({ keys: { "payments@examplebank.com": FINGERPRINT.slice(0, 39) } }));
    assert.equal(
      errorAt(result, 'keys["payments@examplebank.com"]').message,
      "must be an OpenPGP fingerprint (40 or 64 hex digits) or an armored public key",
    );
  });

  it("refuses a short key id in place of a fingerprint", () => {
    const result = validatePolicy(policy({ keys: { "payments@examplebank.com": "CC530A7D" } }));
    assert.match(errorAt(result, 'keys["payments@examplebank.com"]').message, /must be an OpenPGP fingerprint/);
  });

  it("refuses a key pinned to something that is not a bare address", () => {
    const result = validatePolicy(policy({ keys: { "Payments <payments@examplebank.com>": FINGERPRINT } }));
    assert.equal(
      errorAt(result, 'keys["Payments <payments@examplebank.com>"]').message,
      '"Payments <payments@examplebank.com>" is not an email address (write the bare address, like payments@bank.example)',
    );
  });

  it("refuses a key pinned to a domain instead of an address", () => {
    const result = validatePolicy(policy({ keys: { "examplebank.com": FINGERPRINT } }));
    assert.match(errorAt(result, 'keys["examplebank.com"]').message, /is not an email address/);
  });

  it("refuses the same address pinned twice in different case", () => {
    const result = validatePolicy(policy({ keys: { "payments@examplebank.com": FINGERPRINT, "PAYMENTS@ExampleBank.com": FINGERPRINT } }));
    assert.equal(
      errorAt(result, 'keys["PAYMENTS@ExampleBank.com"]').message,
      '"PAYMENTS@ExampleBank.com" is the same address as "payments@examplebank.com"',
    );
  });
});

describe("parsePolicyText: reading the text", () => {
  it("places a syntax error at its line and column", () => {
    const text = [
      "{",
      '  "version": 1,',
      '  "rules": [',
      "    {",
      '      "id": "banks"',
      '      "domains": ["examplebank.com"],',
      '      "require": { "encryption": ["openpgp"] },',
      '      "action": "block"',
      "    }",
      "  ]",
      "}",
    ].join("\n");
    const result = parsePolicyText(text);
    assert.deepEqual(errorsOf(result), [
      {
        code: "syntax",
        path: "",
        segments: [],
        message: "invalid JSON: expected ',' (or the end of the object or array)",
        line: 6,
        column: 7,
      },
    ]);
  });

  it("refuses comments, at their position", () => {
    const result = parsePolicyText(readPolicyFixture("with-comment.json"));
    assert.deepEqual(
      errorsOf(result).map((error) => [error.message, error.line, error.column]),
      [["invalid JSON: comments are not allowed in JSON", 3, 3]],
    );
  });

  it("refuses a trailing comma, at its position", () => {
    const text =
      '{\n  "version": 1,\n  "rules": [\n    { "id": "banks", "domains": ["examplebank.com",], "require": { "encryption": ["openpgp"] }, "action": "block" }\n  ]\n}\n';
    const errors = errorsOf(parsePolicyText(text));
    assert.ok(errors.length >= 1);
    for (const error of errors) {
      assert.match(error.message, /^invalid JSON: /);
      assert.deepEqual([error.line, error.column], [4, 52]);
    }
  });

  it("refuses a duplicate key, with its path, line and column", () => {
    const result = parsePolicyText(readPolicyFixture("duplicate-key.json"));
    assert.deepEqual(errorsOf(result), [
      {
        code: "duplicate-key",
        path: "rules[0].action",
        segments: ["rules", 0, "action"],
        message: 'duplicate key "action": JSON parsers disagree on which value wins',
        line: 9,
        column: 7,
      },
    ]);
  });

  it("refuses an empty document", () => {
    const errors = errorsOf(parsePolicyText(""));
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.message ?? "", /^invalid JSON/);
  });

  it("refuses text after the document", () => {
    const errors = errorsOf(parsePolicyText('{ "version": 1, "rules": [] } {}'));
    assert.deepEqual(
      errors.map((error) => [error.message, error.line, error.column]),
      [["invalid JSON: unexpected text after the end of the document", 1, 31]],
    );
  });

  it("places a validation error on the line and column of the offending array element", () => {
    const error = errorAt(parsePolicyText(readPolicyFixture("three-mistakes.json")), "rules[0].domains[2]");
    assert.deepEqual([error.line, error.column], [6, 49]);
  });

  it("places an error about a value at that value, not at its key", () => {
    const error = errorAt(parsePolicyText(readPolicyFixture("three-mistakes.json")), "rules[0].action");
    assert.deepEqual([error.line, error.column], [8, 17]);
  });

  it("places an unknown field at its key", () => {
    const error = errorAt(parsePolicyText(readPolicyFixture("three-mistakes.json")), "rules[1].descripton");
    assert.deepEqual([error.line, error.column], [12, 7]);
  });

  it("places a missing field at the object that lacks it", () => {
    const text =
      '{\n  "version": 1,\n  "rules": [\n    { "id": "banks", "domains": ["examplebank.com"], "require": { "submission": "tls" } }\n  ]\n}\n';
    const error = errorAt(parsePolicyText(text), "rules[0].action");
    assert.equal(error.message, "is required");
    assert.deepEqual([error.line, error.column], [4, 5]);
  });

  it("sorts the errors by position in the text", () => {
    const errors = errorsOf(parsePolicyText(readPolicyFixture("three-mistakes.json")));
    assert.deepEqual(
      errors.map((error) => error.line),
      [6, 8, 12],
    );
  });

  it("reads a policy that starts with a byte order mark", () => {
    const text = readPolicyFixture("with-bom.json");
    assert.equal(text.charCodeAt(0), 0xfeff, "the fixture starts with a BOM");
    const result = parsePolicyText(text);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.deepEqual(result.policy.rules[0]?.domains, ["examplebank.com"]);
  });

  it("does not count a byte order mark as a column (editors do not show it)", () => {
    const error = errorAt(parsePolicyText(readPolicyFixture("with-bom-wrong-version.json")), "version");
    assert.equal(error.message, "must be 1 (found 2)");
    assert.deepEqual([error.line, error.column], [1, 14]);
  });

  it("refuses a __proto__ key as an unknown field instead of changing the prototype", () => {
    const result = parsePolicyText('{ "version": 1, "rules": [], "__proto__": { "keys": {} } }');
    assert.equal(errorAt(result, "__proto__").message, 'unknown field "__proto__"');
  });
});
