// S/MIME certificates for end-to-end tests, issued by the test CA with the openssl CLI: one per
// address, with the e-mail protection usage Thunderbird requires, as a PEM pair and a PKCS #12
// bundle (no password) that pk12util imports into a profile's NSS database.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openssl, type TestCa } from "./ca.js";

export interface SmimeCertificate {
  readonly email: string;
  /** The nickname under which a profile stores it; also the identity pref's certificate name. */
  readonly nickname: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** Certificate, key and CA chain, no password. */
  readonly p12Path: string;
}

/** Issues an RSA S/MIME certificate for `email` from the test CA (RSA: what every S/MIME client encrypts to). */
export async function issueSmimeCertificate(ca: TestCa, email: string): Promise<SmimeCertificate> {
  const base = email.replace(/[^a-z0-9]/gi, "_");
  const keyPath = join(ca.dir, `${base}-smime-key.pem`);
  const csrPath = join(ca.dir, `${base}-smime.csr`);
  const certPath = join(ca.dir, `${base}-smime.pem`);
  const extPath = join(ca.dir, `${base}-smime-ext.cnf`);
  const p12Path = join(ca.dir, `${base}-smime.p12`);
  const nickname = `Sealpost S/MIME ${email} ${randomBytes(3).toString("hex")}`;
  await openssl(ca.dir, ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keyPath]);
  await openssl(ca.dir, ["req", "-new", "-key", keyPath, "-subj", `/O=Sealpost tests/CN=${email}/emailAddress=${email}`, "-out", csrPath]);
  await writeFile(
    extPath,
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=emailProtection",
      `subjectAltName=email:${email}`,
      "",
    ].join("\n"),
  );
  await openssl(ca.dir, [
    "x509",
    "-req",
    "-in",
    csrPath,
    "-CA",
    ca.caCertPath,
    "-CAkey",
    join(ca.dir, "ca-key.pem"),
    "-set_serial",
    `0x${randomBytes(8).toString("hex")}`,
    "-days",
    "30",
    "-sha256",
    "-extfile",
    extPath,
    "-out",
    certPath,
  ]);
  await openssl(ca.dir, [
    "pkcs12",
    "-export",
    "-inkey",
    keyPath,
    "-in",
    certPath,
    "-certfile",
    ca.caCertPath,
    "-name",
    nickname,
    "-passout",
    "pass:",
    "-out",
    p12Path,
  ]);
  return { email, nickname, certPath, keyPath, p12Path };
}

/** Decrypts an S/MIME message (the whole raw message) with the recipient's key; returns the inner MIME entity. */
export async function decryptSmime(certificate: SmimeCertificate, raw: string, dir: string): Promise<string> {
  const inPath = join(dir, `smime-in-${randomBytes(4).toString("hex")}.eml`);
  await writeFile(inPath, raw);
  return openssl(dir, ["smime", "-decrypt", "-in", inPath, "-recip", certificate.certPath, "-inkey", certificate.keyPath]);
}
