// The probe's DNS client against the loopback test server (AD bit, truncation and TCP, SERVFAIL,
// timeouts), TLSA matching against what the openssl CLI computes, and the concurrency bound.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createLimit } from "../../packages/cli/src/probe/concurrency.js";
import { isUsableTlsa, matchTlsa } from "../../packages/cli/src/probe/dane.js";
import { createDnsClient, DnsError } from "../../packages/cli/src/probe/dns-client.js";
import { createTestCa, issueServerCertificate, type ServerCertificate, type TestCa } from "../thunderbird/harness/ca.js";
import { rr, startDnsServer, type TestDnsServer } from "./probe/dns-server.js";

let dns: TestDnsServer;
let dir: string;
let ca: TestCa;
let leaf: ServerCertificate;

// 40 strings of 60 characters: about 2.4 KiB, more than a 1232-byte UDP answer may hold.
const BIG = Array.from({ length: 40 }, (_, index) => `${String(index).padStart(2, "0")}${"x".repeat(58)}`);

before(async () => {
  dns = await startDnsServer(
    new Map([
      ["signed.test MX", { answers: [rr.mx("signed.test", 10, "mx.signed.test")], validated: true }],
      ["plain.test MX", { answers: [rr.mx("plain.test", 10, "mx.plain.test")] }],
      ["big.test TXT", { answers: [rr.txt("big.test", ...BIG)] }],
      ["broken.test TLSA", { rcode: "SERVFAIL" }],
      ["gone.test A", { rcode: "NXDOMAIN" }],
      ["silent.test A", { silent: true }],
    ]),
  );
  dir = await mkdtemp(join(tmpdir(), "sealpost-dane-"));
  ca = await createTestCa(dir);
  leaf = await issueServerCertificate(ca, ["mx.example.test"]);
});

after(async () => {
  await dns?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const client = (timeoutMs = 2000) => createDnsClient({ host: dns.host, port: dns.port }, timeoutMs);

describe("the DNS client", () => {
  it("reports the resolver's AD bit, set and unset", async () => {
    const signed = await client().query("signed.test", "MX");
    assert.equal(signed.authenticated, true);
    assert.deepEqual(
      signed.answers.map((answer) => answer.type === "MX" && answer.data.exchange),
      ["mx.signed.test"],
    );
    assert.equal((await client().query("plain.test", "MX")).authenticated, false);
  });

  it("retries over TCP when the UDP answer is truncated", async () => {
    const big = await client().query("big.test", "TXT");
    const strings = big.answers.flatMap((answer) => (answer.type === "TXT" && Array.isArray(answer.data) ? answer.data.map(String) : []));
    assert.deepEqual(strings, BIG);
    assert.ok(dns.questions.includes("big.test TXT tcp"), "the second question went over TCP");
  });

  it("returns NXDOMAIN as an answer and throws SERVFAIL and timeouts as DnsErrors", async () => {
    assert.equal((await client().query("gone.test", "A")).rcode, "NXDOMAIN");
    await assert.rejects(
      client().query("broken.test", "TLSA"),
      (error: unknown) => error instanceof DnsError && error.code === "servfail" && /SERVFAIL/.test(error.message),
    );
    await assert.rejects(
      client(300).query("silent.test", "A"),
      (error: unknown) => error instanceof DnsError && error.code === "timeout" && /no answer within 300 ms/.test(error.message),
    );
  });

  it("reports a resolver that is not there", async () => {
    const nowhere = createDnsClient({ host: "127.0.0.1", port: 9 }, 500);
    await assert.rejects(
      nowhere.query("signed.test", "MX"),
      (error: unknown) => error instanceof DnsError && (error.code === "network" || error.code === "timeout"),
    );
  });
});

/** The association data as the openssl CLI computes it: an oracle independent of the probe's code. */
function opensslAssociation(certPem: string, selector: 0 | 1, digest: "sha256" | "sha512"): string {
  const der =
    selector === 0
      ? execFileSync("openssl", ["x509", "-outform", "DER"], { input: certPem })
      : execFileSync("openssl", ["pkey", "-pubin", "-outform", "DER"], {
          input: execFileSync("openssl", ["x509", "-pubkey", "-noout"], { input: certPem }),
        });
  return (
    execFileSync("openssl", ["dgst", `-${digest}`, "-r"], { input: der })
      .toString("utf8")
      .split(" ")[0] ?? ""
  );
}

const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");

describe("TLSA matching (RFC 7672)", () => {
  it("matches DANE-EE on the leaf's public key or whole certificate, SHA-256 or SHA-512, as openssl computes them", () => {
    const chain = [der(leaf.certPem), der(ca.caCertPem)];
    for (const [selector, matchingType, digest] of [
      [1, 1, "sha256"],
      [0, 1, "sha256"],
      [1, 2, "sha512"],
    ] as const) {
      const record = { usage: 3, selector, matchingType, data: opensslAssociation(leaf.certPem, selector, digest) };
      assert.deepEqual(matchTlsa([record], chain), record, `3 ${String(selector)} ${String(matchingType)}`);
    }
  });

  it("matches DANE-TA on a certificate above the leaf, not on the leaf", () => {
    const chain = [der(leaf.certPem), der(ca.caCertPem)];
    const onCa = { usage: 2, selector: 1, matchingType: 1, data: opensslAssociation(ca.caCertPem, 1, "sha256") };
    assert.deepEqual(matchTlsa([onCa], chain), onCa);
    const onLeaf = { usage: 2, selector: 1, matchingType: 1, data: opensslAssociation(leaf.certPem, 1, "sha256") };
    assert.equal(matchTlsa([onLeaf], chain), undefined);
  });

  it("does not match another key, and never uses PKIX-TA or PKIX-EE records (RFC 7672 §3.1.3)", () => {
    const chain = [der(leaf.certPem)];
    const data = opensslAssociation(leaf.certPem, 1, "sha256");
    assert.equal(
      matchTlsa([{ usage: 3, selector: 1, matchingType: 1, data: data.replace(/^./, (c) => (c === "0" ? "1" : "0")) }], chain),
      undefined,
    );
    assert.equal(matchTlsa([{ usage: 1, selector: 1, matchingType: 1, data }], chain), undefined);
    assert.equal(isUsableTlsa({ usage: 0, selector: 0, matchingType: 1, data }), false);
    assert.equal(isUsableTlsa({ usage: 3, selector: 2, matchingType: 1, data }), false);
    assert.equal(isUsableTlsa({ usage: 3, selector: 1, matchingType: 3, data }), false);
  });
});

describe("the concurrency limit", () => {
  it("never runs more tasks at once than allowed, and runs them all", async () => {
    const limit = createLimit(3);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        limit(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 5 + (index % 3)));
          running--;
          return index;
        }),
      ),
    );
    assert.equal(peak, 3);
    assert.deepEqual(
      results,
      Array.from({ length: 20 }, (_, index) => index),
    );
  });

  it("frees the slot of a task that fails", async () => {
    const limit = createLimit(1);
    await assert.rejects(
      limit(() => Promise.reject(new Error("boom"))),
      /boom/,
    );
    assert.equal(await limit(() => Promise.resolve("next")), "next");
  });
});
