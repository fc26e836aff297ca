// Properties that must hold for every input, checked with fast-check: normalization is stable,
// a protected domain stays protected however it is spelt, look-alikes stay unprotected, and
// evaluate is total (never throws, always a verdict) and fails closed on what it cannot read.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ComposeSnapshot,
  type EncryptionState,
  evaluate,
  normalizeDomain,
  parseRecipients,
  type PolicyUnavailable,
  type RecipientInput,
  type Transport,
  type Verdict,
} from "@sealpost/core";
import fc from "fast-check";
import { compilePolicy, insecureSnapshot, snapshot } from "./fixtures.js";

// No exceptions here, so that every subdomain of a policy domain is protected.
const policy = compilePolicy({
  version: 1,
  rules: [
    {
      id: "banks",
      domains: ["examplebank.com", "bänk.de"],
      require: { submission: "tls", encryption: ["openpgp", "smime"] },
      action: "block",
    },
    { id: "auditor", domains: ["audit-partners.example"], require: { encryption: ["openpgp"] }, action: "confirm" },
  ],
  keys: { "payments@examplebank.com": "7780CA90FDA140C189294A55924B0AAACC530A7D" },
});
const noRules = compilePolicy({ version: 1, rules: [] });
const unavailable: PolicyUnavailable = { kind: "unavailable", reason: "policy.json: HTTP 503" };
const VERDICTS: readonly Verdict[] = ["allow", "confirm", "block"];
const RANK: Readonly<Record<Verdict, number>> = { allow: 0, confirm: 1, block: 2 };

// --- arbitraries -------------------------------------------------------------------------

const ASCII_LABEL_CHARS = [..."abcdefghijklmnopqrstuvwxyz0123456789"];
const UNICODE_LABEL_CHARS = [..."äöüßéèñçøåαβγжщ中文日本한"];

/** A label of ASCII and Unicode letters, possibly with one hyphen inside. */
const unicodeLabel = fc
  .tuple(
    fc.array(fc.constantFrom(...ASCII_LABEL_CHARS, ...UNICODE_LABEL_CHARS), { minLength: 1, maxLength: 12 }),
    fc.option(fc.array(fc.constantFrom(...ASCII_LABEL_CHARS, ...UNICODE_LABEL_CHARS), { minLength: 1, maxLength: 6 })),
  )
  .map(([head, tail]) => head.join("") + (tail === null ? "" : `-${tail.join("")}`));

const asciiLabel = fc.stringMatching(/^[a-z0-9]{1,10}$/);
const topLevel = fc.stringMatching(/^[a-z]{2,6}$/);

const unicodeDomain = fc
  .tuple(fc.array(unicodeLabel, { minLength: 1, maxLength: 3 }), topLevel)
  .map(([labels, tld]) => [...labels, tld].join("."));

const DOTS = [".", "\uFF0E", "\u3002", "\uFF61"];

/** Upper- or lower-cases each character on its own (ß is left alone: its upper case is "SS"). */
function withCasing(text: string, upper: readonly boolean[]): string {
  return [...text].map((char, i) => (upper[i % Math.max(upper.length, 1)] === true && char !== "ß" ? char.toUpperCase() : char)).join("");
}

/** The protected domains, each with the spellings that name it. */
const PROTECTED: readonly { ascii: string; forms: readonly string[] }[] = [
  { ascii: "examplebank.com", forms: ["examplebank.com"] },
  { ascii: "xn--bnk-qla.de", forms: ["bänk.de", "xn--bnk-qla.de"] },
];

/** A subdomain (or the domain itself) of a protected domain, spelt in any of its forms. */
const protectedSpelling = fc
  .record({
    target: fc.constantFrom(...PROTECTED),
    form: fc.nat(),
    subdomain: fc.array(asciiLabel, { maxLength: 3 }),
    upper: fc.array(fc.boolean(), { minLength: 1, maxLength: 24 }),
    dot: fc.constantFrom(...DOTS),
    rootDot: fc.boolean(),
  })
  .map(({ target, form, subdomain, upper, dot, rootDot }) => {
    const base = target.forms[form % target.forms.length] ?? target.ascii;
    const written = withCasing([...subdomain, base].join("."), upper).replaceAll(".", dot) + (rootDot ? "." : "");
    return { written, expected: [...subdomain, target.ascii].join(".") };
  });

const displayForm = fc.constantFrom(
  (address: string) => address,
  (address: string) => `Treasury <${address}>`,
  (address: string) => `"Bank, Treasury" <${address}>`,
  (address: string) => `Bank: ${address};`,
);

const anyText = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }));

/** Recipient texts: random text, real addresses, and random text glued to bank addresses. */
const recipientText = fc.oneof(
  anyText,
  fc.emailAddress(),
  fc.tuple(anyText, fc.constantFrom("pay@examplebank.com", "pay@bänk.de")).map(([noise, bank]) => `${noise} ${bank}`),
  fc.tuple(anyText, anyText).map(([a, b]) => `${a}@${b}`),
);

