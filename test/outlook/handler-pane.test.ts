// What the task pane says about the check the send handler runs: each recipient and the rule
// that protects it, the account, the encryption state and what to do, in the user's language.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createOfficeHost } from "../../packages/outlook/src/host/office-compose.js";
import { checkMessage } from "../../packages/outlook/src/launch/send-check.js";
import { paneModel } from "../../packages/outlook/src/taskpane/pane-model.js";
import { BANK, COLLEAGUE, fixtureText, policyText, primaryOf, sealedAttachment } from "./fixture-helpers.js";
import { builtIn, TEST_DEADLINE_MS, TEST_TIMEOUTS } from "./handler-helpers.js";
import { fakeOffice, type MailboxScenario } from "./office-helpers.js";

async function pane(scenario: MailboxScenario, policy: string | null = policyText()) {
  const host = createOfficeHost(fakeOffice(scenario).office, TEST_TIMEOUTS);
  return paneModel(await checkMessage(host, { policy: builtIn(policy), deadlineMs: TEST_DEADLINE_MS, alwaysReadEncryption: true }));
}

describe("the task pane's account of a check", () => {
  it("names each recipient, the rule that protects it, the account, the encryption and what to do", async () => {
    const model = await pane({ to: [BANK, COLLEAGUE], accountType: "office365" });
    assert.equal(model.verdict, "block");
    assert.deepEqual(model.recipients, [
      { address: `<${BANK}>`, status: "protected by banks (bank.example)", protected: true },
      { address: `<${COLLEAGUE}>`, status: "not protected", protected: false },
    ]);
    assert.equal(model.account, "Microsoft 365 account: reaches its server over HTTPS");
    assert.equal(model.encryption, "Not encrypted");
    assert.equal(model.policy, "3 rules, from the add-in itself");
    assert.match(model.todo[0] ?? "", /^The message is not encrypted\. \(pay@bank\.example\) Turn on encryption/);
    assert.equal(model.todo.at(-1), "Our bank accepts only encrypted mail.");
  });

  it("shows sealed content by the keys it is encrypted to, even for unprotected recipients", async () => {
    const model = await pane({ to: [COLLEAGUE], body: fixtureText("sealed-bank.asc"), attachments: [sealedAttachment()] });
    assert.equal(model.verdict, "allow");
    assert.equal(model.encryption, `Sealed with OpenPGP to ${primaryOf("pay")}`);
    assert.deepEqual(model.todo, ["Nothing: the message meets the policy."]);
  });

  it("says that a distribution list's members cannot be checked", async () => {
    const model = await pane({ to: [{ emailAddress: "team@corp.example", displayName: "Team", recipientType: "distributionList" }] });
    assert.match(model.recipients[0]?.status ?? "", /distribution list/);
  });

  it("says when no policy is active, in German", async () => {
    const model = await pane({ to: [BANK], displayLanguage: "de-DE" }, null);
    assert.equal(model.policy, "Keine Richtlinie aktiv; es wird nichts geprüft.");
    assert.equal(model.verdict, "allow");
  });
});
