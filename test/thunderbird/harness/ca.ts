// A throwaway certificate authority and a server certificate for localhost/127.0.0.1, made with the
// openssl CLI, so the local SMTP servers speak TLS that a test profile's Thunderbird verifies.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TestCa {
  readonly dir: string;
  /** The CA certificate that profiles trust. */
  readonly caCertPath: string;
  readonly caCertPem: string;
  /** The server certificate (SAN: DNS localhost, IP 127.0.0.1) and its key, for the TLS servers. */
  readonly certPath: string;
  readonly certPem: string;
  readonly keyPath: string;
  readonly keyPem: string;
  /** The CA's common name: also the nickname under which profiles store it. */
  readonly caName: string;
  /** The CA's private key, for issuing more certificates (issueServerCertificate). */
  readonly caKeyPath: string;
}

export interface ServerCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/** Runs the openssl CLI in `dir`; its standard output. */
export async function openssl(dir: string, args: readonly string[]): Promise<string> {
  try {
    return (await run("openssl", args, { cwd: dir, timeout: 30_000 })).stdout;
  } catch (error) {
    throw new Error(`openssl ${args.join(" ")} failed (is openssl installed? apt-get install openssl)`, { cause: error });
  }
}

/**
 * A self-signed certificate for `names` (the first one is its CN): no CA vouches for it, as for
 * DANE-EE mail servers or a test server a browser is told to trust by its key. Files go into
 * `dir` under `file`.
 */
export async function selfSignedCertificate(
  dir: string,
  names: readonly string[],
  file = names[0] ?? "self-signed",
): Promise<ServerCertificate> {
  const keyPath = join(dir, `${file}-self-key.pem`);
  const certPath = join(dir, `${file}-self.pem`);
  await openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyPath]);
  await openssl(dir, [
    "req",
    "-x509",
    "-new",
    "-key",
    keyPath,
    "-subj",
    `/O=Sealpost tests/CN=${names[0] ?? file}`,
    "-days",
    "30",
    "-sha256",
    "-addext",
    `subjectAltName=${names.map((name) => `DNS:${name}`).join(",")}`,
    "-out",
    certPath,
  ]);
  return { certPem: await readFile(certPath, "utf8"), keyPem: await readFile(keyPath, "utf8") };
}

/** Writes a new CA and a server certificate into `dir` (created if missing). */
export async function createTestCa(dir: string): Promise<TestCa> {
  await mkdir(dir, { recursive: true });
  // A fresh name per CA: NSS identifies certificates by issuer and serial, and a reused name with
  // a different key would look like a forgery to any NSS database that saw an earlier run.
  const caName = `Sealpost Test CA ${randomBytes(4).toString("hex")}`;
  const caKeyPath = join(dir, "ca-key.pem");
  const caCertPath = join(dir, "ca.pem");
  const keyPath = join(dir, "server-key.pem");
  const csrPath = join(dir, "server.csr");
  const certPath = join(dir, "server.pem");
  const extPath = join(dir, "server-ext.cnf");

  await openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", caKeyPath]);
  await openssl(dir, [
    "req",
    "-x509",
    "-new",
    "-key",
    caKeyPath,
    "-subj",
    `/O=Sealpost tests/CN=${caName}`,
    "-days",
    "30",
    "-sha256",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
    "-out",
    caCertPath,
  ]);

  await openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyPath]);
  await openssl(dir, ["req", "-new", "-key", keyPath, "-subj", "/O=Sealpost tests/CN=localhost", "-out", csrPath]);
  await writeFile(
    extPath,
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "",
    ].join("\n"),
  );
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    csrPath,
    "-CA",
    caCertPath,
    "-CAkey",
    caKeyPath,
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

  const [caCertPem, certPem, keyPem] = await Promise.all([
    readFile(caCertPath, "utf8"),
    readFile(certPath, "utf8"),
    readFile(keyPath, "utf8"),
  ]);
  return { dir, caCertPath, caCertPem, certPath, certPem, keyPath, keyPem, caName, caKeyPath };
}

/** A server certificate from `ca` for the DNS names given (the first is also the subject CN). */
export async function issueServerCertificate(ca: TestCa, names: readonly string[]): Promise<ServerCertificate> {
  const base = join(ca.dir, `server-${randomBytes(4).toString("hex")}`);
  await openssl(ca.dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${base}-key.pem`]);
  await openssl(ca.dir, [
    "req",
    "-new",
    "-key",
    `${base}-key.pem`,
    "-subj",
    `/O=Sealpost tests/CN=${names[0] ?? "localhost"}`,
    "-out",
    `${base}.csr`,
  ]);
  await writeFile(
    `${base}-ext.cnf`,
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
    `${base}.csr`,
    "-CA",
    ca.caCertPath,
    "-CAkey",
    ca.caKeyPath,
    "-set_serial",
    `0x${randomBytes(8).toString("hex")}`,
    "-days",
    "30",
    "-sha256",
    "-extfile",
    `${base}-ext.cnf`,
    "-out",
    `${base}.pem`,
  ]);
  const [certPem, keyPem] = await Promise.all([readFile(`${base}.pem`, "utf8"), readFile(`${base}-key.pem`, "utf8")]);
  return { certPem, keyPem };
}
