// Every way Thunderbird 153 sends mail, each tried with a protected, unencrypted message: nothing
// reaches the SMTP servers, and the log says which of Sealpost's two gates stopped it (the
// compose window's onBeforeSend check, or the delivery gate in front of the outgoing server).
// Each path is also shown to still deliver what the policy allows.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { simpleParser } from "mailparser";
import { createTestCa } from "./harness/ca.js";
import type { ComposeOnMessage, Driver, SendResult } from "./harness/control.js";
import { createGpgKeys, type GpgKeyring } from "./harness/gpg.js";
import { installEnterprisePolicies, removeEnterprisePolicies } from "./harness/managed-policy.js";
import { startSession, type ThunderbirdSession } from "./harness/session.js";
import { startSmtpServers, type SmtpServers, waitForMessages } from "./harness/smtp.js";
import { requireThunderbird } from "./harness/thunderbird.js";
import { enterprisePolicies, sealpostXpi } from "./sealpost-fixtures.js";

const SENDER = { name: "Alice Example", email: "alice@example.org" } as const;
const BANK = { name: "Payments", email: "pay@bank.example" } as const;
const FRIEND = "bob@example.net";
// id1 submits over TLS but has no OpenPGP key, so Sealpost cannot encrypt for it and refuses;
// id2 has a key, for the scenarios where another add-on undoes encryption.
const NO_KEY_IDENTITY = "id1";
const PGP_IDENTITY = "id2";

const POLICY = {
  version: 1,
  rules: [{ id: "banks", domains: ["bank.example"], require: { submission: "tls", encryption: ["openpgp"] }, action: "block" }],
};

// A statement from the bank, in a local folder, to reply to, forward and redirect.
const STATEMENT = [
  `From: ${BANK.name} <${BANK.email}>`,
  `To: ${SENDER.name} <${SENDER.email}>`,
  "Cc: desk@bank.example",
  "Subject: Statement for November",
  "Date: Tue, 01 Dec 2026 09:00:00 +0000",
  "Message-ID: <statement-2026-11@bank.example>",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=UTF-8",
  "",
  "Your statement for November is ready.",
  "",
].join("\r\n");

/** Where a refusal came from, as the background logs it. */
const COMPOSE_GATE = /Sealpost: block in \d+ ms/g;
const DELIVERY_GATE = /Sealpost delivery check \((\w+)\): block/g;

