// The OnMessageSend gate through the real Host over a fake Outlook: every verdict, every reason
// to block, the Smart Alerts options by requirement set, and every failure, each of which
// still completes the event exactly once and blocks only what it must.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PolicySource } from "../../packages/outlook/src/launch/policy-source.js";
import {
  AUDITOR,
  BANK,
  COLLEAGUE,
  ENCRYPTING_LABEL,
  fixtureBase64,
  fixtureText,
  PARTNER,
  PLAIN_LABEL,
  plainAttachment,
  policyText,
  primaryOf,
  sealedAttachment,
  STRANGER,
  testPolicy,
} from "./fixture-helpers.js";
import { codes, notes, runSend, type SendRun, TASK_PANE, TEST_DEADLINE_MS } from "./handler-helpers.js";
import { HANG } from "./office-helpers.js";

const sealedToBank = fixtureText("sealed-bank.asc");

function assertOnce(run: SendRun): void {
  assert.equal(run.completions.length, 1, `event.completed was called ${String(run.completions.length)} times`);
}

function assertAllowed(run: SendRun): void {
  assertOnce(run);
  assert.deepEqual(run.options, { allowEvent: true });
}

function assertBlocked(run: SendRun): string {
  assertOnce(run);
  assert.equal(run.options?.allowEvent, false);
  assert.equal(run.options?.sendModeOverride, undefined);
  const message = run.options?.errorMessage ?? "";
  assert.ok(message.length > 0 && message.length <= 500, `errorMessage has ${String(message.length)} characters`);
  return message;
}

describe("OnMessageSend: allowing", () => {
  it("lets mail to unprotected recipients go without reading the body or the attachments", async () => {
    const run = await runSend({ to: [COLLEAGUE, STRANGER] });
    assertAllowed(run);
    assert.ok(!run.calls.some((call) => call.startsWith("body.") || call.startsWith("getAttachment")), run.calls.join());
  });

  it("checks nothing when no policy is configured", async () => {
    assertAllowed(await runSend({ to: [BANK], accountType: "imap" }, { policy: null }));
  });

  it("lets mail to the bank go under an encrypting sensitivity label", async () => {
    const run = await runSend({ to: [BANK], label: ENCRYPTING_LABEL.toUpperCase() });
    assertAllowed(run);
    assert.deepEqual(run.result?.encryption, { kind: "label", id: ENCRYPTING_LABEL.toUpperCase() });
  });

  it("lets correctly sealed content go: armored body, binary and armored attachments, all to the bank's key", async () => {
    const run = await runSend({
      to: [BANK],
      body: sealedToBank,
      attachments: [sealedAttachment(), { name: "payment.pdf.asc", content: fixtureBase64("attachment-bank.pdf.asc") }],
    });
    assertAllowed(run);
    // The PKESKs name the bank's encryption subkey; core is told the pinned primary key.
    assert.deepEqual(run.result?.encryption, { kind: "openpgp", keyIds: [primaryOf("pay")], subject: false });
  });

  it("lets content sealed to a v6 key go (v6 PKESK naming the subkey's fingerprint, SEIPD v2)", async () => {
    const run = await runSend({
      to: [PARTNER],
      body: fixtureText("sealed-partner.asc"),
      attachments: [sealedAttachment("attachment-partner.pdf.pgp")],
    });
    assertAllowed(run);
  });

  it("accepts a pinned fingerprint that names the encryption subkey itself", async () => {
    const run = await runSend(
      { to: [AUDITOR], body: fixtureText("sealed-bank-auditor.asc") },
      { policy: policyText(testPolicy("subkey-fingerprint")) },
    );
    assertAllowed(run);
  });

  it("lets internal mail go when the policy cannot be read", async () => {
    assertAllowed(await runSend({ to: [COLLEAGUE] }, { policy: "{ not json" }));
  });
});

