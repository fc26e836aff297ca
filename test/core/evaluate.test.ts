// evaluate: the send decision. Each test states one behaviour of the verdict and its findings;
// texts are compared with the catalogs through translate, so they follow the wording there.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ComposeSnapshot,
  type Decision,
  describeDecision,
  evaluate,
  type Finding,
  groupFindings,
  type PolicyUnavailable,
  translate,
} from "@sealpost/core";
import { codes, compilePolicy, insecureSnapshot, reportFor, snapshot, to } from "./fixtures.js";

const LABEL_ID = "9F3B2C4E-1A2B-4C3D-8E9F-0A1B2C3D4E5F";
const FINGERPRINT = "7780CA90FDA140C189294A55924B0AAACC530A7D";
const KEY_ID = "924B0AAACC530A7D";

const policy = compilePolicy({
  version: 1,
  encryptingLabels: [{ id: LABEL_ID, name: "Confidential \\ Encrypted" }],
  rules: [
    {
      id: "banks",
      domains: ["examplebank.com", "bänk.de"],
      require: { submission: "tls", encryption: ["openpgp", "smime"] },
      action: "block",
      message: {
        en: "Our banks accept only encrypted mail.",
        de: "Unsere Banken nehmen nur verschlüsselte E-Mails an.",
        fr: "Nos banques n'acceptent que les e-mails chiffrés.",
      },
    },
    {
      id: "auditor",
      domains: ["audit-partners.example"],
      require: { encryption: ["label", "openpgp"] },
      action: "confirm",
      message: { en: "Audit documents travel encrypted.", de: "Prüfungsunterlagen nur verschlüsselt versenden." },
    },
    { id: "payroll", domains: ["payroll.example.net"], require: { submission: "tls" }, action: "confirm" },
  ],
  keys: { "payments@examplebank.com": "7780 CA90 FDA1 40C1 8929  4A55 924B 0AAA CC53 0A7D" },
});

function only(decision: Decision): Finding {
  assert.equal(decision.findings.length, 1, `expected one finding, got ${JSON.stringify(decision.findings, null, 2)}`);
  const [finding] = decision.findings;
  assert.ok(finding !== undefined);
  return finding;
}

describe("evaluate: verdicts", () => {
  it("allows a message to a protected recipient when every requirement is met", () => {
    const decision = evaluate(policy, snapshot(["alice@examplebank.com"]));
    assert.equal(decision.verdict, "allow");
    assert.deepEqual(decision.findings, []);
    assert.equal(decision.policyActive, true);
    assert.equal(decision.summary, translate("en", "verdict.allow"));
  });

  it("allows a plain, unencrypted message to recipients no rule covers", () => {
    const decision = evaluate(policy, insecureSnapshot(["friend@example.org", to("family@example.net", "cc")]));
    assert.equal(decision.verdict, "allow");
    assert.deepEqual(decision.findings, []);
  });

  it("allows a message without recipients", () => {
    assert.equal(evaluate(policy, insecureSnapshot([])).verdict, "allow");
  });

  it("blocks with one finding per unmet requirement: plain submission and no encryption give two", () => {
    const decision = evaluate(policy, insecureSnapshot(["alice@examplebank.com"]));
    assert.equal(decision.verdict, "block");
    assert.deepEqual(
      decision.findings.map((finding) => [finding.code, finding.requirement, finding.observed]),
      [
        ["submission-not-tls", "submission", "plain"],
        ["not-encrypted", "encryption", "none"],
      ],
    );
    assert.equal(decision.summary, translate("en", "verdict.block"));
  });

  it("names the recipient, its domain in Unicode, the rule and the action in each finding", () => {
    const finding = only(evaluate(policy, snapshot([to("Pay <pay@bänk.de>", "cc")], { encryption: { kind: "none" } })));
    assert.equal(finding.recipient?.input, "Pay <pay@bänk.de>");
    assert.equal(finding.recipient?.address, "pay@xn--bnk-qla.de");
    assert.equal(finding.recipient?.kind, "cc");
    assert.equal(finding.domain, "bänk.de");
    assert.equal(finding.rule, "banks");
    assert.equal(finding.action, "block");
  });

  it("gives each protected recipient its own findings", () => {
    const decision = evaluate(policy, snapshot(["a@examplebank.com, b@bänk.de"], { encryption: { kind: "none" } }));
    assert.deepEqual(
      decision.findings.map((finding) => [finding.code, finding.recipient?.address]),
      [
        ["not-encrypted", "a@examplebank.com"],
        ["not-encrypted", "b@xn--bnk-qla.de"],
      ],
    );
  });

  it("reports every recipient, protected or not", () => {
    const decision = evaluate(policy, snapshot(["a@examplebank.com", "friend@example.org"]));
    assert.deepEqual(
      decision.recipients.map((report) => [report.ok && report.address, report.ok && report.protected]),
      [
        ["a@examplebank.com", true],
        ["friend@example.org", false],
      ],
    );
  });
});

