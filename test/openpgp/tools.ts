// The real OpenPGP implementations the OpenPGP tests check Sealpost against: GnuPG (gpg) and RNP
// (rnp, rnpkeys; Thunderbird's engine), each run in a throwaway home. A missing tool fails the
// test with the Debian package to install.
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TIMEOUT_MS = 120_000;
const PACKAGE: Readonly<Record<string, string>> = { gpg: "gnupg", gpgconf: "gnupg", rnp: "rnp", rnpkeys: "rnp" };

/** Runs `command` and resolves with its stdout as bytes; rejects with its stderr when it fails. */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string | Uint8Array } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ["pipe", "pipe", "pipe"], timeout: TIMEOUT_MS });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => {
      const pkg = PACKAGE[command] ?? command;
      reject(new Error(`${command} could not run: install it with apt-get install ${pkg}`, { cause: error }));
    });
    child.on("close", (code, signal) => {
      if (code === 0) resolve(Buffer.concat(stdout));
      else {
        const why = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
        reject(new Error(`${command} ${args.join(" ")} failed (${why}): ${Buffer.concat(stderr).toString("utf8").trim()}`));
      }
    });
    // Most commands never read their input: the EPIPE a write may meet is not their failure.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

export interface Gpg {
  readonly home: string;
  /** gpg --batch in this home; stdout as bytes. */
  run(args: readonly string[], input?: string | Uint8Array): Promise<Buffer>;
  /** The primary fingerprint of the key just made for `userId`. */
  generate(userId: string, algo: string, usage: string, expire: string, extra?: readonly string[]): Promise<string>;
  exportPublic(fingerprint: string): Promise<string>;
  exportSecret(fingerprint: string): Promise<string>;
  remove(): Promise<void>;
}

/** A GnuPG home of its own, keys without passphrases. */
export async function createGpg(): Promise<Gpg> {
  const home = await mkdtemp(join(tmpdir(), "sealpost-openpgp-gpg-"));
  await chmod(home, 0o700);
  const env = { ...process.env, GNUPGHOME: home };
  const gpg = (args: readonly string[], input?: string | Uint8Array) =>
    run("gpg", ["--batch", "--no-tty", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "", ...args], {
      env,
      ...(input === undefined ? {} : { input }),
    });
  return {
    home,
    run: gpg,
    async generate(userId, algo, usage, expire, extra = []) {
      await gpg([...extra, "--quick-gen-key", userId, algo, usage, expire]);
      const listing = (await gpg(["--with-colons", "--list-keys", "--", userId])).toString("utf8").split("\n");
      // The newest key for the user ID is listed last; its "fpr" record follows its "pub" record.
      const pub =
        listing
          .map((line, index) => (line.startsWith("pub:") ? index : -1))
          .filter((index) => index >= 0)
          .pop() ?? -1;
      const fingerprint = listing[pub + 1]?.split(":")[9] ?? "";
      if (!/^[0-9A-F]{40}$/.test(fingerprint)) throw new Error(`gpg listed no fingerprint for ${userId}`);
      return fingerprint;
    },
    exportPublic: async (fingerprint) => (await gpg(["--armor", "--export", fingerprint])).toString("utf8"),
    exportSecret: async (fingerprint) => (await gpg(["--armor", "--export-secret-keys", fingerprint])).toString("utf8"),
    async remove() {
      await run("gpgconf", ["--kill", "gpg-agent"], { env }).catch(() => undefined);
      await rm(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

export interface Rnp {
  /** Decrypts `data` (armored or binary) with the secret keys imported into this home. */
  decrypt(data: string | Uint8Array): Promise<Buffer>;
  remove(): Promise<void>;
}

/** An RNP home holding `secretKeys` (armored, without passphrases). */
export async function createRnp(secretKeys: readonly string[]): Promise<Rnp> {
  const home = await mkdtemp(join(tmpdir(), "sealpost-openpgp-rnp-"));
  await mkdir(home, { recursive: true });
  for (const [index, key] of secretKeys.entries()) {
    const file = join(home, `secret-${String(index)}.asc`);
    await writeFile(file, key);
    await run("rnpkeys", ["--homedir", home, "--import", file]);
  }
  let count = 0;
  return {
    async decrypt(data) {
      const input = join(home, `message-${String(count++)}.pgp`);
      await writeFile(input, data);
      return run("rnp", ["--homedir", home, "--decrypt", input, "--output", "-"]);
    },
    remove: () => rm(home, { recursive: true, force: true }),
  };
}
