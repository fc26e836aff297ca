// Security regression: the pane's key finder asks the recipient's Web Key Directory and
// keys.openpgp.org before the keys the user imported, so a key pasted in from a mail in the
// bank's name does not win over the key the bank's own domain serves.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as openpgp from "openpgp";
import { createKeyFinder, type FetchLike, wkdUrls } from "@sealpost/core/openpgp";
import { paneKeySources } from "../../packages/outlook/src/taskpane/key-sources.js";

const BANK = "pay@bank.example";

async function keyFor(email: string): Promise<{ armored: string; fingerprint: string }> {
  const { publicKey } = await openpgp.generateKey({ userIDs: [{ email }], type: "curve25519", format: "object" });
  return { armored: publicKey.armor(), fingerprint: publicKey.getFingerprint().toUpperCase() };
}

/** Serves `armored` at the bank's advanced WKD URL; every other URL answers 404. */
function wkdServing(armored: string | undefined): FetchLike {
  return (url) => {
    const found = armored !== undefined && url === wkdUrls(BANK).advanced;
    const body = new TextEncoder().encode(found ? armored : "");
    return Promise.resolve({ ok: found, status: found ? 200 : 404, arrayBuffer: () => Promise.resolve(body.buffer) });
  };
}

describe("the pane's key sources", () => {
  it("asks WKD, then keys.openpgp.org, then the imported keys", () => {
    const names = paneKeySources(wkdServing(undefined), { list: () => Promise.resolve([]) }).map((source) => source.name);
    assert.deepEqual(names, ["wkd", "keys.openpgp.org", "imported"]);
    assert.deepEqual(
      paneKeySources(wkdServing(undefined), undefined).map((source) => source.name),
      ["wkd", "keys.openpgp.org"],
    );
  });

  it("uses the key the bank's WKD serves over a key in the bank's name that the user imported", async () => {
    const [banks, pasted] = await Promise.all([keyFor(BANK), keyFor(BANK)]);
    const imported = { list: () => Promise.resolve([pasted.armored]) };
    const [lookup] = await createKeyFinder({ policy: null, sources: paneKeySources(wkdServing(banks.armored), imported) }).find([BANK]);
    assert.equal(lookup?.status === "found" && `${lookup.source} ${lookup.key.fingerprint}`, `wkd ${banks.fingerprint}`);

    // Where no directory has a key, the imported one serves.
    const [fallback] = await createKeyFinder({ policy: null, sources: paneKeySources(wkdServing(undefined), imported) }).find([BANK]);
    assert.equal(fallback?.status === "found" && `${fallback.source} ${fallback.key.fingerprint}`, `imported ${pasted.fingerprint}`);
  });
});
