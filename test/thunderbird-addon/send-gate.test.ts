// The send gate settles on every path: allow, block, confirm (yes and no), and every failure,
// which cancels a message to protected or unknown recipients.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CompiledPolicy, validatePolicy } from "@sealpost/core";
import type { PolicyState } from "../../packages/thunderbird/src/background/policy-store.js";
import { type PromptRequest, sendGate } from "../../packages/thunderbird/src/background/send-gate.js";
import type { ComposeDetails } from "../../packages/thunderbird/src/host/thunderbird-types.js";
import { type FakeHostOptions, fakeHost, smtp } from "./fake-host.js";

function compile(document: unknown): CompiledPolicy {
  const result = validatePolicy(document);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.policy;
}

const policy = compile({
  version: 1,
  rules: [
    // Refusing, not encrypting for the user, so that these tests see the refusal; auto-encryption has its own below.
    {
      id: "banks",
      domains: ["examplebank.com"],
      require: { submission: "tls", encryption: ["openpgp", "smime"] },
      action: "block",
      autoEncrypt: false,
    },
    { id: "payroll", domains: ["payroll.example.net"], require: { submission: "tls" }, action: "confirm" },
  ],
});
const active: PolicyState = { kind: "active", source: "local", policy };
const tab = { id: 7 };

function gate(options: FakeHostOptions & { state?: PolicyState | Error; answer?: "send" | "cancel"; deadlineMs?: number } = {}) {
  return gateWith(options);
}

function gateWith(options: FakeHostOptions & { state?: PolicyState | Error; answer?: "send" | "cancel"; deadlineMs?: number }) {
  const prompts: PromptRequest[] = [];
  const run = sendGate({
    host: fakeHost(options),
    policy: () => (options.state instanceof Error ? Promise.reject(options.state) : Promise.resolve(options.state ?? active)),
    prompt: (request) => {
      prompts.push(request);
      return Promise.resolve(options.answer ?? "cancel");
    },
    deadlineMs: options.deadlineMs ?? 200,
  });
  return { prompts, send: (details: ComposeDetails) => run(tab, { identityId: "id1", subject: "Q3 figures", ...details }) };
}

const encrypted = { selectedEncryptionTechnology: { name: "OpenPGP", encryptBody: true } } as const;

