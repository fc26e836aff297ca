// Sealpost and Thunderbird's own OpenPGP, with keys made by GnuPG for this run: a protected
// message leaves encrypted and the recipient's key decrypts it; where the user did not switch
// encryption on, Sealpost does (auto-encryption) and says so; nothing leaves without a key.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { simpleParser } from "mailparser";
import { createTestCa } from "./harness/ca.js";
import { createGpgKeys, decrypt, type GpgKeyring } from "./harness/gpg.js";
import { installEnterprisePolicies, removeEnterprisePolicies } from "./harness/managed-policy.js";
import { startSession, type ThunderbirdSession } from "./harness/session.js";
import { type ReceivedMessage, startSmtpServers, type SmtpServers, waitForMessages } from "./harness/smtp.js";
import { recordEncryptedSendTimes, timeEncryptedSends } from "./harness/send-timing.js";
import { requireThunderbird } from "./harness/thunderbird.js";
import { enterprisePolicies, SEALPOST_ID, sealpostXpi } from "./sealpost-fixtures.js";

const SENDER = { name: "Alice Example", email: "alice@example.org" } as const;
const BANK = { name: "Payments", email: "pay@bank.example" } as const;
const AUDITOR = { name: "Audit", email: "partner@audit.example" } as const;
// Thunderbird holds an accepted key for the CFO, but the policy pins another one for that address.
const CFO = { name: "CFO", email: "cfo@bank.example" } as const;
// A rule that refuses rather than encrypting for the user, so that the dialog offers the switch.
const LAWYER = { name: "Counsel", email: "counsel@law.example" } as const;
const PGP_IDENTITY = "id2";

const policyWithPins = (pin: string) => ({
  ...POLICY,
  keys: { [BANK.email]: pin, [CFO.email]: pin },
});

const POLICY = {
  version: 1,
  rules: [
    { id: "banks", domains: ["bank.example"], require: { submission: "tls", encryption: ["openpgp"] }, action: "block" },
    {
      id: "auditor",
      domains: ["audit.example"],
      require: { submission: "tls", encryption: ["openpgp"] },
      action: "block",
      protectSubject: true,
    },
    { id: "counsel", domains: ["law.example"], require: { encryption: ["openpgp"] }, action: "block", autoEncrypt: false },
  ],
};

async function contentType(message: ReceivedMessage): Promise<{ value: string; params: Record<string, string> }> {
  return (await simpleParser(message.raw)).headers.get("content-type") as { value: string; params: Record<string, string> };
}

