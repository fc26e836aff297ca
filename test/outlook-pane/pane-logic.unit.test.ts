// The pane's logic with fakes: whom a seal encrypts to and who stops it, what each key line
// says, the imported-key store in the roaming settings and its size limit, the restore key with
// real OpenPGP, the editor's reading of Outlook's answers, and the catalog in every language.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluate, SUPPORTED_LOCALES, validatePolicy } from "@sealpost/core";
import { readPublicKeys, type KeyLookup } from "@sealpost/core/openpgp";
import { createOfficeEditor, officeRoamingSettings } from "../../packages/outlook/src/host/office-compose.js";
import { createImportedKeyStore, KEYS_SETTING } from "../../packages/outlook/src/taskpane/key-store.js";
import { groupFingerprint, keyLine, lookupAddresses, recipientRows, sealPlan } from "../../packages/outlook/src/taskpane/key-rows.js";
import { paneCatalogs, paneEn, type PaneMessageKey, sayPane } from "../../packages/outlook/src/taskpane/pane-messages.js";
import { restoreKeys } from "../../packages/outlook/src/taskpane/restore-keys.js";
import type { CheckResult } from "../../packages/outlook/src/launch/send-check.js";
import { composeFake } from "../outlook/compose-fake.js";
import { fixtureText } from "../outlook/fixture-helpers.js";
import { fakeKey } from "./pane-fakes.js";

const compiled = validatePolicy({
  version: 1,
  rules: [
    { id: "banks", domains: ["bank.example"], require: { encryption: ["openpgp", "label"] }, action: "block" },
    { id: "secret", domains: ["secret.example"], require: { encryption: ["openpgp"] }, protectSubject: true, action: "block" },
    { id: "labels", domains: ["label.example"], require: { encryption: ["label"] }, action: "block" },
  ],
  encryptingLabels: [{ id: "9f3b2c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f", name: "Encrypted" }],
});
assert.ok(compiled.ok);
const policy = compiled.policy;

function checkResult(recipients: readonly string[]): CheckResult {
  const decision = evaluate(policy, {
    recipients: recipients.map((text) => ({ text, kind: "to" as const })),
    transport: { kind: "https" },
    encryption: { kind: "none" },
    locale: "en",
  });
  return {
    decision,
    notes: [],
    policy: { kind: "active", policy, keys: undefined as never, source: "built-in" } as unknown as CheckResult["policy"],
    recipients: undefined,
    transport: { kind: "https" },
    accountType: "office365",
    encryption: { kind: "none" },
  };
}

const BANK = fakeKey("B".repeat(40), ["pay@bank.example"]);
const COLLEAGUE = fakeKey("C".repeat(40), ["bob@corp.example"]);
const found = (address: string, key = BANK, source = "policy"): KeyLookup => ({ address, status: "found", key, source });
const missing = (address: string): KeyLookup => ({
  address,
  status: "missing",
  tried: [
    { source: "wkd", outcome: "HTTP 404" },
    { source: "keys.openpgp.org", outcome: "HTTP 404" },
  ],
});

