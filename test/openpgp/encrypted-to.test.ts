// encryptedTo on real GnuPG output (test/fixtures/outlook): the key ids the PKESK packets name,
// read without decrypting, and a clear error for anything that is not an encrypted message.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { encryptedTo } from "@sealpost/core/openpgp";
import { readFixture } from "./fixtures.js";

const bytes = (name: string) => new Uint8Array(readFileSync(fileURLToPath(new URL(`../fixtures/outlook/${name}`, import.meta.url))));
const subkeys = (name: string) =>
  readFixture(`outlook/key-${name}.fingerprints`)
    .trim()
    .split("\n")
    .slice(1)
    .map((fingerprint) => fingerprint.slice(-16));
const PAY_SUBKEY = subkeys("pay")[0];
const AUDIT_FIRST_SUBKEY = subkeys("audit")[0];

describe("encryptedTo", () => {
  it("names the encryption subkey of an armored body GnuPG sealed to one key", () => {
    assert.deepEqual(encryptedTo(readFixture("outlook/sealed-bank.asc")), [PAY_SUBKEY]);
  });

  it("names every recipient's subkey, in packet order", () => {
    assert.deepEqual(encryptedTo(readFixture("outlook/sealed-bank-auditor.asc")), [PAY_SUBKEY, AUDIT_FIRST_SUBKEY]);
  });

  it("reads a binary attachment, and an armored one given as bytes", () => {
    assert.deepEqual(encryptedTo(bytes("attachment-bank.pdf.pgp")), [PAY_SUBKEY]);
    assert.deepEqual(encryptedTo(bytes("attachment-bank.pdf.asc")), [PAY_SUBKEY]);
  });

  it("names the subkey of a v6 PKESK (RFC 9580) by its key id", () => {
    const v6 = readFixture("outlook/key-p.fingerprints").trim().split("\n")[1]?.slice(0, 16);
    assert.deepEqual(encryptedTo(bytes("attachment-partner.pdf.pgp")), [v6]);
  });

  const refusals = [
    ["a plain PDF", () => bytes("payment.pdf"), /not OpenPGP data/],
    ["a stored (literal) message", () => readFixture("outlook/stored-plaintext.asc"), /not-encrypted/],
    ["a signed-only message", () => readFixture("outlook/signed-only.asc"), /not-encrypted/],
    ["a passphrase-only message", () => readFixture("outlook/symmetric-only.asc"), /no-recipient-keys/],
    ["a public key block", () => readFixture("outlook/key-pay.asc"), /PGP PUBLIC KEY BLOCK/],
    ["plain text", () => "Dear bank, the IBAN is DE02 1203 0000 0000 2020 51", /no armored OpenPGP block/],
  ] as const;
  for (const [what, data, reason] of refusals) {
    it(`throws for ${what}, saying why`, () => {
      assert.throws(
        () => encryptedTo(data()),
        (error: unknown) => error instanceof Error && /not an encrypted OpenPGP message/.test(error.message) && reason.test(error.message),
      );
    });
  }
});
