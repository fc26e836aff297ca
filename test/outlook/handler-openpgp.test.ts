// The send check's OpenPGP reader, held against GnuPG's and OpenPGP.js's own answers: key
// fingerprints and subkeys, the keys a message is encrypted to, packet framing (legacy,
// partial lengths), armor, and the digests behind fingerprints.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import * as openpgp from "openpgp";
import {
  arrayBytes,
  base64Bytes,
  inspectEncryptedMessage,
  readArmor,
  readArmoredKeyNames,
  sha1,
  sha256,
  toHex,
} from "@sealpost/core/openpgp/reader";
import { fingerprints, fixtureBytes, fixtureText } from "./fixture-helpers.js";

const KEYS = ["pay", "audit", "m", "p"] as const;

describe("digests for fingerprints", () => {
  for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
    it(`SHA-1 and SHA-256 agree with node:crypto on ${String(length)} bytes`, () => {
      const data = randomBytes(length);
      assert.equal(toHex(sha1(data)), createHash("sha1").update(data).digest("hex").toUpperCase());
      assert.equal(toHex(sha256(data)), createHash("sha256").update(data).digest("hex").toUpperCase());
    });
  }
});

describe("base64 bytes, decoded on demand", () => {
  it("reads what Buffer reads, for every length modulo 3", () => {
    for (const length of [0, 1, 2, 3, 4, 5, 100, 1001]) {
      const data = randomBytes(length);
      const source = base64Bytes(data.toString("base64").replace(/(.{64})/g, "$1\r\n"));
      assert.ok(source);
      assert.equal(source.length, length);
      assert.deepEqual(Buffer.from(source.slice(0, length)), data);
      if (length > 0) assert.equal(source.byteAt(length - 1), data[length - 1]);
    }
  });

  it("refuses text that is not base64", () => {
    assert.equal(base64Bytes("abc"), undefined);
    assert.equal(base64Bytes("ab=c"), undefined);
    assert.equal(base64Bytes("%PDF"), undefined);
  });
});

describe("public keys", () => {
  for (const who of KEYS) {
    it(`names key-${who}.asc as GnuPG and OpenPGP.js do, subkeys included`, async () => {
      const read = readArmoredKeyNames(fixtureText(`key-${who}.asc`));
      assert.ok(read.ok, read.ok ? "" : read.reason);
      const [key] = read.keys;
      assert.deepEqual([key?.fingerprint, ...(key?.subkeys ?? []).map((subkey) => subkey.fingerprint)], fingerprints(who));
      const reference = await openpgp.readKey({ armoredKey: fixtureText(`key-${who}.asc`) });
      assert.equal(key?.fingerprint, reference.getFingerprint().toUpperCase());
      assert.equal(key?.keyId, reference.getKeyID().toHex().toUpperCase());
      assert.deepEqual(
        key?.subkeys.map((subkey) => subkey.keyId),
        reference.getSubkeys().map((subkey) => subkey.getKeyID().toHex().toUpperCase()),
      );
    });
  }

  it("refuses a block that is not a public key", () => {
    const read = readArmoredKeyNames(fixtureText("sealed-bank.asc"));
    assert.deepEqual(read, { ok: false, reason: "the block is a PGP MESSAGE, not a public key" });
  });

  it("refuses a secret key", async () => {
    const { privateKey } = await openpgp.generateKey({ type: "curve25519", userIDs: [{ email: "x@bank.example" }], format: "armored" });
    const read = readArmoredKeyNames(privateKey.replaceAll("PRIVATE KEY BLOCK", "PUBLIC KEY BLOCK"));
    assert.deepEqual(read, { ok: false, reason: "the block holds a secret key" });
  });
});

