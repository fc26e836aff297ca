// Self-signed server certificates for the probe's tests (what DANE-EE domains often use), made
// with the openssl CLI; certificates from the test CA come from the harness's issueServerCertificate.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { openssl, type ServerCertificate } from "../../thunderbird/harness/ca.js";

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