describe("evaluate: submission", () => {
  it("does not count opportunistic STARTTLS as TLS", () => {
    const finding = only(
      evaluate(
        policy,
        snapshot(["a@examplebank.com"], {
          transport: { kind: "smtp", security: "opportunistic-starttls", host: "smtp.corp.example", port: 587 },
        }),
      ),
    );
    assert.equal(finding.code, "submission-not-tls");
    assert.equal(finding.observed, "opportunistic-starttls");
    assert.equal(finding.problem, translate("en", "submission.opportunistic.problem", { host: " (smtp.corp.example:587)" }));
  });

  it("counts required STARTTLS as TLS", () => {
    assert.equal(evaluate(policy, snapshot(["a@examplebank.com"], { transport: { kind: "smtp", security: "starttls" } })).verdict, "allow");
  });

  it("counts implicit TLS as TLS", () => {
    assert.equal(
      evaluate(policy, snapshot(["a@examplebank.com"], { transport: { kind: "smtp", security: "tls", port: 465 } })).verdict,
      "allow",
    );
  });

  it("counts HTTPS (Exchange, Microsoft 365) as TLS", () => {
    assert.equal(
      evaluate(policy, snapshot(["a@examplebank.com"], { transport: { kind: "https", host: "outlook.office365.com" } })).verdict,
      "allow",
    );
  });

  it("names the server of a plain submission in the problem", () => {
    const finding = only(
      evaluate(
        policy,
        snapshot(["a@examplebank.com"], { transport: { kind: "smtp", security: "plain", host: "mail.corp.example", port: 25 } }),
      ),
    );
    assert.equal(finding.code, "submission-not-tls");
    assert.match(finding.problem, /mail\.corp\.example:25/);
    assert.equal(finding.fix, translate("en", "submission.fix"));
  });

  it("blocks an unknown transport, saying why it is unknown", () => {
    const finding = only(
      evaluate(policy, snapshot(["a@examplebank.com"], { transport: { kind: "unknown", reason: "IMAP account without SMTP settings" } })),
    );
    assert.equal(finding.code, "submission-not-tls");
    assert.equal(finding.observed, "unknown");
    assert.equal(finding.problem, translate("en", "submission.unknown.problem", { reason: "IMAP account without SMTP settings" }));
  });

  it("blocks a Sent copy uploaded without TLS", () => {
    const finding = only(
      evaluate(
        policy,
        snapshot(["a@examplebank.com"], { sentCopy: { kind: "imap", security: "plain", host: "imap.corp.example", port: 143 } }),
      ),
    );
    assert.equal(finding.code, "sent-copy-not-tls");
    assert.equal(finding.requirement, "submission");
    assert.equal(finding.observed, "plain");
    assert.match(finding.problem, /imap\.corp\.example:143/);
  });

  it("accepts a Sent copy uploaded over TLS", () => {
    assert.equal(
      evaluate(
        policy,
        snapshot(["a@examplebank.com"], { sentCopy: { kind: "imap", security: "tls", host: "imap.corp.example", port: 993 } }),
      ).verdict,
      "allow",
    );
  });

  it("does not check submission for a rule that requires only encryption", () => {
    const decision = evaluate(
      policy,
      snapshot(["a@audit-partners.example"], {
        transport: { kind: "smtp", security: "plain" },
        sentCopy: { kind: "smtp", security: "plain" },
      }),
    );
    assert.equal(decision.verdict, "allow");
  });

  it("does not ask for encryption in a rule that requires only submission", () => {
    assert.equal(evaluate(policy, snapshot(["hr@payroll.example.net"], { encryption: { kind: "none" } })).verdict, "allow");
  });
});

