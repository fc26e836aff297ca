// Seal and Unseal against the stateful fake of the compose item: what each changes, that Unseal
// gives back the original exactly, and that a failure at any step leaves the message as it was.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RECORD_KEY, sealItem, unsealItem } from "../../packages/outlook/src/taskpane/seal-flow.js";
import { type ComposeScenario, composeFake } from "../outlook/compose-fake.js";
import { deps, fakeKey, type SealCalls, visible } from "./pane-fakes.js";

const PDF = Buffer.from("%PDF-1.7 figures for the payment run\n").toString("base64");
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 255]).toString("base64");
const SCENARIO: ComposeScenario = {
  to: ["pay@bank.example"],
  subject: "Payment run 42",
  body: { type: "html", content: '<p>Hello,</p><p>the figures: <img src="cid:chart.png"></p>' },
  attachments: [
    { name: "payment.pdf", content: PDF },
    { name: "chart.png", content: PNG, isInline: true, contentId: "chart.png" },
  ],
};
const BANK_KEY = fakeKey("AAAABBBBCCCCDDDDEEEEFFFF0000111122223333", ["pay@bank.example"]);

describe("Seal", () => {
  it("replaces the text with the sealed text and every attachment with its sealed file, and keeps the way back", async () => {
    const fake = composeFake(SCENARIO);
    const calls: SealCalls = { inputs: [] };
    const result = await sealItem(deps(fake, calls), { keys: [BANK_KEY] });
    assert.deepEqual(result, { ok: true, parts: 3 });
    assert.match(fake.state.body.content, /^-----BEGIN PGP MESSAGE-----/);
    assert.equal(fake.state.body.type, "text");
    assert.deepEqual(
      fake.state.attachments.map((attachment) => [attachment.name, attachment.isInline]),
      [
        ["payment.pdf.pgp", false],
        ["chart.png.pgp", false],
      ],
    );
    assert.equal(fake.state.subject, "Payment run 42");
    assert.ok(RECORD_KEY in fake.state.sessionData);
    assert.ok(!fake.state.sessionData[RECORD_KEY]?.includes("figures"), "the way back keeps no readable text");
  });

  it("keeps in the record whom the message was sealed to, for the send check", async () => {
    const fake = composeFake(SCENARIO);
    const recipient = {
      address: "pay@bank.example",
      fingerprint: BANK_KEY.fingerprint,
      encryptionKeyIds: BANK_KEY.encryptionKeyIds,
      source: "wkd",
    };
    await sealItem(deps(fake), { keys: [BANK_KEY], recipients: [recipient] });
    const record = JSON.parse(fake.state.sessionData[RECORD_KEY] ?? "{}") as { recipients?: unknown };
    assert.deepEqual(record.recipients, [recipient]);
  });

  it("encrypts to the recipients' keys and the restore key, with the original text and bytes", async () => {
    const fake = composeFake(SCENARIO);
    const calls: SealCalls = { inputs: [] };
    await sealItem(deps(fake, calls), { keys: [BANK_KEY] });
    const input = calls.inputs[0];
    assert.ok(input !== undefined);
    assert.deepEqual(
      input.keys.map((key) => key.fingerprint),
      [BANK_KEY.fingerprint, "RESTORE0000000000000000000000000000000000"],
    );
    assert.deepEqual(input.body, { type: "text", content: "Hello,\nthe figures:" });
    assert.deepEqual(Buffer.from(input.attachments[0]?.content ?? []).toString("base64"), PDF);
    assert.equal(input.attachments[0]?.contentType, "application/pdf");
  });

  it("replaces the subject with the neutral one when a rule protects it", async () => {
    const fake = composeFake(SCENARIO);
    const result = await sealItem(deps(fake), { keys: [BANK_KEY], neutralSubject: "Encrypted message" });
    assert.equal(result.ok, true);
    assert.equal(fake.state.subject, "Encrypted message");
  });

  it("refuses a message that is already sealed, and changes nothing", async () => {
    const fake = composeFake(SCENARIO);
    await sealItem(deps(fake), { keys: [BANK_KEY] });
    const sealed = fake.snapshot();
    const again = await sealItem(deps(fake), { keys: [BANK_KEY] });
    assert.deepEqual(again, { ok: false, problem: { code: "already-sealed" } });
    assert.deepEqual(fake.snapshot(), sealed);
  });

  it("refuses an attached item or link, naming it, before anything changes", async () => {
    const fake = composeFake({ ...SCENARIO, attachments: [{ name: "Minutes", content: "From: x", attachmentType: "item" }] });
    const before = fake.snapshot();
    const result = await sealItem(deps(fake), { keys: [BANK_KEY] });
    assert.deepEqual(result, { ok: false, problem: { code: "not-a-file", name: "Minutes" } });
    assert.deepEqual(fake.snapshot(), before);
  });

  it("refuses a text that would be over Outlook's 1,000,000 characters once sealed, before anything changes", async () => {
    const fake = composeFake({ ...SCENARIO, body: { type: "text", content: "x".repeat(800_000) } });
    const before = fake.snapshot();
    const result = await sealItem(deps(fake), { keys: [BANK_KEY] });
    assert.equal(result.ok ? "" : result.problem.code, "too-big");
    assert.deepEqual(fake.snapshot(), before);
  });

  it("refuses an attachment whose sealed name would be over Outlook's 255 characters, before anything changes", async () => {
    const fake = composeFake({ ...SCENARIO, attachments: [{ name: `${"n".repeat(250)}.pdf`, content: PDF }] });
    const before = fake.snapshot();
    const result = await sealItem(deps(fake), { keys: [BANK_KEY] });
    assert.equal(result.ok ? "" : result.problem.code, "too-big");
    assert.deepEqual(fake.snapshot(), before);
  });

  it("refuses an attachment that would be over Outlook's 25 MB once sealed, before anything changes", async () => {
    // One byte more than 25 MB's base64 allows once the fake sealer adds its one byte.
    const big = Buffer.alloc(26_148_864 - 1 + 2, 7).toString("base64");
    const fake = composeFake({ ...SCENARIO, attachments: [{ name: "big.bin", content: big }] });
    const before = fake.snapshot();
    const result = await sealItem(deps(fake), { keys: [BANK_KEY] });
    assert.deepEqual(result, { ok: false, problem: { code: "too-big", part: "big.bin.pgp", limit: "25 MB" } });
    assert.deepEqual(fake.snapshot(), before);
  });

  it("refuses to seal when the way back would not fit in sessionData, and says how big it is", async () => {
    // Random text does not compress: 40,000 bytes become more than 50,000 base64 characters.
    const noise = Array.from({ length: 40_000 }, (_, i) => String.fromCharCode((33 + ((i * 7919) % 89)) ^ (i % 7))).join("");
    const fake = composeFake({ ...SCENARIO, body: { type: "text", content: noise } });
    const before = fake.snapshot();
    const result = await sealItem(deps(fake), { keys: [BANK_KEY] });
    assert.equal(result.ok ? "" : result.problem.code, "record-too-big");
    assert.deepEqual(fake.snapshot(), before);
  });
});

