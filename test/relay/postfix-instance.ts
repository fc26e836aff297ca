// A private Postfix for tests: Debian's binaries with their own configuration directory
// (postfix -c), queue and data directories, no chroot, listening on one loopback port only and
// logging to a file. The system's Postfix (/etc/postfix, /var/spool/postfix) is never touched.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const POSTFIX_MISSING = "Postfix is not installed: apt-get install postfix (the relay suite drives Debian's real Postfix)";

// Only the services a relay needs; "n" in the chroot column everywhere, so nothing has to be
// copied into a jail. postlog carries maillog_file.
const MASTER_CF = (listen: string) =>
  [
    `${listen} inet n - n - - smtpd`,
    "pickup    unix  n - n 60 1 pickup",
    "cleanup   unix  n - n -  0 cleanup",
    "qmgr      unix  n - n 300 1 qmgr",
    "tlsmgr    unix  - - n 1000? 1 tlsmgr",
    "rewrite   unix  - - n -  - trivial-rewrite",
    "bounce    unix  - - n -  0 bounce",
    "defer     unix  - - n -  0 bounce",
    "trace     unix  - - n -  0 bounce",
    "verify    unix  - - n -  1 verify",
    "flush     unix  n - n 1000? 0 flush",
    "proxymap  unix  - - n -  - proxymap",
    "proxywrite unix - - n -  1 proxymap",
    "smtp      unix  - - n -  - smtp",
    "relay     unix  - - n -  - smtp",
    "showq     unix  n - n -  - showq",
    "error     unix  - - n -  - error",
    "retry     unix  - - n -  - error",
    "discard   unix  - - n -  - discard",
    "anvil     unix  - - n -  1 anvil",
    "scache    unix  - - n -  1 scache",
    "postlog   unix-dgram n - n - 1 postlogd",
    "",
  ].join("\n");

export interface PostfixInstance {
  readonly configDir: string;
  readonly port: number;
  /** The master process id, from the queue's pid file. */
  readonly masterPid: number;
  /** Hands a message to the instance's smtpd on 127.0.0.1:port. */
  submit(from: string, to: readonly string[], subject: string): Promise<void>;
  /** The mail log so far. */
  log(): Promise<string>;
  /** Queue ids and recipients still in the queue (postqueue -j). */
  queue(): Promise<{ readonly queueName: string; readonly recipients: readonly { address: string; delay_reason?: string }[] }[]>;
  /** Asks the queue manager to try deferred mail again now (postqueue -f). */
  flush(): Promise<void>;
  /** What postconf says about the configuration: non-default settings and any warnings. */
  postconf(): Promise<{ readonly settings: string; readonly warnings: string }>;
  stop(): Promise<void>;
}

export interface PostfixOptions {
  /** A fresh directory for everything the instance writes. */
  readonly dir: string;
  readonly port: number;
  /** Files to put into the configuration directory (e.g. the exported table). */
  readonly files: Readonly<Record<string, string>>;
  /** main.cf lines appended after the instance's own settings, in order (later ones win). */
  readonly mainCf: readonly string[];
  /** Tables in the configuration directory to compile with postmap. */
  readonly postmap: readonly string[];
}

export function postfixAvailable(): boolean {
  return existsSync("/usr/sbin/postfix") && existsSync("/usr/sbin/postmap") && existsSync("/usr/sbin/postqueue");
}

