// Where the Outlook handlers' policy comes from: built in, or fetched and kept for a while, with
// a day-old copy standing in for an unreachable server and everything else failing closed; and
// the pinned keys read from it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KeyValueStorage } from "../../packages/outlook/src/host/office-compose.js";
import {
  createPolicySource,
  type FetchText,
  forEvaluation,
  type LoadedPolicy,
  STORAGE_KEY,
} from "../../packages/outlook/src/launch/policy-source.js";
import { BANK, fingerprints, fixtureText, policyText, primaryOf, testPolicy } from "./fixture-helpers.js";

const HOUR = 3_600_000;

interface Server {
  fetch: FetchText;
  urls: string[];
  answer: (url: string) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;
}

function server(body: string | (() => Promise<never>) | number = policyText()): Server {
  const urls: string[] = [];
  const state: Server = {
    urls,
    answer: () => {
      if (typeof body === "function") return body();
      if (typeof body === "number") return Promise.resolve({ ok: false, status: body, text: () => Promise.resolve("") });
      return Promise.resolve({ ok: true, status: 200, text: () => Promise.resolve(body) });
    },
    fetch: (url) => {
      urls.push(url);
      return state.answer(url);
    },
  };
  return state;
}

function memoryStorage(initial: Record<string, string> = {}): KeyValueStorage & { data: Record<string, string> } {
  const data = { ...initial };
  return {
    data,
    getItem: (key) => Promise.resolve(data[key] ?? null),
    setItem: (key, value) => {
      data[key] = value;
      return Promise.resolve();
    },
  };
}

function source(options: { fetch?: FetchText; storage?: KeyValueStorage; now?: () => number; baseUrl?: string; builtIn?: string | null }) {
  return createPolicySource({
    config: { baseUrl: options.baseUrl ?? "https://addin.example/sealpost/", builtInPolicy: options.builtIn ?? null },
    fetch: options.fetch,
    storage: () => options.storage,
    now: options.now ?? (() => 1_000 * HOUR),
    fetchTimeoutMs: 100,
    refreshAfterMs: 5 * 60_000,
    maxAgeMs: 24 * HOUR,
  });
}

function kind(loaded: LoadedPolicy): string {
  return loaded.kind === "active" ? `active:${loaded.source}` : loaded.kind;
}