const recipientInput: fc.Arbitrary<RecipientInput> = fc.record(
  {
    text: recipientText,
    kind: fc.constantFrom("to", "cc", "bcc", "list-member"),
    list: anyText,
  },
  { requiredKeys: ["text", "kind"] },
);

const transport: fc.Arbitrary<Transport> = fc.oneof(
  fc.record(
    {
      kind: fc.constant("smtp" as const),
      security: fc.constantFrom("plain", "opportunistic-starttls", "starttls", "tls"),
      host: anyText,
      port: fc.integer(),
    },
    { requiredKeys: ["kind", "security"] },
  ),
  fc.record({ kind: fc.constant("https" as const), host: anyText }, { requiredKeys: ["kind"] }),
  fc.record({ kind: fc.constant("unknown" as const), reason: anyText }),
);

// Locales are looked up by name, so the names every object inherits are worth trying too.
const locale = fc.oneof(
  anyText,
  fc.constantFrom("de-DE", "de_AT", "en-GB", "fr", "pt-BR", "DE"),
  fc.constantFrom(...Object.getOwnPropertyNames(Object.prototype)),
);

const keyId = fc.oneof(anyText, fc.stringMatching(/^(0x)?[0-9A-Fa-f]{16}$/), fc.constant("924B0AAACC530A7D"));

const encryption: fc.Arbitrary<EncryptionState> = fc.oneof(
  fc.constant({ kind: "none" as const }),
  fc.constant({ kind: "smime" as const }),
  fc.record(
    { kind: fc.constant("openpgp" as const), keyIds: fc.array(keyId, { maxLength: 4 }), subject: fc.boolean() },
    { requiredKeys: ["kind"] },
  ),
  fc.record({ kind: fc.constant("label" as const), id: anyText, name: anyText }, { requiredKeys: ["kind", "id"] }),
);

function composeSnapshotWith(localeArbitrary: fc.Arbitrary<string>): fc.Arbitrary<ComposeSnapshot> {
  return fc.record(
    {
      recipients: fc.array(recipientInput, { maxLength: 4 }),
      transport,
      sentCopy: transport,
      encryption,
      sender: anyText,
      locale: localeArbitrary,
    },
    { requiredKeys: ["recipients", "transport", "encryption"] },
  );
}

/** Snapshots with any strings, locales included. */
const composeSnapshot = composeSnapshotWith(locale);
/** The same with ordinary locales, for properties about recipients rather than languages. */
const recipientSnapshot = composeSnapshotWith(fc.constantFrom("en", "de-DE", "fr"));

const anyPolicy = fc.constantFrom(policy, noRules, unavailable, null);

// --- properties --------------------------------------------------------------------------

describe("property: normalizeDomain", () => {
  it("normalizes every generated domain with Unicode labels, and normalizing its result changes nothing", () => {
    fc.assert(
      fc.property(unicodeDomain, (domain) => {
        const once = normalizeDomain(domain);
        assert.ok(once.ok, `${domain}: ${JSON.stringify(once)}`);
        assert.deepEqual(normalizeDomain(once.ascii), once);
        assert.equal((normalizeDomain(once.unicode) as { ascii?: string }).ascii, once.ascii);
      }),
    );
  });

  it("is idempotent on whatever text it accepts", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          fc.domain(),
          unicodeDomain.map((d) => withCasing(d, [true, false])),
        ),
        (text) => {
          const once = normalizeDomain(text);
          if (!once.ok) return;
          assert.deepEqual(normalizeDomain(once.ascii), once);
        },
      ),
    );
  });

  it("returns an ASCII name in lower case without a trailing dot, or a reason", () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.domain(), unicodeDomain), (text) => {
        const result = normalizeDomain(text);
        if (result.ok) {
          assert.match(result.ascii, /^[a-z0-9.-]+$/);
          assert.ok(!result.ascii.endsWith("."));
        } else {
          assert.ok(result.reason.length > 0);
        }
      }),
    );
  });
});