describe("every way Thunderbird sends, gated", () => {
  let work = "";
  let servers: SmtpServers | undefined;
  let keys: GpgKeyring | undefined;
  let session: ThunderbirdSession | undefined;
  let statementId = -1;

  before(async () => {
    requireThunderbird();
    work = await mkdtemp(join(tmpdir(), "sealpost-paths-"));
    const ca = await createTestCa(join(work, "ca"));
    servers = await startSmtpServers(ca);
    keys = await createGpgKeys([SENDER, BANK]);
    await installEnterprisePolicies(enterprisePolicies(POLICY));
    session = await startSession({
      smtp: { port: servers.tls.port, security: "tls" },
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
      timeoutMs: 300_000,
    });
    await session.driver.importOpenPgpKeys({ secret: keys.key(SENDER.email).secretKey, public: [keys.key(BANK.email).publicKey] });
    statementId = await session.driver.addMessage(STATEMENT);
  });

  after(async () => {
    await session?.stop();
    await removeEnterprisePolicies();
    await keys?.remove();
    await servers?.stop();
    if (work !== "") await rm(work, { recursive: true, force: true });
  });

  const ready = () => {
    assert.ok(session && servers, "Thunderbird with Sealpost did not start");
    servers.clear();
    const log = session.thunderbird;
    const mark = { compose: count(log.log(), COMPOSE_GATE), delivery: count(log.log(), DELIVERY_GATE) };
    return {
      driver: session.driver,
      servers,
      // Resolves with the gate that refused the next message, once the log shows it.
      refusedBy: (timeoutMs = 20_000) => refusal(() => log.log(), mark, timeoutMs),
    };
  };

  const received = () => (servers ? servers.plain.messages.length + servers.starttls.messages.length + servers.tls.messages.length : 0);

  async function nothingArrived(): Promise<void> {
    // The refusal is logged before Thunderbird would connect; a moment more covers a late connection.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(received(), 0, "a message reached an SMTP server");
  }

  it("5. another add-on adds a protected Bcc after Sealpost's check: the delivery gate stops it", async () => {
    const { driver, refusedBy } = ready();
    await driver.interfere({ addBcc: BANK.email });
    try {
      const tabId = await driver.compose({ identityId: NO_KEY_IDENTITY, to: [FRIEND], subject: "Lunch?", body: "Friday?" });
      const sending = driver.send(tabId, { timeoutMs: 30_000 });
      assert.deepEqual(await refusedBy(), { gate: "delivery", mode: "now" });
      const alert = await thunderbirdAlert(driver);
      assert.match(alert, /Sealpost/);
      assert.ok(alert.includes(BANK.email), `the alert names the recipient: ${alert}`);
      await notDelivered(sending);
      await nothingArrived();
      // The message is not lost: it is still in its compose window, as the user (and the other add-on) left it.
      const kept = await driver.details(tabId);
      assert.equal(kept.subject, "Lunch?");
      assert.deepEqual(kept.bcc, [BANK.email]);
    } finally {
      await driver.interfere({});
      await driver.closePrompts();
    }
  });

  it("5. another add-on switches encryption off after Sealpost's check: the delivery gate stops it", async () => {
    const { driver, refusedBy } = ready();
    const tabId = await driver.compose({ identityId: PGP_IDENTITY, to: [BANK.email], subject: "Invoice 4712", body: "Please pay 4712." });
    await driver.setEncryption(tabId, { name: "OpenPGP", encryptBody: true });
    await driver.interfere({ removeEncryption: true });
    try {
      const sending = driver.send(tabId, { timeoutMs: 30_000 });
      assert.deepEqual(await refusedBy(), { gate: "delivery", mode: "now" });
      assert.match(await thunderbirdAlert(driver), /encrypt/i);
      await notDelivered(sending);
      await nothingArrived();
      assert.equal((await driver.details(tabId)).subject, "Invoice 4712");
    } finally {
      await driver.interfere({});
      await driver.closePrompts();
    }
  });

  it("the delivery gate lets an encrypted message to a protected recipient through", async () => {
    const { driver, servers } = ready();
    const tabId = await driver.compose({ identityId: PGP_IDENTITY, to: [BANK.email], subject: "Invoice 4713", body: "Please pay 4713." });
    await driver.setEncryption(tabId, { name: "OpenPGP", encryptBody: true });
    assert.equal((await driver.send(tabId, { timeoutMs: 20_000 })).outcome, "sent");
    const [message] = await waitForMessages(servers.starttls, 1, 10_000);
    assert.ok(message);
    const type = (await simpleParser(message.raw)).headers.get("content-type") as { value: string };
    assert.equal(type.value, "multipart/encrypted");
  });

  it("messages.sendMessage (no compose window) to a protected recipient: the delivery gate stops it", async () => {
    const { driver, refusedBy } = ready();
    const sending = driver.sendWithoutWindow(
      { identityId: NO_KEY_IDENTITY, to: [BANK.email], subject: "Sent by an add-on", body: "No window." },
      { timeoutMs: 30_000 },
    );
    assert.deepEqual(await refusedBy(), { gate: "delivery", mode: "now" });
    assert.match(await thunderbirdAlert(driver), /Sealpost/);
    const result = await sending;
    assert.equal(result.outcome, "rejected");
    // The add-on that called messages.sendMessage learns why too.
    assert.match(result.outcome === "rejected" ? result.message : "", /Sealpost/);
    await nothingArrived();
  });

  it("messages.sendMessage to an unprotected recipient still goes out", async () => {
    const { driver, servers } = ready();
    const result = await driver.sendWithoutWindow(
      { identityId: NO_KEY_IDENTITY, to: [FRIEND], subject: "Sent by an add-on", body: "No window, no bank." },
      { timeoutMs: 20_000 },
    );
    assert.equal(result.outcome, "sent");
    const [message] = await waitForMessages(servers.tls, 1, 10_000);
    assert.ok(message?.raw.includes("No window, no bank."));
  });

  it("Send Later from a compose window is checked when the message is queued", async () => {
    const { driver, refusedBy } = ready();
    const before = await driver.outboxCount();
    const tabId = await driver.compose({ identityId: NO_KEY_IDENTITY, to: [BANK.email], subject: "Later", body: "Send it later." });
    const result = await driver.sendLater(tabId, { timeoutMs: 20_000 });
    assert.equal(result.outcome, "rejected");
    assert.deepEqual(await refusedBy(), { gate: "compose" });
    assert.equal(await driver.outboxCount(), before);
  });

  it("Send Unsent Messages: a protected message queued without a check is stopped and stays in the Outbox", async () => {
    const { driver, refusedBy } = ready();
    const before = await driver.outboxCount();
    // messages.sendMessage in sendLater mode queues without onBeforeSend (and without the delivery gate: nothing is delivered yet).
    const queued = await driver.sendWithoutWindow(
      { identityId: NO_KEY_IDENTITY, to: [BANK.email], subject: "Queued", body: "From the Outbox." },
      { mode: "sendLater", timeoutMs: 20_000 },
    );
    assert.equal(queued.outcome, "sent");
    assert.equal(await driver.outboxCount(), before + 1);
    const run = await driver.sendUnsentMessages(NO_KEY_IDENTITY);
    assert.equal(run.successful, 0);
    assert.match(await thunderbirdAlert(driver), /Sealpost stopped this message/);
    assert.deepEqual(await refusedBy(), { gate: "delivery", mode: "outbox" });
    await nothingArrived();
    assert.equal(await driver.outboxCount(), before + 1, "the refused message stays in the Outbox, unchanged");
    await driver.closePrompts();
  });

  for (const how of ["reply", "replyAll", "forwardInline", "forwardAsAttachment", "editAsNew", "redirect"] as const) {
    it(`${describeWay(how)} to a protected recipient, unencrypted: refused`, async () => {
      const { driver, refusedBy } = ready();
      const tabId = await driver.composeOn(statementId, how, NO_KEY_IDENTITY);
      const details = await driver.details(tabId);
      assert.ok(
        JSON.stringify([details.to, details.cc]).includes("bank.example"),
        `the ${how} goes to the bank: ${JSON.stringify(details.to)}`,
      );
      const result = await driver.send(tabId, { timeoutMs: 20_000 });
      assert.notEqual(result.outcome, "sent");
      // Each of these opens a compose window (Redirect too): Sealpost's onBeforeSend refuses it.
      assert.deepEqual(await refusedBy(), { gate: "compose" });
      await nothingArrived();
      await driver.closePrompts();
    });
  }

  it("a calendar invitation to a protected attendee (no compose window): the delivery gate stops it", async () => {
    const { driver, refusedBy } = ready();
    assert.equal(
      await driver.sendCalendarInvitation({ organizer: SENDER.email, attendees: [BANK.email], summary: "Quarterly review" }),
      true,
    );
    assert.deepEqual(await refusedBy(), { gate: "delivery", mode: "now" });
    assert.match(await thunderbirdAlert(driver), /Sealpost stopped this message/);
    await nothingArrived();
  });

  it("a calendar invitation to an unprotected attendee still goes out", async () => {
    const { driver, servers } = ready();
    assert.equal(await driver.sendCalendarInvitation({ organizer: SENDER.email, attendees: [FRIEND], summary: "Lunch" }), true);
    const [message] = await waitForMessages(servers.tls, 1, 15_000);
    assert.ok(message);
    assert.match(message.raw, /text\/calendar/i);
  });
});