describe("evaluate: encryption", () => {
  it("accepts OpenPGP where the rule lists it", () => {
    assert.equal(evaluate(policy, snapshot(["a@examplebank.com"], { encryption: { kind: "openpgp" } })).verdict, "allow");
  });

  it("accepts S/MIME where the rule lists it", () => {
    assert.equal(evaluate(policy, snapshot(["a@examplebank.com"], { encryption: { kind: "smime" } })).verdict, "allow");
  });

  it('reports a missing encryption as "not-encrypted", naming the accepted methods in the fix', () => {
    const finding = only(evaluate(policy, snapshot(["a@examplebank.com"], { encryption: { kind: "none" } })));
    assert.equal(finding.code, "not-encrypted");
    assert.equal(finding.problem, translate("en", "encryption.none.problem"));
    assert.match(finding.fix, /OpenPGP/);
    assert.match(finding.fix, /S\/MIME/);
  });

  it('reports a method the rule does not list as "encryption-not-accepted"', () => {
    const finding = only(evaluate(policy, snapshot(["a@audit-partners.example"], { encryption: { kind: "smime" } })));
    assert.equal(finding.code, "encryption-not-accepted");
    assert.equal(finding.observed, "smime");
    assert.equal(
      finding.problem,
      translate("en", "encryption.not-accepted.problem", { observed: "S/MIME", domain: "audit-partners.example" }),
    );
  });

  it('accepts a listed encrypting label where the rule accepts "label", whatever the case of its id', () => {
    const decision = evaluate(
      policy,
      snapshot(["a@audit-partners.example"], { encryption: { kind: "label", id: LABEL_ID.toLowerCase() } }),
    );
    assert.equal(decision.verdict, "allow");
  });

  it('does not accept a listed encrypting label where the rule does not accept "label"', () => {
    const finding = only(evaluate(policy, snapshot(["a@examplebank.com"], { encryption: { kind: "label", id: LABEL_ID } })));
    assert.equal(finding.code, "encryption-not-accepted");
    assert.equal(finding.observed, `label:${LABEL_ID}`);
  });

  it('treats a label the policy does not list as encrypting as "not-encrypted", naming the label', () => {
    const finding = only(
      evaluate(policy, snapshot(["a@audit-partners.example"], { encryption: { kind: "label", id: "0000-general", name: "General" } })),
    );
    assert.equal(finding.code, "not-encrypted");
    assert.equal(finding.observed, "label:0000-general");
    assert.equal(finding.problem, translate("en", "encryption.label.problem", { label: "General" }));
  });
});

