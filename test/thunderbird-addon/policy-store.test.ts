// Where the add-on's policy comes from: managed storage wins and locks; the options page's
// policy is validated before it is saved; a broken managed policy never falls back to a weaker one.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PolicyStore, type PolicyStorage, policyForEvaluation } from "../../packages/thunderbird/src/background/policy-store.js";

const policyText = JSON.stringify({
  version: 1,
  rules: [{ id: "banks", domains: ["examplebank.com"], require: { submission: "tls" }, action: "block" }],
});

function storage(managed: unknown, local?: string): PolicyStorage & { saved: string | undefined } {
  const state = {
    saved: local,
    readManaged: () => (managed instanceof Error ? Promise.reject(managed) : Promise.resolve(managed)),
    readLocal: () => Promise.resolve(state.saved),
    writeLocal: (text: string) => {
      state.saved = text;
      return Promise.resolve();
    },
    clearLocal: () => {
      state.saved = undefined;
      return Promise.resolve();
    },
  };
  return state;
}

describe("the policy store", () => {
  it("has no policy when neither source has one", async () => {
    assert.deepEqual(await new PolicyStore(storage(undefined)).current(), { kind: "none" });
  });

  it("takes a managed policy given as an object and locks it", async () => {
    const store = new PolicyStore(storage(JSON.parse(policyText), "{}"));
    const state = await store.current();
    assert.equal(state.kind, "active");
    assert.equal(state.kind === "active" && state.source, "managed");
    const save = await store.save(policyText);
    assert.equal(save.ok, false);
    assert.equal(!save.ok && save.locked, true);
    assert.deepEqual(await store.clear(), { ok: false, locked: true });
  });

  it("never lets a policy in storage.local override or change a managed one", async () => {
    // A weaker policy, valid, already in local storage (put there before IT deployed, or by hand).
    const weaker = JSON.stringify({
      version: 1,
      rules: [{ id: "banks", domains: ["other.example"], require: { submission: "tls" }, action: "confirm" }],
    });
    const backing = storage(JSON.parse(policyText), weaker);
    const store = new PolicyStore(backing);
    const state = await store.current();
    assert.equal(state.kind === "active" && state.source, "managed");
    assert.deepEqual(state.kind === "active" && state.policy.rules.map((rule) => rule.domains), [["examplebank.com"]]);
    assert.equal((await store.save(weaker)).ok, false);
    assert.deepEqual(await store.clear(), { ok: false, locked: true });
    assert.equal(backing.saved, weaker, "local storage is neither rewritten nor cleared");
    store.invalidate();
    const reread = await store.current();
    assert.equal(reread.kind === "active" && reread.source, "managed");
  });

  it("keeps a broken managed policy locked too: the options page cannot replace it", async () => {
    const store = new PolicyStore(storage({ version: 1, rules: "nope" }));
    const save = await store.save(policyText);
    assert.equal(!save.ok && save.locked, true);
    assert.equal((await store.current()).kind, "invalid");
  });

  it("takes a managed policy given as JSON text", async () => {
    const state = await new PolicyStore(storage(policyText)).current();
    assert.equal(state.kind === "active" && state.source, "managed");
  });

  it("reports an invalid managed policy as unavailable, with its first error, and ignores the local one", async () => {
    const state = await new PolicyStore(storage({ version: 1, rules: [{ id: "banks" }] }, policyText)).current();
    assert.equal(state.kind, "invalid");
    assert.match(state.kind === "invalid" ? state.reason : "", /set by your organisation is invalid: rules\[0\]\.domains: is required/);
    assert.deepEqual(policyForEvaluation(state), { kind: "unavailable", reason: state.kind === "invalid" ? state.reason : "" });
  });

  it("fails closed when managed storage cannot be read", async () => {
    const state = await new PolicyStore(storage(new Error("policy engine failed"), policyText)).current();
    assert.equal(state.kind, "invalid");
  });

  // Regression: one failed read of managed storage was kept until Thunderbird restarted.
  it("reads managed storage again after a failed read, failing closed meanwhile", async () => {
    let fail = true;
    const store = new PolicyStore({
      ...storage(undefined),
      readManaged: () => (fail ? Promise.reject(new Error("policy engine not ready")) : Promise.resolve(JSON.parse(policyText))),
    });
    assert.equal((await store.current()).kind, "invalid");
    fail = false;
    const state = await store.current();
    assert.equal(state.kind === "active" && state.source, "managed");
  });

  it("reads again after a read that never answered", async () => {
    let hang = true;
    const store = new PolicyStore(
      {
        ...storage(undefined),
        readManaged: () => (hang ? new Promise(() => undefined) : Promise.resolve(JSON.parse(policyText))),
      },
      20,
    );
    void store.current();
    hang = false;
    await new Promise((resolve) => setTimeout(resolve, 40));
    const state = await store.current();
    assert.equal(state.kind === "active" && state.source, "managed");
  });

  it("keeps an invalid policy once read: reading it again gives the same errors", async () => {
    let reads = 0;
    const store = new PolicyStore({
      ...storage(undefined),
      readManaged: () => {
        reads++;
        return Promise.resolve({ version: 1, rules: "nope" });
      },
    });
    await store.current();
    await store.current();
    assert.equal(reads, 1);
  });

  it("saves a valid local policy and refuses an invalid one with its errors", async () => {
    const backing = storage(undefined);
    const store = new PolicyStore(backing);
    const bad = await store.save('{ "version": 1, "rules": [ { "id": "x", "domains": ["bank..com"] } ] }');
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && bad.errors.some((error) => error.path === "rules[0].domains[0]" && error.line === 1));
    assert.equal(backing.saved, undefined, "nothing saved");
    const good = await store.save(policyText);
    assert.equal(good.ok, true);
    assert.equal(backing.saved, policyText);
    assert.equal((await store.current()).kind, "active");
    assert.deepEqual(await store.clear(), { ok: true, locked: false });
    assert.deepEqual(await store.current(), { kind: "none" });
  });
});
