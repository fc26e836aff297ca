// The delivery gate judges what really leaves: the recipients Thunderbird delivers to, the
// identity's servers and the message's own MIME structure, with the keys named in its PKESK
// packets mapped to primary keys. It answers on every path and never lets a protected message
// through on an error.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { Decision } from "@sealpost/core";
import { compilePolicy } from "../core/fixtures.js";
import { Approvals, checkDelivery } from "../../packages/thunderbird/src/background/delivery-gate.js";
import { readOutgoingMessage } from "../../packages/thunderbird/src/background/outgoing-message.js";
import type { PolicyState } from "../../packages/thunderbird/src/background/policy-store.js";
import type { PromptRequest } from "../../packages/thunderbird/src/background/send-gate.js";
import type { Delivery } from "../../packages/thunderbird/src/host/thunderbird-types.js";
import { type FakeHostOptions, fakeHost, smtp } from "./fake-host.js";

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), "latin1");

// Made with GnuPG: a message to payments@bank.example and alice@example.org.
const PGP_MIME = fixture("pgp-mime.eml");
const BANK = { primary: "77A05A60AC6B16E912844FE6197F4BE5C57B33D6", subkey: "983942920D52E71D" };
const ALICE = { primary: "8012BAC0BAA8011B72F99C22752B5575738F866F", subkey: "5BB6FB78D2EA1235" };

const PLAIN =
  "From: alice@example.org\r\nTo: payments@bank.example\r\nSubject: Q3\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nThe figures.\r\n";
const SMIME =
  'From: alice@example.org\r\nSubject: Q3\r\nContent-Type: application/pkcs7-mime; name="smime.p7m";\r\n smime-type=enveloped-data\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAx\r\n';

const policy = compilePolicy({
  version: 1,
  rules: [
    { id: "banks", domains: ["bank.example"], require: { submission: "tls", encryption: ["openpgp", "smime"] }, action: "block" },
    { id: "payroll", domains: ["payroll.example"], require: { submission: "tls" }, action: "confirm" },
  ],
});

function run(
  delivery: Partial<Delivery>,
  options: FakeHostOptions & { state?: PolicyState | Error; answer?: "send" | "cancel"; approvals?: Approvals } = {},
) {
  const prompts: PromptRequest[] = [];
  const verdict = checkDelivery(
    {
      host: fakeHost({ primaryFingerprints: { [BANK.subkey]: BANK.primary, [ALICE.subkey]: ALICE.primary }, ...options }),
      policy: () =>
        options.state instanceof Error
          ? Promise.reject(options.state)
          : Promise.resolve(options.state ?? { kind: "active", source: "managed", policy }),
      prompt: (request) => {
        prompts.push(request);
        return Promise.resolve(options.answer ?? "cancel");
      },
      approvals: options.approvals ?? new Approvals(),
      refusalIntro: "Sealpost stopped this message.",
    },
    { identityId: "id1", mode: "now", head: PLAIN, size: PLAIN.length, to: "payments@bank.example", ...delivery },
  );
  return { verdict, prompts };
}

describe("reading the message that is about to leave", () => {
  it("lists the subkeys a PGP/MIME message made by GnuPG is encrypted to", () => {
    assert.deepEqual(readOutgoingMessage(PGP_MIME), {
      subject: "...",
      encryption: { kind: "openpgp", recipients: [BANK.subkey, ALICE.subkey], hiddenRecipients: false },
    });
  });

  it("still finds the recipients when only the start of a large message is at hand", () => {
    const cut = PGP_MIME.slice(0, PGP_MIME.indexOf("-----BEGIN PGP MESSAGE-----") + 300);
    assert.deepEqual(readOutgoingMessage(cut).encryption, {
      kind: "openpgp",
      recipients: [BANK.subkey, ALICE.subkey],
      hiddenRecipients: false,
    });
  });

  it("notices a hidden recipient (gpg --throw-keyids)", () => {
    const armored = fixture("pgp-hidden-recipient.asc");
    const head = PGP_MIME.slice(0, PGP_MIME.indexOf("-----BEGIN PGP MESSAGE-----")) + armored;
    assert.deepEqual(readOutgoingMessage(head).encryption, { kind: "openpgp", recipients: [], hiddenRecipients: true });
  });

  it("counts S/MIME enveloped data as encrypted, and a signed-only S/MIME message as not", () => {
    assert.deepEqual(readOutgoingMessage(SMIME).encryption, { kind: "smime" });
    const signed = SMIME.replace("enveloped-data", "signed-data");
    assert.equal(readOutgoingMessage(signed).encryption.kind, "none");
  });

  it("does not take a multipart/encrypted shell without an OpenPGP message for encryption", () => {
    const shell = PGP_MIME.slice(0, PGP_MIME.indexOf("-----BEGIN PGP MESSAGE-----"));
    assert.equal(readOutgoingMessage(shell).encryption.kind, "none");
  });

  it("does not take an armored block in a plain text body for an encrypted message", () => {
    const inline = PLAIN.replace("The figures.", fixture("pgp-hidden-recipient.asc"));
    assert.equal(readOutgoingMessage(inline).encryption.kind, "none");
  });
});