describe("evaluate: actions", () => {
  it('gives the verdict "confirm" when only a confirm rule is unmet', () => {
    const decision = evaluate(policy, snapshot(["a@audit-partners.example"], { encryption: { kind: "none" } }));
    assert.equal(decision.verdict, "confirm");
    assert.equal(only(decision).action, "confirm");
    assert.equal(decision.summary, translate("en", "verdict.confirm"));
  });

  it("blocks when a block rule and a confirm rule are both unmet", () => {
    const decision = evaluate(policy, snapshot(["a@audit-partners.example", "b@examplebank.com"], { encryption: { kind: "none" } }));
    assert.equal(decision.verdict, "block");
    assert.deepEqual(
      decision.findings.map((finding) => [finding.rule, finding.action]),
      [
        ["auditor", "confirm"],
        ["banks", "block"],
      ],
    );
  });

  it("blocks when a block rule and a confirm rule match the same recipient", () => {
    const both = compilePolicy({
      version: 1,
      rules: [
        { id: "ask", domains: ["examplebank.com"], require: { encryption: ["openpgp"] }, action: "confirm" },
        { id: "stop", domains: ["payments.examplebank.com"], require: { encryption: ["openpgp"] }, action: "block" },
      ],
    });
    const decision = evaluate(both, insecureSnapshot(["pay@payments.examplebank.com"]));
    assert.equal(decision.verdict, "block");
    assert.deepEqual(
      decision.findings.map((finding) => finding.rule),
      ["ask", "stop"],
    );
  });
});

describe("evaluate: recipients", () => {
  for (const kind of ["to", "cc", "bcc", "list-member"] as const) {
    it(`checks a ${kind} recipient`, () => {
      const finding = only(evaluate(policy, snapshot([to("a@examplebank.com", kind)], { encryption: { kind: "none" } })));
      assert.equal(finding.recipient?.kind, kind);
    });
  }

  it("reports the list a list member was expanded from", () => {
    const decision = evaluate(
      policy,
      snapshot([{ text: "pay@examplebank.com", kind: "list-member", list: "Finance <finance@corp.example>" }]),
    );
    assert.equal(reportFor(decision, "pay@examplebank.com").list, "Finance <finance@corp.example>");
  });

  it("reports the group an address was written in", () => {
    const decision = evaluate(policy, snapshot(["Treasury: pay@examplebank.com;"]));
    assert.equal(reportFor(decision, "pay@examplebank.com").group, "Treasury");
  });

  it('blocks an unparseable recipient with "invalid-recipient", naming the input', () => {
    const decision = evaluate(policy, snapshot([to("Alice Smith", "bcc")]));
    assert.equal(decision.verdict, "block");
    const finding = only(decision);
    assert.equal(finding.code, "invalid-recipient");
    assert.equal(finding.requirement, "address");
    assert.deepEqual(finding.recipient, { input: "Alice Smith", kind: "bcc" });
    assert.equal(
      finding.problem,
      translate("en", "invalid-recipient.problem", { input: "Alice Smith", reason: "is not an email address (it has no @)" }),
    );
  });

  it("reports an unparseable recipient with its reason", () => {
    const decision = evaluate(policy, snapshot(["alice@[192.0.2.1]"]));
    assert.deepEqual(decision.recipients, [
      { ok: false, input: "alice@[192.0.2.1]", kind: "to", reason: "has a domain that is an address literal, not a domain name" },
    ]);
  });

  it("blocks an unparseable recipient even when the policy has no rules", () => {
    const empty = compilePolicy({ version: 1, rules: [] });
    assert.deepEqual(codes(evaluate(empty, snapshot(["not an address"]))), ["invalid-recipient"]);
  });

  it("ignores a blank recipient field", () => {
    const decision = evaluate(policy, snapshot(["  ", "a@examplebank.com"]));
    assert.equal(decision.verdict, "allow");
    assert.equal(decision.recipients.length, 1);
  });
});

describe("evaluate: no policy", () => {
  it("allows everything and says that no policy is active", () => {
    const decision = evaluate(null, insecureSnapshot(["alice@examplebank.com", "not an address"]));
    assert.equal(decision.verdict, "allow");
    assert.equal(decision.policyActive, false);
    assert.deepEqual(decision.findings, []);
    assert.equal(decision.summary, translate("en", "no-policy"));
  });
});