describe("Sealpost with Thunderbird's OpenPGP", () => {
  let work = "";
  let servers: SmtpServers | undefined;
  let keys: GpgKeyring | undefined;
  let session: ThunderbirdSession | undefined;
  let dialogUrl = "";

  before(async () => {
    requireThunderbird();
    work = await mkdtemp(join(tmpdir(), "sealpost-encryption-"));
    const ca = await createTestCa(join(work, "ca"));
    servers = await startSmtpServers(ca);
    keys = await createGpgKeys([SENDER, BANK, AUDITOR, CFO, LAWYER]);
    // Both bank addresses are pinned to the bank's key: right for pay@, wrong for cfo@.
    await installEnterprisePolicies(enterprisePolicies(policyWithPins(keys.key(BANK.email).fingerprint)));
    session = await startSession({
      smtp: { port: servers.starttls.port, security: "starttls" },
      extraIdentities: [
        {
          id: PGP_IDENTITY,
          email: SENDER.email,
          fullName: SENDER.name,
          smtp: { port: servers.starttls.port, security: "starttls" },
          prefs: { openpgp_key_id: keys.key(SENDER.email).keyId },
        },
      ],
      ca,
      extensions: [sealpostXpi()],
      timeoutMs: 180_000,
    });
    await session.driver.importOpenPgpKeys({
      secret: keys.key(SENDER.email).secretKey,
      public: [
        keys.key(BANK.email).publicKey,
        keys.key(AUDITOR.email).publicKey,
        keys.key(CFO.email).publicKey,
        keys.key(LAWYER.email).publicKey,
      ],
    });
    dialogUrl = await session.driver.extensionUrl(SEALPOST_ID, "pages/dialog.html");
  });

  after(async () => {
    await session?.stop();
    await removeEnterprisePolicies();
    await keys?.remove();
    await servers?.stop();
    if (work !== "") await rm(work, { recursive: true, force: true });
  });

  const ready = () => {
    assert.ok(session && servers && keys, "Thunderbird with Sealpost and OpenPGP keys did not start");
    servers.clear();
    return { driver: session.driver, servers, keys };
  };

  it("1. delivers a protected message encrypted by the user as PGP/MIME that the bank's key decrypts", async () => {
    const { driver, servers, keys } = ready();
    const body = "Please pay invoice 4711 by Friday.";
    const tabId = await driver.compose({ identityId: PGP_IDENTITY, to: [BANK.email], subject: "Invoice 4711", body });
    await driver.setEncryption(tabId, { name: "OpenPGP", encryptBody: true });
    assert.equal((await driver.send(tabId, { timeoutMs: 20_000 })).outcome, "sent");
    const [message] = await waitForMessages(servers.starttls, 1, 10_000);
    assert.ok(message);
    assert.equal(message.secure, true);
    assert.equal((await contentType(message)).value, "multipart/encrypted");
    assert.ok(!message.raw.includes(body));
    assert.ok((await decrypt(message.raw, keys.key(BANK.email).home)).includes(body));
  });

  it("2. encrypts a protected message the user did not encrypt, tells the user, and the bank's key decrypts it", async () => {
    const { driver, servers, keys } = ready();
    const body = "New standing order from 1 April.";
    const tabId = await driver.compose({ identityId: PGP_IDENTITY, to: [BANK.email], subject: "Standing order", body });
    assert.equal((await driver.send(tabId, { timeoutMs: 20_000 })).outcome, "sent");
    const target = { urlPrefix: dialogUrl, timeoutMs: 10_000 };
    await driver.readExtensionPage({ ...target, selector: "#close" });
    assert.equal(await driver.readExtensionPage({ ...target, selector: "#title" }), "Sealpost encrypted this message");
    assert.match(await driver.readExtensionPage({ ...target, selector: "#summary" }), /pay@bank\.example/);
    await driver.clickInExtensionPage({ ...target, selector: "#close" });

    const [message] = await waitForMessages(servers.starttls, 1, 10_000);
    assert.ok(message);
    const type = await contentType(message);
    assert.equal(type.value, "multipart/encrypted");
    assert.equal(type.params.protocol, "application/pgp-encrypted");
    assert.ok(!message.raw.includes(body), "the body must not travel in the clear");
    assert.ok((await decrypt(message.raw, keys.key(BANK.email).home)).includes(body));
  });

  // Regression: the button sent { name, encryptBody: true } alone, and Thunderbird, which flips
  // every flag that differs from the one given, switched signing and subject encryption on too.
  it("Turn on encryption in the refusal dialog switches encryption on and nothing else; the message then goes", async () => {
    const { driver, servers, keys } = ready();
    const body = "The draft settlement terms.";
    const tabId = await driver.compose({ identityId: PGP_IDENTITY, to: [LAWYER.email], subject: "Settlement", body });
    const before = (await driver.details(tabId)).selectedEncryptionTechnology as Record<string, unknown> | undefined;
    assert.equal((await driver.send(tabId, { timeoutMs: 20_000 })).outcome, "rejected");
    const target = { urlPrefix: dialogUrl, timeoutMs: 10_000 };
    await driver.clickInExtensionPage({ ...target, selector: "#enable-encryption" });
    await driver.readExtensionPage({ ...target, selector: "#reasons .resolved-note" });
    await driver.clickInExtensionPage({ ...target, selector: "#close" });
    const after = (await driver.details(tabId)).selectedEncryptionTechnology as Record<string, unknown> | undefined;
    assert.deepEqual(after, { name: "OpenPGP", encryptBody: true, encryptSubject: false, signMessage: before?.signMessage === true });

    const second = await driver.send(tabId, { timeoutMs: 20_000 });
    assert.equal(second.outcome, "sent");
    const [message] = await waitForMessages(servers.starttls, 1, 10_000);
    assert.ok(message);
    assert.equal((await contentType(message)).value, "multipart/encrypted");
    assert.ok((await decrypt(message.raw, keys.key(LAWYER.email).home)).includes(body));
  });

  it("protects the subject where the rule asks: the outer subject is neutral and the real one is inside", async () => {
    const { driver, servers, keys } = ready();
    const tabId = await driver.compose({
      identityId: PGP_IDENTITY,
      to: [AUDITOR.email],
      subject: "Audit findings 2026",
      body: "See the list.",
    });
    // Encryption on, subject encryption off: Sealpost switches the subject on too.
    await driver.setEncryption(tabId, { name: "OpenPGP", encryptBody: true, encryptSubject: false });
    assert.equal((await driver.send(tabId, { timeoutMs: 20_000 })).outcome, "sent");
    await driver.clickInExtensionPage({ urlPrefix: dialogUrl, selector: "#close", timeoutMs: 10_000 });
    const [message] = await waitForMessages(servers.starttls, 1, 10_000);
    assert.ok(message);
    assert.equal((await simpleParser(message.raw)).subject, "...");
    assert.ok(!message.raw.includes("Audit findings"));
    assert.match(await decrypt(message.raw, keys.key(AUDITOR.email).home), /^Subject: Audit findings 2026$/m);
  });

  it("4. refuses when the key Thunderbird would use differs from the policy's pin, naming both", async () => {
    const { driver, servers, keys } = ready();
    const tabId = await driver.compose({ identityId: PGP_IDENTITY, to: [CFO.email], subject: "Board pack", body: "Confidential." });
    await driver.setEncryption(tabId, { name: "OpenPGP", encryptBody: true });
    assert.equal((await driver.send(tabId, { timeoutMs: 20_000 })).outcome, "rejected");
    const target = { urlPrefix: dialogUrl, timeoutMs: 10_000 };
    await driver.readExtensionPage({ ...target, selector: "#close" });
    const reasons = await driver.readExtensionPage({ ...target, selector: "#reasons" });
    assert.ok(reasons.includes(keys.key(BANK.email).fingerprint), "the pinned fingerprint is shown");
    assert.ok(reasons.includes(keys.key(CFO.email).fingerprint), "the fingerprint Thunderbird would use is shown");
    await driver.clickInExtensionPage({ ...target, selector: "#close" });
    assert.equal(servers.starttls.messages.length + servers.plain.messages.length + servers.tls.messages.length, 0);
  });

  it("measures Send to SMTP receipt for encrypted messages (with Sealpost)", async (t) => {
    const { driver, servers } = ready();
    const times = await timeEncryptedSends(driver, servers, PGP_IDENTITY, BANK.email);
    assert.equal(times.length, 5);
    t.diagnostic(await recordEncryptedSendTimes("withSealpost", times));
  });

  // Runs last: Thunderbird's Key Assistant stays open in that compose window.
  it("sends nothing to a protected recipient without a key: Thunderbird asks for one instead", async () => {
    const { driver, servers } = ready();
    const tabId = await driver.compose({
      identityId: PGP_IDENTITY,
      to: ["treasury@bank.example"],
      subject: "Wire details",
      body: "For your eyes only.",
    });
    assert.deepEqual(await driver.send(tabId, { timeoutMs: 4_000 }), { outcome: "timeout" });
    assert.equal(await driver.keyAssistantOpen(tabId), true);
    // Sealpost switched encryption on; its dialog names the recipient without a key, and does not
    // claim that the message is on its way.
    const target = { urlPrefix: dialogUrl, timeoutMs: 10_000 };
    await driver.readExtensionPage({ ...target, selector: "#close" });
    assert.equal(await driver.readExtensionPage({ ...target, selector: "#title" }), "Encryption is on, but a key is missing");
    assert.match(await driver.readExtensionPage({ ...target, selector: "#summary" }), /no key yet for treasury@bank\.example/);
    assert.match(await driver.readExtensionPage({ ...target, selector: "#hint" }), /Key Assistant/);
    await driver.clickInExtensionPage({ ...target, selector: "#close" });
    assert.equal(servers.starttls.messages.length + servers.plain.messages.length + servers.tls.messages.length, 0);
  });
});