describe("whom Seal encrypts to", () => {
  it("encrypts to every protected recipient's key and every other recipient's known key", () => {
    const result = checkResult(["pay@bank.example", "bob@corp.example", "eve@nowhere.example"]);
    const rows = recipientRows(result, [
      found("pay@bank.example"),
      found("bob@corp.example", COLLEAGUE, "wkd"),
      missing("eve@nowhere.example"),
    ]);
    const plan = sealPlan(rows);
    assert.ok(plan.ok);
    assert.deepEqual(
      plan.keys.map((key) => key.fingerprint),
      [BANK.fingerprint, COLLEAGUE.fingerprint],
    );
    assert.equal(plan.protectSubject, false);
    assert.deepEqual(
      plan.recipients.map((recipient) => [recipient.address, recipient.fingerprint, recipient.source]),
      [
        ["pay@bank.example", BANK.fingerprint, "policy"],
        ["bob@corp.example", COLLEAGUE.fingerprint, "wkd"],
      ],
    );
  });

  it("refuses while a protected recipient has no usable key, naming it", () => {
    const result = checkResult(["pay@bank.example", "ops@secret.example"]);
    const rows = recipientRows(result, [
      found("pay@bank.example"),
      { address: "ops@secret.example", status: "refused", source: "wkd", problem: { code: "expired", message: "the key expired" } },
    ]);
    assert.deepEqual(sealPlan(rows), { ok: false, missing: ["ops@secret.example"] });
  });

  it("protects the subject when a rule asks for it", () => {
    const rows = recipientRows(checkResult(["ops@secret.example"]), [found("ops@secret.example", fakeKey("D".repeat(40)))]);
    const plan = sealPlan(rows);
    assert.ok(plan.ok && plan.protectSubject);
  });

  it("needs no key for a rule that accepts only a sensitivity label", () => {
    const rows = recipientRows(checkResult(["x@label.example", "bob@corp.example"]), [
      missing("x@label.example"),
      found("bob@corp.example", COLLEAGUE, "wkd"),
    ]);
    assert.equal(rows[0]?.needsKey, false);
    assert.ok(sealPlan(rows).ok);
  });

  it("refuses to seal to nobody: when no recipient has a known key", () => {
    const rows = recipientRows(checkResult(["bob@corp.example"]), [missing("bob@corp.example")]);
    assert.deepEqual(sealPlan(rows), { ok: false, missing: ["bob@corp.example"] });
  });

  it("treats an address it cannot read as one that lacks a key", () => {
    const plan = sealPlan(recipientRows(checkResult(["not an address"]), []));
    assert.equal(plan.ok, false);
  });

  it("looks up every readable recipient once", () => {
    assert.deepEqual(lookupAddresses(checkResult(["pay@bank.example", "PAY@bank.example", "bob@corp.example"])).sort(), [
      "PAY@bank.example",
      "bob@corp.example",
      "pay@bank.example",
    ]);
  });
});

describe("what the pane says about a key", () => {
  const row = (lookup: KeyLookup | undefined) => ({ address: "pay@bank.example", needsKey: true, protectSubject: false, lookup });
  it("names a found key's source and its fingerprint in groups of four", () => {
    assert.equal(keyLine("en", row(found("pay@bank.example"))), `key ${groupFingerprint(BANK.fingerprint)} from the policy`);
  });
  it("lists what was tried for a missing key", () => {
    assert.equal(
      keyLine("en", row(missing("pay@bank.example"))),
      "no key found (tried: the recipient's Web Key Directory: HTTP 404; keys.openpgp.org: HTTP 404)",
    );
  });
  it("says why a key was refused", () => {
    const refused: KeyLookup = {
      address: "pay@bank.example",
      status: "refused",
      source: "imported",
      problem: { code: "revoked", message: "it is revoked" },
    };
    assert.equal(keyLine("de", row(refused)), "Schlüssel aus Ihren importierten Schlüsseln abgelehnt: it is revoked");
  });
});

