// OpenPGP keys for one test run, made with GnuPG: each person gets a throwaway GNUPGHOME holding
// their key pair, so `decrypt` with a recipient's home proves the message was encrypted to them.
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface GpgUser {
  readonly name: string;
  readonly email: string;
}

export interface GpgKey extends GpgUser {
  /** The GNUPGHOME that holds this key pair (and only it). */
  readonly home: string;
  /** The primary key's fingerprint: 40 hex digits, upper case. */
  readonly fingerprint: string;
  /** The primary key's id, 16 hex digits, upper case, no 0x: the form of mail.identity.<id>.openpgp_key_id. */
  readonly keyId: string;
  /** The armored public key (transferable public key: primary key, user id, encryption subkey). */
  readonly publicKey: string;
  /** The armored secret key, not protected by a passphrase. */
  readonly secretKey: string;
}

export interface GpgKeyring {
  readonly keys: readonly GpgKey[];
  /** The key of `email`; throws when this keyring has none. */
  key(email: string): GpgKey;
  /** Stops the gpg-agents and deletes every GNUPGHOME. */
  remove(): Promise<void>;
}

const GPG_TIMEOUT_MS = 30_000;

/** Runs gpg in `home` and resolves with its stdout; rejects with its stderr when it fails. */
function gpg(home: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("gpg", ["--batch", "--no-tty", "--quiet", ...args], {
      env: { ...process.env, GNUPGHOME: home },
      stdio: ["pipe", "pipe", "pipe"],
      timeout: GPG_TIMEOUT_MS,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) =>
      reject(new Error(`gpg ${args.join(" ")} could not run (is GnuPG installed? apt-get install gnupg)`, { cause: error })),
    );
    child.on("close", (code, signal) => {
      if (code === 0) {
        resolve(Buffer.concat(stdout).toString("utf8"));
        return;
      }
      const why = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
      reject(new Error(`gpg ${args.join(" ")} failed (${why}): ${Buffer.concat(stderr).toString("utf8").trim()}`));
    });
    // gpg may exit before reading its input (most commands never read it): the EPIPE that a write
    // then meets is no failure of its own; a failing gpg is reported on close.
    child.stdin.on("error", () => undefined);
    child.stdin.end(input ?? "");
  });
}

async function stopAgent(home: string): Promise<void> {
  await new Promise<void>((resolve) => {
    const child = spawn("gpgconf", ["--kill", "gpg-agent"], { env: { ...process.env, GNUPGHOME: home }, stdio: "ignore" });
    child.on("error", () => resolve());
    child.on("close", () => resolve());
  });
}

async function createKey(home: string, user: GpgUser): Promise<GpgKey> {
  await mkdir(home, { recursive: true });
  await chmod(home, 0o700); // gpg warns about, and the agent may refuse, a home others can read
  const userId = `${user.name} <${user.email}>`;
  // future-default: an Ed25519 primary key for signing and a Curve25519 subkey for encryption,
  // both v4 keys (Thunderbird refuses the longer v5/v6 fingerprints).
  await gpg(home, ["--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", userId, "future-default", "default", "never"]);
  const listing = await gpg(home, ["--with-colons", "--list-secret-keys", user.email]);
  // In --with-colons output the primary key's "fpr" record directly follows its "sec" record.
  const lines = listing.split("\n");
  const sec = lines.findIndex((line) => line.startsWith("sec:"));
  const fingerprint = lines[sec + 1]?.split(":")[9] ?? "";
  if (sec < 0 || !/^[0-9A-F]{40}$/.test(fingerprint)) throw new Error(`gpg listed no v4 fingerprint for ${userId}:\n${listing}`);
  const publicKey = await gpg(home, ["--armor", "--export", fingerprint]);
  const secretKey = await gpg(home, ["--pinentry-mode", "loopback", "--passphrase", "", "--armor", "--export-secret-keys", fingerprint]);
  return { ...user, home, fingerprint, keyId: fingerprint.slice(-16), publicKey, secretKey };
}

/** Makes a key pair for each user, each in a GNUPGHOME of its own under a new temporary directory. */
export async function createGpgKeys(users: readonly GpgUser[]): Promise<GpgKeyring> {
  const root = await mkdtemp(join(tmpdir(), "sealpost-gpg-"));
  const homes: string[] = [];
  const remove = async () => {
    await Promise.all(homes.map(stopAgent));
    // A stopping gpg-agent removes its sockets while rm walks the directory: retry on ENOTEMPTY.
    await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  try {
    const keys: GpgKey[] = [];
    for (const [index, user] of users.entries()) {
      const home = join(root, String(index));
      homes.push(home);
      keys.push(await createKey(home, user));
    }
    return {
      keys,
      key(email) {
        const key = keys.find((candidate) => candidate.email.toLowerCase() === email.toLowerCase());
        if (key === undefined) throw new Error(`no test key for ${email} (keys: ${keys.map((k) => k.email).join(", ")})`);
        return key;
      },
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

const ARMORED_MESSAGE = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/;

/**
 * Decrypts with the secret key in `recipientHome` and resolves with the plaintext. Takes an armored
 * message or a whole PGP/MIME message (RFC 3156 section 4), whose armored part it decrypts.
 */
export async function decrypt(armoredOrMime: string, recipientHome: string): Promise<string> {
  const armored = ARMORED_MESSAGE.exec(armoredOrMime)?.[0];
  if (armored === undefined) throw new Error("decrypt: no -----BEGIN PGP MESSAGE----- block in the input");
  return gpg(recipientHome, ["--pinentry-mode", "loopback", "--passphrase", "", "--decrypt"], armored);
}
