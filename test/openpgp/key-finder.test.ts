// The key finder with fake sources: pins first, sources in order, only keys for the address,
// every recipient in parallel, a timeout per lookup, answers cached until they expire.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createKeyFinder, KeySourceError, type KeyLookup } from "@sealpost/core/openpgp";
import { compilePolicy } from "../core/fixtures.js";
import { AUDIT, EXPIRED, failingSource, IMPOSTOR, MALLORY, PAY, silentSource, tableSource } from "./fixtures.js";

const POLICY_RULES = [{ id: "banks", domains: ["bank.example"], require: { encryption: ["openpgp"] }, action: "block" }];

function policyWithKeys(keys: Record<string, string>) {
  return compilePolicy({ version: 1, rules: POLICY_RULES, keys });
}

function found(lookup: KeyLookup | undefined): { fingerprint: string; source: string } {
  if (lookup?.status !== "found") assert.fail(`expected a key, got ${JSON.stringify(lookup)}`);
  return { fingerprint: lookup.key.fingerprint, source: lookup.source };
}

describe("createKeyFinder", () => {
  it("uses a key whose valid user ID carries the address, from the first source that has one", async () => {
    const wkd = tableSource("wkd", { "pay@bank.example": PAY.armored });
    const vks = tableSource("keys.openpgp.org", { "pay@bank.example": IMPOSTOR.armored });
    const [lookup] = await createKeyFinder({ policy: null, sources: [wkd, vks] }).find(["pay@bank.example"]);
    assert.deepEqual(found(lookup), { fingerprint: PAY.fingerprint, source: "wkd" });
    assert.deepEqual(vks.asked, [], "a later source is not asked once a key is found");
  });

  it("asks sources with the address as core's addressKey: local part lower-cased, domain normalized", async () => {
    const wkd = tableSource("wkd", { "pay@bank.example": PAY.armored });
    const [lookup] = await createKeyFinder({ policy: null, sources: [wkd] }).find(["Bank <PAY@Bank.Example.>"]);
    assert.equal(found(lookup).fingerprint, PAY.fingerprint);
    assert.equal(lookup?.address, "Bank <PAY@Bank.Example.>", "the answer carries the address as given");
    assert.deepEqual(wkd.asked, ["pay@bank.example"]);
  });

  it("falls through to the next source when one has no key, and says what each one answered", async () => {
    const wkd = failingSource("wkd", new KeySourceError("not-found", "advanced method: HTTP 404; direct method: HTTP 404"));
    const vks = tableSource("keys.openpgp.org", {});
    const [lookup] = await createKeyFinder({ policy: null, sources: [wkd, vks] }).find(["audit@auditor.example"]);
    assert.deepEqual(lookup, {
      address: "audit@auditor.example",
      status: "missing",
      tried: [
        { source: "wkd", outcome: "advanced method: HTTP 404; direct method: HTTP 404", code: "not-found" },
        { source: "keys.openpgp.org", outcome: "has no key for this address", code: "not-found" },
      ],
    });
  });

  it("uses a key the policy pins as an armored key directly, asking no source", async () => {
    const wkd = tableSource("wkd", { "pay@bank.example": IMPOSTOR.armored });
    const finder = createKeyFinder({ policy: policyWithKeys({ "pay@bank.example": PAY.armored }), sources: [wkd] });
    const [lookup] = await finder.find(["pay@bank.example"]);
    assert.deepEqual(found(lookup), { fingerprint: PAY.fingerprint, source: "policy" });
    assert.deepEqual(wkd.asked, []);
  });

  it("uses a pinned armored key even when none of its user IDs carries the address", async () => {
    const finder = createKeyFinder({ policy: policyWithKeys({ "payments@bank.example": AUDIT.armored }), sources: [] });
    const [lookup] = await finder.find(["payments@bank.example"]);
    assert.deepEqual(found(lookup), { fingerprint: AUDIT.fingerprint, source: "policy" });
  });

  it("uses an armored pin that also carries its fingerprint (as Outlook's key directory passes it) directly", async () => {
    const base = policyWithKeys({ "pay@bank.example": PAY.armored });
    const keys = new Map([["pay@bank.example", { armored: PAY.armored, fingerprint: PAY.fingerprint }]]);
    const wkd = tableSource("wkd", {});
    const [lookup] = await createKeyFinder({ policy: { ...base, keys }, sources: [wkd] }).find(["pay@bank.example"]);
    assert.deepEqual(found(lookup), { fingerprint: PAY.fingerprint, source: "policy" });
    assert.deepEqual(wkd.asked, []);
    const contradicting = new Map([["pay@bank.example", { armored: PAY.armored, fingerprint: AUDIT.fingerprint }]]);
    const [refused] = await createKeyFinder({ policy: { ...base, keys: contradicting }, sources: [] }).find(["pay@bank.example"]);
    assert.equal(refused?.status === "refused" && refused.problem.code, "pin-mismatch");
  });

  it("refuses a pinned armored key that has expired, saying so", async () => {
    const finder = createKeyFinder({ policy: policyWithKeys({ "treasury@bank.example": EXPIRED.armored }), sources: [] });
    const [lookup] = await finder.find(["treasury@bank.example"]);
    assert.equal(lookup?.status, "refused");
    assert.equal(lookup?.status === "refused" && lookup.problem.code, "expired");
    assert.equal(lookup?.status === "refused" && lookup.source, "policy");
  });

  it("with a pinned fingerprint, takes that key from a source", async () => {
    const wkd = tableSource("wkd", { "pay@bank.example": PAY.armored });
    const finder = createKeyFinder({ policy: policyWithKeys({ "pay@bank.example": PAY.fingerprint }), sources: [wkd] });
    assert.deepEqual(found((await finder.find(["pay@bank.example"]))[0]), { fingerprint: PAY.fingerprint, source: "wkd" });
  });

  it("with a pinned fingerprint, goes on to the next source past a different key and uses the pinned one there", async () => {
    const wkd = tableSource("wkd", { "pay@bank.example": IMPOSTOR.armored });
    const imported = tableSource("imported", { "pay@bank.example": PAY.armored });
    const finder = createKeyFinder({ policy: policyWithKeys({ "pay@bank.example": PAY.fingerprint }), sources: [wkd, imported] });
    assert.deepEqual(found((await finder.find(["pay@bank.example"]))[0]), { fingerprint: PAY.fingerprint, source: "imported" });
  });

  it("refuses an expired key for the address, naming it, when no source has a usable one", async () => {
    const wkd = tableSource("wkd", { "treasury@bank.example": EXPIRED.armored });
    const [lookup] = await createKeyFinder({ policy: null, sources: [wkd] }).find(["treasury@bank.example"]);
    if (lookup?.status !== "refused") assert.fail(`expected a refusal, got ${lookup?.status ?? "nothing"}`);
    assert.equal(lookup.problem.code, "expired");
    assert.equal(lookup.source, "wkd");
    assert.equal(lookup.key?.fingerprint, EXPIRED.fingerprint);
    assert.match(lookup.problem.message, new RegExp(EXPIRED.fingerprint));
  });

  it("refuses key material that cannot be read, saying which source served it", async () => {
    const wkd = tableSource("wkd", { "pay@bank.example": new Uint8Array([0x3c, 0x68, 0x74, 0x6d, 0x6c, 0x3e]) });
    const [lookup] = await createKeyFinder({ policy: null, sources: [wkd] }).find(["pay@bank.example"]);
    assert.equal(lookup?.status === "refused" && `${lookup.source}: ${lookup.problem.code}`, "wkd: unreadable");
  });

  it("reports an address that cannot be parsed instead of looking it up", async () => {
    const wkd = tableSource("wkd", {});
    const [lookup] = await createKeyFinder({ policy: null, sources: [wkd] }).find(["not an address"]);
    assert.equal(lookup?.status, "missing");
    assert.match(lookup?.status === "missing" ? (lookup.tried[0]?.outcome ?? "") : "", /not an email address/);
    assert.deepEqual(wkd.asked, []);
  });

  it("answers in the order asked, one answer per address", async () => {
    const wkd = tableSource("wkd", {
      "pay@bank.example": PAY.armored,
      "audit@auditor.example": AUDIT.armored,
      "m@other.example": MALLORY.armored,
    });
    const lookups = await createKeyFinder({ policy: null, sources: [wkd] }).find([
      "m@other.example",
      "nobody@bank.example",
      "pay@bank.example",
      "audit@auditor.example",
    ]);
    assert.deepEqual(
      lookups.map((lookup) => (lookup.status === "found" ? lookup.key.fingerprint : lookup.status)),
      [MALLORY.fingerprint, "missing", PAY.fingerprint, AUDIT.fingerprint],
    );
  });
});