describe("evaluate: policy unavailable", () => {
  const unavailable: PolicyUnavailable = { kind: "unavailable", reason: "policy.json: HTTP 404" };

  it('blocks an external recipient with "policy-unavailable", saying what failed', () => {
    const decision = evaluate(unavailable, snapshot(["partner@example.org"], { sender: "me@corp.example" }));
    assert.equal(decision.verdict, "block");
    assert.equal(decision.policyActive, true);
    const finding = only(decision);
    assert.equal(finding.code, "policy-unavailable");
    assert.equal(finding.observed, "policy.json: HTTP 404");
    assert.equal(finding.problem, translate("en", "policy-unavailable.problem", { reason: "policy.json: HTTP 404" }));
  });

  it("allows a recipient in the sender's own domain", () => {
    assert.equal(evaluate(unavailable, insecureSnapshot(["colleague@corp.example"], { sender: "me@corp.example" })).verdict, "allow");
  });

  it("allows a recipient in a subdomain of the sender's domain", () => {
    assert.equal(evaluate(unavailable, insecureSnapshot(["ops@eu.corp.example"], { sender: "me@corp.example" })).verdict, "allow");
  });

  it("reads the sender from a display-name form", () => {
    assert.equal(evaluate(unavailable, insecureSnapshot(["colleague@corp.example"], { sender: "Me <Me@CORP.example>" })).verdict, "allow");
  });

  it("treats a domain that merely starts with the sender's domain as external", () => {
    const decision = evaluate(unavailable, insecureSnapshot(["x@corp.example.evil.org"], { sender: "me@corp.example" }));
    assert.deepEqual(codes(decision), ["policy-unavailable"]);
  });

  it("blocks only the external recipients of a mixed message", () => {
    const decision = evaluate(unavailable, snapshot(["colleague@corp.example, partner@example.org"], { sender: "me@corp.example" }));
    assert.deepEqual(
      decision.findings.map((finding) => finding.recipient?.address),
      ["partner@example.org"],
    );
  });

  it("blocks every recipient when the sender is missing", () => {
    const decision = evaluate(unavailable, snapshot(["colleague@corp.example", "partner@example.org"]));
    assert.deepEqual(codes(decision), ["policy-unavailable", "policy-unavailable"]);
  });

  it("blocks every recipient when the sender cannot be parsed", () => {
    const decision = evaluate(unavailable, snapshot(["colleague@corp.example"], { sender: "me at corp" }));
    assert.deepEqual(codes(decision), ["policy-unavailable"]);
  });

  it("still reports an unparseable recipient as invalid", () => {
    assert.deepEqual(codes(evaluate(unavailable, snapshot(["not an address"], { sender: "me@corp.example" }))), ["invalid-recipient"]);
  });
});

