// The handler bundle in a bare runtime like classic Outlook's JavaScript-only one: it loads
// without a DOM, Node or Intl, associates its handlers, and decides the same send scenarios as
// the unit tests, fetching and keeping the policy through the runtime's own fetch and storage.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import { STORAGE_KEY } from "../../packages/outlook/src/launch/policy-source.js";
import { AUDITOR, BANK, COLLEAGUE, ENCRYPTING_LABEL, fixtureText, policyText, sealedAttachment, STRANGER } from "./fixture-helpers.js";
import { BASE_URL, builtBundle, bundleHandlers, loadHandlers, PRELUDE, timeSends } from "./runtime-helpers.js";
import { HANG } from "./office-helpers.js";

let code = "";
before(async () => {
  code = await bundleHandlers();
});

const unreachable = () => Promise.reject(new TypeError("Failed to fetch"));

describe("the handler bundle in a bare JavaScript-only runtime", () => {
  it("loads without window, document, localStorage, process, require or Intl, and associates both handlers", () => {
    const runtime = loadHandlers(code);
    assert.deepEqual(runtime.associated, ["onMessageSendHandler", "onMessageRecipientsChangedHandler"]);
  });

  it("is one self-contained script: no import, no require, no module syntax", () => {
    assert.doesNotMatch(code, /\bimport\s*\(|\brequire\s*\(|^\s*(import|export)\s/m);
  });

  it("lets unprotected mail go, having fetched the policy from beside the add-in and kept it in OfficeRuntime.storage", async () => {
    const runtime = loadHandlers(code);
    const run = await runtime.send({ to: [COLLEAGUE, STRANGER] });
    assert.deepEqual(run.options, { allowEvent: true });
    assert.equal(run.completions, 1);
    assert.deepEqual(runtime.fetched, [`${BASE_URL}policy.json`]);
    assert.ok(runtime.storage.has(STORAGE_KEY));
  });

  it("blocks unencrypted mail to the bank, with every Smart Alerts option", async () => {
    const run = await loadHandlers(code).send({ to: [BANK] });
    assert.equal(run.completions, 1);
    assert.equal(run.options?.allowEvent, false);
    assert.match(run.options?.errorMessage ?? "", /^This message cannot be sent yet\.\n- The message is not encrypted\./);
    assert.ok((run.options?.errorMessage ?? "").length <= 500);
    assert.ok((run.options?.errorMessageMarkdown ?? "").startsWith("**This message cannot be sent yet.**"));
    assert.equal(run.options?.cancelLabel, "Open Sealpost");
    assert.equal(run.options?.commandId, "SealpostTaskPaneButton");
  });

  it("lets content sealed to the bank's key go: the packets are read inside the bundle", async () => {
    const run = await loadHandlers(code).send({ to: [BANK], body: fixtureText("sealed-bank.asc"), attachments: [sealedAttachment()] });
    assert.deepEqual(run.options, { allowEvent: true });
  });

  it("blocks content sealed to another key", async () => {
    const run = await loadHandlers(code).send({ to: [BANK], body: fixtureText("sealed-other.asc") });
    assert.match(run.options?.errorMessage ?? "", /not encrypted to the key of pay@bank\.example/);
  });

  it("lets mail under an encrypting label go", async () => {
    assert.deepEqual((await loadHandlers(code).send({ to: [BANK], label: ENCRYPTING_LABEL })).options, { allowEvent: true });
  });

  it("asks for confirmation with PromptUser", async () => {
    const run = await loadHandlers(code).send({ to: [AUDITOR] });
    assert.equal(run.options?.sendModeOverride, "promptUser");
  });

  it("speaks German where Office does", async () => {
    const run = await loadHandlers(code).send({ to: [BANK], displayLanguage: "de-AT" });
    assert.match(run.options?.errorMessage ?? "", /^Diese Nachricht kann noch nicht gesendet werden\./);
  });

  it("fails closed when the policy server cannot be reached: external mail blocked, internal mail sent", async () => {
    const runtime = loadHandlers(code, { fetch: unreachable });
    const external = await runtime.send({ to: [STRANGER] });
    assert.match(
      external.options?.errorMessage ?? "",
      /policy could not be loaded \(fetching https:\/\/sealpost\.example\/outlook\/policy\.json failed: Failed to fetch\)/,
    );
    assert.deepEqual((await runtime.send({ to: [COLLEAGUE] })).options, { allowEvent: true });
  });

  it("serves the copy a previous event's runtime kept when the server is unreachable", async () => {
    const first = loadHandlers(code);
    await first.send({ to: [COLLEAGUE] });
    // Classic Outlook starts a new runtime for each event; OfficeRuntime.storage outlives it.
    const second = loadHandlers(code, { fetch: unreachable });
    for (const [key, value] of first.storage) (second.storage as Map<string, string>).set(key, value);
    const run = await second.send({ to: [BANK] });
    assert.match(run.options?.errorMessage ?? "", /not encrypted/);
    assert.deepEqual(second.fetched, []);
  });

  it("uses a built-in policy without fetching", async () => {
    const runtime = loadHandlers(await bundleHandlers({ baseUrl: BASE_URL, builtInPolicy: policyText() }), { fetch: unreachable });
    const run = await runtime.send({ to: [BANK] });
    assert.equal(run.options?.allowEvent, false);
    assert.match(run.options?.errorMessage ?? "", /not encrypted/);
    assert.deepEqual(runtime.fetched, []);
  });

  it("runs where the runtime has no OfficeRuntime.storage (web and Mac load commands.html)", async () => {
    const run = await loadHandlers(code, { storage: false }).send({ to: [BANK] });
    assert.match(run.options?.errorMessage ?? "", /not encrypted/);
  });

  it("completes once, blocking, when a recipient field never answers", async () => {
    const run = await loadHandlers(code).send({ to: [COLLEAGUE], bcc: HANG });
    assert.equal(run.completions, 1);
    assert.equal(run.options?.allowEvent, false);
    assert.ok(run.elapsedMs < 3500, `took ${String(run.elapsedMs)} ms`);
  });

  it("shows the info bar for a protected recipient", async () => {
    const run = await loadHandlers(code).recipientsChanged({ to: [BANK] });
    assert.equal(run.completions, 1);
    assert.match(run.fake.notifications.get("sealpost")?.message ?? "", /^Sealpost: mail to bank\.example needs encryption/);
  });

  it("decides the same with only ECMAScript 2016's built-ins, as Outlook before build 2403 offers", async () => {
    const runtime = loadHandlers(code, { es2016BuiltIns: true });
    assert.deepEqual((await runtime.send({ to: [COLLEAGUE] })).options, { allowEvent: true });
    assert.match((await runtime.send({ to: [BANK] })).options?.errorMessage ?? "", /not encrypted/);
    const sealed = await runtime.send({ to: [BANK], body: fixtureText("sealed-bank.asc"), attachments: [sealedAttachment()] });
    assert.deepEqual(sealed.options, { allowEvent: true });
  });

  it("needs its prelude there: without it the bundle does not even load, and nothing could be sent", async () => {
    const withoutPrelude = await bundleHandlers({ baseUrl: BASE_URL, builtInPolicy: null }, { prelude: false });
    // No globalThis for the shims, and esbuild's spread helper finds no Object.getOwnPropertyDescriptors.
    assert.throws(() => loadHandlers(withoutPrelude, { es2016BuiltIns: true }), /TextEncoder is not defined|is not a function/);
  });

  it("times sends through the bundle for the bench", async (t) => {
    const timings = await timeSends({ sends: 20, recipients: 50, code });
    t.diagnostic(
      `20 sends, 50 recipients: median ${timings.medianMs.toFixed(1)} ms, p99 ${timings.p99Ms.toFixed(1)} ms, cold start ${timings.coldStartMs.toFixed(1)} ms`,
    );
    assert.ok(timings.medianMs > 0 && timings.p99Ms >= timings.medianMs);
  });
});

describe("the bundle the build wrote (dist/outlook/launchevent.js)", () => {
  it("exists: npm test builds before it tests", () => {
    assert.ok(builtBundle() !== undefined, "dist/outlook/launchevent.js is missing: run npm run build first");
  });

  it("loads in the bare runtime and associates both handlers", () => {
    const built = builtBundle() ?? "";
    assert.deepEqual([...loadHandlers(built).associated].sort(), ["onMessageRecipientsChangedHandler", "onMessageSendHandler"]);
  });

  it("completes a send exactly once, failing closed for external mail when it cannot reach a policy", async () => {
    const run = await loadHandlers(builtBundle() ?? "", { fetch: unreachable }).send({ to: [STRANGER] });
    assert.equal(run.completions, 1);
    assert.equal(run.options?.allowEvent, false);
  });

  it("starts with prelude.js, so that it loads where only ECMAScript 2016's built-ins exist", async () => {
    const built = builtBundle() ?? "";
    assert.ok(
      built.startsWith(readFileSync(PRELUDE, "utf8").trim()),
      "the build must set esbuild's banner to packages/outlook/src/launch/prelude.js",
    );
    assert.deepEqual((await loadHandlers(built, { es2016BuiltIns: true }).send({ to: [COLLEAGUE] })).options, { allowEvent: true });
  });
});
