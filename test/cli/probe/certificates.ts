// Server certificates for the probe's tests, made with the openssl CLI: ones issued by the
// throwaway test CA for given names, and self-signed ones (what DANE-EE domains often use).
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openssl, type TestCa } from "../../thunderbird/harness/ca.js";

export interface ServerCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A certificate from the test CA whose subjectAltName lists `names`. */
export async function issueServerCertificate(ca: TestCa, label: string, names: readonly string[]): Promise<ServerCertificate> {
  const keyPath = join(ca.dir, `${label}-key.pem`);
  const csrPath = join(ca.dir, `${label}.csr`);
  const certPath = join(ca.dir, `${label}.pem`);
  const extPath = join(ca.dir, `${label}-ext.cnf`);
  await openssl(ca.dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyPath]);
  await openssl(ca.dir, ["req", "-new", "-key", keyPath, "-subj", `/O=Sealpost tests/CN=${names[0] ?? label}`, "-out", csrPath]);
  await writeFile(
    extPath,
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth",
      `subjectAltName=${names.map((name) => `DNS:${name}`).join(",")}`,
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
  return { certPem: await readFile(certPath, "utf8"), keyPem: await readFile(keyPath, "utf8") };
}

/** A self-signed certificate for `name`: no CA vouches for it. */
export async function selfSignedCertificate(dir: string, name: string): Promise<ServerCertificate> {
  const keyPath = join(dir, `${name}-self-key.pem`);
  const certPath = join(dir, `${name}-self.pem`);
  await openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyPath]);
  await openssl(dir, [
    "req",
    "-x509",
    "-new",
    "-key",
    keyPath,
    "-subj",
    `/CN=${name}`,
    "-days",
    "30",
    "-sha256",
    "-addext",
    `subjectAltName=DNS:${name}`,
    "-out",
    certPath,
  ]);
  return { certPem: await readFile(certPath, "utf8"), keyPem: await readFile(keyPath, "utf8") };
}