describe("evaluate: malformed snapshots block and never throw", () => {
  const good = snapshot(["a@examplebank.com"]);
  const cases: [name: string, value: unknown, observed: RegExp][] = [
    ["no snapshot at all", undefined, /no message data/],
    ["a snapshot that is not an object", "a@examplebank.com", /no message data/],
    ["recipients that are not an array", { ...good, recipients: "a@examplebank.com" }, /recipients are missing/],
    ["a recipient that is not an object", { ...good, recipients: ["a@examplebank.com"] }, /recipient is malformed/],
    ["a recipient without text", { ...good, recipients: [{ kind: "to" }] }, /no address text/],
    ["a recipient of an unknown kind", { ...good, recipients: [{ text: "a@examplebank.com", kind: "from" }] }, /unknown kind \(from\)/],
    ["an unknown transport kind", { ...good, transport: { kind: "ftp" } }, /outgoing server has an unknown kind \(ftp\)/],
    ["an unknown SMTP security", { ...good, transport: { kind: "smtp", security: "ssl" } }, /unknown security \(ssl\)/],
    ["an unknown transport without a reason", { ...good, transport: { kind: "unknown" } }, /no reason given/],
    ["a missing transport", { ...good, transport: undefined }, /outgoing server is not described/],
    ["a malformed Sent-copy transport", { ...good, sentCopy: { kind: "pop3" } }, /Sent-copy server has an unknown kind \(pop3\)/],
    [
      "an IMAP Sent copy without its security",
      { ...good, sentCopy: { kind: "imap" } },
      /Sent-copy server has an unknown security \(undefined\)/,
    ],
    ["a missing encryption state", { ...good, encryption: null }, /encryption state is missing/],
    ["an unknown encryption kind", { ...good, encryption: { kind: "rot13" } }, /encryption state is unknown \(rot13\)/],
    ["key ids that are not strings", { ...good, encryption: { kind: "openpgp", keyIds: [42] } }, /key ids are malformed/],
    ["a label without an id", { ...good, encryption: { kind: "label" } }, /label has no id/],
  ];

  for (const [name, value, observed] of cases) {
    it(`blocks ${name} with "snapshot-invalid"`, () => {
      const decision = evaluate(policy, value as ComposeSnapshot);
      assert.equal(decision.verdict, "block");
      const finding = only(decision);
      assert.equal(finding.code, "snapshot-invalid");
      assert.match(finding.observed, observed);
    });
  }

  it("blocks a snapshot whose fields throw when read, without throwing", () => {
    const hostile = {
      get recipients(): never {
        throw new Error("the host went away");
      },
    };
    const decision = evaluate(policy, hostile as unknown as ComposeSnapshot);
    assert.equal(decision.verdict, "block");
    assert.equal(only(decision).code, "snapshot-invalid");
    assert.match(only(decision).observed, /the host went away/);
  });

  it("blocks a malformed snapshot when the policy is unavailable too", () => {
    const decision = evaluate({ kind: "unavailable", reason: "timeout" }, { ...good, recipients: "x" } as unknown as ComposeSnapshot);
    assert.deepEqual(codes(decision), ["snapshot-invalid"]);
  });
});

describe("evaluate: pinned keys", () => {
  const pinned = (keyIds: readonly string[] | undefined, recipient = "payments@examplebank.com"): Decision =>
    evaluate(policy, snapshot([recipient], { encryption: keyIds === undefined ? { kind: "openpgp" } : { kind: "openpgp", keyIds } }));

  it("accepts a message encrypted to the pinned key's v4 key id (its last 16 hex digits)", () => {
    assert.equal(pinned(["1111222233334444", KEY_ID]).verdict, "allow");
  });

  it("accepts the key id in lower case with a 0x prefix", () => {
    assert.equal(pinned([`0x${KEY_ID.toLowerCase()}`]).verdict, "allow");
  });

  it("accepts the full fingerprint as the key id", () => {
    assert.equal(pinned([FINGERPRINT]).verdict, "allow");
  });

  it('reports another key as "pinned-key-not-used", showing the required fingerprint', () => {
    const finding = only(pinned(["1111222233334444"]));
    assert.equal(finding.code, "pinned-key-not-used");
    assert.equal(finding.action, "block");
    assert.equal(finding.observed, "1111222233334444");
    assert.match(finding.problem, new RegExp(FINGERPRINT));
    assert.match(finding.fix, new RegExp(FINGERPRINT));
  });

  it("does not accept a short (32-bit) key id, which anyone can collide", () => {
    assert.deepEqual(codes(pinned(["CC530A7D"])), ["pinned-key-not-used"]);
  });

  it("reports a message encrypted to no key at all", () => {
    const finding = only(pinned([]));
    assert.equal(finding.code, "pinned-key-not-used");
    assert.equal(finding.observed, "none");
  });

  it("finds the pin whatever the case of the recipient's address", () => {
    assert.deepEqual(codes(pinned(["1111222233334444"], "Payments@ExampleBank.COM")), ["pinned-key-not-used"]);
  });

  it("does not check the pin of another address at the same domain", () => {
    assert.equal(pinned(["1111222233334444"], "treasury@examplebank.com").verdict, "allow");
  });

  it("does not check a pin when the message is S/MIME, which the rule also accepts", () => {
    assert.equal(evaluate(policy, snapshot(["payments@examplebank.com"], { encryption: { kind: "smime" } })).verdict, "allow");
  });

  it("accepts a v6 pin by its key id (the high 64 bits)", () => {
    const v6 = "CB186C4F0609A697E4D52DFA6C722B0C1F1E27C18A56708F6525EC27BAD9ACC9";
    const v6policy = compilePolicy({
      version: 1,
      rules: [{ id: "banks", domains: ["examplebank.com"], require: { encryption: ["openpgp"] }, action: "block" }],
      keys: { "payments@examplebank.com": v6 },
    });
    const withKey = (keyIds: string[]): Decision =>
      evaluate(v6policy, snapshot(["payments@examplebank.com"], { encryption: { kind: "openpgp", keyIds } }));
    assert.equal(withKey([v6.slice(0, 16)]).verdict, "allow");
    assert.equal(withKey([v6.slice(-16)]).verdict, "block");
  });

  it("cannot match an armored pin against key ids, so it fails closed", () => {
    const armored = compilePolicy({
      version: 1,
      rules: [{ id: "banks", domains: ["examplebank.com"], require: { encryption: ["openpgp"] }, action: "block" }],
      keys: { "payments@examplebank.com": "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ0abc\n-----END PGP PUBLIC KEY BLOCK-----" },
    });
    const decision = evaluate(armored, snapshot(["payments@examplebank.com"], { encryption: { kind: "openpgp", keyIds: [KEY_ID] } }));
    assert.deepEqual(codes(decision), ["pinned-key-not-used"]);
  });
});

