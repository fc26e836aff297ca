// What the Smart Alerts dialog says: core's decision and the add-in's notes, in plain text and
// Markdown, never over 500 characters and never cut mid-word; and the add-in's own catalog,
// complete in every language core speaks.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluate, SUPPORTED_LOCALES, validatePolicy } from "@sealpost/core";
import fc from "fast-check";
import { ALERT_LIMIT, alertText, shorten } from "../../packages/outlook/src/launch/alert-text.js";
import { catalogs, en, type Note, type OutlookMessageKey, say } from "../../packages/outlook/src/launch/messages.js";

const KEYS = Object.keys(en) as OutlookMessageKey[];

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{([a-z]+)\}/g)].map((match) => match[1] ?? "").sort();
}

function decisionFor(recipients: string[], message = "Our bank accepts only *encrypted* mail_here.", locale = "en") {
  const result = validatePolicy({
    version: 1,
    rules: [
      {
        id: "banks",
        domains: ["bank.example"],
        require: { submission: "tls", encryption: ["openpgp"] },
        action: "block",
        message: { en: message, de: message },
      },
    ],
  });
  assert.ok(result.ok);
  return evaluate(result.policy, {
    recipients: recipients.map((text) => ({ text, kind: "to" as const })),
    transport: { kind: "unknown", reason: 'the account type is "pop3"' },
    encryption: { kind: "none" },
    locale,
  });
}

describe("the add-in's catalog", () => {
  for (const locale of SUPPORTED_LOCALES) {
    it(`has every key, with the same placeholders, in "${locale}"`, () => {
      const catalog = catalogs[locale];
      assert.ok(catalog !== undefined, `no "${locale}" catalog`);
      assert.deepEqual(Object.keys(catalog).sort(), [...KEYS].sort());
      for (const key of KEYS) assert.deepEqual(placeholders(catalog[key]), placeholders(en[key]), `${locale}: ${key}`);
    });

    it(`labels the dialog's button in at most 20 characters in "${locale}"`, () => {
      assert.ok(say(locale, "alert.open-pane").length <= 20);
    });
  }
});

describe("the dialog text", () => {
  it("gives the verdict, each grouped reason with its fix and recipients, then the notes and the policy's words", () => {
    const decision = decisionFor(["pay@bank.example", "ops@bank.example"]);
    const notes: Note[] = [{ key: "seal.key-missing", values: { part: { key: "seal.body" }, address: "pay@bank.example", key: "ABCD" } }];
    assert.equal(
      alertText({ decision, notes }, false, 5000),
      [
        "This message cannot be sent yet.",
        `- Sealpost could not find out how your account sends mail (the account type is "pop3"). (pay@bank.example, ops@bank.example) Send from an account whose outgoing server uses SSL/TLS, or ask IT to check this account.`,
        "- The message is not encrypted. (pay@bank.example, ops@bank.example) Turn on encryption (OpenPGP) for this message, then send again.",
        "The message text is not encrypted to the key of pay@bank.example (ABCD).",
        "Our bank accepts only *encrypted* mail_here.",
      ].join("\n"),
    );
  });

  it("writes Smart Alerts Markdown: a bold verdict, \\r-ended list items, escaped policy text", () => {
    const markdown = alertText({ decision: decisionFor(["pay@bank.example"]), notes: [] }, true);
    assert.ok(markdown.startsWith("**This message cannot be sent yet.**\n\n- Sealpost could not"), markdown);
    assert.match(markdown, /check this account\.\r- The message is not encrypted\./);
    assert.ok(markdown.endsWith("\r\n\nOur bank accepts only \\*encrypted\\* mail\\_here."), JSON.stringify(markdown.slice(-60)));
  });

  it("names at most three recipients of a reason and counts the rest", () => {
    const decision = decisionFor(["a@bank.example", "b@bank.example", "c@bank.example", "d@bank.example", "e@bank.example"]);
    assert.match(alertText({ decision, notes: [] }, false, 5000), /\(a@bank\.example, b@bank\.example, c@bank\.example, 2 more\)/);
  });

  it("drops whole lines from the end and says how many are in the pane", () => {
    const notes: Note[] = Array.from({ length: 8 }, (_, i) => ({
      key: "seal.not-encrypted",
      values: { part: { key: "seal.attachment", values: { name: `file-${String(i)}.pdf` } } },
    }));
    const text = alertText({ decision: decisionFor(["pay@bank.example"]), notes }, false);
    assert.ok(text.length <= ALERT_LIMIT);
    assert.match(text, /\n\d+ more in the Sealpost pane\.$/);
    assert.ok(text.startsWith("This message cannot be sent yet.\n- "));
  });

  it("stays within 500 characters and ends lines cleanly, whatever it is given, in both forms", () => {
    const word = fc.stringMatching(/^[A-Za-zÄÖÜäöü*_\\[\]]{1,14}$/);
    const sentence = fc.array(word, { minLength: 1, maxLength: 60 }).map((words) => words.join(" "));
    fc.assert(
      fc.property(
        fc.array(sentence, { maxLength: 12 }),
        sentence,
        fc.boolean(),
        fc.constantFrom("en", "de"),
        (texts, policyMessage, markdown, locale) => {
          const notes: Note[] = texts.map((text) => ({ key: "check.unchecked", values: { reason: text } }));
          const text = alertText({ decision: decisionFor(["pay@bank.example"], policyMessage, locale), notes }, markdown);
          assert.ok(text.length <= ALERT_LIMIT, `${String(text.length)} characters`);
          assert.ok(text.length > 0);
          for (const line of text.split("\n")) assert.doesNotMatch(line, /[ \t]$/);
          // An escape is never cut in half.
          if (markdown) assert.doesNotMatch(text.replace(/\\\\/g, ""), /\\$/);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("shortens at a word boundary with an ellipsis", () => {
    assert.equal(shorten("The attachment is not encrypted to the key of the bank.", 30), "The attachment is not…");
    assert.equal(shorten("short", 30), "short");
  });
});
