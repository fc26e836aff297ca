// Self-test of the end-to-end harness against the real headless Thunderbird: what it submits reaches
// the local servers with the right TLS state, the driver clicks and reads in an out-of-process
// extension popup, and an enterprise policy reaches storage.managed. Runs serially, ~20 s.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { simpleParser } from "mailparser";
import { createTestCa, type TestCa } from "./ca.js";
import { DRIVER_ID, packDriver, packExtension, type PackedExtension } from "./driver.js";
import { installEnterprisePolicies, removeEnterprisePolicies } from "./managed-policy.js";
import { withThunderbird } from "./session.js";
import { startSmtpServers, waitForMessages, type SmtpServers } from "./smtp.js";
import { requireThunderbird } from "./thunderbird.js";

const dialogProbeDir = fileURLToPath(new URL("../fixtures/dialog-probe/", import.meta.url));

describe("the Thunderbird end-to-end harness", () => {
  let work = "";
  let ca: TestCa;
  let servers: SmtpServers | undefined;
  let driverXpi: PackedExtension;

  before(async () => {
    // A machine without Thunderbird fails the suite here, with the command that installs it.
    requireThunderbird();
    work = await mkdtemp(join(tmpdir(), "sealpost-harness-test-"));
    ca = await createTestCa(join(work, "ca"));
    servers = await startSmtpServers(ca);
    driverXpi = await packDriver(work);
  });

  after(async () => {
    await servers?.stop();
    if (work !== "") await rm(work, { recursive: true, force: true });
  });

  const smtp = (): SmtpServers => {
    assert.ok(servers, "the SMTP servers did not start");
    return servers;
  };

  it("submits over required STARTTLS, and the server records the session as secure", async () => {
    const { starttls } = smtp();
    starttls.clear();
    await withThunderbird({ smtp: { port: starttls.port, security: "starttls" }, ca, driverXpi }, async ({ driver }) => {
      const tabId = await driver.compose({ to: ["bob@example.net"], subject: "Harness self-test", body: "Hello Bob, über TLS." });
      const result = await driver.send(tabId, { timeoutMs: 20_000 });
      assert.equal(result.outcome, "sent", JSON.stringify(result));
    });
    const [message] = await waitForMessages(starttls, 1, 5_000);
    assert.equal(starttls.messages.length, 1);
    assert.ok(message);
    assert.equal(message.secure, true);
    assert.deepEqual(message.envelope, { from: "alice@example.org", to: ["bob@example.net"] });
    const parsed = await simpleParser(message.raw);
    assert.equal(parsed.subject, "Harness self-test");
    assert.match(parsed.text ?? "", /Hello Bob, über TLS\./);
    assert.deepEqual(starttls.refused, []);
  });

  it("submits to the plain server without TLS, and the server records the session as not secure", async () => {
    const { plain } = smtp();
    plain.clear();
    await withThunderbird({ smtp: { port: plain.port, security: "plain" }, ca, driverXpi }, async ({ driver }) => {
      const tabId = await driver.compose({ to: ["bob@example.net"], subject: "Plain self-test", body: "in the clear" });
      assert.equal((await driver.send(tabId, { timeoutMs: 20_000 })).outcome, "sent");
    });
    const [message] = await waitForMessages(plain, 1, 5_000);
    assert.equal(plain.messages.length, 1);
    assert.equal(message?.secure, false);
  });

  describe("with an enterprise policy and an add-on that opens a popup", () => {
    const policyValue = { policy: { version: 1, rules: [] }, installedBy: "harness self-test" };

    before(() => installEnterprisePolicies({ policies: { "3rdparty": { Extensions: { [DRIVER_ID]: policyValue } } } }));
    after(() => removeEnterprisePolicies());

    it("shows the policy in storage.managed, and clicks and reads in the out-of-process popup", async () => {
      const probe = await packExtension(dialogProbeDir, join(work, "dialog-probe.xpi"));
      const { tls } = smtp();
      await withThunderbird({ smtp: { port: tls.port, security: "tls" }, ca, driverXpi, extensions: [probe] }, async ({ driver }) => {
        assert.deepEqual(await driver.managedStorage(), { found: true, value: policyValue });

        const dialogUrl = await driver.extensionUrl(probe.id, "dialog/dialog.html");
        const target = { urlPrefix: dialogUrl, timeoutMs: 10_000 };
        assert.equal(await driver.readExtensionPage({ ...target, selector: "#message" }), "Mail to examplebank.com must be encrypted.");
        const windows = await driver.windows();
        assert.equal(windows.find((window) => window.type === "popup")?.url, dialogUrl, JSON.stringify(windows));
        // Thunderbird's default process model, unchanged: extension pages run out of process.
        const page = windows.flatMap((window) => window.extensionPages).find((candidate) => candidate.url === dialogUrl);
        assert.equal(page?.remoteType, "extension");

        await driver.clickInExtensionPage({ ...target, selector: "#confirm" });
        assert.equal(await driver.readExtensionPage({ ...target, selector: "#status" }), "clicked (trusted: true)");
      });
    });
  });
});