describe("evaluate: language", () => {
  it('writes its texts in German for "de-DE"', () => {
    const decision = evaluate(policy, insecureSnapshot(["a@examplebank.com"], { locale: "de-DE" }));
    assert.equal(decision.locale, "de");
    assert.equal(decision.summary, translate("de", "verdict.block"));
    assert.equal(decision.findings[1]?.problem, "Die Nachricht ist nicht verschlüsselt.");
  });

  it('falls back to English for a language it has no catalog for ("fr")', () => {
    const decision = evaluate(policy, insecureSnapshot(["a@examplebank.com"], { locale: "fr" }));
    assert.equal(decision.locale, "en");
    assert.equal(decision.summary, "This message cannot be sent yet.");
  });

  it("uses English when the snapshot names no language", () => {
    const withoutLocale: ComposeSnapshot = { ...insecureSnapshot(["a@examplebank.com"]), locale: undefined };
    assert.equal(evaluate(policy, withoutLocale).locale, "en");
  });

  it("shows the message of each rule that found a problem, in the user's language", () => {
    const decision = evaluate(policy, insecureSnapshot(["a@examplebank.com", "b@audit-partners.example"], { locale: "de-DE" }));
    assert.deepEqual(decision.ruleMessages, [
      { rule: "banks", text: "Unsere Banken nehmen nur verschlüsselte E-Mails an." },
      { rule: "auditor", text: "Prüfungsunterlagen nur verschlüsselt versenden." },
    ]);
  });

  it("shows a rule's message in a language the policy has and Sealpost does not (French)", () => {
    const decision = evaluate(policy, insecureSnapshot(["a@examplebank.com"], { locale: "fr-FR" }));
    assert.deepEqual(decision.ruleMessages, [{ rule: "banks", text: "Nos banques n'acceptent que les e-mails chiffrés." }]);
  });

  it("shows a rule's message in English when the policy lacks the user's language", () => {
    const decision = evaluate(policy, insecureSnapshot(["a@audit-partners.example"], { locale: "it" }));
    assert.deepEqual(decision.ruleMessages, [{ rule: "auditor", text: "Audit documents travel encrypted." }]);
  });

  it("does not show the message of a rule whose requirements are met", () => {
    const decision = evaluate(policy, snapshot(["a@examplebank.com", "b@audit-partners.example"], { encryption: { kind: "smime" } }));
    assert.deepEqual(
      decision.ruleMessages.map((message) => message.rule),
      ["auditor"],
    );
  });

  it('does not throw for a language tag named like an Object property ("constructor")', () => {
    const decision = evaluate(policy, insecureSnapshot(["a@examplebank.com"], { locale: "constructor" }));
    assert.equal(decision.verdict, "block");
    assert.equal(decision.locale, "en");
  });
});

