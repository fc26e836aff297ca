// Sealpost's options page in a real headless Thunderbird, opened the way the Add-ons Manager opens
// it: an organisation's policy from policies.json is shown locked, and a policy typed in by the
// user is checked (errors named by JSON path) before it is saved and enforced at the next send.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestCa, type TestCa } from "./harness/ca.js";
import { type Driver } from "./harness/control.js";
import { packDriver, type PackedExtension } from "./harness/driver.js";
import { installEnterprisePolicies, removeEnterprisePolicies } from "./harness/managed-policy.js";
import { startSession, type ThunderbirdSession } from "./harness/session.js";
import { startSmtpServers, type SmtpServers, waitForMessages } from "./harness/smtp.js";
import { requireThunderbird } from "./harness/thunderbird.js";
import { E2E_POLICY, enterprisePolicies, SEALPOST_ID, sealpostXpi } from "./sealpost-fixtures.js";

const POLICY_WITH_MISTAKE = JSON.stringify(
  { ...E2E_POLICY, rules: E2E_POLICY.rules.map((rule) => (rule.id === "tls-partner" ? { ...rule, action: "blok" } : rule)) },
  null,
  2,
);
const MISTAKE_PATH = "rules[1].action";

const TO_THE_BANK = { to: ["pay@bank.example"], subject: "Invoice 4711", body: "Please pay invoice 4711." };

/** Opens Sealpost's options page and resolves with its URL once the page has asked the background for the policy. */
async function openOptions(driver: Driver): Promise<string> {
  const url = await driver.openOptionsPage(SEALPOST_ID);
  assert.match(url, /^moz-extension:\/\/[0-9a-f-]+\/pages\/options\.html$/);
  await waitUntilIdle(driver, url);
  return url;
}

// The page marks itself aria-busy from the moment it asks the background (loading, saving) until
// the answer is shown; the flag is set synchronously by a click on #save.
async function waitUntilIdle(driver: Driver, optionsUrl: string): Promise<void> {
  await driver.readExtensionPage({ urlPrefix: optionsUrl, selector: "#main:not([aria-busy])", timeoutMs: 10_000 });
}

async function stateOf(driver: Driver, optionsUrl: string, selector: string) {
  const state = await driver.inspectExtensionPage({ urlPrefix: optionsUrl, selector });
  assert.ok(state, `the options page has no ${selector}`);
  return state;
}

async function closeDialog(driver: Driver): Promise<string> {
  const target = { urlPrefix: await driver.extensionUrl(SEALPOST_ID, "pages/dialog.html"), timeoutMs: 10_000 };
  // The dialog fills itself in after asking the background; its buttons appear last.
  await driver.readExtensionPage({ ...target, selector: "#close" });
  const reasons = await driver.readExtensionPage({ ...target, selector: "#reasons" });
  await driver.clickInExtensionPage({ ...target, selector: "#close" });
  return reasons;
}

function received(servers: SmtpServers): number {
  return servers.plain.messages.length + servers.starttls.messages.length + servers.tls.messages.length;
}

