// The server hop, proven with Debian's real Postfix: a private instance configured with what
// `sealpost export postfix` writes delivers to local stand-ins for the banks' MX hosts, and
// mail to a protected domain waits in the queue whenever TLS is missing or not good enough.
//
// Name resolution stays on this machine: smtp_dns_support_level = disabled and native lookups,
// with the stand-in MX names added to /etc/hosts for the run (and taken out again). A transport
// map or a [host]:port next hop would have been simpler, but it changes the key Postfix looks
// the TLS policy up by, so the exported table would not be what is tested.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, readdir, readlink, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { runCli } from "../cli/run-cli.js";
import { createTestCa, issueServerCertificate } from "../thunderbird/harness/ca.js";
import { addHostsEntries, type HostsEntries } from "./hosts-file.js";
import { POSTFIX_MISSING, postfixAvailable, type PostfixInstance, startPostfix } from "./postfix-instance.js";
import { type ReceivingServer, startReceivingServer } from "./receiving-servers.js";

const run = promisify(execFile);

const POLICY = {
  version: 1,
  rules: [
    { id: "plain-bank", domains: ["plainbank.test"], except: ["news.plainbank.test"], require: { relay: "encrypt" }, action: "block" },
    { id: "partner", domains: ["encryptbank.test"], require: { relay: "encrypt" }, action: "block" },
    { id: "banks", domains: ["verifybank.test", "wrongname.test", "rogueca.test"], require: { relay: "verify" }, action: "block" },
    { id: "dane-bank", domains: ["danebank.test"], require: { relay: "dane" }, action: "block" },
    { id: "idn-bank", domains: ["bänk.test"], require: { relay: "encrypt" }, action: "block" },
    { id: "broken-bank", domains: ["brokentls.test"], require: { relay: "encrypt" }, action: "block" },
  ],
};

// One loopback network per process, so that a parallel run elsewhere does not collide on :25.
const NET = `127.25.${String(1 + (process.pid % 200))}`;
const MX = { plain: `${NET}.11`, rogue: `${NET}.12`, wrongName: `${NET}.13`, good: `${NET}.14`, brokenTls: `${NET}.15` } as const;
const SENDER = "clerk@corp.sealpost.invalid";
const ODD_SPELLINGS = [
  ["nfd", "ba\u0308nk.test"],
  ["ideographic", "bänk\u3002test"],
  ["fullwidthdot", "plainbank\uff0etest"],
  ["softhyphen", "plain\u00adbank.test"],
  ["fullwidthletter", "pay.\uff50lainbank.test"],
] as const;
const TEST_SETS = ["smtp_tls_CAfile", "smtp_dns_support_level", "smtp_host_lookup"];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function systemPostfixRunning(): Promise<boolean> {
  try {
    await run("/usr/sbin/postfix", ["status"]);
    return true;
  } catch {
    return false;
  }
}