describe("the send gate", () => {
  it("lets a message to unprotected recipients go without asking", async () => {
    const { send, prompts } = gate({ route: { outgoing: smtp(0, 25), savesSentCopy: false } });
    assert.deepEqual(await send({ to: ["bob@example.org"] }), { cancel: false });
    assert.equal(prompts.length, 0);
  });

  it("lets a protected message go over TLS with encryption", async () => {
    const { send, prompts } = gate();
    assert.deepEqual(await send({ to: ["pay@examplebank.com"], ...encrypted }), { cancel: false });
    assert.equal(prompts.length, 0);
  });

  it("cancels a protected message over plain SMTP and shows every reason", async () => {
    const { send, prompts } = gate({ route: { outgoing: smtp(0, 25), savesSentCopy: false } });
    assert.deepEqual(await send({ to: ["pay@examplebank.com"] }), { cancel: true });
    assert.equal(prompts.length, 1);
    assert.equal(prompts[0]?.kind, "block");
    assert.deepEqual(prompts[0]?.decision.findings.map((finding) => finding.code).sort(), ["not-encrypted", "submission-not-tls"]);
    assert.equal(prompts[0]?.encryptWith, "OpenPGP");
    assert.equal(prompts[0]?.subject, "Q3 figures");
  });

  it("cancels when the bank address hides in Bcc", async () => {
    const { send } = gate();
    assert.deepEqual(await send({ to: ["bob@example.org"], bcc: ["pay@examplebank.com"] }), { cancel: true });
  });

  it("cancels when the bank address hides in a mailing list", async () => {
    const { send } = gate({ lists: { Treasury: [{ name: "Pay", email: "pay@examplebank.com" }] } });
    assert.deepEqual(await send({ to: ["Treasury <Treasury>"] }), { cancel: true });
  });

  it("cancels when the bank address hides in a list inside a list in Bcc", async () => {
    const lists = { Everyone: [{ name: "Treasury", email: "Treasury" }], Treasury: [{ name: "Pay", email: "pay@examplebank.com" }] };
    const { send, prompts } = gate({ lists });
    assert.deepEqual(await send({ to: ["bob@example.org"], bcc: ["Everyone <Everyone>"] }), { cancel: true });
    assert.deepEqual(
      prompts[0]?.decision.findings.map((finding) => [finding.code, finding.recipient?.address]),
      [["not-encrypted", "pay@examplebank.com"]],
    );
  });

  it("lets a message to a list inside a list of unprotected members go", async () => {
    const lists = { Everyone: [{ name: "Friends", email: "Friends" }], Friends: [{ name: "Bob", email: "bob@example.org" }] };
    const { send, prompts } = gate({ lists, route: { outgoing: smtp(0, 25), savesSentCopy: false } });
    assert.deepEqual(await send({ to: ["Everyone <Everyone>"] }), { cancel: false });
    assert.equal(prompts.length, 0);
  });

  it("sends a confirm-rule message only after an explicit yes", async () => {
    const yes = gate({ answer: "send", route: { outgoing: smtp(0, 25), savesSentCopy: false } });
    assert.deepEqual(await yes.send({ to: ["hr@payroll.example.net"] }), { cancel: false });
    assert.equal(yes.prompts[0]?.kind, "confirm");
    const no = gate({ answer: "cancel", route: { outgoing: smtp(0, 25), savesSentCopy: false } });
    assert.deepEqual(await no.send({ to: ["hr@payroll.example.net"] }), { cancel: true });
  });

  it("cancels a confirm-rule message when the dialog cannot be shown", async () => {
    const run = sendGate({
      host: fakeHost({ route: { outgoing: smtp(0, 25), savesSentCopy: false } }),
      policy: () => Promise.resolve(active),
      prompt: () => Promise.reject(new Error("windows.create failed")),
      deadlineMs: 200,
    });
    assert.deepEqual(await run(tab, { identityId: "id1", to: ["hr@payroll.example.net"] }), { cancel: true });
  });

  it("checks nothing when no policy is configured", async () => {
    const { send, prompts } = gate({ state: { kind: "none" }, route: { outgoing: smtp(0, 25), savesSentCopy: false } });
    assert.deepEqual(await send({ to: ["pay@examplebank.com"] }), { cancel: false });
    assert.equal(prompts.length, 0);
  });

  it("refuses external mail when the policy is invalid, but lets mail to the sender's own domain go", async () => {
    const state: PolicyState = { kind: "invalid", source: "managed", errors: [], reason: "the policy set by your organisation is invalid" };
    const external = gate({ state });
    assert.deepEqual(await external.send({ to: ["bob@example.net"] }), { cancel: true });
    assert.equal(external.prompts[0]?.decision.findings[0]?.code, "policy-unavailable");
    const internal = gate({ state });
    assert.deepEqual(await internal.send({ to: ["colleague@example.org"] }), { cancel: false });
  });

  it("fails closed when the Experiment throws: TLS cannot be confirmed", async () => {
    const { send, prompts } = gate({ route: new Error("Experiment not loaded") });
    assert.deepEqual(await send({ to: ["pay@examplebank.com"], ...encrypted }), { cancel: true });
    assert.equal(prompts[0]?.decision.findings[0]?.code, "submission-not-tls");
    assert.match(prompts[0]?.decision.findings[0]?.problem ?? "", /Experiment not loaded/);
  });

  it("fails closed when gathering hangs past the deadline", async () => {
    const { send, prompts } = gate({ route: "hang", deadlineMs: 50 });
    const started = Date.now();
    assert.deepEqual(await send({ to: ["pay@examplebank.com"], ...encrypted }), { cancel: true });
    assert.ok(Date.now() - started < 1000);
    assert.match(prompts[0]?.decision.findings[0]?.problem ?? "", /took longer than/);
  });

  // Regression: the identity was read a second time, for auto-encryption, without a deadline.
  it("fails closed, within the deadline, when reading the identity never answers", async () => {
    const { send } = gate({ identity: "hang", deadlineMs: 50 });
    const started = Date.now();
    assert.deepEqual(await send({ to: ["pay@examplebank.com"], ...encrypted }), { cancel: true });
    assert.ok(Date.now() - started < 1000);
  });

  // Regression: a prompt that threw at once escaped the gate, and Thunderbird then never settles the send.
  it("still cancels, and never rejects, when even the explanation cannot be shown", async () => {
    const run = sendGate({
      host: fakeHost({ route: { outgoing: smtp(0, 25), savesSentCopy: false } }),
      policy: () => Promise.resolve(active),
      prompt: () => {
        throw new Error("windows API gone");
      },
      deadlineMs: 50,
    });
    assert.deepEqual(await run(tab, { identityId: "id1", to: ["pay@examplebank.com"] }), { cancel: true });
  });

  it("fails closed within the deadline when the policy hangs after the check failed", async () => {
    let reads = 0;
    const run = sendGate({
      host: fakeHost({ route: { outgoing: smtp(0, 25), savesSentCopy: false } }),
      policy: () => (++reads === 1 ? Promise.resolve(active) : new Promise<PolicyState>(() => undefined)),
      prompt: () => {
        throw new Error("windows API gone");
      },
      deadlineMs: 50,
    });
    const started = Date.now();
    assert.deepEqual(await run(tab, { identityId: "id1", to: ["pay@examplebank.com"] }), { cancel: true });
    assert.ok(Date.now() - started < 1000);
  });

  it("still lets unprotected mail go when gathering fails", async () => {
    const { send } = gate({ route: new Error("Experiment not loaded") });
    assert.deepEqual(await send({ to: ["bob@example.org"] }), { cancel: false });
  });

  it("fails closed when reading the policy fails", async () => {
    const { send } = gate({ state: new Error("storage broke") });
    assert.deepEqual(await send({ to: ["bob@example.net"] }), { cancel: true });
  });

  it("refuses a recipient it cannot parse", async () => {
    const { send, prompts } = gate();
    assert.deepEqual(await send({ to: ["pay@examplebank.com <pay@evil.example>"] }), { cancel: true });
    assert.equal(prompts[0]?.decision.findings[0]?.code, "invalid-recipient");
  });

  it("speaks the user's language", async () => {
    const { send, prompts } = gate({ language: "de", route: { outgoing: smtp(0, 25), savesSentCopy: false } });
    await send({ to: ["pay@examplebank.com"] });
    assert.equal(prompts[0]?.decision.summary, "Diese Nachricht kann noch nicht gesendet werden.");
  });
});