describe("imported keys in the roaming settings", () => {
  const storeFor = (fake = composeFake()) => ({
    fake,
    store: createImportedKeyStore(officeRoamingSettings(fake.office), (input) => readPublicKeys(input)),
  });

  it("checks a key, saves it to the mailbox and lists it for the key finder", async () => {
    const { fake, store } = storeFor();
    const result = await store.add(fixtureText("key-audit.asc"));
    assert.ok(result.ok);
    assert.deepEqual(result.imported[0]?.addresses, ["audit@auditor.example"]);
    assert.ok((fake.state.roaming[KEYS_SETTING] ?? "").includes("BEGIN PGP PUBLIC KEY BLOCK"));
    assert.equal((await store.list()).length, 1);
  });

  it("replaces an older copy of the same key instead of keeping both", async () => {
    const { store } = storeFor();
    await store.add(fixtureText("key-audit.asc"));
    await store.add(fixtureText("key-audit.asc"));
    assert.equal((await store.list()).length, 1);
  });

  it("removes a key by fingerprint", async () => {
    const { fake, store } = storeFor();
    const result = await store.add(fixtureText("key-pay.asc"));
    assert.ok(result.ok);
    await store.remove(result.imported[0]?.fingerprint ?? "");
    assert.deepEqual(await store.list(), []);
    assert.equal(fake.state.roaming[KEYS_SETTING], undefined);
  });

  it("refuses text that holds no key, and a key it cannot use, saving nothing", async () => {
    const { fake, store } = storeFor();
    const none = await store.add("hello");
    assert.equal(none.ok ? "" : `${none.code} ${none.problem?.code ?? ""}`, "refused unreadable");
    const expired = await store.add(fixtureText("../openpgp/expired-treasury.asc"));
    assert.equal(expired.ok ? "" : expired.code, "refused");
    assert.deepEqual(fake.state.roaming, {});
  });

  it("refuses an import that would pass its share of Outlook's 32 KB, keeping the keys it has", async () => {
    const { fake, store } = storeFor();
    for (const name of ["key-audit.asc", "key-pay.asc", "key-p.asc", "key-m.asc"]) await store.add(fixtureText(name));
    const kept = fake.state.roaming[KEYS_SETTING];
    const big = fakeKey("E".repeat(40), ["big@example.org"]);
    const bigStore = createImportedKeyStore(officeRoamingSettings(fake.office), () =>
      Promise.resolve([{ ok: true, key: { ...big, armored: "x".repeat(30_000) } }]),
    );
    const result = await bigStore.add("anything");
    assert.equal(result.ok ? "" : result.code, "full");
    assert.equal(fake.state.roaming[KEYS_SETTING], kept);
  });

  it("says so, and keeps the mailbox's copy, when Outlook fails to save", async () => {
    const fake = composeFake({ failures: { "roamingSettings.saveAsync": [1] } });
    const { store } = storeFor(fake);
    const result = await store.add(fixtureText("key-audit.asc"));
    assert.equal(result.ok ? "" : result.code, "failed");
    assert.deepEqual(fake.state.roaming, {});
  });
});

describe("the restore key", () => {
  it("locks and opens bytes with a fresh OpenPGP key whose secret stays with the caller", async () => {
    const { key, secret } = await restoreKeys.create();
    const data = new TextEncoder().encode("<p>Grüße</p>".repeat(100));
    const locked = await restoreKeys.lock(key, data);
    assert.ok(locked.length < data.length, "the original is compressed");
    assert.deepEqual(await restoreKeys.open(secret, locked), data);
    const other = await restoreKeys.create();
    await assert.rejects(restoreKeys.open(other.secret, locked));
  });
});

describe("the editor", () => {
  it("reads a sessionData key Outlook does not hold as absent", async () => {
    const editor = createOfficeEditor(composeFake().office);
    assert.equal(await editor.sessionValue("sealpost.sealed"), undefined);
  });

  it("refuses an answer that is not a body format", async () => {
    const fake = composeFake();
    (fake.state.body as { type: string }).type = "rtf";
    await assert.rejects(createOfficeEditor(fake.office).bodyType(), /message format gave "rtf"/);
  });

  it("names the attachment when Outlook fails to add it", async () => {
    const editor = createOfficeEditor(composeFake({ failures: { addFileAttachmentFromBase64Async: [1] } }).office);
    await assert.rejects(editor.addFileAttachment("QQ==", "a.pdf.pgp", false), /attaching “a\.pdf\.pgp” failed: .*simulated/);
  });
});

describe("the pane's catalog", () => {
  const keys = Object.keys(paneEn) as PaneMessageKey[];
  const placeholders = (text: string) => [...text.matchAll(/\{([a-z]+)\}/g)].map((match) => match[1] ?? "").sort();
  for (const locale of SUPPORTED_LOCALES) {
    it(`has every key, with the same placeholders, in "${locale}"`, () => {
      const catalog = paneCatalogs[locale];
      assert.ok(catalog !== undefined, `no "${locale}" catalog`);
      assert.deepEqual(Object.keys(catalog).sort(), [...keys].sort());
      for (const key of keys) assert.deepEqual(placeholders(catalog[key]), placeholders(paneEn[key]), `${locale}: ${key}`);
    });
  }
  it("falls back to English for a language it does not speak", () => {
    assert.equal(sayPane("fr-FR", "seal.button"), "Seal");
  });
});