describe("property: protected domains", () => {
  it("an address at a protected domain or any subdomain stays protected under any casing, Unicode or Punycode form, dot and root dot", () => {
    fc.assert(
      fc.property(protectedSpelling, displayForm, ({ written, expected }, display) => {
        assert.equal((normalizeDomain(written) as { ascii?: string }).ascii, expected, written);
        const decision = evaluate(policy, insecureSnapshot([display(`pay@${written}`)]));
        assert.equal(decision.verdict, "block");
        const [report] = decision.recipients;
        assert.ok(report?.ok === true, JSON.stringify(report));
        assert.equal(report.domain, expected);
        assert.equal(report.protected, true);
      }),
    );
  });

  it("a domain that merely ends with the same characters, without a label boundary, is not protected", () => {
    fc.assert(
      fc.property(asciiLabel, fc.constantFrom("examplebank.com", "bänk.de", "xn--bnk-qla.de"), (prefix, base) => {
        const decision = evaluate(policy, insecureSnapshot([`pay@${prefix}${base}`]));
        const [report] = decision.recipients;
        assert.ok(report?.ok === true, JSON.stringify(report));
        assert.equal(report.protected, false);
        assert.equal(decision.verdict, "allow");
      }),
    );
  });

  it("a protected domain followed by more labels is not protected", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("examplebank.com", "bänk.de"),
        fc.array(asciiLabel, { minLength: 0, maxLength: 2 }),
        topLevel,
        (base, middle, tld) => {
          const decision = evaluate(policy, insecureSnapshot([`pay@${[base, ...middle, tld].join(".")}`]));
          const [report] = decision.recipients;
          assert.ok(report?.ok === true, JSON.stringify(report));
          assert.equal(report.protected, false);
        },
      ),
    );
  });

  it("a bank address listed after any text is never sent in the clear", () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom("pay@examplebank.com", "pay@bänk.de"), (noise, bank) => {
        const decision = evaluate(policy, insecureSnapshot([`${noise}, ${bank}`]));
        assert.equal(decision.verdict, "block", JSON.stringify(decision.recipients));
      }),
    );
  });
});

describe("property: evaluate is total", () => {
  it("never throws and always returns a verdict, whatever strings the snapshot holds", () => {
    fc.assert(
      fc.property(anyPolicy, composeSnapshot, (chosen, input) => {
        const decision = evaluate(chosen, input);
        assert.ok(VERDICTS.includes(decision.verdict));
        assert.equal(typeof decision.summary, "string");
        if (chosen !== null) {
          assert.equal(
            decision.verdict === "block",
            decision.findings.some((finding) => finding.action === "block"),
          );
        }
      }),
    );
  });

  it("never throws and always returns a verdict, whatever value it is given as the snapshot", () => {
    fc.assert(
      fc.property(anyPolicy, fc.anything(), (chosen, input) => {
        const decision = evaluate(chosen, input as ComposeSnapshot);
        assert.ok(VERDICTS.includes(decision.verdict));
      }),
    );
  });

  it("blocks whenever a recipient cannot be parsed", () => {
    const unparseable = recipientText.filter((text) => parseRecipients(text).some((result) => !result.ok));
    fc.assert(
      fc.property(fc.constantFrom(policy, noRules, unavailable), unparseable, recipientSnapshot, (chosen, text, input) => {
        const decision = evaluate(chosen, { ...input, recipients: [...input.recipients, { text, kind: "to" }] });
        if (decision.findings.some((finding) => finding.code === "snapshot-invalid")) return;
        assert.equal(decision.verdict, "block");
        assert.ok(decision.findings.some((finding) => finding.code === "invalid-recipient"));
      }),
    );
  });

  it("blocks an unparseable recipient even when everything else is in order", () => {
    const unparseable = recipientText.filter((text) => parseRecipients(text).some((result) => !result.ok));
    fc.assert(
      fc.property(unparseable, (text) => {
        const decision = evaluate(policy, snapshot(["pay@examplebank.com", text]));
        assert.equal(decision.verdict, "block");
        const failed = parseRecipients(text).filter((result) => !result.ok);
        assert.deepEqual(
          decision.findings.map((finding) => [finding.code, finding.recipient?.input]),
          failed.map((result) => ["invalid-recipient", result.ok ? "" : result.input]),
        );
      }),
    );
  });

  it("never relaxes the verdict when a recipient is added", () => {
    fc.assert(
      fc.property(anyPolicy, recipientSnapshot, recipientInput, (chosen, input, extra) => {
        const before = evaluate(chosen, input);
        const after = evaluate(chosen, { ...input, recipients: [...input.recipients, extra] });
        assert.ok(RANK[after.verdict] >= RANK[before.verdict], `${before.verdict} became ${after.verdict}`);
      }),
    );
  });
});

describe("the ASCII fast path of normalizeDomain", () => {
  it("answers exactly as tr46 does for every ASCII letters-digits-hyphens-dots name", async () => {
    const { toASCII } = await import("tr46");
    const ldh = fc.stringMatching(/^[A-Za-z0-9.-]{1,80}$/).filter((name) => !name.toLowerCase().includes("xn--"));
    fc.assert(
      fc.property(ldh, (name) => {
        const ours = normalizeDomain(name);
        const theirs = toASCII(name.endsWith(".") ? name.slice(0, -1) : name, {
          useSTD3ASCIIRules: true,
          checkBidi: true,
          checkJoiners: true,
          verifyDNSLength: true,
        });
        // tr46 also refuses what normalizeDomain refuses for its own reasons (numeric TLD, edge hyphens).
        if (ours.ok) assert.equal(ours.ascii, theirs);
        else if (theirs !== null) assert.match(ours.reason, /IP address|hyphen/);
      }),
      { numRuns: 2000 },
    );
  });
});