async function postfixCommand(command: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: 60_000 });
    return stdout + stderr;
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed: ${(output.stderr ?? "") + (output.stdout ?? "")}`.trim(), { cause: error });
  }
}

export async function startPostfix(options: PostfixOptions): Promise<PostfixInstance> {
  if (!postfixAvailable()) throw new Error(POSTFIX_MISSING);
  const configDir = join(options.dir, "config");
  const queueDir = join(options.dir, "queue");
  const dataDir = join(options.dir, "data");
  const logFile = join(options.dir, "maillog");
  await mkdir(configDir, { recursive: true });
  await mkdir(dataDir, { recursive: true });
  // postfix check makes the queue's subdirectories, but only below an existing queue directory.
  await mkdir(queueDir, { recursive: true });
  await postfixCommand("chown", ["postfix:postfix", dataDir]);
  // The daemons run as the postfix user and must reach the queue below the test's directory.
  await chmod(options.dir, 0o755);
  const listen = `127.0.0.1:${String(options.port)}`;
  const main = [
    "compatibility_level = 3.6",
    `queue_directory = ${queueDir}`,
    `data_directory = ${dataDir}`,
    "mail_owner = postfix",
    "setgid_group = postdrop",
    "myhostname = relay-test.sealpost.invalid",
    "mydomain = sealpost.invalid",
    "myorigin = $myhostname",
    "mydestination =",
    "local_recipient_maps =",
    "alias_maps =",
    "alias_database =",
    "local_transport = error:this test instance delivers nothing locally",
    // Loopback only: smtpd listens on the one address master.cf names, the SMTP client
    // leaves from 127.0.0.1.
    "inet_interfaces = 127.0.0.1",
    "inet_protocols = ipv4",
    "smtp_bind_address = 127.0.0.1",
    "mynetworks = 127.0.0.0/8",
    "smtpd_relay_restrictions = permit_mynetworks, reject",
    "biff = no",
    `maillog_file = ${logFile}`,
    `maillog_file_prefixes = ${options.dir}`,
    // Deferred mail is tried again only when the test flushes the queue; a short backoff lets
    // that retry count as one (Postfix falls back to plaintext for "may" only on a retry).
    "queue_run_delay = 1h",
    "minimal_backoff_time = 2s",
    "maximal_backoff_time = 4s",
    "smtp_connect_timeout = 10s",
    // Debian's main.cf default, which the exported lines leave as the site has it.
    "smtp_tls_security_level = may",
    ...options.mainCf,
    "",
  ].join("\n");
  await writeFile(join(configDir, "main.cf"), main);
  await writeFile(join(configDir, "master.cf"), MASTER_CF(listen));
  for (const [name, text] of Object.entries(options.files)) await writeFile(join(configDir, name), text);
  for (const table of options.postmap) await postfixCommand("/usr/sbin/postmap", ["-c", configDir, `hash:${join(configDir, table)}`]);
  // Postfix reports why it refuses to start in its log, not on the terminal.
  const withLog = async (args: string[]) => {
    try {
      await postfixCommand("/usr/sbin/postfix", args);
    } catch (error) {
      const log = existsSync(logFile) ? await readFile(logFile, "utf8") : "(no log)";
      throw new Error(`postfix ${args.join(" ")} failed; its log:\n${log}`, { cause: error });
    }
  };
  await withLog(["-c", configDir, "check"]);
  await withLog(["-c", configDir, "start"]);
  const masterPid = await waitForMasterPid(queueDir);
  await waitForPort(options.port);

  const instance: PostfixInstance = {
    configDir,
    port: options.port,
    masterPid,
    submit: (from, to, subject) => submitMessage(options.port, from, to, subject),
    log: async () => (existsSync(logFile) ? readFile(logFile, "utf8") : ""),
    async queue() {
      const out = await postfixCommand("/usr/sbin/postqueue", ["-c", configDir, "-j"]);
      return out
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { queue_name: string; recipients: { address: string; delay_reason?: string }[] })
        .map((entry) => ({ queueName: entry.queue_name, recipients: entry.recipients }));
    },
    async flush() {
      await postfixCommand("/usr/sbin/postqueue", ["-c", configDir, "-f"]);
    },
    async postconf() {
      const { stdout, stderr } = await run("/usr/sbin/postconf", ["-c", configDir, "-n"], { timeout: 30_000 });
      return { settings: stdout, warnings: stderr };
    },
    async stop() {
      await postfixCommand("/usr/sbin/postfix", ["-c", configDir, "stop"]).catch(() => "");
      await waitForExit(masterPid);
    },
  };
  return instance;
}

async function waitForMasterPid(queueDir: string): Promise<number> {
  const pidFile = join(queueDir, "pid", "master.pid");
  for (let i = 0; i < 100; i++) {
    if (existsSync(pidFile)) {
      const pid = Number((await readFile(pidFile, "utf8")).trim());
      if (Number.isInteger(pid) && pid > 0) return pid;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the test Postfix did not start: no ${pidFile}`);
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the test Postfix's smtpd did not listen on 127.0.0.1:${String(port)}`);
}

async function waitForExit(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the test Postfix (master ${String(pid)}) did not stop`);
}

// A minimal SMTP client: the dialogue is fixed, so each reply is read and its code checked.
function submitMessage(port: number, from: string, to: readonly string[], subject: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const steps: [command: string | null, expect: string][] = [
      [null, "220"],
      ["EHLO client.sealpost.invalid", "250"],
      // An internationalized address needs SMTPUTF8 (RFC 6531 §3.4), which Postfix's smtpd offers.
      [`MAIL FROM:<${from}>${[from, ...to].some((address) => /[^ -~]/.test(address)) ? " SMTPUTF8" : ""}`, "250"],
      ...to.map((address): [string, string] => [`RCPT TO:<${address}>`, "250"]),
      ["DATA", "354"],
      [
        `From: <${from}>\r\nTo: ${to.map((address) => `<${address}>`).join(", ")}\r\nSubject: ${subject}\r\n\r\nSealpost relay test: ${subject}\r\n.`,
        "250",
      ],
      ["QUIT", "221"],
    ];
    let buffer = "";
    let step = 0;
    socket.setEncoding("utf8");
    socket.setTimeout(15_000, () => socket.destroy(new Error("the test Postfix's smtpd did not answer")));
    socket.on("error", reject);
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      // A reply is complete at a line whose code is followed by a space (RFC 5321 §4.2.1).
      for (;;) {
        const match = /^(\d{3}) .*\r\n/m.exec(buffer);
        if (match === null) return;
        const reply = buffer.slice(0, match.index + match[0].length);
        buffer = buffer.slice(match.index + match[0].length);
        const expected = steps[step]?.[1];
        if (match[1] !== expected) {
          socket.destroy();
          reject(new Error(`smtpd answered ${reply.trim()} where ${expected ?? "nothing"} was expected`));
          return;
        }
        step++;
        const next = steps[step];
        if (next === undefined) {
          socket.end();
          resolve();
          return;
        }
        if (next[0] !== null) socket.write(`${next[0]}\r\n`);
      }
    });
  });
}