describe("OnMessageSend: blocking", () => {
  it("blocks mail to the bank from an account whose transport Sealpost cannot tell", async () => {
    const run = await runSend({ to: [BANK], accountType: "imap", label: ENCRYPTING_LABEL });
    const message = assertBlocked(run);
    assert.deepEqual(codes(run), ["submission-not-tls"]);
    assert.match(message, /imap/);
  });

  it("blocks when Outlook does not report the account type at all", async () => {
    const run = await runSend({ to: [BANK], accountType: null, label: ENCRYPTING_LABEL });
    assertBlocked(run);
    assert.deepEqual(codes(run), ["submission-not-tls"]);
  });

  it("blocks an unencrypted message to the bank, and says the policy's own words", async () => {
    const run = await runSend({ to: [BANK] });
    const message = assertBlocked(run);
    assert.deepEqual(codes(run), ["not-encrypted"]);
    assert.match(message, /not encrypted/);
    assert.match(message, /Our bank accepts only encrypted mail\./);
  });

  it("blocks under a sensitivity label the policy does not list as encrypting", async () => {
    const run = await runSend({ to: [BANK], label: PLAIN_LABEL });
    const message = assertBlocked(run);
    assert.deepEqual(codes(run), ["not-encrypted"]);
    assert.match(message, /sensitivity label/);
  });

  it("blocks content sealed to the wrong key and names whose key is missing", async () => {
    const run = await runSend({ to: [BANK], body: fixtureText("sealed-other.asc") });
    const message = assertBlocked(run);
    assert.deepEqual(codes(run), ["not-encrypted"]);
    assert.deepEqual(notes(run), ["seal.key-missing"]);
    assert.match(message, /not encrypted to the key of pay@bank\.example/);
  });

  it("blocks when one protected recipient's key is missing from the sealed content", async () => {
    const run = await runSend({ to: [BANK, PARTNER], body: sealedToBank });
    const message = assertBlocked(run);
    assert.deepEqual(notes(run), ["seal.key-missing"]);
    assert.match(message, /p@partner\.example/);
    assert.doesNotMatch(message, /key of pay@bank/);
  });

  it("blocks a plaintext attachment beside a sealed body", async () => {
    const run = await runSend({ to: [BANK], body: sealedToBank, attachments: [sealedAttachment(), plainAttachment()] });
    const message = assertBlocked(run);
    assert.deepEqual(notes(run), ["seal.not-encrypted"]);
    assert.match(message, /“payment\.pdf” is not encrypted/);
  });

  it("blocks an attachment sealed to another key beside a body sealed to the bank", async () => {
    const run = await runSend({ to: [BANK], body: sealedToBank, attachments: [sealedAttachment("attachment-other.pdf.pgp", "x.pgp")] });
    assertBlocked(run);
    assert.deepEqual(notes(run), ["seal.key-missing"]);
  });

  it("blocks an attached mail item beside a sealed body: it cannot be encrypted", async () => {
    const run = await runSend({
      to: [BANK],
      body: sealedToBank,
      attachments: [{ name: "Fwd: figures", attachmentType: "item", content: "From: x", format: "eml" }],
    });
    assertBlocked(run);
    assert.deepEqual(notes(run), ["seal.not-a-file"]);
  });

  it("blocks text written outside the sealed block: it would travel readable", async () => {
    const run = await runSend({ to: [BANK], body: `${sealedToBank}\r\n\r\nKind regards, Alice (account 0042)` });
    assertBlocked(run);
    assert.deepEqual(notes(run), ["seal.body-outside"]);
  });

  it("blocks a body sealed only to a fingerprint pin of the primary key: the subkey cannot be matched", async () => {
    const run = await runSend(
      { to: [AUDITOR], body: fixtureText("sealed-bank-auditor.asc") },
      { policy: policyText(testPolicy("primary-fingerprint")) },
    );
    assertOnce(run);
    assert.deepEqual(notes(run), ["seal.fingerprint-only"]);
    assert.equal(run.result?.decision.verdict, "confirm");
  });

  it("blocks a protected recipient whose rule wants OpenPGP but for whom no key is known", async () => {
    const run = await runSend({ to: ["treasury@partner.example"], body: fixtureText("sealed-partner.asc") });
    assertBlocked(run);
    assert.deepEqual(notes(run), ["seal.key-unknown"]);
  });

  it("blocks sealed content when the key the policy pins cannot be read", async () => {
    const document = testPolicy();
    (document.keys as Record<string, string>)[BANK] = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!\n-----END PGP PUBLIC KEY BLOCK-----";
    const run = await runSend({ to: [BANK], body: sealedToBank }, { policy: policyText(document) });
    const message = assertBlocked(run);
    assert.deepEqual(notes(run), ["seal.pin-unreadable"]);
    assert.match(message, /contact IT/);
  });

  it("blocks the bank hidden in Bcc", async () => {
    const run = await runSend({ to: [COLLEAGUE], bcc: [BANK] });
    assertBlocked(run);
    assert.deepEqual(codes(run), ["not-encrypted"]);
  });

  it("judges a distribution list by its own address, since Outlook does not expand it", async () => {
    const run = await runSend({
      to: [{ emailAddress: "treasury-team@bank.example", displayName: "Treasury", recipientType: "distributionList" }],
    });
    assertBlocked(run);
  });

  it("blocks a recipient Outlook hands over without an address rather than dropping it", async () => {
    const run = await runSend({ to: [COLLEAGUE, { emailAddress: "", displayName: "" }] });
    assertBlocked(run);
    assert.deepEqual(codes(run), ["invalid-recipient"]);
  });

  it("blocks mail outside the organisation when the policy is invalid, and says to contact IT", async () => {
    const run = await runSend({ to: [COLLEAGUE, STRANGER] }, { policy: JSON.stringify({ version: 1, rules: [{ id: "x" }] }) });
    const message = assertBlocked(run);
    assert.deepEqual(codes(run), ["policy-unavailable"]);
    assert.match(message, /rules\[0\]/);
    assert.match(message, /Contact IT/);
    assert.doesNotMatch(message, /bob@corp/);
  });
});

