// S/MIME counts as encryption: with a real certificate for the sender and one for the bank in the
// test profile's certificate store, a protected message the user encrypts with S/MIME leaves as
// enveloped data that the bank's key decrypts, and one the user did not encrypt is encrypted by
// Sealpost (the rule accepts S/MIME, the identity has a certificate) rather than refused.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { simpleParser } from "mailparser";
import { createTestCa } from "./harness/ca.js";
import { installEnterprisePolicies, removeEnterprisePolicies } from "./harness/managed-policy.js";
import { startSession, type ThunderbirdSession } from "./harness/session.js";
import { decryptSmime, issueSmimeCertificate, type SmimeCertificate } from "./harness/smime.js";
import { type ReceivedMessage, startSmtpServers, type SmtpServers, waitForMessages } from "./harness/smtp.js";
import { requireThunderbird } from "./harness/thunderbird.js";
import { enterprisePolicies, sealpostXpi } from "./sealpost-fixtures.js";

const SENDER = "alice@example.org";
const BANK = "pay@bank.example";

const POLICY = {
  version: 1,
  rules: [{ id: "banks", domains: ["bank.example"], require: { submission: "tls", encryption: ["smime"] }, action: "block" }],
};

async function contentType(message: ReceivedMessage): Promise<{ value: string; params: Record<string, string> }> {
  return (await simpleParser(message.raw)).headers.get("content-type") as { value: string; params: Record<string, string> };
}

describe("Sealpost with Thunderbird's S/MIME", () => {
  let work = "";
  let servers: SmtpServers | undefined;
  let session: ThunderbirdSession | undefined;
  let bank: SmimeCertificate | undefined;

  before(async () => {
    requireThunderbird();
    work = await mkdtemp(join(tmpdir(), "sealpost-smime-"));
    const ca = await createTestCa(join(work, "ca"));
    servers = await startSmtpServers(ca);
    const alice = await issueSmimeCertificate(ca, SENDER);
    bank = await issueSmimeCertificate(ca, BANK);
    await installEnterprisePolicies(enterprisePolicies(POLICY));
    session = await startSession({
      smtp: { port: servers.tls.port, security: "tls" },
      ca,
      smime: { own: [alice.p12Path], others: [{ nickname: bank.nickname, certPath: bank.certPath }] },
      // 1: S/MIME is this identity's encryption technology.
      prefs: { "mail.identity.id1.e2etechpref": 1 },
      extensions: [sealpostXpi()],
      timeoutMs: 180_000,
    });
    await session.driver.useSmimeCertificate("id1", SENDER);
  });

  after(async () => {
    await session?.stop();
    await removeEnterprisePolicies();
    await servers?.stop();
    if (work !== "") await rm(work, { recursive: true, force: true });
  });

  const ready = () => {
    assert.ok(session && servers && bank, "Thunderbird with Sealpost and S/MIME certificates did not start");
    servers.clear();
    return { driver: session.driver, servers, bank };
  };

  it("delivers a protected message the user encrypted with S/MIME, and the bank's key decrypts it", async () => {
    const { driver, servers, bank } = ready();
    const body = "Please pay invoice 4714 by Friday.";
    const tabId = await driver.compose({ identityId: "id1", to: [BANK], subject: "Invoice 4714", body });
    await driver.setEncryption(tabId, { name: "S/MIME", encryptBody: true });
    assert.equal((await driver.send(tabId, { timeoutMs: 20_000 })).outcome, "sent");
    const [message] = await waitForMessages(servers.tls, 1, 10_000);
    assert.ok(message);
    assert.ok(!message.raw.includes(body), "the body does not travel in the clear");
    const type = await contentType(message);
    assert.match(type.value, /^application\/(x-)?pkcs7-mime$/);
    assert.match(await decryptSmime(bank, message.raw, work), new RegExp(body));
  });

  it("encrypts with S/MIME a protected message the user did not encrypt", async () => {
    const { driver, servers, bank } = ready();
    const body = "Please pay invoice 4715 by Monday.";
    const tabId = await driver.compose({ identityId: "id1", to: [BANK], subject: "Invoice 4715", body });
    const before = (await driver.details(tabId)).selectedEncryptionTechnology as { encryptBody?: boolean } | undefined;
    assert.notEqual(before?.encryptBody, true, "the message starts unencrypted");
    assert.equal((await driver.send(tabId, { timeoutMs: 20_000 })).outcome, "sent");
    const [message] = await waitForMessages(servers.tls, 1, 10_000);
    assert.ok(message);
    assert.match((await contentType(message)).value, /^application\/(x-)?pkcs7-mime$/);
    assert.match(await decryptSmime(bank, message.raw, work), new RegExp(body));
  });
});