describe("the delivery gate", () => {
  it("refuses a plain message to a protected domain, with the reasons Thunderbird will show", async () => {
    const { verdict } = run({ head: PLAIN });
    const result = await verdict;
    assert.equal(result.allow, false);
    assert.match(result.message ?? "", /^Sealpost stopped this message\.\n\n/);
    assert.match(result.message ?? "", /encrypt/i);
  });

  it("lets a PGP/MIME message to a protected domain go over TLS", async () => {
    assert.deepEqual(await run({ head: PGP_MIME }).verdict, { allow: true });
  });

  it("judges the recipients Thunderbird delivers to, Bcc included", async () => {
    const result = await run({ head: PLAIN, to: "bob@example.org", bcc: "Payments <payments@bank.example>" }).verdict;
    assert.equal(result.allow, false);
    assert.match(result.message ?? "", /payments@bank\.example/);
  });

  it("lets a plain message to unprotected recipients go", async () => {
    assert.deepEqual(await run({ head: PLAIN, to: "bob@example.org, carol@example.net" }).verdict, { allow: true });
  });

  it("refuses an encrypted message when the submission is not TLS", async () => {
    const result = await run({ head: PGP_MIME }, { route: { outgoing: smtp(1, 587), savesSentCopy: false } }).verdict;
    assert.equal(result.allow, false);
  });

  // Regression: the gate judged the identity's Sent folder, not where this message's copy goes.
  it("judges the Sent copies Thunderbird will file for this message, not the identity's default", async () => {
    const plainImap = { type: "imap", socketType: 0, host: "imap.example.org", port: 143 };
    const tlsImap = { type: "imap", socketType: 3, host: "imap.example.org", port: 993 };
    const identityCopiesOverPlain = { route: { outgoing: smtp(3, 465), savesSentCopy: true, sentCopy: plainImap } };
    // This message goes to Local Folders (or nowhere), though the identity's Sent folder is on plain IMAP.
    assert.deepEqual(await run({ head: PGP_MIME, sentCopies: [{ type: "none" }] }, identityCopiesOverPlain).verdict, { allow: true });
    assert.deepEqual(await run({ head: PGP_MIME, sentCopies: [] }, identityCopiesOverPlain).verdict, { allow: true });
    // And the other way round: this message's copy, or its second copy, crosses the network in the clear.
    const tlsDefault = { route: { outgoing: smtp(3, 465), savesSentCopy: true, sentCopy: tlsImap } };
    for (const sentCopies of [[plainImap], [tlsImap, plainImap], [{ type: "unknown", url: "imap://x@gone.example/Sent" }]]) {
      const result = await run({ head: PGP_MIME, sentCopies }, tlsDefault).verdict;
      assert.equal(result.allow, false, JSON.stringify(sentCopies));
    }
  });

  it("holds the PKESK recipients to a pinned key, mapped from subkey to primary key", async () => {
    const pinned = (fingerprint: string): PolicyState => ({
      kind: "active",
      source: "managed",
      policy: compilePolicy({
        version: 1,
        rules: [{ id: "banks", domains: ["bank.example"], require: { submission: "tls", encryption: ["openpgp"] }, action: "block" }],
        keys: { "payments@bank.example": fingerprint },
      }),
    });
    assert.deepEqual(await run({ head: PGP_MIME }, { state: pinned(BANK.primary) }).verdict, { allow: true });
    const other = await run({ head: PGP_MIME }, { state: pinned("0123456789ABCDEF0123456789ABCDEF01234567") }).verdict;
    assert.equal(other.allow, false);
    assert.match(other.message ?? "", /0123 ?4567|0123456789ABCDEF/i);
    // A key ring that does not know the subkey cannot vouch for the pin.
    const unknown = await run({ head: PGP_MIME }, { state: pinned(BANK.primary), primaryFingerprints: {} }).verdict;
    assert.equal(unknown.allow, false);
  });

  it("asks about a confirm rule that was not answered before, and sends only on yes", async () => {
    const yes = run({ head: PLAIN, to: "hr@payroll.example" }, { route: { outgoing: smtp(0, 25), savesSentCopy: false }, answer: "send" });
    assert.deepEqual(await yes.verdict, { allow: true });
    assert.equal(yes.prompts.length, 1);
    assert.equal(yes.prompts[0]?.kind, "confirm");
    const no = run({ head: PLAIN, to: "hr@payroll.example" }, { route: { outgoing: smtp(0, 25), savesSentCopy: false }, answer: "cancel" });
    assert.equal((await no.verdict).allow, false);
  });

  it("does not ask again about a confirm answered in the compose window a moment ago", async () => {
    const approvals = new Approvals();
    const first = run(
      { head: PLAIN, to: "hr@payroll.example" },
      { route: { outgoing: smtp(0, 25), savesSentCopy: false }, answer: "send" },
    );
    await first.verdict;
    const decision = first.prompts[0]?.decision as Decision;
    approvals.record(decision, "id1", "Q3");
    const again = run(
      { head: PLAIN, to: "hr@payroll.example", subject: "Q3" },
      { route: { outgoing: smtp(0, 25), savesSentCopy: false }, approvals },
    );
    assert.deepEqual(await again.verdict, { allow: true });
    assert.equal(again.prompts.length, 0);
  });

  // Regression: an answer covered every message to that recipient for five minutes, so another
  // add-on's messages.sendMessage to it went out without the user being asked.
  it("takes an answer for one message only: another message, or the same one again, is asked about", async () => {
    const approvals = new Approvals();
    const first = run(
      { head: PLAIN, to: "hr@payroll.example" },
      { route: { outgoing: smtp(0, 25), savesSentCopy: false }, answer: "send" },
    );
    await first.verdict;
    const decision = first.prompts[0]?.decision as Decision;
    approvals.record(decision, "id1", "Q3");
    assert.equal(approvals.take(decision, "id2", "Q3"), false, "another identity");
    assert.equal(approvals.take(decision, "id1", "Salaries"), false, "another message");
    assert.equal(approvals.take(decision, "id1", "Q3"), true);
    assert.equal(approvals.take(decision, "id1", "Q3"), false, "used up");
    const other = run(
      { head: PLAIN, to: "hr@payroll.example", subject: "Q3" },
      { route: { outgoing: smtp(0, 25), savesSentCopy: false }, approvals, answer: "cancel" },
    );
    assert.equal((await other.verdict).allow, false);
    assert.equal(other.prompts.length, 1);
  });

  it("forgets an approval after its time", () => {
    let now = 0;
    const approvals = new Approvals(1000, () => now);
    const decision = {
      verdict: "confirm",
      findings: [
        {
          code: "submission-not-tls",
          action: "confirm",
          rule: "payroll",
          recipient: { input: "hr@payroll.example", address: "hr@payroll.example", kind: "to" },
        },
      ],
    } as unknown as Decision;
    approvals.record(decision, "id1", "Q3");
    now = 999;
    assert.equal(approvals.take(decision, "id1", "Q3"), true);
    approvals.record(decision, "id1", "Q3");
    now = 2000;
    assert.equal(approvals.take(decision, "id1", "Q3"), false);
  });

  it("fails closed when the server cannot be read, and when the policy cannot be read", async () => {
    const noRoute = await run({ head: PGP_MIME }, { route: new Error("no such identity") }).verdict;
    assert.equal(noRoute.allow, false);
    assert.match(noRoute.message ?? "", /no such identity/);
    const noPolicy = await run({ head: PGP_MIME }, { state: new Error("storage is broken") }).verdict;
    assert.equal(noPolicy.allow, false);
  });

  it("does not get in the way when no policy is configured", async () => {
    assert.deepEqual(await run({ head: PLAIN }, { state: { kind: "none" } }).verdict, { allow: true });
  });
});