describe("the policy source", () => {
  it("uses a built-in policy without fetching", async () => {
    const remote = server();
    const loaded = await source({ builtIn: policyText(), fetch: remote.fetch }).load();
    assert.equal(kind(loaded), "active:built-in");
    assert.deepEqual(remote.urls, []);
  });

  it("fails closed on an invalid built-in policy, naming the mistake", async () => {
    const loaded = await source({ builtIn: '{ "version": 2, "rules": [] }' }).load();
    assert.equal(loaded.kind, "unavailable");
    assert.match(loaded.kind === "unavailable" ? loaded.reason : "", /built into Sealpost is invalid: version: must be 1/);
  });

  it("has no policy when neither a built-in policy nor a server is configured", async () => {
    assert.equal(kind(await source({ baseUrl: "" }).load()), "none");
  });

  it("fetches policy.json from beside the add-in and keeps a copy", async () => {
    const remote = server();
    const storage = memoryStorage();
    const loaded = await source({ fetch: remote.fetch, storage, baseUrl: "https://addin.example/sealpost" }).load();
    assert.equal(kind(loaded), "active:server");
    assert.deepEqual(remote.urls, ["https://addin.example/sealpost/policy.json"]);
    assert.match(storage.data[STORAGE_KEY] ?? "", /"fetchedAt":3600000000/);
  });

  it("uses a copy younger than five minutes without asking the server", async () => {
    const remote = server();
    let now = 1_000 * HOUR;
    const policy = source({ fetch: remote.fetch, storage: memoryStorage(), now: () => now });
    await policy.load();
    now += 4 * 60_000;
    assert.equal(kind(await policy.load()), "active:server");
    assert.equal(remote.urls.length, 1);
    now += 2 * 60_000;
    await policy.load();
    assert.equal(remote.urls.length, 2);
  });

  it("reads the copy another event's runtime saved", async () => {
    const storage = memoryStorage({ [STORAGE_KEY]: JSON.stringify({ text: policyText(), fetchedAt: 1_000 * HOUR - 60_000 }) });
    const remote = server();
    assert.equal(kind(await source({ fetch: remote.fetch, storage }).load()), "active:server");
    assert.deepEqual(remote.urls, []);
  });

  it("falls back to a copy under a day old when the server cannot be reached", async () => {
    const storage = memoryStorage({ [STORAGE_KEY]: JSON.stringify({ text: policyText(), fetchedAt: 1_000 * HOUR - 23 * HOUR }) });
    const loaded = await source({ fetch: server(() => Promise.reject(new TypeError("Failed to fetch"))).fetch, storage }).load();
    assert.equal(kind(loaded), "active:cache");
  });

  it("fails closed when the only copy is older than a day", async () => {
    const storage = memoryStorage({ [STORAGE_KEY]: JSON.stringify({ text: policyText(), fetchedAt: 1_000 * HOUR - 25 * HOUR }) });
    const loaded = await source({ fetch: server(() => Promise.reject(new TypeError("Failed to fetch"))).fetch, storage }).load();
    assert.equal(loaded.kind, "unavailable");
    assert.match(loaded.kind === "unavailable" ? loaded.reason : "", /policy\.json failed: Failed to fetch/);
  });

  it("fails closed on an HTTP error with no copy", async () => {
    const loaded = await source({ fetch: server(404).fetch }).load();
    assert.match(loaded.kind === "unavailable" ? loaded.reason : "", /HTTP 404/);
  });

  it("fails closed when the server does not answer in time", async () => {
    const loaded = await source({ fetch: server(() => new Promise<never>(() => undefined)).fetch }).load();
    assert.match(loaded.kind === "unavailable" ? loaded.reason : "", /no answer within 0\.1 s/);
  });

  it("fails closed where the runtime cannot fetch at all", async () => {
    const loaded = await source({ fetch: undefined }).load();
    assert.match(loaded.kind === "unavailable" ? loaded.reason : "", /offers no way to fetch/);
  });

  it("fails closed on an invalid policy from the server, and no older copy outlives it", async () => {
    const storage = memoryStorage({ [STORAGE_KEY]: JSON.stringify({ text: policyText(), fetchedAt: 1_000 * HOUR - HOUR }) });
    const remote = server('{ "version": 1, "rules": [ { "id": "banks" } ] }');
    const policy = source({ fetch: remote.fetch, storage });
    const first = await policy.load();
    assert.match(first.kind === "unavailable" ? first.reason : "", /is invalid: rules\[0\]\.domains: is required/);
    remote.answer = () => Promise.reject(new TypeError("Failed to fetch"));
    const again = await source({ fetch: remote.fetch, storage }).load();
    assert.equal(again.kind, "unavailable");
  });

  it("works without its storage when the storage fails or hangs", async () => {
    const broken: KeyValueStorage = {
      getItem: () => Promise.reject(new Error("quota")),
      setItem: () => Promise.reject(new Error("quota")),
    };
    assert.equal(kind(await source({ fetch: server().fetch, storage: broken }).load()), "active:server");
    const corrupt = memoryStorage({ [STORAGE_KEY]: "{ not json" });
    assert.equal(kind(await source({ fetch: server().fetch, storage: corrupt }).load()), "active:server");
  });
});

describe("pinned keys", () => {
  it("resolves an armored pin to its primary fingerprint for core, and knows its subkeys", async () => {
    const loaded = await source({ builtIn: policyText() }).load();
    assert.ok(loaded.kind === "active");
    const resolved = forEvaluation(loaded);
    assert.ok(resolved !== null && resolved.kind === "policy");
    assert.equal(resolved.keys.get(BANK)?.fingerprint, primaryOf("pay"));
    const pin = loaded.keys.pinFor(BANK);
    assert.equal(pin?.kind, "key");
    assert.ok(pin !== undefined && loaded.keys.covers(pin, { keyId: fingerprints("pay")[1]?.slice(24) ?? "" }));
  });

  it("refuses a pin that holds two keys: either could stand for the recipient", async () => {
    const document = testPolicy();
    const binary = (file: string) =>
      Buffer.from(
        fixtureText(file)
          .split(/\r?\n\r?\n/)[1]
          ?.split(/\n=/)[0] ?? "",
        "base64",
      );
    const both = Buffer.concat([binary("key-pay.asc"), binary("key-m.asc")]).toString("base64");
    (document.keys as Record<string, string>)[BANK] =
      `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n${both}\n-----END PGP PUBLIC KEY BLOCK-----\n`;
    const loaded = await source({ builtIn: policyText(document) }).load();
    assert.ok(loaded.kind === "active");
    assert.deepEqual(loaded.keys.pinFor(BANK), { kind: "unreadable", reason: "the block holds 2 keys" });
  });

  it("leaves an unreadable armored pin unresolved, so that core fails closed", async () => {
    const document = testPolicy();
    (document.keys as Record<string, string>)[BANK] =
      "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base64!\n-----END PGP PUBLIC KEY BLOCK-----";
    const loaded = await source({ builtIn: policyText(document) }).load();
    assert.ok(loaded.kind === "active");
    assert.equal(loaded.keys.pinFor(BANK)?.kind, "unreadable");
    const resolved = forEvaluation(loaded);
    assert.ok(resolved !== null && resolved.kind === "policy");
    assert.equal(resolved.keys.get(BANK)?.fingerprint, undefined);
  });
});
