// The send check for content the task pane sealed to keys the policy does not pin (found in a
// Web Key Directory, on keys.openpgp.org, or imported): the pane's seal record in sessionData
// says which key each recipient was sealed to, and the PKESK packets must prove it; a protected
// subject counts only while Seal's neutral subject is still in place.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RECORD_KEY } from "../../packages/outlook/src/launch/seal-record.js";
import { BANK, fingerprints, fixtureText, PARTNER, policyText, sealedAttachment, testPolicy } from "./fixture-helpers.js";
import { codes, notes, runSend } from "./handler-helpers.js";

const sealedToBank = fixtureText("sealed-bank.asc");

/** The test policy without the bank's pin, and with the bank's subject protected where asked. */
function unpinnedBankPolicy(protectSubject = false): string {
  const document = testPolicy();
  const keys = { ...(document.keys as Record<string, string>) };
  delete keys[BANK];
  const rules = (document.rules as Record<string, unknown>[]).map((rule) =>
    rule.id === "banks" && protectSubject ? { ...rule, protectSubject } : rule,
  );
  return policyText({ ...document, keys, rules });
}

function keyOf(who: "pay" | "m") {
  const [primary = "", ...subkeys] = fingerprints(who);
  return { fingerprint: primary, encryptionKeyIds: subkeys.map((fingerprint) => fingerprint.slice(24)) };
}

function record(recipients: { address: string; who: "pay" | "m" }[], subject = { subject: "Payment run", sealedSubject: "Payment run" }) {
  return JSON.stringify({
    v: 1,
    ...subject,
    recipients: recipients.map(({ address, who }) => ({ address, ...keyOf(who), source: "wkd" })),
  });
}

const TLS = { accountType: "office365" } as const;