describe("auto-encryption", () => {
  const autoPolicy = compile({
    version: 1,
    rules: [
      { id: "banks", domains: ["examplebank.com"], require: { submission: "tls", encryption: ["openpgp", "smime"] }, action: "block" },
      { id: "auditor", domains: ["audit.example"], require: { encryption: ["openpgp"] }, action: "block", protectSubject: true },
      { id: "smime-only", domains: ["smime.example"], require: { encryption: ["smime"] }, action: "block" },
    ],
  });
  const auto: PolicyState = { kind: "active", source: "managed", policy: autoPolicy };

  it("switches OpenPGP on instead of refusing, and tells the user", async () => {
    const { send, prompts } = gateWith({ state: auto });
    assert.deepEqual(await send({ to: ["pay@examplebank.com"] }), {
      cancel: false,
      details: { selectedEncryptionTechnology: { name: "OpenPGP", encryptBody: true, encryptSubject: false, signMessage: false } },
    });
    assert.equal(prompts[0]?.kind, "encrypted");
  });

  it("says which protected recipients Thunderbird has no key for, instead of claiming the message is on its way", async () => {
    const { send, prompts } = gateWith({ state: auto, recipientKeys: { "pay@examplebank.com": [] } });
    assert.equal((await send({ to: ["pay@examplebank.com"] })).cancel, false);
    assert.deepEqual(prompts[0]?.missingKeys, ["pay@examplebank.com"]);
  });

  it("names no missing key where Thunderbird has one, or where the key ring cannot be read", async () => {
    const withKey = gateWith({ state: auto, recipientKeys: { "pay@examplebank.com": ["7780CA90FDA140C189294A55924B0AAACC530A7D"] } });
    await withKey.send({ to: ["pay@examplebank.com"] });
    assert.equal(withKey.prompts[0]?.missingKeys, undefined);
    const unreadable = gateWith({ state: auto, recipientKeys: new Error("OpenPGP is not ready") });
    await unreadable.send({ to: ["pay@examplebank.com"] });
    assert.equal(unreadable.prompts[0]?.kind, "encrypted");
    assert.equal(unreadable.prompts[0]?.missingKeys, undefined);
  });

  it("encrypts the subject too where the rule protects it", async () => {
    const { send } = gateWith({ state: auto });
    const result = await send({ to: ["partner@audit.example"] });
    assert.deepEqual(result.details?.selectedEncryptionTechnology, {
      name: "OpenPGP",
      encryptBody: true,
      encryptSubject: true,
      signMessage: false,
    });
  });

  it("turns on subject encryption for a message already encrypted without it", async () => {
    const { send } = gateWith({ state: auto });
    const result = await send({
      to: ["partner@audit.example"],
      selectedEncryptionTechnology: { name: "OpenPGP", encryptBody: true, encryptSubject: false, signMessage: true },
    });
    // The user's choice to sign is restated, since Thunderbird flips a flag left out.
    assert.deepEqual(result, {
      cancel: false,
      details: { selectedEncryptionTechnology: { name: "OpenPGP", encryptBody: true, encryptSubject: true, signMessage: true } },
    });
  });

  it("does not encrypt when TLS is missing too: the message is refused with both reasons", async () => {
    const { send, prompts } = gateWith({ state: auto, route: { outgoing: smtp(0, 25), savesSentCopy: false } });
    assert.deepEqual(await send({ to: ["pay@examplebank.com"] }), { cancel: true });
    assert.deepEqual(prompts[0]?.decision.findings.map((finding) => finding.code).sort(), ["not-encrypted", "submission-not-tls"]);
  });

  it("refuses when the identity has no key or certificate", async () => {
    const { send } = gateWith({ state: auto, identity: { id: "id1", email: "alice@example.org", encryptionCapabilities: {} } });
    assert.deepEqual(await send({ to: ["pay@examplebank.com"] }), { cancel: true });
  });

  it("uses S/MIME where that is what the rule accepts and the identity has", async () => {
    const identity = { id: "id1", email: "alice@example.org", encryptionCapabilities: { "S/MIME": { canEncrypt: true, canSign: true } } };
    const { send } = gateWith({ state: auto, identity });
    assert.deepEqual((await send({ to: ["x@smime.example"] })).details, {
      selectedEncryptionTechnology: { name: "S/MIME", encryptBody: true, signMessage: false },
    });
  });

  it("refuses when a rule turns auto-encryption off", async () => {
    const { send } = gateWith({ state: active });
    assert.deepEqual(await send({ to: ["pay@examplebank.com"] }), { cancel: true });
  });
});

