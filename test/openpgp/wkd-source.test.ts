// wkdSource and keysOpenpgpOrgSource against a real HTTPS server on loopback (test CA, undici):
// which URLs they ask, in which order, and how each way of failing is reported.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as openpgp from "openpgp";
import { createKeyFinder, importedKeysSource, keysOpenpgpOrgSource, type KeyLookup, wkdSource, wkdUrls } from "@sealpost/core/openpgp";
import { AUDIT, IMPOSTOR, MALLORY, PAY } from "./fixtures.js";
import { startWkdServer, type WkdServer } from "./wkd-server.js";

let server: WkdServer;

before(async () => {
  server = await startWkdServer();
});

after(async () => {
  await server?.close();
});

async function binaryOf(armored: string): Promise<Uint8Array> {
  return (await openpgp.readKey({ armoredKey: armored })).write();
}

function tried(lookup: KeyLookup | undefined) {
  if (lookup === undefined || lookup.status === "found") assert.fail(`expected no key, got ${JSON.stringify(lookup?.status)}`);
  return lookup.status === "missing" ? lookup.tried : (lookup.tried ?? []);
}

describe("wkdSource over HTTPS", () => {
  it("finds a key by the advanced method and asks nothing more", async () => {
    server.serve(wkdUrls("pay@bank.example").advanced, await binaryOf(PAY.armored));
    const before = server.requests.length;
    const [lookup] = await createKeyFinder({ policy: null, sources: [wkdSource({ fetch: server.fetchFor() })] }).find(["pay@bank.example"]);
    assert.equal(lookup?.status === "found" && lookup.key.fingerprint, PAY.fingerprint);
    assert.deepEqual(server.requests.slice(before), [wkdUrls("pay@bank.example").advanced]);
  });

  it("falls back to the direct method when the openpgpkey subdomain cannot be reached", async () => {
    server.serve(wkdUrls("audit@auditor.example").direct, AUDIT.armored);
    const fetch = server.fetchFor({ unreachable: ["openpgpkey.auditor.example"] });
    const [lookup] = await createKeyFinder({ policy: null, sources: [wkdSource({ fetch })] }).find(["audit@auditor.example"]);
    assert.equal(lookup?.status === "found" && lookup.key.fingerprint, AUDIT.fingerprint);
  });

  it("falls back to the direct method when the advanced one answers 404", async () => {
    server.serve(wkdUrls("m@other.example").direct, MALLORY.armored);
    const before = server.requests.length;
    const [lookup] = await createKeyFinder({ policy: null, sources: [wkdSource({ fetch: server.fetchFor() })] }).find(["m@other.example"]);
    assert.equal(lookup?.status === "found" && lookup.key.fingerprint, MALLORY.fingerprint);
    assert.deepEqual(server.requests.slice(before), [wkdUrls("m@other.example").advanced, wkdUrls("m@other.example").direct]);
  });

  it("says HTTP 404 for each method when neither has a key", async () => {
    const [lookup] = await createKeyFinder({ policy: null, sources: [wkdSource({ fetch: server.fetchFor() })] }).find([
      "nobody@bank.example",
    ]);
    const [attempt] = tried(lookup);
    assert.equal(attempt?.code, "not-found");
    assert.equal(
      attempt?.outcome,
      `advanced method: HTTP 404 (no key) from ${wkdUrls("nobody@bank.example").advanced}; direct method: HTTP 404 (no key) from ${wkdUrls("nobody@bank.example").direct}`,
    );
  });

  it("says TLS error when the domain's certificate is not trusted", async () => {
    const fetch = server.fetchFor({ unreachable: ["openpgpkey.tls.example"], untrusted: ["tls.example"] });
    const [lookup] = await createKeyFinder({ policy: null, sources: [wkdSource({ fetch })] }).find(["pay@tls.example"]);
    const [attempt] = tried(lookup);
    assert.equal(attempt?.code, "tls-error");
    assert.match(attempt?.outcome ?? "", /advanced method: network error \(ECONNREFUSED.*direct method: TLS error \(/);
  });

  it("says timed out when the server answers too late", async () => {
    server.serve(wkdUrls("slow@bank.example").advanced, PAY.armored, 1000);
    const finder = createKeyFinder({ policy: null, sources: [wkdSource({ fetch: server.fetchFor() })], timeoutMs: 150 });
    const started = performance.now();
    const [lookup] = await finder.find(["slow@bank.example"]);
    assert.ok(performance.now() - started < 900, "the lookup waited for the server instead of timing out");
    assert.deepEqual(tried(lookup), [{ source: "wkd", outcome: "timed out after 150 ms", code: "timeout" }]);
  });

  it("asks the direct method when the advanced one does not answer within its own deadline", async () => {
    server.serve(wkdUrls("m@other.example").advanced, MALLORY.armored, 2000);
    server.serve(wkdUrls("m@other.example").direct, MALLORY.armored);
    const sources = [wkdSource({ fetch: server.fetchFor(), advancedTimeoutMs: 150 })];
    const started = performance.now();
    const [lookup] = await createKeyFinder({ policy: null, sources, timeoutMs: 1500 }).find(["m@other.example"]);
    assert.equal(lookup?.status === "found" && lookup.key.fingerprint, MALLORY.fingerprint);
    assert.ok(performance.now() - started < 1400, "the advanced method used up the finder's whole timeout");
  });

  it("says the advanced method did not answer, and what the direct one said, when neither serves a key", async () => {
    server.serve(wkdUrls("hang2@bank.example").advanced, PAY.armored, 2000);
    const sources = [wkdSource({ fetch: server.fetchFor(), advancedTimeoutMs: 150 })];
    const [lookup] = await createKeyFinder({ policy: null, sources, timeoutMs: 1500 }).find(["hang2@bank.example"]);
    const urls = wkdUrls("hang2@bank.example");
    assert.deepEqual(tried(lookup), [
      {
        source: "wkd",
        outcome: `advanced method: no answer within 150 ms from ${urls.advanced}; direct method: HTTP 404 (no key) from ${urls.direct}`,
        code: "timeout",
      },
    ]);
  });

  it("refuses a key served for the address whose user IDs name someone else", async () => {
    server.serve(wkdUrls("cfo@bank.example").advanced, MALLORY.armored);
    const [lookup] = await createKeyFinder({ policy: null, sources: [wkdSource({ fetch: server.fetchFor() })] }).find(["cfo@bank.example"]);
    assert.equal(lookup?.status === "refused" && lookup.problem.code, "not-for-address");
  });
});

describe("keysOpenpgpOrgSource over HTTPS", () => {
  it("asks /vks/v1/by-email/ with the address percent-encoded", async () => {
    server.serve("https://keys.openpgp.org/vks/v1/by-email/pay%40bank.example", PAY.armored);
    const [lookup] = await createKeyFinder({ policy: null, sources: [keysOpenpgpOrgSource({ fetch: server.fetchFor() })] }).find([
      "pay@bank.example",
    ]);
    assert.equal(lookup?.status === "found" && `${lookup.source} ${lookup.key.fingerprint}`, `keys.openpgp.org ${PAY.fingerprint}`);
  });

  it("says HTTP 404 from the URL it asked when the server has no key", async () => {
    const source = keysOpenpgpOrgSource({ fetch: server.fetchFor(), baseUrl: "https://vks.test.example/" });
    const [lookup] = await createKeyFinder({ policy: null, sources: [source] }).find(["nobody@bank.example"]);
    assert.deepEqual(tried(lookup), [
      {
        source: "keys.openpgp.org",
        outcome: "HTTP 404 (no key) from https://vks.test.example/vks/v1/by-email/nobody%40bank.example",
        code: "not-found",
      },
    ]);
  });

  it("refuses a base URL that is not https", () => {
    assert.throws(() => keysOpenpgpOrgSource({ fetch: server.fetchFor(), baseUrl: "http://keys.openpgp.org" }), /https/);
  });
});

describe("all sources in the documented order", () => {
  it("tries WKD, then keys.openpgp.org, then the imported keys, and reports each", async () => {
    server.clear();
    const store = { list: () => Promise.resolve([IMPOSTOR.armored, AUDIT.armored]) };
    const sources = [
      wkdSource({ fetch: server.fetchFor() }),
      keysOpenpgpOrgSource({ fetch: server.fetchFor() }),
      importedKeysSource(store),
    ];
    const [audit, nobody] = await createKeyFinder({ policy: null, sources }).find(["audit@auditor.example", "nobody@auditor.example"]);
    assert.equal(audit?.status === "found" && audit.source, "imported");
    assert.deepEqual(
      tried(nobody).map(({ source, code }) => `${source}: ${code ?? ""}`),
      ["wkd: not-found", "keys.openpgp.org: not-found", "imported: not-found"],
    );
  });
});