describe("describeDecision and groupFindings", () => {
  const decision = evaluate(policy, insecureSnapshot(["a@examplebank.com, pay@bänk.de", "b@audit-partners.example"]));

  it("says a problem shared by several recipients once, naming each recipient as people read it", () => {
    const reasons = groupFindings(decision.findings);
    const submission = reasons.find((reason) => reason.code === "submission-not-tls");
    assert.deepEqual(submission?.recipients, ["a@examplebank.com", "pay@bänk.de"]);
    assert.deepEqual(submission?.rules, ["banks"]);
  });

  it("keeps problems apart when their fixes differ", () => {
    const reasons = groupFindings(decision.findings);
    assert.deepEqual(
      reasons.map((reason) => [reason.code, reason.action, reason.recipients.length]),
      [
        ["submission-not-tls", "block", 2],
        ["not-encrypted", "block", 2],
        ["not-encrypted", "confirm", 1],
      ],
    );
  });

  it("makes a grouped reason blocking when any of its findings blocks", () => {
    const finding: Finding = {
      code: "not-encrypted",
      requirement: "encryption",
      action: "confirm",
      recipient: { input: "a@x.example", address: "a@x.example", kind: "to" },
      observed: "none",
      problem: "The message is not encrypted.",
      fix: "Encrypt it.",
    };
    const reasons = groupFindings([
      finding,
      { ...finding, action: "block", recipient: { input: "b@x.example", address: "b@x.example", kind: "to" } },
    ]);
    assert.deepEqual(
      reasons.map((reason) => [reason.action, reason.recipients]),
      [["block", ["a@x.example", "b@x.example"]]],
    );
  });

  it("writes the summary, one line per reason with its recipients and fix, then the rules' messages", () => {
    const lines = describeDecision(decision).split("\n");
    const reasons = groupFindings(decision.findings);
    assert.deepEqual(lines, [
      decision.summary,
      ...reasons.map((reason) => `- ${reason.problem} (${reason.recipients.join(", ")}) ${reason.fix}`),
      "Our banks accept only encrypted mail.",
      "Audit documents travel encrypted.",
    ]);
  });

  it("is the summary alone for an allowed message", () => {
    assert.equal(describeDecision(evaluate(policy, snapshot(["a@examplebank.com"]))), translate("en", "verdict.allow"));
  });
});

describe("subject protection", () => {
  const subjectPolicy = compilePolicy({
    version: 1,
    rules: [
      { id: "banks", domains: ["examplebank.com"], require: { encryption: ["openpgp", "smime"] }, action: "block", protectSubject: true },
    ],
  });

  it("refuses OpenPGP with the subject in the clear when the rule protects the subject", () => {
    const decision = evaluate(subjectPolicy, snapshot(["a@examplebank.com"], { encryption: { kind: "openpgp", subject: false } }));
    assert.equal(decision.verdict, "block");
    assert.deepEqual(codes(decision), ["subject-not-protected"]);
  });

  it("accepts OpenPGP with the subject encrypted", () => {
    assert.equal(
      evaluate(subjectPolicy, snapshot(["a@examplebank.com"], { encryption: { kind: "openpgp", subject: true } })).verdict,
      "allow",
    );
  });

  it("reports only the missing encryption, not the subject too, for an unencrypted message", () => {
    assert.deepEqual(codes(evaluate(subjectPolicy, snapshot(["a@examplebank.com"], { encryption: { kind: "none" } }))), ["not-encrypted"]);
  });
});
