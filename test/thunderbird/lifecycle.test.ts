// Sealpost's Experiment across the add-on's life in a real Thunderbird: its delivery gate stays
// in place while the background sleeps, leaves Thunderbird's send path as it was when the add-on
// is disabled, comes back when it is enabled, and is replaced, never stacked, by an update.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { createTestCa } from "./harness/ca.js";
import type { DeliveryGateState, Driver } from "./harness/control.js";
import { installEnterprisePolicies, removeEnterprisePolicies } from "./harness/managed-policy.js";
import { startSession, type ThunderbirdSession } from "./harness/session.js";
import { startSmtpServers, type SmtpServers, waitForMessages } from "./harness/smtp.js";
import { requireThunderbird } from "./harness/thunderbird.js";
import { enterprisePolicies, SEALPOST_ID, sealpostXpi } from "./sealpost-fixtures.js";

const BANK = "pay@bank.example";
const FRIEND = "bob@example.net";
const POLICY = {
  version: 1,
  rules: [{ id: "banks", domains: ["bank.example"], require: { submission: "tls", encryption: ["openpgp"] }, action: "block" }],
};
// Thunderbird's own method, and Sealpost's wrapper around it (api/sealpost/implementation.js).
const THUNDERBIRD: DeliveryGateState = { deliver: "_deliverAsMail", saved: null };
const SEALPOST: DeliveryGateState = { deliver: "sealpostDeliverAsMail", saved: "_deliverAsMail" };
// The background of an MV3 add-on is an event page; a short idle timeout lets it sleep between steps.
const IDLE_TIMEOUT_MS = 1000;

describe("Sealpost's delivery gate across the add-on's life", () => {
  let work = "";
  let servers: SmtpServers | undefined;
  let session: ThunderbirdSession | undefined;
  let updateXpi = "";

  before(async () => {
    requireThunderbird();
    work = await mkdtemp(join(tmpdir(), "sealpost-lifecycle-"));
    const ca = await createTestCa(join(work, "ca"));
    servers = await startSmtpServers(ca);
    updateXpi = await withVersion(sealpostXpi().path, "0.1.1", join(work, "sealpost-0.1.1.xpi"));
    await installEnterprisePolicies(enterprisePolicies(POLICY));
    session = await startSession({
      smtp: { port: servers.tls.port, security: "tls" },
      ca,
      extensions: [sealpostXpi()],
      prefs: { "extensions.background.idle.timeout": IDLE_TIMEOUT_MS },
      timeoutMs: 300_000,
    });
  });

  after(async () => {
    await session?.stop();
    await removeEnterprisePolicies();
    await servers?.stop();
    if (work !== "") await rm(work, { recursive: true, force: true });
  });

  const ready = () => {
    assert.ok(session && servers, "Thunderbird with Sealpost did not start");
    servers.clear();
    return { driver: session.driver, servers };
  };

  const received = () => (servers ? servers.plain.messages.length + servers.starttls.messages.length + servers.tls.messages.length : 0);

  /** A protected, unencrypted message sent without a compose window: only the delivery gate can stop it. */
  async function expectRefused(driver: Driver): Promise<void> {
    const sending = driver.sendWithoutWindow(
      { identityId: "id1", to: [BANK], subject: "Statement", body: "in the clear" },
      { timeoutMs: 30_000 },
    );
    assert.match(await driver.takeAlert(), /Sealpost/);
    assert.equal((await sending).outcome, "rejected");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(received(), 0, "a message reached an SMTP server");
  }

  it("gates delivery, and still does after the background has gone idle", async () => {
    const { driver } = ready();
    assert.deepEqual(await waitForGate(driver, SEALPOST), SEALPOST);
    await new Promise((resolve) => setTimeout(resolve, 3 * IDLE_TIMEOUT_MS));
    assert.deepEqual(await driver.deliveryGate(), SEALPOST);
    await expectRefused(driver);
  });

  it("puts Thunderbird's own delivery back when the add-on is disabled", async () => {
    const { driver, servers } = ready();
    await driver.setAddonEnabled(SEALPOST_ID, false);
    assert.deepEqual(await waitForGate(driver, THUNDERBIRD), THUNDERBIRD);
    // Nothing of Sealpost is left in the send path: the same message now leaves (which is why IT
    // force-installs it, so that users cannot disable it).
    const result = await driver.sendWithoutWindow(
      { identityId: "id1", to: [BANK], subject: "Statement", body: "add-on off" },
      { timeoutMs: 20_000 },
    );
    assert.equal(result.outcome, "sent");
    await waitForMessages(servers.tls, 1, 10_000);
  });

  it("gates delivery again when the add-on is enabled again", async () => {
    const { driver } = ready();
    await driver.setAddonEnabled(SEALPOST_ID, true);
    assert.deepEqual(await waitForGate(driver, SEALPOST), SEALPOST);
    await expectRefused(driver);
  });

  it("replaces its gate on an update instead of stacking a second one on the first", async () => {
    const { driver, servers } = ready();
    assert.equal(await driver.installAddon(updateXpi), "0.1.1");
    // A stacked gate would have saved Sealpost's own wrapper instead of Thunderbird's method.
    assert.deepEqual(await waitForGate(driver, SEALPOST), SEALPOST);
    await expectRefused(driver);
    servers.clear();
    // And only the new copy answers: an old gate would ask a listener that is gone, and refuse.
    const result = await driver.sendWithoutWindow(
      { identityId: "id1", to: [FRIEND], subject: "Lunch", body: "Friday?" },
      { timeoutMs: 20_000 },
    );
    assert.equal(result.outcome, "sent");
    await waitForMessages(servers.tls, 1, 10_000);
  });
});

/** Polls the delivery step until it is `wanted` (an add-on starts and stops asynchronously); returns what it last was. */
async function waitForGate(driver: Driver, wanted: DeliveryGateState, timeoutMs = 10_000): Promise<DeliveryGateState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await driver.deliveryGate();
    if ((state.deliver === wanted.deliver && state.saved === wanted.saved) || Date.now() >= deadline) return state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A copy of the built .xpi that says it is another version, as an update would be. */
async function withVersion(xpi: string, version: string, out: string): Promise<string> {
  const files = unzipSync(new Uint8Array(await readFile(xpi)));
  const manifest = JSON.parse(strFromU8(files["manifest.json"] ?? new Uint8Array())) as { version: string };
  manifest.version = version;
  files["manifest.json"] = strToU8(JSON.stringify(manifest, null, 2));
  await writeFile(out, zipSync(files));
  return out;
}
