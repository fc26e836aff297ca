// `sealpost probe` against a loopback world: a DNS server answering MX, A, TXT and TLSA (with
// and without the AD bit), SMTP servers with a good, a wrong-name and a self-signed certificate
// and one without STARTTLS, and an HTTPS server with MTA-STS policies. Nothing leaves 127.0.0.0/8.
import assert from "node:assert/strict";
import { X509Certificate, createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createSocket } from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ProbeReport, ProbedDomain } from "../../packages/cli/src/probe/render-report.js";
import { createTestCa, issueServerCertificate, selfSignedCertificate, type TestCa } from "../thunderbird/harness/ca.js";
import { rr, startDnsServer, type TestDnsServer, type Zone } from "./probe/dns-server.js";
import { startPolicyServer, startSmtpServers, type RunningServers } from "./probe/mail-servers.js";
import { fixture, runCli } from "./run-cli.js";

const GOOD_MX = "127.0.0.2";
const WRONG_NAME_MX = "127.0.0.3";
const PLAIN_MX = "127.0.0.4";
const SELF_SIGNED_MX = "127.0.0.5";
const MUTE_MX = "127.0.0.6";

let dir: string;
let ca: TestCa;
let dns: TestDnsServer;
let smtp: RunningServers;
let policyServer: { port: number; stop(): Promise<void> };
// Accepts connections and never says a word: the probe's SMTP timeout is what it meets.
let mute: Server;
const muteSockets = new Set<Socket>();

function spkiSha256(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("hex");
}

