// The popup's live status: what Sealpost would decide now, and an answer within the deadline
// even when Thunderbird does not answer.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { composeStatus, switchEncryptionOn } from "../../packages/thunderbird/src/background/compose-status.js";
import type { PolicyState } from "../../packages/thunderbird/src/background/policy-store.js";
import { compilePolicy } from "../core/fixtures.js";
import { fakeHost, smtp } from "./fake-host.js";

const state: PolicyState = {
  kind: "active",
  source: "managed",
  policy: compilePolicy({
    version: 1,
    rules: [{ id: "banks", domains: ["examplebank.com"], require: { submission: "tls", encryption: ["openpgp"] }, action: "block" }],
  }),
};

describe("the compose-action popup's status", () => {
  it("reports the decision, the connection and what the identity can do", async () => {
    const host = fakeHost({
      details: { identityId: "id1", to: ["pay@examplebank.com"] },
      route: { outgoing: smtp(0, 25), savesSentCopy: false },
    });
    const status = await composeStatus(host, state, 7, 200);
    assert.equal(status.decision.verdict, "block");
    assert.deepEqual(status.transport, { kind: "smtp", security: "plain", host: "smtp.example.org", port: 25 });
    assert.equal(status.encryptWith, "OpenPGP");
    assert.equal(status.problem, undefined);
  });

  // Regression: the popup waited without limit and stayed on "Checking…".
  it("answers within the deadline when the Experiment hangs, saying what could not be read", async () => {
    const host = fakeHost({ details: { identityId: "id1", to: ["pay@examplebank.com"] }, route: "hang", identity: "hang" });
    const started = Date.now();
    const status = await composeStatus(host, state, 7, 50);
    assert.ok(Date.now() - started < 1000);
    assert.equal(status.decision.verdict, "block");
    assert.equal(status.transport.kind, "unknown");
    assert.match(status.problem ?? "", /took longer than/);
  });
});

describe("Turn on encryption (popup and dialog)", () => {
  const details = (signMessage: boolean) => ({
    identityId: "id1",
    to: ["pay@examplebank.com"],
    selectedEncryptionTechnology: { name: "OpenPGP", encryptBody: false, encryptSubject: false, signMessage } as const,
  });

  // Regression: { name, encryptBody: true } alone made Thunderbird toggle signing and subject
  // encryption too, since it flips every flag that differs from the one given, left out included.
  for (const signMessage of [false, true]) {
    it(`switches encryption on and leaves signing ${signMessage ? "on" : "off"} as the user had it`, async () => {
      const host = fakeHost({ details: details(signMessage) });
      await switchEncryptionOn(host, state, 7, "OpenPGP", 200);
      assert.deepEqual(host.encryptionSet, [
        { tabId: 7, technology: { name: "OpenPGP", encryptBody: true, encryptSubject: false, signMessage } },
      ]);
    });
  }

  it("encrypts the subject too where a rule asks for it", async () => {
    const auditor: PolicyState = {
      kind: "active",
      source: "managed",
      policy: compilePolicy({
        version: 1,
        rules: [{ id: "audit", domains: ["examplebank.com"], require: { encryption: ["openpgp"] }, action: "block", protectSubject: true }],
      }),
    };
    const host = fakeHost({ details: details(false) });
    await switchEncryptionOn(host, auditor, 7, "OpenPGP", 200);
    assert.deepEqual(host.encryptionSet, [
      { tabId: 7, technology: { name: "OpenPGP", encryptBody: true, encryptSubject: true, signMessage: false } },
    ]);
  });

  it("switches S/MIME on without asking for S/MIME signing the identity may not have", async () => {
    const host = fakeHost({ details: details(true) });
    await switchEncryptionOn(host, state, 7, "S/MIME", 200);
    assert.deepEqual(host.encryptionSet, [{ tabId: 7, technology: { name: "S/MIME", encryptBody: true, signMessage: false } }]);
  });
});
