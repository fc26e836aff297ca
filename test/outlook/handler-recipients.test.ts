// The OnMessageRecipientsChanged info bar: shown as soon as a protected recipient is added,
// saying what the message needs, removed when none is left, and the event always completed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PolicySource } from "../../packages/outlook/src/launch/policy-source.js";
import { INFO_KEY, INFO_LIMIT, infoMessage } from "../../packages/outlook/src/launch/recipients-changed.js";
import { AUDITOR, BANK, COLLEAGUE, policyText } from "./fixture-helpers.js";
import { builtIn, runRecipientsChanged } from "./handler-helpers.js";
import { HANG } from "./office-helpers.js";

describe("OnMessageRecipientsChanged", () => {
  it("shows what mail to the bank needs as soon as the bank is a recipient", async () => {
    const run = await runRecipientsChanged({ to: [COLLEAGUE], cc: [BANK] });
    assert.equal(run.completions.length, 1);
    const shown = run.notifications.get(INFO_KEY);
    assert.deepEqual(
      { ...shown, message: undefined },
      { type: "informationalMessage", icon: "Icon.16x16", persistent: false, message: undefined },
    );
    assert.equal(
      shown?.message,
      "Sealpost: mail to bank.example needs encryption (OpenPGP or an encrypting sensitivity label) before it can be sent.",
    );
    assert.ok((shown?.message.length ?? 0) <= INFO_LIMIT);
  });

  it("adds the account requirement when the account's transport is unknown", async () => {
    const run = await runRecipientsChanged({ to: [BANK], accountType: "imap" });
    assert.match(
      run.notifications.get(INFO_KEY)?.message ?? "",
      /needs encryption and an Exchange, Microsoft 365, Outlook\.com or Gmail account/,
    );
    assert.ok((run.notifications.get(INFO_KEY)?.message.length ?? 0) <= INFO_LIMIT);
  });

  it("removes the bar when no protected recipient is left", async () => {
    const run = await runRecipientsChanged({ to: [COLLEAGUE] });
    assert.equal(run.completions.length, 1);
    assert.ok(run.calls.includes(`notificationMessages.removeAsync(${INFO_KEY})`));
    assert.equal(run.notifications.size, 0);
  });

  it("says nothing when no policy is configured", async () => {
    const run = await runRecipientsChanged({ to: [BANK] }, { policy: null });
    assert.equal(run.completions.length, 1);
    assert.equal(run.notifications.size, 0);
  });

  it("warns that external mail will be stopped when the policy cannot be loaded", async () => {
    const failing: PolicySource = { load: () => Promise.resolve({ kind: "unavailable", reason: "HTTP 500" }) };
    const run = await runRecipientsChanged({ to: [COLLEAGUE] }, { policy: failing });
    assert.match(run.notifications.get(INFO_KEY)?.message ?? "", /cannot load its policy/);
  });

  it("completes the event when reading the recipients fails", async () => {
    const run = await runRecipientsChanged({ to: { fail: "Internal error" } });
    assert.equal(run.completions.length, 1);
    assert.match(run.log.join("\n"), /reading to failed: Internal error/);
  });

  it("completes the event at its deadline when Outlook never answers", async () => {
    const started = performance.now();
    const run = await runRecipientsChanged({ bcc: HANG }, { deadlineMs: 150, timeouts: { callMs: 400, contentMs: 400, storageMs: 100 } });
    assert.equal(run.completions.length, 1);
    assert.ok(performance.now() - started < 500);
  });

  it("completes the event when Outlook hands over no item", async () => {
    const run = await runRecipientsChanged({ to: [BANK] }, { policy: builtIn(policyText()), hostFails: true });
    assert.equal(run.completions.length, 1);
  });

  it("fits fifty protected domains into 150 characters, in German too", async () => {
    const loaded = await builtIn(policyText()).load();
    const recipients = [BANK, AUDITOR, ...Array.from({ length: 48 }, (_, i) => `x${String(i)}@sub${String(i)}.bank.example`)].map(
      (text) => ({
        text,
        kind: "to" as const,
      }),
    );
    for (const locale of ["en", "de-DE"]) {
      const message = infoMessage(loaded, recipients, "pop3", locale) ?? "";
      assert.ok(message.length > 0 && message.length <= INFO_LIMIT, `${locale}: ${String(message.length)}: ${message}`);
    }
    // The auditors want OpenPGP only: together with the bank, OpenPGP is what satisfies both.
    assert.match(infoMessage(loaded, recipients.slice(0, 2), "office365", "en") ?? "", /needs encryption \(OpenPGP\)/);
  });

  it("names no domain whose rules ask only for the server hop (require.relay)", async () => {
    const loaded = await builtIn(
      JSON.stringify({
        version: 1,
        rules: [
          { id: "server-hop", domains: ["relay.example"], require: { relay: "verify" }, action: "block" },
          { id: "banks", domains: ["bank.example"], require: { encryption: ["openpgp"] }, action: "block" },
        ],
      }),
    ).load();
    assert.equal(infoMessage(loaded, [{ text: "pay@relay.example", kind: "to" }], "pop3", "en"), undefined);
    const both = infoMessage(
      loaded,
      [
        { text: "pay@relay.example", kind: "to" },
        { text: "pay@bank.example", kind: "to" },
      ],
      "pop3",
      "en",
    );
    assert.match(both ?? "", /bank\.example/);
    assert.doesNotMatch(both ?? "", /relay\.example/);
  });
});