function describeWay(how: ComposeOnMessage): string {
  const names: Record<ComposeOnMessage, string> = {
    reply: "Reply",
    replyAll: "Reply All",
    forwardInline: "Forward",
    forwardAsAttachment: "Forward as attachment",
    editAsNew: "Edit as New",
    redirect: "Redirect",
  };
  return names[how];
}

// Thunderbird 153's compose.sendMessage resolves once the send's progress ends, also when the
// delivery failed after its alert was closed; it then carries no Message-ID. What counts is that
// no SMTP server received anything and the compose window still holds the message.
async function notDelivered(sending: Promise<SendResult>): Promise<void> {
  const result = await sending;
  if (result.outcome === "sent") assert.equal(result.headerMessageId, null, "a failed delivery has no Message-ID");
  else assert.equal(result.outcome, "rejected");
}

/** The text of the alert Thunderbird shows for a failed send, which is then closed. */
async function thunderbirdAlert(driver: Driver, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A prompt fills in its text a moment after it opens.
    const texts = (await driver.promptTexts()).filter((text) => text.trim() !== "");
    if (texts.length > 0) {
      await driver.closePrompts();
      return texts.join("\n");
    }
    if (Date.now() >= deadline) assert.fail(`Thunderbird showed no alert within ${String(timeoutMs)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function count(log: string, pattern: RegExp): number {
  return [...log.matchAll(pattern)].length;
}

async function refusal(
  log: () => string,
  mark: { compose: number; delivery: number },
  timeoutMs: number,
): Promise<{ gate: "compose" } | { gate: "delivery"; mode: string }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = log();
    const delivery = [...text.matchAll(DELIVERY_GATE)];
    if (delivery.length > mark.delivery) return { gate: "delivery", mode: delivery[mark.delivery]?.[1] ?? "?" };
    if (count(text, COMPOSE_GATE) > mark.compose) return { gate: "compose" };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`neither of Sealpost's gates logged a refusal within ${String(timeoutMs)} ms`);
}