function buildZone(goodSpki: string, selfSpki: string): Zone {
  const zone: Zone = new Map();
  const add = (name: string, type: string, entry: Parameters<Zone["set"]>[1]) => zone.set(`${name} ${type}`, entry);
  const host = (name: string, address: string, validated: boolean) => {
    add(name, "A", { answers: [rr.a(name, address)], validated });
    add(name, "AAAA", { validated });
  };
  const policy = (mode: string, ...mx: string[]) =>
    ["version: STSv1", `mode: ${mode}`, ...mx.map((pattern) => `mx: ${pattern}`), "max_age: 604800", ""].join("\r\n");

  // good.test: two MX hosts with certificates from the CA, validated TLSA, MTA-STS enforce, TLS-RPT.
  add("good.test", "MX", { answers: [rr.mx("good.test", 20, "mx2.good.test"), rr.mx("good.test", 10, "mx1.good.test")], validated: true });
  for (const name of ["mx1.good.test", "mx2.good.test"]) {
    host(name, GOOD_MX, true);
    add(`_25._tcp.${name}`, "TLSA", { answers: [rr.tlsa(`_25._tcp.${name}`, 3, 1, 1, goodSpki)], validated: true });
  }
  add("_mta-sts.good.test", "TXT", { answers: [rr.txt("_mta-sts.good.test", "v=STSv1; id=20261203;")] });
  host("mta-sts.good.test", "127.0.0.1", false);
  add("_smtp._tls.good.test", "TXT", { answers: [rr.txt("_smtp._tls.good.test", "v=TLSRPTv1; rua=mailto:tlsrpt@good.test")] });

  // verify.test: a good certificate, no TLSA; MTA-STS testing that names another host.
  add("verify.test", "MX", { answers: [rr.mx("verify.test", 10, "mx.verify.test")] });
  host("mx.verify.test", GOOD_MX, false);
  add("_mta-sts.verify.test", "TXT", { answers: [rr.txt("_mta-sts.verify.test", "v=STSv1; id=a1")] });
  host("mta-sts.verify.test", "127.0.0.1", false);

  // sts.test: MTA-STS enforce whose mx pattern misses the real MX.
  add("sts.test", "MX", { answers: [rr.mx("sts.test", 10, "mx.sts.test")] });
  host("mx.sts.test", GOOD_MX, false);
  add("_mta-sts.sts.test", "TXT", { answers: [rr.txt("_mta-sts.sts.test", "v=STSv1; id=b2")] });
  host("mta-sts.sts.test", "127.0.0.1", false);

  // badsts.test: an MTA-STS record, but the policy host's certificate is not for its name.
  add("badsts.test", "MX", { answers: [rr.mx("badsts.test", 10, "mx.verify.test")] });
  add("_mta-sts.badsts.test", "TXT", { answers: [rr.txt("_mta-sts.badsts.test", "v=STSv1; id=c3")] });
  host("mta-sts.badsts.test", "127.0.0.1", false);

  // nostarttls.test: the backup MX offers no STARTTLS.
  add("nostarttls.test", "MX", {
    answers: [rr.mx("nostarttls.test", 10, "mx1.nostarttls.test"), rr.mx("nostarttls.test", 20, "mx2.nostarttls.test")],
  });
  host("mx1.nostarttls.test", GOOD_MX, false);
  host("mx2.nostarttls.test", PLAIN_MX, false);

  // badcert.test: STARTTLS with a certificate for another name.
  add("badcert.test", "MX", { answers: [rr.mx("badcert.test", 10, "mx.badcert.test")] });
  host("mx.badcert.test", WRONG_NAME_MX, false);

  // unsigned.test: TLSA that matches, but the answer carries no AD bit.
  add("unsigned.test", "MX", { answers: [rr.mx("unsigned.test", 10, "mx.unsigned.test")], validated: true });
  host("mx.unsigned.test", GOOD_MX, true);
  add("_25._tcp.mx.unsigned.test", "TLSA", { answers: [rr.tlsa("_25._tcp.mx.unsigned.test", 3, 1, 1, goodSpki)], validated: false });

  // daneonly.test: a self-signed certificate pinned by validated DANE-EE.
  add("daneonly.test", "MX", { answers: [rr.mx("daneonly.test", 10, "mx.daneonly.test")], validated: true });
  host("mx.daneonly.test", SELF_SIGNED_MX, true);
  add("_25._tcp.mx.daneonly.test", "TLSA", { answers: [rr.tlsa("_25._tcp.mx.daneonly.test", 3, 1, 1, selfSpki)], validated: true });

  // mismatch.test: validated TLSA for a key the MX does not have.
  add("mismatch.test", "MX", { answers: [rr.mx("mismatch.test", 10, "mx.mismatch.test")], validated: true });
  host("mx.mismatch.test", GOOD_MX, true);
  add("_25._tcp.mx.mismatch.test", "TLSA", { answers: [rr.tlsa("_25._tcp.mx.mismatch.test", 3, 1, 1, selfSpki)], validated: true });

  // insecuremx.test: validated TLSA and addresses, but the MX answer itself is not validated.
  add("insecuremx.test", "MX", { answers: [rr.mx("insecuremx.test", 10, "mx.insecuremx.test")], validated: false });
  host("mx.insecuremx.test", SELF_SIGNED_MX, true);
  add("_25._tcp.mx.insecuremx.test", "TLSA", { answers: [rr.tlsa("_25._tcp.mx.insecuremx.test", 3, 1, 1, selfSpki)], validated: true });

  // servfail.test: the TLSA question fails (what a validating resolver answers for bogus data).
  add("servfail.test", "MX", { answers: [rr.mx("servfail.test", 10, "mx.servfail.test")], validated: true });
  host("mx.servfail.test", GOOD_MX, true);
  add("_25._tcp.mx.servfail.test", "TLSA", { rcode: "SERVFAIL" });

  // nullmx.test: "MX 0 ." says the domain accepts no mail (RFC 7505).
  add("nullmx.test", "MX", { answers: [rr.mx("nullmx.test", 0, ".")] });

  // mute.test: the MX accepts the connection and never greets.
  add("mute.test", "MX", { answers: [rr.mx("mute.test", 10, "mx.mute.test")] });
  host("mx.mute.test", MUTE_MX, false);

  // implicit.test: no MX, an A record (RFC 5321 §5.1).
  host("implicit.test", GOOD_MX, false);

  // slow.test: the resolver never answers its MX question.
  add("slow.test", "MX", { silent: true });
  for (const index of [1, 2, 3, 4]) add(`slow${String(index)}.test`, "MX", { silent: true });
  add("gone.test", "MX", { rcode: "NXDOMAIN" });

  zone.set("policy good.test", { answers: [rr.txt("x", policy("enforce", "*.good.test"))] });
  zone.set("policy verify.test", { answers: [rr.txt("x", policy("testing", "mail.verify.test"))] });
  zone.set("policy sts.test", { answers: [rr.txt("x", policy("enforce", "mx.other.test"))] });
  return zone;
}

