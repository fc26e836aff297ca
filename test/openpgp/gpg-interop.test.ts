// Interop with real implementations: keys GnuPG makes are read (or refused) as GnuPG sees them,
// and what sealMessage produces, GnuPG and RNP decrypt back to the original bytes.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { convert } from "html-to-text";
import { encryptedTo, type KeyInfo, readPublicKeys, sealMessage } from "@sealpost/core/openpgp";
import { type GpgKeys, gpgKeyIds, makeGpgKeys } from "./gpg-keys.js";
import { createRnp, type Rnp } from "./tools.js";

let keys: GpgKeys;

async function usable(armored: string): Promise<KeyInfo> {
  const [read, ...rest] = await readPublicKeys(armored);
  assert.equal(rest.length, 0);
  if (read?.ok !== true) assert.fail(`the key was refused: ${read?.problem.message ?? "nothing read"}`);
  return read.key;
}

before(async () => {
  keys = await makeGpgKeys();
});

after(async () => {
  await keys?.gpg.remove();
});

describe("keys GnuPG makes", () => {
  it("imports an RSA 3072 key with GnuPG's fingerprint, key ids, encryption subkey, creation time and user ID", async () => {
    const key = await usable(keys.rsa.publicKey);
    const seen = await gpgKeyIds(keys.gpg, keys.rsa.fingerprint);
    assert.equal(key.fingerprint, keys.rsa.fingerprint);
    assert.equal(key.algorithm, "RSA 3072");
    assert.deepEqual(key.keyIds, seen.all);
    assert.deepEqual(key.encryptionKeyIds, seen.encryption);
    assert.equal(key.created.getTime() / 1000, seen.created);
    assert.equal(key.expires, null);
    assert.deepEqual(key.userIds, ["rita <rita@bank.example>"]);
    assert.deepEqual(key.addresses, ["rita@bank.example"]);
  });

  it("imports a Curve25519 (future-default) key", async () => {
    const key = await usable(keys.curve.publicKey);
    const seen = await gpgKeyIds(keys.gpg, keys.curve.fingerprint);
    assert.equal(key.fingerprint, keys.curve.fingerprint);
    assert.equal(key.algorithm, "Curve25519");
    assert.deepEqual(key.encryptionKeyIds, seen.encryption);
  });

  it("imports GnuPG's binary export as well as its armor", async () => {
    const binary = new Uint8Array(await keys.gpg.run(["--export", keys.curve.fingerprint]));
    const [read] = await readPublicKeys(binary);
    assert.equal(read?.ok && read.key.fingerprint, keys.curve.fingerprint);
  });

  it("reads several keys from one input, each on its own", async () => {
    const reads = await readPublicKeys(`${keys.rsa.publicKey}\n${keys.expired.publicKey}\n${keys.curve.publicKey}`);
    assert.deepEqual(
      reads.map((read) => (read.ok ? read.key.fingerprint : read.problem.code)),
      [keys.rsa.fingerprint, "expired", keys.curve.fingerprint],
    );
  });

  const refusals = [
    ["expired", "expired", "expired"],
    ["setExpired", "expired", "expired"],
    ["revoked", "revoked", "revoked"],
    ["weak", "weak", "RSA 1024"],
    ["weakSubkey", "weak", "RSA 1024"],
    ["signOnly", "no-encryption-key", "encryption"],
  ] as const;
  for (const [which, code, says] of refusals) {
    it(`refuses the ${which} key as ${code}, naming its fingerprint and why`, async () => {
      const made = keys[which];
      const [read] = await readPublicKeys(made.publicKey);
      if (read === undefined || read.ok) assert.fail(`the ${which} key was accepted`);
      assert.equal(read.problem.code, code);
      assert.equal(read.fingerprint, made.fingerprint);
      assert.match(read.problem.message, new RegExp(made.fingerprint));
      assert.match(read.problem.message, new RegExp(says));
    });
  }

  it("refuses a secret key rather than keeping it", async () => {
    const [read] = await readPublicKeys(keys.curve.secretKey);
    assert.equal(read?.ok, false);
    assert.equal(read?.ok === false && read.problem.code, "unreadable");
    assert.match(read?.ok === false ? read.problem.message : "", /secret key/);
  });
});

