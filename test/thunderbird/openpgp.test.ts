// OpenPGP in a real headless Thunderbird, without Sealpost: keys made with GnuPG for this run,
// imported through Thunderbird's own OpenPGP modules, and what reaches the SMTP server decrypted
// with the recipient's key. This proves the harness that Sealpost's encryption scenarios build on.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { simpleParser } from "mailparser";
import { createTestCa } from "./harness/ca.js";
import type { ImportedOpenPgpKeys } from "./harness/control.js";
import { createGpgKeys, decrypt, type GpgKeyring } from "./harness/gpg.js";
import { startSession, type ThunderbirdSession } from "./harness/session.js";
import { startSmtpServers, type SmtpServers, waitForMessages } from "./harness/smtp.js";
import { recordEncryptedSendTimes, timeEncryptedSends } from "./harness/send-timing.js";
import { requireThunderbird } from "./harness/thunderbird.js";

const SENDER = { name: "Alice Example", email: "alice@example.org" } as const;
const RECIPIENT = { name: "Payments", email: "pay@bank.example" } as const;
// The identity that has an OpenPGP key; id1, the default identity, has none.
const PGP_IDENTITY = "id2";

describe("OpenPGP in Thunderbird, with keys made by GnuPG", () => {
  let work = "";
  let servers: SmtpServers | undefined;
  let keys: GpgKeyring | undefined;
  let session: ThunderbirdSession | undefined;
  let imported: ImportedOpenPgpKeys | undefined;

  before(async () => {
    requireThunderbird();
    work = await mkdtemp(join(tmpdir(), "sealpost-openpgp-"));
    const ca = await createTestCa(join(work, "ca"));
    servers = await startSmtpServers(ca);
    keys = await createGpgKeys([SENDER, RECIPIENT]);
    const sender = keys.key(SENDER.email);
    session = await startSession({
      smtp: { port: servers.starttls.port, security: "starttls" },
      extraIdentities: [
        {
          id: PGP_IDENTITY,
          email: SENDER.email,
          fullName: SENDER.name,
          smtp: { port: servers.starttls.port, security: "starttls" },
          // Thunderbird's form: the primary key id, 16 hex digits, upper case, no 0x.
          prefs: { openpgp_key_id: sender.keyId },
        },
      ],
      ca,
      timeoutMs: 120_000,
    });
    imported = await session.driver.importOpenPgpKeys({ secret: sender.secretKey, public: [keys.key(RECIPIENT.email).publicKey] });
  });

  after(async () => {
    await session?.stop();
    await keys?.remove();
    await servers?.stop();
    if (work !== "") await rm(work, { recursive: true, force: true });
  });

  const ready = () => {
    assert.ok(session && servers && keys, "Thunderbird with OpenPGP keys did not start");
    servers.clear();
    return { driver: session.driver, servers, keys };
  };

  it("imports the sender's secret key and the recipient's public key under GnuPG's fingerprints", () => {
    const { keys } = ready();
    assert.deepEqual(imported, { secret: [keys.key(SENDER.email).fingerprint], public: [keys.key(RECIPIENT.email).fingerprint] });
  });

  it("sends PGP/MIME over STARTTLS that the recipient's secret key decrypts to the body", async () => {
    const { driver, servers, keys } = ready();
    const body = "Please pay invoice 4711 by Friday.";
    const tabId = await driver.compose({ identityId: PGP_IDENTITY, to: [RECIPIENT.email], subject: "Invoice 4711", body });
    const settings = await driver.setEncryption(tabId, { name: "OpenPGP", encryptBody: true });
    assert.deepEqual(settings, { name: "OpenPGP", encryptBody: true, encryptSubject: false, signMessage: false });

    assert.equal((await driver.send(tabId, { timeoutMs: 20_000 })).outcome, "sent");
    const [message] = await waitForMessages(servers.starttls, 1, 10_000);
    assert.ok(message);
    assert.equal(message.secure, true);
    const parsed = await simpleParser(message.raw);
    const contentType = parsed.headers.get("content-type") as { value: string; params: Record<string, string> };
    assert.equal(contentType.value, "multipart/encrypted");
    assert.equal(contentType.params.protocol, "application/pgp-encrypted");
    assert.equal(parsed.subject, "Invoice 4711");
    assert.ok(!message.raw.includes(body), "the body must not travel in the clear");

    const plaintext = await decrypt(message.raw, keys.key(RECIPIENT.email).home);
    assert.ok(plaintext.includes(body), `the decrypted part lacks the body:\n${plaintext}`);
  });

  it("with encryptSubject sends the neutral subject outside and the real one inside", async () => {
    const { driver, servers, keys } = ready();
    const body = "New account details for the transfer.";
    const tabId = await driver.compose({ identityId: PGP_IDENTITY, to: [RECIPIENT.email], subject: "New IBAN for Alice", body });
    await driver.setEncryption(tabId, { name: "OpenPGP", encryptBody: true, encryptSubject: true });

    assert.equal((await driver.send(tabId, { timeoutMs: 20_000 })).outcome, "sent");
    const [message] = await waitForMessages(servers.starttls, 1, 10_000);
    assert.ok(message);
    assert.equal((await simpleParser(message.raw)).subject, "...");
    assert.ok(!message.raw.includes("New IBAN"), "the real subject must not travel in the clear");

    const plaintext = await decrypt(message.raw, keys.key(RECIPIENT.email).home);
    assert.match(plaintext, /^Subject: New IBAN for Alice$/m);
    assert.ok(plaintext.includes(body));
  });

  it("measures Send to SMTP receipt for encrypted messages (without Sealpost)", async (t) => {
    const { driver, servers } = ready();
    const times = await timeEncryptedSends(driver, servers, PGP_IDENTITY, RECIPIENT.email);
    assert.equal(times.length, 5);
    t.diagnostic(await recordEncryptedSendTimes("withoutSealpost", times));
  });

  // Runs last: the Key Assistant stays open in its compose window until Thunderbird quits.
  it("with a recipient whose key is missing, send never settles and nothing is submitted", async () => {
    const { driver, servers } = ready();
    const tabId = await driver.compose({
      identityId: PGP_IDENTITY,
      to: ["treasury@bank.example"],
      subject: "Wire details",
      body: "For your eyes only.",
    });
    await driver.setEncryption(tabId, { name: "OpenPGP", encryptBody: true });
    assert.equal(await driver.keyAssistantOpen(tabId), false);

    // Thunderbird opens its Key Assistant instead of sending; compose.sendMessage waits on it.
    assert.deepEqual(await driver.send(tabId, { timeoutMs: 3_000 }), { outcome: "timeout" });
    assert.equal(await driver.keyAssistantOpen(tabId), true);
    assert.equal(servers.starttls.messages.length, 0);
    assert.equal(servers.plain.messages.length + servers.tls.messages.length, 0);
  });
});