describe("encrypted messages", () => {
  const armored = ["sealed-bank.asc", "sealed-bank-auditor.asc", "sealed-other.asc", "sealed-partner.asc", "attachment-bank.pdf.asc"];
  for (const file of armored) {
    it(`names the keys ${file} is encrypted to, as OpenPGP.js does`, async () => {
      const armor = readArmor(fixtureText(file));
      assert.ok(armor.ok);
      const inspected = inspectEncryptedMessage(armor.data);
      assert.ok(inspected.ok);
      const reference = await openpgp.readMessage({ armoredMessage: fixtureText(file) });
      assert.deepEqual(
        inspected.recipients.map((ref) => ref.keyId),
        reference.getEncryptionKeyIDs().map((id) => id.toHex().toUpperCase()),
      );
    });
  }

  const binary = ["attachment-bank.pdf.pgp", "attachment-bank-auditor.pdf.gpg", "attachment-other.pdf.pgp", "attachment-partner.pdf.pgp"];
  for (const file of binary) {
    it(`names the keys ${file} is encrypted to, as OpenPGP.js does`, async () => {
      const inspected = inspectEncryptedMessage(arrayBytes(fixtureBytes(file)));
      assert.ok(inspected.ok);
      const reference = await openpgp.readMessage({ binaryMessage: fixtureBytes(file) });
      assert.deepEqual(
        inspected.recipients.map((ref) => ref.keyId),
        reference.getEncryptionKeyIDs().map((id) => id.toHex().toUpperCase()),
      );
    });
  }

  it("reads the fingerprint a v6 PKESK names", () => {
    const inspected = inspectEncryptedMessage(arrayBytes(fixtureBytes("attachment-partner.pdf.pgp")));
    assert.ok(inspected.ok);
    assert.deepEqual(inspected.recipients, [{ keyId: fingerprints("p")[1]?.slice(0, 16), fingerprint: fingerprints("p")[1] }]);
  });

  it("steps over a large body in partial-length chunks without decoding it", async () => {
    const key = await openpgp.readKey({ armoredKey: fixtureText("key-pay.asc") });
    const message = await openpgp.createMessage({ binary: randomBytes(300_000) });
    // OpenPGP.js's stream types need the DOM's; the tests see Node's, so the result is named here.
    const encrypted = (await openpgp.encrypt({ message, encryptionKeys: key, format: "binary" })) as Uint8Array;
    const source = arrayBytes(encrypted);
    let reads = 0;
    const counting = { ...source, byteAt: (index: number) => (reads++, source.byteAt(index)) };
    const inspected = inspectEncryptedMessage(counting);
    assert.ok(inspected.ok);
    assert.deepEqual(
      inspected.recipients.map((ref) => ref.keyId),
      [fingerprints("pay")[1]?.slice(24)],
    );
    assert.ok(reads < 2_000, `read ${String(reads)} bytes of ${String(encrypted.length)}`);
  });

  it("reads legacy-format packet headers, as GnuPG writes its PKESKs", () => {
    const bytes = fixtureBytes("attachment-bank.pdf.pgp");
    assert.equal((bytes[0] ?? 0) & 0x40, 0, "the fixture starts with a legacy header");
    assert.ok(inspectEncryptedMessage(arrayBytes(bytes)).ok);
  });

  it("reads a legacy indeterminate length to the end, and finds readable data there", () => {
    const bytes = fixtureBytes("attachment-bank.pdf.pgp");
    const pkeskEnd = (bytes[1] ?? 0) + 2;
    // A compressed packet (tag 8) of indeterminate length, as GnuPG writes inside encryption.
    const readable = Buffer.concat([bytes.subarray(0, pkeskEnd), Buffer.from([0x80 | (8 << 2) | 3, 0, 1, 2, 3])]);
    const inspected = inspectEncryptedMessage(arrayBytes(readable));
    assert.deepEqual(inspected.ok ? "ok" : inspected.problem, "not-encrypted");
  });

  it("reports a message cut short as malformed", () => {
    const bytes = fixtureBytes("attachment-bank.pdf.pgp");
    const inspected = inspectEncryptedMessage(arrayBytes(bytes.subarray(0, bytes.length - 10)));
    assert.deepEqual(inspected.ok ? "ok" : inspected.problem, "malformed");
  });

  it("refuses symmetrically encrypted data without integrity protection", () => {
    const bytes = fixtureBytes("attachment-bank.pdf.pgp");
    const pkeskEnd = (bytes[1] ?? 0) + 2;
    const body = bytes.subarray(pkeskEnd + 2);
    const sed = Buffer.concat([bytes.subarray(0, pkeskEnd), Buffer.from([0xc9, body.length]), body]);
    const inspected = inspectEncryptedMessage(arrayBytes(sed));
    assert.deepEqual(inspected.ok ? "ok" : inspected.problem, "no-integrity");
  });

  it("ignores a marker packet and a small padding packet before the encrypted data", () => {
    const bytes = fixtureBytes("attachment-bank.pdf.pgp");
    const marker = Buffer.from([0xca, 3, 0x50, 0x47, 0x50]);
    const padding = Buffer.from([0xd5, 4, 1, 2, 3, 4]);
    assert.ok(inspectEncryptedMessage(arrayBytes(Buffer.concat([marker, padding, bytes]))).ok);
  });

  // Security regression: a padding packet's bytes are arbitrary and travel readable.
  it("refuses any packet after the encrypted data, padding included", () => {
    const bytes = fixtureBytes("attachment-bank.pdf.pgp");
    const secret = Buffer.from("CONFIDENTIAL PLAINTEXT PAYLOAD");
    const padding = Buffer.concat([Buffer.from([0xd5, secret.length]), secret]);
    const inspected = inspectEncryptedMessage(arrayBytes(Buffer.concat([bytes, padding])));
    assert.equal(inspected.ok, false);
    assert.equal(!inspected.ok && inspected.problem, "trailing-data");
  });

  it("refuses a large padding packet before the encrypted data", () => {
    const bytes = fixtureBytes("attachment-bank.pdf.pgp");
    const secret = Buffer.from("The account password is hunter2, and the PIN is 4711.");
    const padding = Buffer.concat([Buffer.from([0xd5, secret.length]), secret]);
    assert.equal(inspectEncryptedMessage(arrayBytes(Buffer.concat([padding, bytes]))).ok, false);
  });
});