describe("what sealMessage produces, GnuPG and RNP decrypt", () => {
  const body = "Zahlungsfreigabe für März\r\nIBAN DE02 1203 0000 0000 2020 51 — 12.500,00 €\r\n\r\nGrüße\r\n";
  const binary = new Uint8Array(randomBytes(200_000));
  binary.set([0x00, 0x0d, 0x0a, 0x1a, 0xff], 0);
  const text = new TextEncoder().encode("line one\nline two\r\nno newline at the end");
  let sealed: Awaited<ReturnType<typeof sealMessage>>;
  let rnpRita: Rnp;
  let rnpCarl: Rnp;

  before(async () => {
    sealed = await sealMessage({
      subject: "Payment release",
      body: { type: "text", content: body },
      attachments: [
        { name: "statement.bin", contentType: "application/octet-stream", content: binary },
        { name: "notes.txt", contentType: "text/plain", content: text },
      ],
      keys: [await usable(keys.rsa.publicKey), await usable(keys.curve.publicKey)],
    });
    rnpRita = await createRnp([keys.rsa.secretKey]);
    rnpCarl = await createRnp([keys.curve.secretKey]);
  });

  after(async () => {
    await rnpRita?.remove();
    await rnpCarl?.remove();
  });

  const gpgDecrypt = (data: string | Uint8Array) => keys.gpg.run(["--decrypt"], data);

  it("gpg --decrypt gives back the body byte for byte", async () => {
    assert.deepEqual(await gpgDecrypt(sealed.body), Buffer.from(body, "utf8"));
  });

  it("rnp --decrypt gives back the body byte for byte, with either recipient's key alone", async () => {
    assert.deepEqual(await rnpRita.decrypt(sealed.body), Buffer.from(body, "utf8"));
    assert.deepEqual(await rnpCarl.decrypt(sealed.body), Buffer.from(body, "utf8"));
  });

  it("names each attachment NAME.pgp, application/octet-stream, and both tools give back its bytes", async () => {
    assert.deepEqual(
      sealed.attachments.map(({ name, contentType }) => [name, contentType]),
      [
        ["statement.bin.pgp", "application/octet-stream"],
        ["notes.txt.pgp", "application/octet-stream"],
      ],
    );
    const [statement, notes] = sealed.attachments;
    assert.ok(statement !== undefined && notes !== undefined);
    assert.deepEqual(new Uint8Array(await gpgDecrypt(statement.content)), binary);
    assert.deepEqual(new Uint8Array(await rnpRita.decrypt(statement.content)), binary);
    assert.deepEqual(new Uint8Array(await rnpCarl.decrypt(statement.content)), binary);
    assert.deepEqual(new Uint8Array(await gpgDecrypt(notes.content)), text);
    assert.deepEqual(new Uint8Array(await rnpCarl.decrypt(notes.content)), text);
  });

  it("keeps the attachment's name in the literal packet, where GnuPG finds it", async () => {
    const packets = (await keys.gpg.run(["--list-packets"], sealed.attachments[0]?.content)).toString("utf8");
    assert.match(packets, /name="statement\.bin"/);
  });

  it("encrypts every part to the encryption subkey of each key, as gpg --list-packets and encryptedTo both report", async () => {
    const expected = [
      ...(await gpgKeyIds(keys.gpg, keys.rsa.fingerprint)).encryption,
      ...(await gpgKeyIds(keys.gpg, keys.curve.fingerprint)).encryption,
    ];
    for (const part of [sealed.body, ...sealed.attachments.map((attachment) => attachment.content)]) {
      const listed = (await keys.gpg.run(["--list-packets"], part)).toString("utf8");
      const ids = [...listed.matchAll(/:pubkey enc packet: version 3, algo \d+, keyid ([0-9A-F]{16})/g)].map((match) => match[1]);
      assert.deepEqual([...ids].sort(), [...expected].sort());
      assert.deepEqual([...encryptedTo(part)].sort(), [...expected].sort());
    }
  });

  it("moves a protected subject into the encrypted body as a legacy display line", async () => {
    const protectedSeal = await sealMessage({
      subject: "Q3 acquisition: Müller GmbH",
      body: { type: "text", content: body },
      attachments: [],
      keys: [await usable(keys.curve.publicKey)],
      protectSubject: { neutralSubject: "..." },
    });
    assert.equal(protectedSeal.subject, "...");
    assert.doesNotMatch(protectedSeal.body, /Müller|acquisition/);
    const plain = (await rnpCarl.decrypt(protectedSeal.body)).toString("utf8");
    assert.equal(plain, `Subject: Q3 acquisition: Müller GmbH\r\n\r\n${body}`);
  });

  it("seals an HTML body as the text htmlToText renders, which inline-PGP readers show as text", async () => {
    const html = `<html><body><p>Dear <b>bank</b>,</p><p>please release <a href="https://pay.example/1">payment 1</a>.</p><img src="cid:logo"></body></html>`;
    const htmlToText = (markup: string) => convert(markup, { wordwrap: false, selectors: [{ selector: "img", format: "skip" }] });
    const htmlSeal = await sealMessage({
      subject: "s",
      body: { type: "html", content: html },
      htmlToText,
      attachments: [],
      keys: [await usable(keys.rsa.publicKey)],
    });
    const plain = (await gpgDecrypt(htmlSeal.body)).toString("utf8");
    assert.doesNotMatch(plain, /<b>|<p>|<img/);
    assert.match(plain, /Dear bank,/);
    assert.match(plain, /payment 1 \[https:\/\/pay\.example\/1\]/);
  });

  it("refuses an HTML body without htmlToText rather than sealing markup", async () => {
    const input = {
      subject: "s",
      body: { type: "html", content: "<p>x</p>" },
      attachments: [],
      keys: [await usable(keys.rsa.publicKey)],
    } as const;
    await assert.rejects(sealMessage(input), /htmlToText/);
  });
});