describe("a seal that fails half-way leaves the original intact", () => {
  const points: [string, number][] = [
    ["getAttachmentContentAsync", 2],
    ["sessionData.setAsync", 1],
    ["addFileAttachmentFromBase64Async", 1],
    ["addFileAttachmentFromBase64Async", 2],
    ["body.setAsync", 1],
    ["subject.setAsync", 1],
    ["removeAttachmentAsync", 1],
    ["removeAttachmentAsync", 2],
  ];
  for (const [method, call] of points) {
    it(`when ${method} fails (call ${String(call)})`, async () => {
      const fake = composeFake({ ...SCENARIO, failures: { [method]: [call] } });
      const before = fake.snapshot();
      const result = await sealItem(deps(fake), { keys: [BANK_KEY], neutralSubject: "Encrypted message" });
      assert.equal(result.ok, false);
      assert.ok(!result.ok && result.problem.code === "failed", JSON.stringify(result));
      assert.ok(!result.ok && result.problem.code === "failed" && result.problem.rollback.length === 0, JSON.stringify(result));
      assert.deepEqual(visible(fake.snapshot()), visible(before));
      assert.deepEqual(fake.state.sessionData, {});
      assert.ok(fake.calls.includes(method));
    });
  }
});

describe("Unseal", () => {
  it("puts back the original exactly: subject, text and its format, attachments with names, content and inline-ness, in order", async () => {
    const fake = composeFake(SCENARIO);
    const before = fake.snapshot();
    await sealItem(deps(fake), { keys: [BANK_KEY], neutralSubject: "Encrypted message" });
    const result = await unsealItem(deps(fake));
    assert.deepEqual(result, { ok: true, parts: 3 });
    const after = fake.snapshot();
    assert.equal(after.subject, before.subject);
    assert.deepEqual(after.body, before.body);
    assert.deepEqual(
      after.attachments.map(({ name, isInline, contentId, content }) => ({ name, isInline, contentId, content })),
      before.attachments.map(({ name, isInline, contentId, content }) => ({ name, isInline, contentId, content })),
    );
    assert.deepEqual(after.sessionData, {});
  });

  it("moves the body's link to an inline image whose content id Outlook does not give back (a pasted image001.png@…)", async () => {
    const pasted: ComposeScenario = {
      ...SCENARIO,
      body: {
        type: "html",
        content: '<p>the figures: <img src="cid:image001.png@01DA4F2E.9C1B3A20"> and <img src="cid:image001.png@01DA4F2E.9C1B3A201"></p>',
      },
      attachments: [
        { name: "chart.png", content: PNG, isInline: true, contentId: "image001.png@01DA4F2E.9C1B3A20" },
        { name: "other.png", content: PNG, isInline: true, contentId: "image001.png@01DA4F2E.9C1B3A201" },
      ],
    };
    const fake = composeFake(pasted);
    await sealItem(deps(fake), { keys: [BANK_KEY] });
    assert.deepEqual(await unsealItem(deps(fake)), { ok: true, parts: 3 });
    assert.equal(fake.state.body.type, "html");
    assert.equal(fake.state.body.content, '<p>the figures: <img src="cid:chart.png"> and <img src="cid:other.png"></p>');
    assert.deepEqual(
      fake.state.attachments.map(({ name, isInline, contentId }) => [name, isInline, contentId]),
      [
        ["chart.png", true, "chart.png"],
        ["other.png", true, "other.png"],
      ],
    );

    // A seal that fails after removing an original puts it back and links the body to it too.
    const failing = composeFake({ ...pasted, failures: { removeAttachmentAsync: [2] } });
    const result = await sealItem(deps(failing), { keys: [BANK_KEY] });
    assert.ok(!result.ok && result.problem.code === "failed" && result.problem.rollback.length === 0, JSON.stringify(result));
    // Only the first was removed: the second keeps its own id, which the link must keep naming.
    assert.equal(
      failing.state.body.content,
      '<p>the figures: <img src="cid:chart.png"> and <img src="cid:image001.png@01DA4F2E.9C1B3A201"></p>',
    );
  });

  it("says there is nothing to unseal on a message Sealpost did not seal", async () => {
    const fake = composeFake(SCENARIO);
    assert.deepEqual(await unsealItem(deps(fake)), { ok: false, problem: { code: "not-sealed" } });
  });

  it("refuses, changing nothing, when a sealed attachment was removed", async () => {
    const fake = composeFake(SCENARIO);
    await sealItem(deps(fake), { keys: [BANK_KEY] });
    fake.state.attachments.splice(0, 1);
    const sealed = fake.snapshot();
    const result = await unsealItem(deps(fake));
    assert.equal(result.ok ? "" : result.problem.code, "changed");
    assert.deepEqual(fake.snapshot(), sealed);
  });

  for (const [method, call] of [
    ["addFileAttachmentFromBase64Async", 2],
    ["body.setAsync", 1],
    ["subject.setAsync", 1],
    ["removeAttachmentAsync", 2],
    ["sessionData.removeAsync", 1],
  ] as const) {
    it(`leaves the sealed message as it was when ${method} fails (call ${String(call)})`, async () => {
      const fake = composeFake(SCENARIO);
      await sealItem(deps(fake), { keys: [BANK_KEY], neutralSubject: "Encrypted message" });
      const sealed = fake.snapshot();
      // Counting starts over: the seal's own calls are behind us.
      const counted = fake.calls.filter((name) => name === method).length;
      const result = await unsealItem(deps(withFailure(fake, method, counted + call)));
      assert.ok(!result.ok && result.problem.code === "failed" && result.problem.rollback.length === 0, JSON.stringify(result));
      assert.deepEqual(visible(fake.snapshot()), visible(sealed));
      assert.deepEqual(fake.state.sessionData, sealed.sessionData);
    });
  }
});

function withFailure(fake: ReturnType<typeof composeFake>, method: string, call: number) {
  fake.failAt(method, call);
  return fake;
}
