// readPublicKeys on input that is not a usable key, and on the forms a key may come in.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as openpgp from "openpgp";
import { readPublicKeys } from "@sealpost/core/openpgp";
import { EXPIRED, PAY } from "./fixtures.js";

describe("readPublicKeys", () => {
  it("reads armor handed over as bytes, as a directory serves it", async () => {
    const [read] = await readPublicKeys(new TextEncoder().encode(PAY.armored));
    assert.equal(read?.ok && read.key.fingerprint, PAY.fingerprint);
  });

  it("reports expiry as a date, and refuses the key once it has passed", async () => {
    const [before] = await readPublicKeys(EXPIRED.armored, { now: new Date("2020-01-01T12:00:00Z") });
    assert.equal(before?.ok && before.key.expires?.toISOString(), "2020-01-02T00:00:00.000Z");
    const [now] = await readPublicKeys(EXPIRED.armored);
    assert.equal(now?.ok === false && now.problem.code, "expired");
    assert.match(now?.ok === false ? now.problem.message : "", /expired on 2020-01-02/);
  });

  it("refuses text without a key block, saying what it expected", async () => {
    const [read] = await readPublicKeys("mQINBGV… (a key pasted without its armor lines)");
    assert.equal(read?.ok === false && read.problem.code, "unreadable");
    assert.match(read?.ok === false ? read.problem.message : "", /BEGIN PGP PUBLIC KEY BLOCK/);
  });

  it("refuses a damaged key block, passing on what openpgp.js found", async () => {
    const damaged = PAY.armored.replace(/\n[A-Za-z0-9+/]{20}/, "\n!!!!!!!!!!!!!!!!!!!!");
    const [read] = await readPublicKeys(damaged);
    assert.equal(read?.ok === false && read.problem.code, "unreadable");
    assert.match(read?.ok === false ? read.problem.message : "", /cannot be read: /);
  });

  it("refuses binary data that is not a key", async () => {
    const [read] = await readPublicKeys(new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31]));
    assert.equal(read?.ok === false && read.problem.code, "unreadable");
  });

  it("says why a key whose primary is fine has no encryption subkey: the subkey expired, or is revoked", async () => {
    const created = new Date("2026-01-01T00:00:00Z");
    const { privateKey: expiring } = await openpgp.generateKey({
      userIDs: [{ email: "pay@bank.example" }],
      type: "curve25519",
      date: created,
      subkeys: [{ keyExpirationTime: 86_400 }],
      format: "object",
    });
    const [expired] = await readPublicKeys(expiring.toPublic().armor(), { now: new Date("2026-02-01T00:00:00Z") });
    assert.equal(expired?.ok === false && expired.problem.code, "no-encryption-key");
    const expiredId = expiring.subkeys[0]?.getKeyID().toHex().toUpperCase() ?? "?";
    assert.match(expired?.ok === false ? expired.problem.message : "", new RegExp(`subkey ${expiredId} expired on 2026-01-02`));

    const { privateKey } = await openpgp.generateKey({ userIDs: [{ email: "pay@bank.example" }], type: "curve25519", format: "object" });
    const [subkey] = privateKey.subkeys;
    assert.ok(subkey);
    privateKey.subkeys[0] = await subkey.revoke(privateKey.keyPacket as openpgp.SecretKeyPacket);
    const [revoked] = await readPublicKeys(privateKey.toPublic().armor());
    assert.equal(revoked?.ok === false && revoked.problem.code, "no-encryption-key");
    const revokedId = subkey.getKeyID().toHex().toUpperCase();
    assert.match(revoked?.ok === false ? revoked.problem.message : "", new RegExp(`subkey ${revokedId} is revoked`));
  });
});