/** Local addresses of the TCP sockets a process listens on, read from /proc (no ss needed). */
async function listeningAddresses(pid: number): Promise<string[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${String(pid)}/fd`)) {
    const target = await readlink(`/proc/${String(pid)}/fd/${fd}`).catch(() => "");
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1] !== undefined) inodes.add(match[1]);
  }
  const found: string[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const rows = (await readFile(table, "utf8").catch(() => "")).split("\n").slice(1);
    for (const row of rows) {
      const fields = row.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (local === undefined || state !== "0A" || inode === undefined || !inodes.has(inode)) continue;
      found.push(decodeAddress(local));
    }
  }
  return found;
}

function decodeAddress(hex: string): string {
  const [address = "", port = ""] = hex.split(":");
  if (address.length === 8) {
    const bytes = (address.match(/../g) ?? []).map((byte) => parseInt(byte, 16)).reverse();
    return `${bytes.join(".")}:${String(parseInt(port, 16))}`;
  }
  return `[${address}]:${String(parseInt(port, 16))}`;
}

describe("the exported Postfix configuration, in a real Postfix", () => {
  let dir: string;
  let postfix: PostfixInstance | undefined;
  let hosts: HostsEntries | undefined;
  const servers: ReceivingServer[] = [];
  let systemRunningBefore = false;
  const server = (address: string): ReceivingServer => {
    const found = servers.find((candidate) => candidate.address === address);
    assert.ok(found, `no server on ${address}`);
    return found;
  };

  const cleanup = async () => {
    await postfix?.stop();
    await Promise.all(servers.map((candidate) => candidate.stop()));
    hosts?.remove();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void cleanup().finally(() => process.kill(process.pid, signal));
  };

  before(async () => {
    if (!postfixAvailable()) throw new Error(POSTFIX_MISSING);
    systemRunningBefore = await systemPostfixRunning();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    dir = await mkdtemp(join(tmpdir(), "sealpost-relay-"));
    // Postfix's daemons run as the postfix user and must pass through to their directories.
    await chmod(dir, 0o755);

    const ca = await createTestCa(join(dir, "ca"));
    const rogueCa = await createTestCa(join(dir, "rogue-ca"));
    servers.push(await startReceivingServer(MX.plain, undefined));
    servers.push(await startReceivingServer(MX.rogue, await issueServerCertificate(rogueCa, ["encryptbank.test", "rogueca.test"])));
    servers.push(await startReceivingServer(MX.wrongName, await issueServerCertificate(ca, ["other.test"])));
    servers.push(await startReceivingServer(MX.good, await issueServerCertificate(ca, ["verifybank.test", "danebank.test"])));
    servers.push(
      await startReceivingServer(MX.brokenTls, await issueServerCertificate(ca, ["brokentls.test", "brokenpartner.test"]), {
        brokenTls: true,
      }),
    );
    hosts = addHostsEntries([
      [MX.plain, "plainbank.test"],
      [MX.plain, "pay.plainbank.test"],
      [MX.plain, "news.plainbank.test"],
      [MX.plain, "partner.test"],
      [MX.plain, "xn--partnr-fva.test"],
      [MX.plain, "partnér.test"],
      [MX.plain, "xn--bnk-qla.test"],
      [MX.plain, "bänk.test"],
      [MX.rogue, "encryptbank.test"],
      [MX.rogue, "rogueca.test"],
      [MX.wrongName, "wrongname.test"],
      [MX.good, "verifybank.test"],
      [MX.good, "danebank.test"],
      [MX.brokenTls, "brokentls.test"],
      [MX.brokenTls, "brokenpartner.test"],
    ]);

    const policyPath = join(dir, "policy.json");
    await writeFile(policyPath, JSON.stringify(POLICY));
    const out = join(dir, "export");
    const exported = await runCli("export", "postfix", policyPath, "--out", out);
    assert.equal(exported.code, 0, exported.stderr);
    const table = await readFile(join(out, "sealpost_tls_policy"), "utf8");
    const mainCf = await readFile(join(out, "main.cf.sealpost"), "utf8");
    const spellings = await readFile(join(out, "sealpost_tls_spellings"), "utf8");

    postfix = await startPostfix({
      dir: join(dir, "postfix"),
      port: await freePort(),
      files: { sealpost_tls_policy: table, sealpost_tls_spellings: spellings },
      postmap: ["sealpost_tls_policy"],
      mainCf: [
        // The exported lines, but for three the test must set otherwise: the test CA instead of
        // the system store, and no DNS (the exported lines ask for DNSSEC for the dane domain).
        ...mainCf.split("\n").filter((line) => !TEST_SETS.some((name) => line.startsWith(`${name} =`))),
        `smtp_tls_CAfile = ${ca.caCertPath}`,
        "smtp_dns_support_level = disabled",
        "smtp_host_lookup = native",
      ],
    });

    for (const domain of [
      "plainbank.test",
      "pay.plainbank.test",
      "news.plainbank.test",
      "partner.test",
      "encryptbank.test",
      "rogueca.test",
      "wrongname.test",
      "verifybank.test",
      "danebank.test",
      "brokentls.test",
      "brokenpartner.test",
    ]) {
      await postfix.submit(SENDER, [`someone@${domain}`], `to ${domain}`);
    }
    // The same IDN bank, addressed in its A-label and (with SMTPUTF8) in its Unicode form.
    await postfix.submit(SENDER, ["someone@xn--bnk-qla.test"], "to the IDN bank, A-label");
    await postfix.submit(SENDER, ["someone@bänk.test"], "to the IDN bank, Unicode");
    // Other spellings of protected domains: upper case (ASCII and Unicode), a trailing dot.
    await postfix.submit(SENDER, ["upper@PlainBank.TEST"], "to the bank in upper case");
    await postfix.submit(SENDER, ["upper@BÄNK.test"], "to the IDN bank in upper case");
    await postfix.submit(SENDER, ["dot@plainbank.test."], "to the bank with a trailing dot");
    // Spellings Postfix maps to the same domain (UTS #46) when it looks up the mail host, while
    // its TLS policy lookup takes them as written: a decomposed accent, an ideographic dot, a
    // fullwidth dot in an ASCII domain, a soft hyphen, a fullwidth letter.
    for (const [local, domain] of ODD_SPELLINGS) await postfix.submit(SENDER, [`${local}@${domain}`], `to ${local}`);
    // An unprotected IDN domain is not caught by the protected domains' spellings.
    await postfix.submit(SENDER, ["someone@partnér.test"], "to an unprotected IDN domain");
    await waitForFates(postfix, 16 + ODD_SPELLINGS.length + 1, 60_000);
    // One retry of everything deferred, after the backoff: it is on a retry that Postfix falls
    // back to plaintext for a "may" destination whose STARTTLS handshake failed.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await postfix.flush();
    await waitForLog(postfix, /to=<someone@brokenpartner\.test>.*status=sent/, 30_000);
  });

  after(async () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanup();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** The final status line for a recipient, e.g. "status=deferred (TLS is required, …)". */
  const fate = async (domain: string, local = "someone"): Promise<string> => {
    assert.ok(postfix);
    // Postfix logs the recipient in the case it was written, without a trailing dot.
    const address = `${local}@${domain}`.toLowerCase();
    const lines = (await postfix.log())
      .split("\n")
      .filter((line) => line.toLowerCase().includes(`to=<${address}>`) && line.includes("status="));
    const last = lines.at(-1);
    assert.ok(last !== undefined, `no delivery attempt for ${address} in the log`);
    return last.slice(last.indexOf("status="));
  };
  const log = async (): Promise<string> => {
    assert.ok(postfix);
    return postfix.log();
  };
  const queued = async (domain: string): Promise<boolean> => {
    assert.ok(postfix);
    return (await postfix.queue()).some((entry) => entry.recipients.some((recipient) => recipient.address === `someone@${domain}`));
  };
  const received = (address: string, domain: string) =>
    server(address).deliveries.filter((delivery) => delivery.recipients.includes(`someone@${domain}`));

  it("defers mail to an encrypt domain whose server offers no STARTTLS, keeps it queued, and says why", async () => {
    // The retry delivers it together with the upper-case spelling, whose host name it may log.
    assert.match(await fate("plainbank.test"), /^status=deferred \(TLS is required, but was not offered by host plainbank\.test\[/i);
    assert.equal(await queued("plainbank.test"), true);
    assert.deepEqual(received(MX.plain, "plainbank.test"), []);
  });

  it("forces TLS on subdomains too (the .domain entry)", async () => {
    assert.match(await fate("pay.plainbank.test"), /^status=deferred \(TLS is required, but was not offered/);
    assert.equal(await queued("pay.plainbank.test"), true);
    assert.deepEqual(received(MX.plain, "pay.plainbank.test"), []);
  });

  it("lets an exception go out as an unlisted domain would, here in plaintext", async () => {
    assert.match(await fate("news.plainbank.test"), /^status=sent /);
    assert.deepEqual(
      received(MX.plain, "news.plainbank.test").map((delivery) => delivery.secure),
      [false],
    );
  });

  it("still delivers mail to an unprotected domain, plaintext being acceptable there", async () => {
    assert.match(await fate("partner.test"), /^status=sent /);
    assert.deepEqual(
      received(MX.plain, "partner.test").map((delivery) => delivery.secure),
      [false],
    );
  });

  it("delivers an encrypt domain over TLS even with a certificate no CA vouches for", async () => {
    assert.match(await fate("encryptbank.test"), /^status=sent /);
    assert.match(await log(), /Untrusted TLS connection established to encryptbank\.test\[/);
    assert.deepEqual(
      received(MX.rogue, "encryptbank.test").map((delivery) => delivery.secure),
      [true],
    );
  });

  it("defers a verify domain whose certificate comes from an unknown CA", async () => {
    assert.match(await fate("rogueca.test"), /^status=deferred \(Server certificate not verified\)/);
    assert.match(await log(), /certificate verification failed for rogueca\.test\[[^\]]+\]:25: untrusted issuer/);
    assert.equal(await queued("rogueca.test"), true);
    assert.deepEqual(received(MX.rogue, "rogueca.test"), []);
  });

  it("defers a verify domain whose certificate names another host", async () => {
    assert.match(await fate("wrongname.test"), /^status=deferred \(Server certificate not verified\)/);
    assert.match(await log(), /certificate verification failed for wrongname\.test\[[^\]]+\]:25: num=62:hostname mismatch/);
    assert.equal(await queued("wrongname.test"), true);
    assert.deepEqual(received(MX.wrongName, "wrongname.test"), []);
  });

  it("delivers a verify domain over TLS when its certificate verifies through the test CA", async () => {
    assert.match(await fate("verifybank.test"), /^status=sent /);
    assert.match(await log(), /Verified TLS connection established to verifybank\.test\[/);
    assert.deepEqual(
      received(MX.good, "verifybank.test").map((delivery) => delivery.secure),
      [true],
    );
  });

  // No DNSSEC here, so this shows the fail-closed side only: dane-only without validated TLSA
  // records refuses to connect at all. DANE authentication itself needs a signed zone.
  it("never sends a dane domain in the clear: without DNSSEC-validated TLSA records it waits", async () => {
    assert.match(await fate("danebank.test"), /^status=deferred \(client TLS configuration problem\)/);
    assert.match(await log(), /danebank\.test: dane-only configured with dnssec lookups disabled/);
    assert.equal(await queued("danebank.test"), true);
    assert.deepEqual(received(MX.good, "danebank.test"), []);
  });

  it("accepts every exported main.cf line as a known Postfix parameter", async () => {
    assert.ok(postfix);
    const { settings, warnings } = await postfix.postconf();
    assert.equal(warnings, "");
    assert.match(
      settings,
      /^smtp_tls_policy_maps = hash:\$\{config_directory\}\/sealpost_tls_policy, regexp:\$\{config_directory\}\/sealpost_tls_spellings$/m,
    );
    assert.match(settings, /^smtp_tls_mandatory_protocols = >=TLSv1\.2$/m);
  });

  it("forces TLS on an IDN domain addressed in its A-label form", async () => {
    assert.match(await fate("xn--bnk-qla.test"), /^status=deferred \(TLS is required, but was not offered/);
    assert.deepEqual(received(MX.plain, "xn--bnk-qla.test"), []);
  });

  it("forces TLS on an IDN domain addressed in its Unicode form (SMTPUTF8)", async () => {
    assert.match(await fate("bänk.test"), /^status=deferred \(TLS is required, but was not offered/);
    assert.deepEqual(received(MX.plain, "bänk.test"), []);
  });

  it("forces TLS whatever the case of the domain, ASCII or Unicode", async () => {
    assert.match(await fate("plainbank.test", "upper"), /^status=deferred \(TLS is required, but was not offered/);
    assert.match(await fate("bänk.test", "upper"), /^status=deferred \(TLS is required, but was not offered/);
    assert.deepEqual(
      server(MX.plain).deliveries.filter((delivery) =>
        delivery.recipients.some((recipient) => recipient.toLowerCase().startsWith("upper@")),
      ),
      [],
    );
  });

  // Before the regexp table, each of these was delivered in plaintext to the bank's stand-in MX.
  it("forces TLS on spellings Postfix maps to a protected domain only when it finds the mail host", async () => {
    for (const [local, domain] of ODD_SPELLINGS) {
      assert.match(await fate(domain, local), /^status=deferred \(TLS is required, but was not offered/, `${local}@${domain}`);
    }
    assert.deepEqual(
      server(MX.plain).deliveries.filter((delivery) =>
        delivery.recipients.some((recipient) => ODD_SPELLINGS.some(([local]) => recipient.startsWith(`${local}@`))),
      ),
      [],
    );
  });

  it("leaves an unprotected IDN domain as it was", async () => {
    assert.match(await fate("partnér.test"), /^status=sent /);
  });

  it("forces TLS on a domain written with a trailing dot", async () => {
    assert.match(await fate("plainbank.test", "dot"), /^status=deferred \(TLS is required, but was not offered/);
    assert.deepEqual(
      server(MX.plain).deliveries.filter((delivery) => delivery.recipients.some((recipient) => recipient.startsWith("dot@"))),
      [],
    );
  });

  // The administrator's complaint, shown both ways: after a failed STARTTLS handshake Postfix
  // retries in the clear ("may"), except towards a protected domain.
  it("does not fall back to cleartext when STARTTLS fails towards a protected domain, not even on a retry", async () => {
    assert.match(await fate("brokentls.test"), /^status=deferred \(Cannot start TLS: handshake failure\)/);
    assert.equal(await queued("brokentls.test"), true);
    assert.deepEqual(received(MX.brokenTls, "brokentls.test"), []);
  });

  it("falls back to cleartext when STARTTLS fails towards an unprotected domain, as Postfix always did", async () => {
    assert.match(await fate("brokenpartner.test"), /^status=sent /);
    assert.deepEqual(
      received(MX.brokenTls, "brokenpartner.test").map((delivery) => delivery.secure),
      [false],
    );
  });

  it("listens on loopback only, and leaves the system's Postfix as it was", async () => {
    assert.ok(postfix);
    const listening = await listeningAddresses(postfix.masterPid);
    assert.deepEqual(listening, [`127.0.0.1:${String(postfix.port)}`]);
    assert.equal(await systemPostfixRunning(), systemRunningBefore);
  });
});

/** Waits until the log has a line matching `pattern`. */
async function waitForLog(postfix: PostfixInstance, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = await postfix.log();
    if (pattern.test(log)) return;
    if (Date.now() > deadline) throw new Error(`no log line matching ${String(pattern)} within ${String(timeoutMs)} ms; log:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Waits until `count` recipients have a status line (sent, deferred or bounced) in the log. */
async function waitForFates(postfix: PostfixInstance, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = await postfix.log();
    const recipients = new Set([...log.matchAll(/to=<([^>]+)>.*status=(sent|deferred|bounced)/g)].map((match) => match[1]));
    if (recipients.size >= count) return;
    if (Date.now() > deadline) {
      throw new Error(
        `only ${String(recipients.size)} of ${String(count)} deliveries were attempted within ${String(timeoutMs)} ms; log:\n${log}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