describe("createKeyFinder: time", () => {
  it("looks 20 recipients up in parallel: 20 lookups delayed 200 ms take about one delay", async () => {
    const table = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`user${String(i)}@bank.example`, PAY.armored]));
    const wkd = tableSource("wkd", table, 200);
    const started = performance.now();
    const lookups = await createKeyFinder({ policy: null, sources: [wkd] }).find(Object.keys(table));
    const elapsed = performance.now() - started;
    assert.equal(wkd.asked.length, 20);
    // Every answer is a refusal (the key is pay@'s), which proves each was read; the time is the point.
    assert.ok(lookups.every((lookup) => lookup.status === "refused" && lookup.problem.code === "not-for-address"));
    assert.ok(elapsed >= 200, `took ${elapsed.toFixed(0)} ms, less than the delay itself`);
    assert.ok(elapsed < 600, `took ${elapsed.toFixed(0)} ms: lookups ran one after another, not in parallel`);
  });

  it("gives up on a source that does not answer within the timeout and says so, then asks the next", async () => {
    const imported = tableSource("imported", { "pay@bank.example": PAY.armored });
    const finder = createKeyFinder({ policy: null, sources: [silentSource("wkd"), imported], timeoutMs: 150 });
    const started = performance.now();
    const [lookup] = await finder.find(["pay@bank.example"]);
    const elapsed = performance.now() - started;
    assert.deepEqual(found(lookup), { fingerprint: PAY.fingerprint, source: "imported" });
    assert.ok(elapsed >= 140 && elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
    const [missing] = await createKeyFinder({ policy: null, sources: [silentSource("wkd")], timeoutMs: 50 }).find(["pay@bank.example"]);
    assert.deepEqual(missing, {
      address: "pay@bank.example",
      status: "missing",
      tried: [{ source: "wkd", outcome: "timed out after 50 ms", code: "timeout" }],
    });
  });

  it("aborts the signal it gave a source that timed out", async () => {
    let seen: { aborted: boolean } | undefined;
    const source = {
      name: "wkd",
      lookup: (_address: string, signal: { aborted: boolean }) => {
        seen = signal;
        return new Promise<null>(() => undefined);
      },
    };
    await createKeyFinder({ policy: null, sources: [source], timeoutMs: 20 }).find(["pay@bank.example"]);
    assert.equal(seen?.aborted, true);
  });

  it("reuses an answer until cacheTtlMs has passed, then asks again", async () => {
    let clock = 1_000_000;
    const wkd = tableSource("wkd", { "pay@bank.example": PAY.armored });
    const finder = createKeyFinder({ policy: null, sources: [wkd], cacheTtlMs: 60_000, now: () => clock });
    await finder.find(["pay@bank.example"]);
    clock += 59_999;
    await finder.find(["PAY@bank.example"]);
    assert.equal(wkd.asked.length, 1, "asked again before the answer expired");
    clock += 2;
    await finder.find(["pay@bank.example"]);
    assert.equal(wkd.asked.length, 2, "not asked again after the answer expired");
  });

  it("keeps a definite 'no key' but not a timeout, so a slow network is retried", async () => {
    let clock = 0;
    let calls = 0;
    const flaky = {
      name: "wkd",
      lookup: () => {
        calls++;
        return calls === 1 ? new Promise<null>(() => undefined) : Promise.resolve(null);
      },
    };
    const finder = createKeyFinder({ policy: null, sources: [flaky], timeoutMs: 20, now: () => clock });
    await finder.find(["pay@bank.example"]);
    clock += 1;
    await finder.find(["pay@bank.example"]);
    clock += 1;
    await finder.find(["pay@bank.example"]);
    assert.equal(calls, 2, "the timeout was cached, or the 'no key' answer was not");
  });

  it("looks an address up once when it is asked for twice at the same time", async () => {
    const wkd = tableSource("wkd", { "pay@bank.example": PAY.armored }, 50);
    const finder = createKeyFinder({ policy: null, sources: [wkd] });
    const [a, b] = await Promise.all([finder.find(["pay@bank.example"]), finder.find(["Pay@Bank.example"])]);
    assert.equal(found(a[0]).fingerprint, PAY.fingerprint);
    assert.equal(found(b[0]).fingerprint, PAY.fingerprint);
    assert.equal(wkd.asked.length, 1);
  });

  it("refuses options that make no sense, at the boundary", () => {
    assert.throws(() => createKeyFinder({ policy: null, sources: [], timeoutMs: 0 }), /timeoutMs/);
    assert.throws(() => createKeyFinder({ policy: null, sources: [], cacheTtlMs: -1 }), /cacheTtlMs/);
  });
});