function policyText(zone: Zone, domain: string): string {
  const record = zone.get(`policy ${domain}`)?.answers?.[0];
  return record !== undefined && record.type === "TXT" ? String((record.data as string[])[0]) : "";
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "sealpost-probe-"));
  ca = await createTestCa(dir);
  const good = await issueServerCertificate(ca, [
    "mx1.good.test",
    "mx2.good.test",
    "mx.verify.test",
    "mx.sts.test",
    "mx1.nostarttls.test",
    "mx.unsigned.test",
    "mx.mismatch.test",
    "mx.servfail.test",
    "implicit.test",
  ]);
  const wrongName = await issueServerCertificate(ca, ["mail.elsewhere.test"]);
  const selfSigned = await selfSignedCertificate(dir, ["mx.daneonly.test"]);
  const web = await issueServerCertificate(ca, ["mta-sts.good.test", "mta-sts.verify.test", "mta-sts.sts.test"]);
  const zone = buildZone(spkiSha256(good.certPem), spkiSha256(selfSigned.certPem));
  dns = await startDnsServer(zone);
  smtp = await startSmtpServers([
    { address: GOOD_MX, certificate: good },
    { address: WRONG_NAME_MX, certificate: wrongName },
    { address: PLAIN_MX },
    { address: SELF_SIGNED_MX, certificate: selfSigned },
  ]);
  mute = createServer((socket) => {
    muteSockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => muteSockets.delete(socket));
  });
  await new Promise<void>((resolve) => mute.listen(smtp.smtpPort, MUTE_MX, resolve));
  const sites = new Map(
    ["good.test", "verify.test", "sts.test"].map((domain) => [`mta-sts.${domain}`, { body: policyText(zone, domain) }]),
  );
  policyServer = await startPolicyServer(web, sites);
});