describe("OnMessageSend: confirmations and Smart Alerts options", () => {
  it("asks the user to confirm with PromptUser where Mailbox 1.14 is supported", async () => {
    const run = await runSend({ to: [AUDITOR] });
    assertOnce(run);
    assert.equal(run.options?.allowEvent, false);
    assert.equal(run.options?.sendModeOverride, "promptUser");
    assert.equal(run.options?.commandId, TASK_PANE);
    assert.match(run.options?.errorMessage ?? "", /Send it only if you are sure/);
  });

  it("blocks a confirm-rule message where 1.14 is missing, and says why it cannot ask", async () => {
    const run = await runSend({ to: [AUDITOR], supported: ["1.1", "1.8", "1.12", "1.13"] });
    const message = assertBlocked(run);
    assert.equal(run.options?.cancelLabel, undefined);
    assert.equal(run.options?.commandId, undefined);
    assert.match(message, /cannot ask you to confirm/);
    assert.doesNotMatch(message, /Send it only if you are sure/);
  });

  it("offers the task pane from the dialog with a label of at most 20 characters (1.14)", async () => {
    const run = await runSend({ to: [BANK], supported: ["1.12", "1.13", "1.14"] });
    assertBlocked(run);
    assert.equal(run.options?.commandId, TASK_PANE);
    assert.equal(run.options?.cancelLabel, "Open Sealpost");
    assert.equal(run.options?.errorMessageMarkdown, undefined);
  });

  it("adds the Markdown message where 1.15 is supported", async () => {
    const run = await runSend({ to: [BANK] });
    assertBlocked(run);
    const markdown = run.options?.errorMessageMarkdown ?? "";
    assert.ok(markdown.startsWith("**This message cannot be sent yet.**\n\n- "), markdown);
    assert.ok(markdown.length <= 500);
  });

  it("leaves out every 1.14 and 1.15 option on a 1.12 client", async () => {
    const run = await runSend({ to: [BANK], supported: ["1.12"] });
    assertBlocked(run);
    assert.deepEqual(Object.keys(run.options ?? {}).sort(), ["allowEvent", "errorMessage"]);
  });

  it("speaks the Office display language", async () => {
    const run = await runSend({ to: [BANK], displayLanguage: "de-DE" });
    const message = assertBlocked(run);
    assert.match(message, /Diese Nachricht kann noch nicht gesendet werden/);
    assert.match(message, /Unsere Bank nimmt nur verschlüsselte E-Mails an/);
    assert.equal(run.options?.cancelLabel, "Sealpost öffnen");
  });

  it("keeps the message within 500 characters with fifty protected recipients, cut cleanly", async () => {
    const many = Array.from({ length: 50 }, (_, i) => `treasurer${String(i)}@bank.example`);
    const run = await runSend({ to: many, accountType: "pop3", body: fixtureText("sealed-other.asc") });
    const message = assertBlocked(run);
    assert.ok((run.options?.errorMessageMarkdown ?? "").length <= 500);
    for (const line of message.split("\n")) assert.doesNotMatch(line, /\s$/, `line ends in whitespace: ${line}`);
    assert.match(message, /more in the Sealpost pane\.$|…$|\.$/);
  });
});