describe("sealed content to keys the policy does not pin", () => {
  it("lets content go that is sealed to the key the pane recorded for the recipient", async () => {
    const run = await runSend(
      {
        ...TLS,
        to: [BANK],
        body: sealedToBank,
        attachments: [sealedAttachment()],
        sessionData: { [RECORD_KEY]: record([{ address: BANK, who: "pay" }]) },
      },
      { policy: unpinnedBankPolicy() },
    );
    assert.deepEqual(run.options, { allowEvent: true });
  });

  it("matches the recorded address in any case of its local part and domain", async () => {
    const run = await runSend(
      { ...TLS, to: [BANK], body: sealedToBank, sessionData: { [RECORD_KEY]: record([{ address: "Pay@BANK.Example", who: "pay" }]) } },
      { policy: unpinnedBankPolicy() },
    );
    assert.deepEqual(run.options, { allowEvent: true });
  });

  it("blocks without a seal record: no key is known for the recipient", async () => {
    const run = await runSend({ ...TLS, to: [BANK], body: sealedToBank }, { policy: unpinnedBankPolicy() });
    assert.equal(run.options?.allowEvent, false);
    assert.deepEqual(notes(run), ["seal.key-unknown"]);
    assert.match(run.options?.errorMessage ?? "", /Sealpost pane/);
  });

  it("blocks content encrypted to another key than the one recorded, naming the recorded key", async () => {
    const run = await runSend(
      { ...TLS, to: [BANK], body: fixtureText("sealed-other.asc"), sessionData: { [RECORD_KEY]: record([{ address: BANK, who: "pay" }]) } },
      { policy: unpinnedBankPolicy() },
    );
    assert.equal(run.options?.allowEvent, false);
    assert.deepEqual(notes(run), ["seal.key-missing"]);
    assert.equal(run.result?.notes[0]?.values?.key, keyOf("pay").fingerprint);
  });

  it("holds a pinned recipient to the pin, whatever key the record names", async () => {
    const run = await runSend(
      { ...TLS, to: [BANK], body: fixtureText("sealed-other.asc"), sessionData: { [RECORD_KEY]: record([{ address: BANK, who: "m" }]) } },
      { policy: policyText() },
    );
    assert.equal(run.options?.allowEvent, false);
    assert.deepEqual(notes(run), ["seal.key-missing"]);
  });

  it("lets content go that Seal sealed to the key of a pinned fingerprint: the record names its subkeys", async () => {
    const document = testPolicy();
    const policy = policyText({ ...document, keys: { ...(document.keys as Record<string, string>), [BANK]: keyOf("pay").fingerprint } });
    const sealed = { ...TLS, to: [BANK], body: sealedToBank, attachments: [sealedAttachment()] };
    const withRecord = await runSend({ ...sealed, sessionData: { [RECORD_KEY]: record([{ address: BANK, who: "pay" }]) } }, { policy });
    assert.deepEqual(withRecord.options, { allowEvent: true });
    const without = await runSend(sealed, { policy });
    assert.deepEqual(notes(without), ["seal.fingerprint-only"]);
  });

  it("does not let a record naming another key stand for a pinned fingerprint", async () => {
    const document = testPolicy();
    const policy = policyText({ ...document, keys: { ...(document.keys as Record<string, string>), [BANK]: keyOf("pay").fingerprint } });
    const run = await runSend(
      { ...TLS, to: [BANK], body: fixtureText("sealed-other.asc"), sessionData: { [RECORD_KEY]: record([{ address: BANK, who: "m" }]) } },
      { policy },
    );
    assert.equal(run.options?.allowEvent, false);
    assert.deepEqual(notes(run), ["seal.fingerprint-only"]);
  });

  it("blocks a recipient added after sealing: the record does not name them", async () => {
    const policy = testPolicy();
    const keys = { ...(policy.keys as Record<string, string>) };
    delete keys[BANK];
    delete keys[PARTNER];
    const run = await runSend(
      { ...TLS, to: [BANK, PARTNER], body: sealedToBank, sessionData: { [RECORD_KEY]: record([{ address: BANK, who: "pay" }]) } },
      { policy: policyText({ ...policy, keys }) },
    );
    assert.equal(run.options?.allowEvent, false);
    assert.deepEqual(notes(run), ["seal.key-unknown"]);
  });

  it("blocks, and says so, when the seal record is not one Sealpost wrote", async () => {
    const run = await runSend(
      { ...TLS, to: [BANK], body: sealedToBank, sessionData: { [RECORD_KEY]: "{not json" } },
      { policy: unpinnedBankPolicy() },
    );
    assert.equal(run.options?.allowEvent, false);
    assert.deepEqual(notes(run), ["seal.record-unreadable", "seal.key-unknown"]);
  });

  it("blocks when sessionData cannot be read, and says why", async () => {
    const run = await runSend(
      { ...TLS, to: [BANK], body: sealedToBank, sessionData: { fail: "Internal error" } },
      { policy: unpinnedBankPolicy() },
    );
    assert.equal(run.options?.allowEvent, false);
    assert.deepEqual(notes(run), ["seal.record-unreadable", "seal.key-unknown"]);
  });
});

describe("a protected subject on sealed content", () => {
  const sealedSubject = { subject: "Payment run 2026-12", sealedSubject: "Encrypted message" };

  it("counts as protected while Seal's neutral subject is the subject", async () => {
    const run = await runSend(
      {
        ...TLS,
        to: [BANK],
        subject: "Encrypted message",
        body: sealedToBank,
        sessionData: { [RECORD_KEY]: record([{ address: BANK, who: "pay" }], sealedSubject) },
      },
      { policy: unpinnedBankPolicy(true) },
    );
    assert.deepEqual(run.options, { allowEvent: true });
  });

  it("blocks when the subject was changed after sealing: it would travel readable", async () => {
    const run = await runSend(
      {
        ...TLS,
        to: [BANK],
        subject: "Payment run 2026-12 (corrected)",
        body: sealedToBank,
        sessionData: { [RECORD_KEY]: record([{ address: BANK, who: "pay" }], sealedSubject) },
      },
      { policy: unpinnedBankPolicy(true) },
    );
    assert.equal(run.options?.allowEvent, false);
    assert.deepEqual(codes(run), ["subject-not-protected"]);
    assert.deepEqual(notes(run), ["seal.subject-changed"]);
  });

  it("blocks sealed content whose seal did not protect the subject under a protectSubject rule", async () => {
    const run = await runSend(
      { ...TLS, to: [BANK], body: sealedToBank, sessionData: { [RECORD_KEY]: record([{ address: BANK, who: "pay" }]) } },
      { policy: unpinnedBankPolicy(true) },
    );
    assert.equal(run.options?.allowEvent, false);
    assert.deepEqual(codes(run), ["subject-not-protected"]);
  });
});
