// Keys GnuPG makes for one test run, one of each kind Sealpost must accept or refuse: RSA 3072,
// Curve25519 (future-default), expired, revoked, RSA 1024, a strong key with a weak encryption
// subkey, and a signing-only key.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { createGpg, type Gpg } from "./tools.js";

export interface MadeKey {
  readonly email: string;
  readonly fingerprint: string;
  readonly publicKey: string;
  readonly secretKey: string;
}

export interface GpgKeys {
  readonly gpg: Gpg;
  readonly rsa: MadeKey;
  readonly curve: MadeKey;
  readonly expired: MadeKey;
  /** Made valid, then given a one-second lifetime with gpg --quick-set-expire, and left to run out. */
  readonly setExpired: MadeKey;
  readonly revoked: MadeKey;
  readonly weak: MadeKey;
  readonly weakSubkey: MadeKey;
  readonly signOnly: MadeKey;
}

export async function makeGpgKeys(): Promise<GpgKeys> {
  const gpg = await createGpg();
  try {
    const made = async (email: string, fingerprint: string): Promise<MadeKey> => ({
      email,
      fingerprint,
      publicKey: await gpg.exportPublic(fingerprint),
      secretKey: await gpg.exportSecret(fingerprint),
    });
    const key = async (name: string, algo: string, usage = "default", expire = "never", extra: readonly string[] = []) => {
      const email = `${name}@bank.example`;
      return made(email, await gpg.generate(`${name} <${email}>`, algo, usage, expire, extra));
    };
    // GnuPG gives an RSA key made this way no encryption subkey: it is added, as "default" would.
    const rsaPrimary = await key("rita", "rsa3072", "cert,sign");
    await gpg.run(["--quick-add-key", rsaPrimary.fingerprint, "rsa3072", "encr", "never"]);
    const rsa = await made(rsaPrimary.email, rsaPrimary.fingerprint);
    const curve = await key("carl", "future-default");
    // Made in 2020, valid for a day: expired by GnuPG's own reckoning, not by a test clock.
    const expired = await key("old", "future-default", "default", "1d", ["--faked-system-time", "20200101T000000!"]);

    const shortLived = await key("brief", "future-default");
    await gpg.run(["--quick-set-expire", shortLived.fingerprint, "seconds=1"]);
    const setExpiredAt = Date.now();

    const revokedFingerprint = await gpg.generate("Rev <rev@bank.example>", "future-default", "default", "never");
    // GnuPG writes a revocation certificate with every new key; its BEGIN line is prefixed by ":"
    // so that it cannot be imported by mistake, and removing that is the documented way to use it.
    const revocation = await readFile(join(gpg.home, "openpgp-revocs.d", `${revokedFingerprint}.rev`), "utf8");
    await gpg.run(["--import"], revocation.replace(":-----BEGIN PGP PUBLIC KEY BLOCK-----", "-----BEGIN PGP PUBLIC KEY BLOCK-----"));
    const revoked = await made("rev@bank.example", revokedFingerprint);

    const weak = await key("weak", "rsa1024", "cert,sign");
    await gpg.run(["--quick-add-key", weak.fingerprint, "rsa1024", "encr", "never"]);
    const weakSubkey = await key("half", "rsa3072", "cert,sign");
    await gpg.run(["--quick-add-key", weakSubkey.fingerprint, "rsa1024", "encr", "never"]);
    const signOnly = await key("signer", "ed25519", "sign");
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 2100 - (Date.now() - setExpiredAt))));
    return {
      gpg,
      rsa,
      curve,
      expired,
      setExpired: await made(shortLived.email, shortLived.fingerprint),
      revoked,
      weak: await made(weak.email, weak.fingerprint),
      weakSubkey: await made(weakSubkey.email, weakSubkey.fingerprint),
      signOnly,
    };
  } catch (error) {
    await gpg.remove();
    throw error;
  }
}

/** GnuPG's own view of a key: key ids of the primary and each subkey, and which can encrypt. */
export async function gpgKeyIds(gpg: Gpg, fingerprint: string): Promise<{ all: string[]; encryption: string[]; created: number }> {
  const lines = (await gpg.run(["--with-colons", "--list-keys", fingerprint])).toString("utf8").split("\n");
  const records = lines.filter((line) => line.startsWith("pub:") || line.startsWith("sub:")).map((line) => line.split(":"));
  return {
    all: records.map((fields) => fields[4] ?? ""),
    // Field 12 holds the capabilities; a lower-case "e" means this (sub)key itself can encrypt.
    encryption: records
      .filter((fields) => (fields[11] ?? "").includes("e") && fields[1] !== "e" && fields[1] !== "r")
      .map((fields) => fields[4] ?? ""),
    created: Number(records[0]?.[5] ?? 0),
  };
}

/** The revocation certificates directory, for tests that check GnuPG left one. */
export async function revocationFiles(gpg: Gpg): Promise<string[]> {
  return readdir(join(gpg.home, "openpgp-revocs.d"));
}