describe("Sealpost's options page in Thunderbird", () => {
  let work = "";
  let ca: TestCa;
  let servers: SmtpServers | undefined;
  let driverXpi: PackedExtension;

  before(async () => {
    requireThunderbird();
    work = await mkdtemp(join(tmpdir(), "sealpost-e2e-options-"));
    ca = await createTestCa(join(work, "ca"));
    servers = await startSmtpServers(ca);
    driverXpi = await packDriver(work);
  });

  after(async () => {
    await removeEnterprisePolicies();
    await servers?.stop();
    if (work !== "") await rm(work, { recursive: true, force: true });
  });

  const start = (): Promise<ThunderbirdSession> => {
    assert.ok(servers, "the SMTP servers did not start");
    return startSession({ smtp: { port: servers.plain.port, security: "plain" }, ca, driverXpi, extensions: [sealpostXpi()] });
  };

  describe("with a policy from policies.json", () => {
    let session: ThunderbirdSession | undefined;

    before(async () => {
      await installEnterprisePolicies(enterprisePolicies(E2E_POLICY));
      session = await start();
    });

    after(async () => {
      await session?.stop();
      await removeEnterprisePolicies();
    });

    it("shows the organisation's policy read-only and offers nothing that could change or remove it", async () => {
      assert.ok(session);
      const { driver } = session;
      const options = await openOptions(driver);

      assert.match(
        await driver.readExtensionPage({ urlPrefix: options, selector: "#status" }),
        /^Policy active, set by your organisation \(locked\)\. Rules: 3 /,
      );
      assert.equal((await stateOf(driver, options, "#locked-note")).visible, true);

      const text = await stateOf(driver, options, "#policy-text");
      assert.equal(text.readOnly, true);
      assert.deepEqual(JSON.parse(text.value ?? ""), E2E_POLICY);
      // The buttons stay in the markup, under a hidden container: what counts is that no one can reach them.
      for (const control of ["#save", "#clear", "#load-file"]) {
        assert.equal(
          (await driver.inspectExtensionPage({ urlPrefix: options, selector: control }))?.visible ?? false,
          false,
          `${control} is offered`,
        );
      }
      // Typing into the box is refused, as it is for a user.
      await assert.rejects(
        driver.fillInExtensionPage({ urlPrefix: options, selector: "#policy-text", value: "{}" }),
        /#policy-text is read-only/,
      );
    });
  });

  describe("without an enterprise policy", () => {
    let session: ThunderbirdSession | undefined;
    let options = "";

    before(async () => {
      await removeEnterprisePolicies();
      session = await start();
      options = await openOptions(session.driver);
    });

    after(() => session?.stop());

    const ready = (): { driver: Driver; servers: SmtpServers } => {
      assert.ok(session && servers, "Thunderbird with Sealpost did not start");
      servers.clear();
      return { driver: session.driver, servers };
    };

    it("says that no policy is active, and refuses a policy with a mistake naming its JSON path, saving nothing", async () => {
      const { driver, servers } = ready();
      assert.match(await driver.readExtensionPage({ urlPrefix: options, selector: "#status" }), /^No policy is active/);
      assert.equal((await stateOf(driver, options, "#save")).visible, true);

      await driver.fillInExtensionPage({ urlPrefix: options, selector: "#policy-text", value: POLICY_WITH_MISTAKE });
      await driver.clickInExtensionPage({ urlPrefix: options, selector: "#save" });
      await waitUntilIdle(driver, options);

      assert.match(await driver.readExtensionPage({ urlPrefix: options, selector: "#status" }), /^Not saved: the policy has errors/);
      assert.equal((await stateOf(driver, options, "#errors")).visible, true);
      const errors = await driver.readExtensionPage({ urlPrefix: options, selector: "#errors" });
      assert.ok(errors.includes(MISTAKE_PATH), errors);
      assert.match(errors, /must be one of "block", "confirm" \(found "blok"\)/);

      // Nothing was saved, so no policy is active: the bank is not protected yet.
      const tabId = await driver.compose({ ...TO_THE_BANK, identityId: "id1" });
      const result = await driver.send(tabId, { timeoutMs: 20_000 });
      assert.equal(result.outcome, "sent", JSON.stringify(result));
      const [message] = await waitForMessages(servers.plain, 1, 10_000);
      assert.deepEqual(message?.envelope.to, ["pay@bank.example"]);
    });

    it("saves a valid policy, which then refuses a protected recipient over plain SMTP", async () => {
      const { driver, servers } = ready();
      await driver.fillInExtensionPage({ urlPrefix: options, selector: "#policy-text", value: JSON.stringify(E2E_POLICY, null, 2) });
      await driver.clickInExtensionPage({ urlPrefix: options, selector: "#save" });
      await waitUntilIdle(driver, options);

      assert.match(
        await driver.readExtensionPage({ urlPrefix: options, selector: "#status" }),
        /^Saved\. Policy active, loaded in Sealpost's options\. Rules: 3 /,
      );
      assert.equal((await stateOf(driver, options, "#errors")).visible, false);

      const tabId = await driver.compose({ ...TO_THE_BANK, identityId: "id1" });
      const result = await driver.send(tabId, { timeoutMs: 20_000 });
      assert.equal(result.outcome, "rejected", JSON.stringify(result));
      assert.match(await closeDialog(driver), /connection to its outgoing server \(127\.0\.0\.1:\d+\) is not encrypted/);
      assert.equal(received(servers), 0);
    });
  });
});