after(async () => {
  for (const socket of muteSockets) socket.destroy();
  await Promise.all([
    dns?.stop(),
    smtp?.stop(),
    policyServer?.stop(),
    new Promise((resolve) => (mute === undefined ? resolve(undefined) : mute.close(resolve))),
  ]);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function network(timeout = 3000): string[] {
  return [
    "--resolver",
    `127.0.0.1:${String(dns.port)}`,
    "--smtp-port",
    String(smtp.smtpPort),
    "--https-port",
    String(policyServer.port),
    "--ca-file",
    ca.caCertPath,
    "--timeout",
    String(timeout),
    "--ehlo",
    "probe.sealpost.test",
  ];
}

async function probeJson(...args: string[]): Promise<{ code: number; report: ProbeReport; stderr: string }> {
  const result = await runCli("probe", ...args, "--json");
  assert.notEqual(result.code, 2, result.stderr);
  return { code: result.code, report: JSON.parse(result.stdout) as ProbeReport, stderr: result.stderr };
}

function domain(report: ProbeReport, name: string): ProbedDomain {
  const found = report.domains.find((entry) => entry.domain === name);
  assert.ok(found, `${name} is in the report`);
  return found;
}

describe("sealpost probe", () => {
  it("recommends dane for a domain whose every MX has STARTTLS, a verifying certificate and validated matching TLSA", async () => {
    const { code, report } = await probeJson("good.test", ...network());
    assert.equal(code, 0);
    const good = domain(report, "good.test");
    assert.equal(good.recommendation.level, "dane");
    assert.deepEqual(good.recommendation.supports, { encrypt: true, verify: true, dane: true });
    assert.deepEqual(
      good.mx.map((mx) => [mx.preference, mx.host]),
      [
        [10, "mx1.good.test"],
        [20, "mx2.good.test"],
      ],
    );
    for (const mx of good.mx) {
      assert.equal(mx.smtp.outcome, "tls");
      assert.match(mx.smtp.tlsVersion ?? "", /^TLSv1\.[23]$/);
      assert.equal(mx.smtp.certificate?.verified, true);
      assert.equal(mx.tlsa.validated, true);
      assert.match(mx.tlsa.matched ?? "", /^3 1 1 \(DANE-EE\)/);
    }
    assert.equal(good.mtaSts.record?.id, "20261203");
    assert.deepEqual(good.mtaSts.policy, { mode: "enforce", maxAge: 604800, mx: ["*.good.test"] });
    assert.deepEqual(good.mtaSts.mxNotMatching, []);
    assert.deepEqual(good.tlsRpt.rua, ["mailto:tlsrpt@good.test"]);
  });

  it("recommends verify without TLSA records, and says why not dane", async () => {
    const { report } = await probeJson("verify.test", ...network());
    const verify = domain(report, "verify.test");
    assert.equal(verify.recommendation.level, "verify");
    assert.match(verify.recommendation.why.dane.join(), /mx\.verify\.test has no TLSA records at _25\._tcp\.mx\.verify\.test/);
  });

  it("recommends none when one MX offers no STARTTLS, and names that host", async () => {
    const { report } = await probeJson("nostarttls.test", ...network());
    const plain = domain(report, "nostarttls.test");
    assert.equal(plain.recommendation.level, "none");
    assert.deepEqual(plain.recommendation.why.encrypt, ["mx2.nostarttls.test offers no STARTTLS"]);
    assert.equal(plain.mx[0]?.smtp.outcome, "tls");
    assert.equal(plain.mx[1]?.smtp.outcome, "no-starttls");
  });

  it("recommends encrypt when a certificate is for another name, with the reason", async () => {
    const { report } = await probeJson("badcert.test", ...network());
    const bad = domain(report, "badcert.test");
    assert.equal(bad.recommendation.level, "encrypt");
    assert.equal(bad.mx[0]?.smtp.certificate?.verified, false);
    assert.match(
      bad.recommendation.why.verify.join(),
      /mx\.badcert\.test has a certificate that does not verify: the certificate is not valid for mx\.badcert\.test/,
    );
  });

  it("does not count TLSA records as DANE when the answer has no AD bit", async () => {
    const { report } = await probeJson("unsigned.test", ...network());
    const unsigned = domain(report, "unsigned.test");
    assert.equal(unsigned.mx[0]?.tlsa.records.length, 1);
    assert.equal(unsigned.mx[0]?.tlsa.validated, false);
    assert.equal(unsigned.recommendation.level, "verify");
    assert.match(unsigned.recommendation.why.dane.join(), /did not validate them with DNSSEC \(no AD bit\)/);
  });

  it("does not count validated TLSA records that the certificate does not match, and says DANE senders would defer", async () => {
    const { report } = await probeJson("mismatch.test", ...network());
    const mismatch = domain(report, "mismatch.test");
    assert.equal(mismatch.mx[0]?.tlsa.validated, true);
    assert.equal(mismatch.mx[0]?.tlsa.matched, null);
    assert.equal(mismatch.recommendation.level, "verify");
    assert.match(mismatch.recommendation.why.dane.join(), /matches none of its TLSA records: DANE senders would defer mail/);
  });

  it("does not count DANE when the MX answer itself is not DNSSEC-validated", async () => {
    const { report } = await probeJson("insecuremx.test", ...network());
    const insecure = domain(report, "insecuremx.test");
    assert.equal(insecure.mx[0]?.tlsa.matched?.startsWith("3 1 1"), true);
    assert.equal(insecure.recommendation.level, "encrypt");
    assert.match(insecure.recommendation.why.dane.join(), /the domain's MX answer is not DNSSEC-validated \(RFC 7672 §2\.2\.1\)/);
  });

  it("reports a failed TLSA lookup as no DANE, with the resolver's answer", async () => {
    const { report } = await probeJson("servfail.test", ...network());
    const failed = domain(report, "servfail.test");
    assert.equal(failed.recommendation.level, "verify");
    assert.match(failed.mx[0]?.tlsa.error ?? "", /_25\._tcp\.mx\.servfail\.test TLSA .*SERVFAIL/);
    assert.match(failed.recommendation.why.dane.join(), /mx\.servfail\.test has no usable TLSA answer \(.*SERVFAIL/);
  });

  it("says a domain with a null MX accepts no mail, and supports nothing", async () => {
    const { report } = await probeJson("nullmx.test", ...network());
    const nullMx = domain(report, "nullmx.test");
    assert.equal(nullMx.mxSource, "null-mx");
    assert.equal(nullMx.error, "nullmx.test publishes a null MX (RFC 7505): it accepts no mail");
    assert.equal(nullMx.recommendation.level, "none");
  });

  it("supports dane but not verify for a self-signed certificate pinned by validated DANE-EE", async () => {
    const { report } = await probeJson("daneonly.test", ...network());
    const dane = domain(report, "daneonly.test");
    assert.equal(dane.recommendation.level, "dane");
    assert.deepEqual(dane.recommendation.supports, { encrypt: true, verify: false, dane: true });
    assert.match(dane.mx[0]?.smtp.certificate?.reason ?? "", /self-signed/);
  });

  it("reports MX hosts that an enforcing MTA-STS policy does not list", async () => {
    const { report } = await probeJson("sts.test", ...network());
    const sts = domain(report, "sts.test");
    assert.equal(sts.mtaSts.policy?.mode, "enforce");
    assert.deepEqual(sts.mtaSts.mxNotMatching, ["mx.sts.test"]);
    const table = await runCli("probe", "sts.test", ...network());
    assert.match(table.stdout, /MTA-STS: mode enforce, max_age 604800, mx mx\.other\.test; MX not matching: mx\.sts\.test/);
  });

  it("reports MX hosts that a testing MTA-STS policy does not list", async () => {
    const { report } = await probeJson("verify.test", ...network());
    const verify = domain(report, "verify.test");
    assert.equal(verify.mtaSts.policy?.mode, "testing");
    assert.deepEqual(verify.mtaSts.mxNotMatching, ["mx.verify.test"]);
  });

  it("does not accept an MTA-STS policy served with a certificate for another name", async () => {
    const { report } = await probeJson("badsts.test", ...network());
    const sts = domain(report, "badsts.test").mtaSts;
    assert.equal(sts.record?.id, "c3");
    assert.equal(sts.policy, undefined);
    assert.equal(
      sts.policyError,
      "https://mta-sts.badsts.test/.well-known/mta-sts.txt: the certificate is not valid for mta-sts.badsts.test",
    );
  });

  it("falls back to the domain's own address when it has no MX records, and says so", async () => {
    const { report } = await probeJson("implicit.test", ...network());
    const implicit = domain(report, "implicit.test");
    assert.equal(implicit.mxSource, "implicit");
    assert.deepEqual(
      implicit.mx.map((mx) => [mx.preference, mx.host]),
      [[0, "implicit.test"]],
    );
    assert.equal(implicit.recommendation.level, "verify");
    const table = await runCli("probe", "implicit.test", ...network());
    assert.match(table.stdout, /no MX records: mail goes to the domain's own A\/AAAA address \(RFC 5321 §5\.1\)/);
  });

  it("reports a DNS timeout for that domain and still reports the others", async () => {
    const started = Date.now();
    const { code, report } = await probeJson("slow.test", "good.test", "gone.test", ...network(400));
    assert.equal(code, 0);
    const slow = domain(report, "slow.test");
    assert.match(slow.error ?? "", /^MX lookup failed: slow\.test MX from 127\.0\.0\.1:\d+: no answer within 400 ms$/);
    assert.equal(slow.recommendation.level, "none");
    assert.equal(domain(report, "gone.test").error, "gone.test does not exist (NXDOMAIN)");
    assert.equal(domain(report, "good.test").recommendation.level, "dane");
    assert.ok(Date.now() - started < 5_000, "the timeout bounds the run");
  });

  it("reports an MX that never greets as failed at the greeting, within the timeout, and closes the connection", async () => {
    const started = Date.now();
    const { report } = await probeJson("mute.test", ...network(400));
    const smtpReport = domain(report, "mute.test").mx[0]?.smtp;
    assert.equal(smtpReport?.outcome, "failed");
    assert.equal(smtpReport?.stage, "greeting");
    assert.equal(smtpReport?.error, "no answer within 400 ms");
    assert.match(
      domain(report, "mute.test").recommendation.why.encrypt.join(),
      /mx\.mute\.test could not be probed \(greeting\): no answer within 400 ms/,
    );
    assert.ok(Date.now() - started < 3_000);
    // The probe hangs up: the server sees its side closed.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(muteSockets.size, 0, "no connection left open");
  });

  it("runs lookups in parallel, never more at once than --concurrency allows", async () => {
    const slow = ["slow1.test", "slow2.test", "slow3.test", "slow4.test"];
    const timed = async (...extra: string[]) => {
      const started = Date.now();
      const { report } = await probeJson(...slow, ...network(300), ...extra);
      assert.equal(report.domains.filter((entry) => /no answer within 300 ms/.test(entry.error ?? "")).length, 4);
      return Date.now() - started;
    };
    // Four silent MX questions of 300 ms each: one after the other with one slot, together otherwise.
    assert.ok((await timed("--concurrency", "1")) >= 1_200);
    assert.ok((await timed()) < 1_000);
  });

  it("prints the documented JSON shape", async () => {
    const { report } = await probeJson("good.test", ...network());
    assert.deepEqual(Object.keys(report).sort(), ["domains", "resolver", "resolverIsLocal"]);
    assert.equal(report.resolverIsLocal, true);
    const good = domain(report, "good.test");
    assert.deepEqual(Object.keys(good).sort(), [
      "domain",
      "mtaSts",
      "mx",
      "mxSource",
      "mxValidated",
      "overRequired",
      "recommendation",
      "requirements",
      "tlsRpt",
    ]);
    assert.deepEqual(Object.keys(good.recommendation).sort(), ["level", "supports", "why"]);
    assert.deepEqual(Object.keys(good.mx[0] ?? {}).sort(), [
      "addresses",
      "addressesValidated",
      "host",
      "lacks",
      "preference",
      "smtp",
      "tlsa",
    ]);
    assert.deepEqual(Object.keys(good.mx[0]?.smtp ?? {}).sort(), [
      "address",
      "banner",
      "certificate",
      "cipher",
      "outcome",
      "port",
      "tlsVersion",
    ]);
    assert.deepEqual(Object.keys(good.mx[0]?.tlsa ?? {}).sort(), ["matched", "name", "records", "usable", "validated"]);
    assert.deepEqual(Object.keys(good.mtaSts).sort(), ["mxNotMatching", "policy", "policyUrl", "record"]);
    assert.deepEqual(Object.keys(good.tlsRpt).sort(), ["record", "rua"]);
  });

  it("draws a progress bar on stderr with --progress, never on stdout", async () => {
    const result = await runCli("probe", "good.test", "verify.test", ...network(), "--json", "--progress");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /\[#{24}\] 2\/2 domains/);
    assert.match(result.stderr, /\[-{24}\] 0\/2 domains/);
    const erase = "\r\u001b[K";
    assert.ok(result.stderr.endsWith(erase), "the bar is erased at the end");
    for (const mark of ["\r", "\u001b", "/2 domains", "#"])
      assert.ok(!result.stdout.includes(mark), `stdout holds no ${JSON.stringify(mark)}`);
    assert.equal((JSON.parse(result.stdout) as ProbeReport).domains.length, 2);
  });

  it("draws no progress bar when stderr is not a terminal and --progress is not given", async () => {
    const result = await runCli("probe", "good.test", ...network(), "--json");
    assert.equal(result.stderr, "");
  });

  it("with --policy, exits 1 and flags a domain the policy requires more of than it supports", async () => {
    const { code, report } = await probeJson("--policy", fixture("probe-relay.json"), ...network());
    assert.equal(code, 1);
    assert.deepEqual(report.domains.map((entry) => entry.domain).sort(), ["badcert.test", "daneonly.test", "good.test", "verify.test"]);
    const bad = domain(report, "badcert.test");
    assert.equal(bad.overRequired, true);
    assert.deepEqual(bad.requirements[0]?.rules, ["banks"]);
    assert.equal(bad.requirements[0]?.required, "verify");
    assert.match(bad.requirements[0]?.reasons.join() ?? "", /not valid for mx\.badcert\.test/);
    assert.equal(domain(report, "good.test").overRequired, false);
    assert.equal(domain(report, "daneonly.test").overRequired, false);
    assert.deepEqual(domain(report, "verify.test").requirements, []);
    const table = await runCli("probe", "--policy", fixture("probe-relay.json"), ...network());
    assert.equal(table.code, 1);
    assert.match(
      table.stdout,
      /✗ the policy requires relay "verify" \(rule banks\): mail would be deferred — mx\.badcert\.test has a certificate that does not verify/,
    );
    assert.match(table.stdout, /✓ the policy requires relay "dane" \(rule dane-partner\): supported today/);
  });

  it("with --policy, refuses a relay level it does not know and names its JSON path", async () => {
    const result = await runCli("probe", "--policy", fixture("probe-bad-relay.json"), ...network());
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /probe-bad-relay\.json:7:\d+: rules\[0\]\.require\.relay: must be one of "encrypt", "verify", "dane" \(found "tls"\)/,
    );
  });

  // Before, a resolver that was down gave exit 0 and a report of identical timeouts per domain.
  it("says in one line, with exit 2, when the resolver answers no query at all", async () => {
    const port = await new Promise<number>((resolve) => {
      const socket = createSocket("udp4");
      socket.bind(0, "127.0.0.1", () => {
        const { port: bound } = socket.address();
        socket.close(() => resolve(bound));
      });
    });
    const result = await runCli(
      "probe",
      "good.test",
      "other.test",
      "--resolver",
      `127.0.0.1:${String(port)}`,
      "--timeout",
      "300",
      "--json",
    );
    assert.equal(result.code, 2);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      new RegExp(
        `^sealpost: the resolver 127\\.0\\.0\\.1:${String(port)} answered none of \\d+ DNS queries \\(300 ms each\\); is it running\\? Name another with --resolver IP:PORT\n$`,
      ),
    );
  });

  it("refuses to run without a domain, and with a resolver, port or timeout it cannot use", async () => {
    for (const args of [
      [],
      ["good.test", "--resolver", "dns.example:53"],
      ["good.test", "--smtp-port", "0"],
      ["good.test", "--timeout", "soon"],
      ["bad..test"],
    ]) {
      const result = await runCli("probe", ...args);
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, /^sealpost: /);
    }
  });
});
