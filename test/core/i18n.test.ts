// The message catalogs and how a language is chosen: every sentence exists in every language
// with the same placeholders, and an unknown language falls back to English.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type MessageKey, pickLocalized, resolveLocale, SUPPORTED_LOCALES, translate } from "@sealpost/core";
// The catalogs themselves are not part of the public API; this consistency test reads them directly.
import { catalogs, en } from "../../packages/core/src/i18n/messages.js";

const KEYS = Object.keys(en) as MessageKey[];

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{([a-z]+)\}/g)].map((match) => match[1] ?? "").sort();
}

describe("message catalogs", () => {
  it("offers English and German", () => {
    assert.deepEqual([...SUPPORTED_LOCALES].sort(), ["de", "en"]);
  });

  for (const locale of SUPPORTED_LOCALES) {
    it(`has every message key in "${locale}", and no other`, () => {
      const catalog = catalogs[locale];
      assert.ok(catalog !== undefined);
      assert.deepEqual(Object.keys(catalog).sort(), [...KEYS].sort());
    });

    it(`uses the same placeholders in "${locale}" as in English`, () => {
      const catalog = catalogs[locale];
      assert.ok(catalog !== undefined);
      for (const key of KEYS) assert.deepEqual(placeholders(catalog[key]), placeholders(en[key]), `${locale}: ${key}`);
    });

    it(`has no empty text in "${locale}"`, () => {
      const catalog = catalogs[locale];
      assert.ok(catalog !== undefined);
      for (const key of KEYS) assert.notEqual(catalog[key].trim(), "", `${locale}: ${key}`);
    });
  }

  it("has German texts that differ from the English ones, apart from names and placeholders", () => {
    const same = KEYS.filter((key) => catalogs.de?.[key] === en[key]);
    assert.deepEqual(same.sort(), ["method.openpgp", "method.smime"]);
  });
});

describe("resolveLocale", () => {
  it("keeps a supported language", () => {
    assert.equal(resolveLocale("de"), "de");
  });

  it('maps a regional tag to its language ("de-AT" → "de")', () => {
    assert.equal(resolveLocale("de-AT"), "de");
  });

  it("ignores case and accepts an underscore as separator", () => {
    assert.equal(resolveLocale("DE_ch"), "de");
  });

  it('falls back to English for an unsupported language ("pt")', () => {
    assert.equal(resolveLocale("pt"), "en");
  });

  it("falls back to English for no language at all", () => {
    assert.equal(resolveLocale(undefined), "en");
    assert.equal(resolveLocale(""), "en");
  });

  it("falls back to English for a tag named like an Object property", () => {
    for (const tag of ["constructor", "__proto__", "toString", "hasOwnProperty", "constructor-CH"]) {
      assert.equal(resolveLocale(tag), "en", tag);
    }
  });
});

describe("translate", () => {
  it("fills the placeholders", () => {
    assert.equal(
      translate("en", "encryption.label.problem", { label: "General" }),
      "The sensitivity label on this message (General) does not encrypt it.",
    );
  });

  it("leaves a placeholder visible when its value is missing", () => {
    assert.equal(translate("en", "encryption.label.problem"), "The sensitivity label on this message ({label}) does not encrypt it.");
  });

  it("does not expand placeholders inside the values", () => {
    assert.equal(
      translate("en", "encryption.label.problem", { label: "{label}" }),
      "The sensitivity label on this message ({label}) does not encrypt it.",
    );
  });

  it("translates into the language of a regional tag", () => {
    assert.equal(translate("de-CH", "encryption.none.problem"), "Die Nachricht ist nicht verschlüsselt.");
  });

  it("falls back to English for an unsupported language", () => {
    assert.equal(translate("fr", "encryption.none.problem"), "The message is not encrypted.");
  });
});

describe("pickLocalized", () => {
  const texts = {
    en: "Encrypt mail to our banks.",
    de: "Verschlüsseln Sie E-Mails an unsere Banken.",
    "de-CH": "Verschlüsseln Sie E-Mails an unsere Banken (CH).",
  };

  it("picks the exact tag", () => {
    assert.equal(pickLocalized(texts, "de-CH"), texts["de-CH"]);
  });

  it("ignores the case of tags", () => {
    assert.equal(pickLocalized(texts, "DE-ch"), texts["de-CH"]);
  });

  it("picks the language for a regional tag it lacks", () => {
    assert.equal(pickLocalized(texts, "de-AT"), texts.de);
  });

  it("picks a regional text for a bare language when that is all there is", () => {
    assert.equal(pickLocalized({ en: "E", "pt-BR": "P" }, "pt"), "P");
  });

  it("falls back to English", () => {
    assert.equal(pickLocalized(texts, "fr"), texts.en);
  });

  it("falls back to English when no language is given", () => {
    assert.equal(pickLocalized(texts, undefined), texts.en);
  });

  it("falls back to any text when there is no English one", () => {
    assert.equal(pickLocalized({ de: "Nur Deutsch." }, "fr"), "Nur Deutsch.");
  });

  it("gives nothing when there are no texts", () => {
    assert.equal(pickLocalized(undefined, "de"), undefined);
    assert.equal(pickLocalized({}, "de"), undefined);
  });
});