describe("armor", () => {
  it("skips short Version and Hash headers and the optional checksum, with any line endings", () => {
    const text = fixtureText("sealed-bank.asc").replace("-----\n\n", "-----\nVersion: GnuPG v2\nHash: SHA256\n\n");
    for (const variant of [text, text.replaceAll("\n", "\r\n"), text.replace(/\n=[A-Za-z0-9+/]{4}\n/, "\n")]) {
      const armor = readArmor(variant);
      assert.ok(armor.ok);
      assert.equal(armor.label, "PGP MESSAGE");
      assert.equal(armor.textOutside, false);
      assert.ok(inspectEncryptedMessage(armor.data).ok);
    }
  });

  // Security regressions: armor headers and lines after the checksum travel readable.
  it("refuses a Comment header, which could carry the message's text", () => {
    const text = fixtureText("sealed-bank.asc").replace("-----\n\n", "-----\nComment: The account password is hunter2\n\n");
    assert.equal(readArmor(text).ok, false);
  });

  it("refuses text between the checksum line and the END line", () => {
    const text = fixtureText("sealed-bank.asc").replace(/\n(=[A-Za-z0-9+/]{4})\n/, "\n$1\nWire 1,000,000 EUR, PIN 4711\n");
    assert.notEqual(text, fixtureText("sealed-bank.asc"));
    assert.equal(readArmor(text).ok, false);
  });

  it("notices text before or after the block, but not whitespace", () => {
    const text = fixtureText("sealed-bank.asc");
    assert.equal((readArmor(`\r\n  \u00a0${text}\r\n\r\n`) as { textOutside: boolean }).textOutside, false);
    assert.equal((readArmor(`Dear bank,\n${text}`) as { textOutside: boolean }).textOutside, true);
    assert.equal((readArmor(`${text}${text}`) as { textOutside: boolean }).textOutside, true);
  });
});