describe("OnMessageSend: failures fail closed", () => {
  it("blocks when a recipient field cannot be read, since the recipients are unknown", async () => {
    const run = await runSend({ to: [COLLEAGUE], cc: { fail: "Internal error" } });
    const message = assertBlocked(run);
    assert.deepEqual(codes(run), ["snapshot-invalid"]);
    assert.match(message, /could not read the recipients \(reading cc failed: Internal error\)/);
  });

  it("blocks when Bcc never answers, at the call's own timeout", async () => {
    const run = await runSend({ to: [COLLEAGUE], bcc: HANG });
    assertBlocked(run);
    assert.match(run.options?.errorMessage ?? "", /reading bcc did not answer within 250 ms/);
    assert.ok(run.elapsedMs < TEST_DEADLINE_MS, `took ${String(run.elapsedMs)} ms`);
  });

  it("blocks a protected message whose body cannot be read, and says why", async () => {
    const run = await runSend({ to: [BANK], body: { fail: "The operation failed" } });
    const message = assertBlocked(run);
    assert.deepEqual(notes(run), ["check.unchecked"]);
    assert.match(message, /could not check the message's encryption/);
  });

  it("still lets unprotected mail go when the body cannot be read (it is not needed)", async () => {
    assertAllowed(await runSend({ to: [COLLEAGUE], body: { fail: "The operation failed" } }));
  });

  it("blocks a protected message when reading the label fails and the content is not sealed", async () => {
    const run = await runSend({ to: [BANK], label: { fail: "label service unavailable" } });
    assertBlocked(run);
    assert.deepEqual(notes(run), ["check.label-unreadable"]);
  });

  it("blocks a sealed message whose attachment cannot be read", async () => {
    const run = await runSend({ to: [BANK], body: sealedToBank, attachments: [{ name: "big.pgp", content: { fail: "too large" } }] });
    assertBlocked(run);
    assert.deepEqual(notes(run), ["seal.unreadable"]);
  });

  it("keeps its own deadline when calls hang longer than it, and blocks what it could not check", async () => {
    const run = await runSend({ to: [BANK], body: HANG }, { deadlineMs: 300, timeouts: { callMs: 700, contentMs: 700, storageMs: 100 } });
    assertBlocked(run);
    assert.ok(run.elapsedMs < 600, `took ${String(run.elapsedMs)} ms`);
    assert.match(run.result?.interrupted ?? "", /longer than 0\.3 s/);
  });

  it("lets unprotected mail go at the deadline when only the content was outstanding", async () => {
    const run = await runSend(
      { to: [COLLEAGUE, BANK], bcc: [], body: HANG },
      { deadlineMs: 300, timeouts: { callMs: 700, contentMs: 700, storageMs: 100 } },
    );
    assertBlocked(run);
    const reports = run.result?.decision.recipients ?? [];
    assert.deepEqual(
      reports.map((report) => [report.input, report.ok && report.protected]),
      [
        [COLLEAGUE, false],
        [BANK, true],
      ],
    );
    assert.ok(run.result?.decision.findings.every((finding) => finding.recipient?.address === BANK));
  });

  it("blocks external mail when the policy source fails, and lets internal mail go", async () => {
    const failing: PolicySource = { load: () => Promise.reject(new Error("network unreachable")) };
    const external = await runSend({ to: [STRANGER] }, { policy: failing });
    assert.match(assertBlocked(external), /network unreachable/);
    assertAllowed(await runSend({ to: [COLLEAGUE] }, { policy: failing }));
  });

  it("blocks external mail when the policy never loads, at the deadline", async () => {
    const hanging: PolicySource = { load: () => new Promise(() => undefined) };
    const run = await runSend({ to: [COLLEAGUE, STRANGER] }, { policy: hanging, deadlineMs: 200 });
    assertBlocked(run);
    assert.deepEqual(codes(run), ["policy-unavailable"]);
    assert.equal(run.result?.decision.findings[0]?.recipient?.address, STRANGER);
  });

  it("blocks when Outlook hands over no item", async () => {
    const run = await runSend({ to: [COLLEAGUE] }, { hostFails: true });
    const message = assertBlocked(run);
    assert.match(message, /could not read the recipients \(Outlook handed over no message\)/);
  });

  it("blocks protected recipients but allows unprotected ones when the evaluation path throws", async () => {
    // A policy source whose answer breaks the gatherer's assumptions: its key directory throws.
    const good = await import("./handler-helpers.js").then((helpers) => helpers.builtIn(policyText()).load());
    assert.equal(good.kind, "active");
    if (good.kind !== "active") return;
    const broken = {
      ...good,
      policy: {
        ...good.policy,
        get encryptingLabels(): never {
          throw new Error("broken policy object");
        },
      },
    };
    const source: PolicySource = { load: () => Promise.resolve(broken) };
    const protectedRun = await runSend({ to: [BANK], label: ENCRYPTING_LABEL }, { policy: source });
    assertBlocked(protectedRun);
    assert.match(protectedRun.result?.interrupted ?? "", /broken policy object/);
    assertAllowed(await runSend({ to: [COLLEAGUE] }, { policy: source }));
  });

  it("completes once even when event.completed itself throws", async () => {
    const { fakeOffice } = await import("./office-helpers.js");
    const { createOfficeHost } = await import("../../packages/outlook/src/host/office-compose.js");
    const { onMessageSend } = await import("../../packages/outlook/src/launch/send-check.js");
    const { builtIn } = await import("./handler-helpers.js");
    const fake = fakeOffice({ to: [BANK] });
    let calls = 0;
    const log: string[] = [];
    await onMessageSend(
      {
        host: () => createOfficeHost(fake.office),
        policy: builtIn(policyText()),
        deadlineMs: TEST_DEADLINE_MS,
        taskPaneCommandId: TASK_PANE,
        log: (line) => log.push(line),
      },
      {
        completed: () => {
          calls++;
          throw new Error("ArgumentOutOfRange");
        },
      },
    );
    assert.equal(calls, 1);
    assert.match(log.join("\n"), /event\.completed failed: ArgumentOutOfRange/);
  });
});

describe("OnMessageSend: security regressions", () => {
  it("does not trust an armor header: a stored (unencrypted) PGP MESSAGE is not sealed", async () => {
    const run = await runSend({ to: [BANK], body: fixtureText("stored-plaintext.asc") });
    assertBlocked(run);
    assert.deepEqual(notes(run), ["seal.not-encrypted"]);
  });

  it("does not count a signed-only message as sealed", async () => {
    const run = await runSend({ to: [BANK], body: fixtureText("signed-only.asc") });
    assertBlocked(run);
    assert.deepEqual(notes(run), ["seal.not-encrypted"]);
  });

  it("does not count a message encrypted to a password only as sealed to the bank", async () => {
    const run = await runSend({ to: [BANK], body: fixtureText("symmetric-only.asc") });
    assertBlocked(run);
    assert.deepEqual(notes(run), ["seal.password-only"]);
  });

  it("does not trust a PKESK followed by readable literal data", async () => {
    const sealed = Buffer.from(fixtureText("sealed-bank.asc").split("\n").slice(2, -3).join(""), "base64");
    // Keep the real PKESK (its framing: new format, one-octet length), then plaintext.
    const pkeskLength = (sealed[1] ?? 0) + 2;
    const text = Buffer.from("b\u0000\u0000\u0000\u0000\u0000Q3 payment run: 1,250,000 EUR", "latin1");
    const literal = Buffer.concat([Buffer.from([0xcb, text.length]), text]);
    const forged = Buffer.concat([sealed.subarray(0, pkeskLength), literal]);
    const body = `-----BEGIN PGP MESSAGE-----\r\n\r\n${forged.toString("base64")}\r\n-----END PGP MESSAGE-----\r\n`;
    const run = await runSend({ to: [BANK], body });
    assertBlocked(run);
    assert.deepEqual(notes(run), ["seal.not-encrypted"]);
  });

  it("does not let readable data ride after the encrypted part of an attachment", async () => {
    const sealed = Buffer.from(fixtureBase64("attachment-bank.pdf.pgp"), "base64");
    const text = Buffer.from("b\u0000\u0000\u0000\u0000\u0000account 0042", "latin1");
    const forged = Buffer.concat([sealed, Buffer.from([0xcb, text.length]), text]);
    const run = await runSend({
      to: [BANK],
      body: sealedToBank,
      attachments: [{ name: "payment.pdf.pgp", content: forged.toString("base64") }],
    });
    assertBlocked(run);
    assert.deepEqual(notes(run), ["seal.trailing-data"]);
  });

  it("does not let a look-alike domain of the bank escape or inherit protection", async () => {
    assertAllowed(await runSend({ to: ["pay@bank.example.evil.test"] }));
    assertBlocked(await runSend({ to: ["pay@BANK.example."] }));
  });
});