describe("pinned keys in Thunderbird", () => {
  const PIN = "7780CA90FDA140C189294A55924B0AAACC530A7D";
  const pinnedPolicy = compile({
    version: 1,
    rules: [{ id: "banks", domains: ["examplebank.com"], require: { submission: "tls", encryption: ["openpgp"] }, action: "block" }],
    keys: { "pay@examplebank.com": PIN },
  });
  const state: PolicyState = { kind: "active", source: "managed", policy: pinnedPolicy };

  it("lets the message go when Thunderbird would use the pinned key", async () => {
    const { send } = gateWith({ state, recipientKeys: { "pay@examplebank.com": [PIN] } });
    assert.deepEqual(await send({ to: ["pay@examplebank.com"], ...encrypted }), { cancel: false });
  });

  it("refuses, showing the pinned fingerprint, when Thunderbird would use another key", async () => {
    const { send, prompts } = gateWith({ state, recipientKeys: { "pay@examplebank.com": ["1111111111111111111111111111111111111111"] } });
    assert.deepEqual(await send({ to: ["pay@examplebank.com"], ...encrypted }), { cancel: true });
    assert.equal(prompts[0]?.decision.findings[0]?.code, "pinned-key-not-used");
    assert.match(prompts[0]?.decision.findings[0]?.problem ?? "", new RegExp(PIN));
  });

  it("refuses when the key ring cannot be read", async () => {
    const { send } = gateWith({ state, recipientKeys: new Error("OpenPGP is not ready") });
    assert.deepEqual(await send({ to: ["pay@examplebank.com"], ...encrypted }), { cancel: true });
  });

  it("auto-encrypts only when the key Thunderbird would use is the pinned one", async () => {
    const good = gateWith({ state, recipientKeys: { "pay@examplebank.com": [PIN] } });
    assert.equal((await good.send({ to: ["pay@examplebank.com"] })).details?.selectedEncryptionTechnology.name, "OpenPGP");
    const bad = gateWith({ state, recipientKeys: { "pay@examplebank.com": [] } });
    assert.deepEqual(await bad.send({ to: ["pay@examplebank.com"] }), { cancel: true });
  });
});
