// Security regressions for OpenPGP, kept forever: each names an attack or a mistake that once
// seemed plausible and shows that Sealpost does not fall for it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import {
  createKeyFinder,
  encryptedTo,
  importedKeysSource,
  type KeyInfo,
  readPublicKeys,
  sealMessage,
  wkdSource,
  wkdUrls,
} from "@sealpost/core/openpgp";
import { attachmentPart, bodyPart } from "../../packages/outlook/src/launch/sealed-content.js";
import { compilePolicy } from "../core/fixtures.js";
import { IMPOSTOR, LOOKALIKE, MALLORY, PAY } from "./fixtures.js";
import { startWkdServer, type WkdServer } from "./wkd-server.js";

const RULES = [{ id: "banks", domains: ["bank.example"], require: { encryption: ["openpgp"] }, action: "block" }];
const PDF = new Uint8Array(readFileSync(fileURLToPath(new URL("../fixtures/outlook/payment.pdf", import.meta.url))));

let server: WkdServer;
before(async () => {
  server = await startWkdServer();
});
after(async () => {
  await server?.close();
});

async function keyOf(armored: string): Promise<KeyInfo> {
  const [read] = await readPublicKeys(armored);
  if (read?.ok !== true) assert.fail("fixture key refused");
  return read.key;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

describe("security regressions: keys", () => {
  it("a key whose user ID is another address is not used for the bank, wherever it comes from", async () => {
    server.serve(wkdUrls("pay@bank.example").advanced, MALLORY.armored);
    const store = { list: () => Promise.resolve([MALLORY.armored]) };
    const [lookup] = await createKeyFinder({
      policy: null,
      sources: [wkdSource({ fetch: server.fetchFor() }), importedKeysSource(store)],
    }).find(["pay@bank.example"]);
    if (lookup?.status !== "refused") assert.fail(`the stranger's key was not refused: ${lookup?.status ?? "no answer"}`);
    assert.equal(lookup.problem.code, "not-for-address");
    assert.match(lookup.problem.message, new RegExp(`${MALLORY.fingerprint}.*pay@bank\\.example`));
    server.clear();
  });

  it("a user ID that shows the bank's address as its display name is the attacker's address, not the bank's", async () => {
    const key = await keyOf(LOOKALIKE.armored);
    assert.deepEqual(key.addresses, ["m@evil.example"]);
    const store = { list: () => Promise.resolve([LOOKALIKE.armored]) };
    const [lookup] = await createKeyFinder({ policy: null, sources: [importedKeysSource(store)] }).find(["pay@bank.example"]);
    assert.equal(lookup?.status, "missing");
  });

  it("a pinned fingerprint with a different key served by WKD is refused, naming both fingerprints", async () => {
    server.serve(wkdUrls("pay@bank.example").advanced, IMPOSTOR.armored);
    const policy = compilePolicy({ version: 1, rules: RULES, keys: { "pay@bank.example": PAY.fingerprint } });
    const [lookup] = await createKeyFinder({ policy, sources: [wkdSource({ fetch: server.fetchFor() })] }).find(["pay@bank.example"]);
    if (lookup?.status !== "refused") assert.fail(`the served key was not refused: ${lookup?.status ?? "no answer"}`);
    assert.equal(lookup.problem.code, "pin-mismatch");
    assert.equal(lookup.source, "wkd");
    assert.equal(lookup.key?.fingerprint, IMPOSTOR.fingerprint);
    assert.match(lookup.problem.message, new RegExp(IMPOSTOR.fingerprint));
    assert.match(lookup.problem.message, new RegExp(PAY.fingerprint));
    server.clear();
  });

  it("a pinned fingerprint is not satisfied by a key that merely claims the address", async () => {
    const policy = compilePolicy({ version: 1, rules: RULES, keys: { "pay@bank.example": PAY.fingerprint } });
    const store = { list: () => Promise.resolve([IMPOSTOR.armored]) };
    const [lookup] = await createKeyFinder({ policy, sources: [importedKeysSource(store)] }).find(["pay@bank.example"]);
    assert.equal(lookup?.status === "refused" && lookup.problem.code, "pin-mismatch");
  });
});

describe("security regressions: sealed content", () => {
  it("an attachment left in plaintext beside a sealed body is detected by encryptedTo and by the Outlook send check", async () => {
    const sealed = await sealMessage({
      subject: "s",
      body: { type: "text", content: "see attachment" },
      attachments: [],
      keys: [await keyOf(PAY.armored)],
    });
    assert.ok(encryptedTo(sealed.body).length > 0);
    assert.ok(bodyPart(sealed.body).verdict.ok, "the send check refuses the sealed body itself");
    assert.throws(() => encryptedTo(PDF), /not an encrypted OpenPGP message/);
    const verdict = attachmentPart(
      { id: "1", name: "payment.pdf", attachmentType: "file", size: PDF.length, isInline: false },
      { format: "base64", content: base64(PDF) },
    ).verdict;
    assert.equal(verdict.ok, false);
    assert.equal(verdict.ok ? "" : verdict.note.key, "seal.not-encrypted");
  });

  it("readable bytes appended after a sealed attachment's encrypted data are detected", async () => {
    const sealed = await sealMessage({
      subject: "s",
      body: { type: "text", content: "x" },
      attachments: [{ name: "a.pdf", contentType: "application/pdf", content: PDF }],
      keys: [await keyOf(PAY.armored)],
    });
    const content = sealed.attachments[0]?.content ?? new Uint8Array();
    // A literal data packet (tag 11, new format) carrying readable text, after the encrypted data.
    const literal = new TextEncoder().encode("b\x00\x00\x00\x00\x00IBAN DE02120300000000202051");
    const tail = new Uint8Array([0xcb, literal.length, ...literal]);
    assert.throws(() => encryptedTo(new Uint8Array([...content, ...tail])), /trailing-data/);
  });

  it("an armored body with readable text beside the block is not taken as sealed", async () => {
    const sealed = await sealMessage({
      subject: "s",
      body: { type: "text", content: "x" },
      attachments: [],
      keys: [await keyOf(PAY.armored)],
    });
    assert.throws(() => encryptedTo(`${sealed.body}\n\nIBAN DE02 1203 0000 0000 2020 51`), /readable text outside/);
  });
});
