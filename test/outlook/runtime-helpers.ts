// A stand-in for classic Outlook's JavaScript-only runtime: the handler bundle, built as the
// build builds it, runs in a bare node:vm context that offers only what that runtime offers
// (Office, OfficeRuntime.storage, fetch, timers, console), with the fake mailbox behind Office.
// Also times sends through the bundle, for the bench.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { build } from "esbuild";
import type { CompletedOptions } from "../../packages/outlook/src/host/office-compose.js";
import type { SealpostConfig } from "../../packages/outlook/src/launch/policy-source.js";
import { BANK, fixtureText, policyText, sealedAttachment } from "./fixture-helpers.js";
import { type FakeOffice, fakeOffice, type MailboxScenario } from "./office-helpers.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
export const ENTRY = `${root}packages/outlook/src/launch/launch-events.ts`;
/** Prepended to the bundle before esbuild's helpers (see the file for why). */
export const PRELUDE = `${root}packages/outlook/src/launch/prelude.js`;
/** What M's build writes (scripts/build-outlook.mjs), when it has run. */
export const BUILT_BUNDLE = `${root}dist/outlook/launchevent.js`;
export const BASE_URL = "https://sealpost.example/outlook/";

/**
 * The handler bundle as scripts/build-outlook.mjs makes it (one minified IIFE for ES2016, the
 * config defined, ES2018 regular expressions kept as literals so that unused ones are dropped),
 * with prelude.js as its banner, which the build is to add too.
 */
export async function bundleHandlers(
  config: SealpostConfig = { baseUrl: BASE_URL, builtInPolicy: null },
  options: { prelude?: boolean } = {},
): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: "iife",
    target: "es2016",
    supported: {
      "regexp-dot-all-flag": true,
      "regexp-lookbehind-assertions": true,
      "regexp-match-indices": true,
      "regexp-named-capture-groups": true,
      "regexp-set-notation": true,
      "regexp-unicode-property-escapes": true,
    },
    platform: "browser",
    minify: true,
    define: { __SEALPOST_CONFIG__: JSON.stringify(config) },
    ...(options.prelude === false ? {} : { banner: { js: readFileSync(PRELUDE, "utf8") } }),
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error("esbuild wrote nothing");
  return output.text;
}

/** The bundle from dist/outlook, if the build has made one. */
export function builtBundle(): string | undefined {
  return existsSync(BUILT_BUNDLE) ? readFileSync(BUILT_BUNDLE, "utf8") : undefined;
}

export interface RuntimeOptions {
  /** Answers the bundle's `fetch`; by default, the test policy for any URL. */
  readonly fetch?: (url: string) => Promise<unknown>;
  /** `false` for a runtime without OfficeRuntime.storage (as on the web and on Mac). */
  readonly storage?: boolean;
  /**
   * Also remove the built-ins newer than ECMAScript 2016 that cannot be polyfilled by syntax
   * lowering (BigInt, WeakRef, …) and the newer methods of built-ins, like Outlook builds before 2403.
   */
  readonly es2016BuiltIns?: boolean;
}

export interface HandlerRuntime {
  /** The function names the bundle associated, in order. */
  readonly associated: readonly string[];
  readonly logs: readonly string[];
  readonly fetched: readonly string[];
  readonly storage: ReadonlyMap<string, string>;
  send(
    scenario: MailboxScenario,
  ): Promise<{ options: CompletedOptions | undefined; completions: number; elapsedMs: number; fake: FakeOffice }>;
  recipientsChanged(scenario: MailboxScenario): Promise<{ completions: number; fake: FakeOffice }>;
}

// Globals of a bare V8 context that Outlook's runtime is not known to have. Intl went missing
// in classic Outlook 2406 (office-js issue #4631); the others are newer than ES2016.
// globalThis last: the deletions are written with it.
const NEWER_GLOBALS = [
  "BigInt",
  "BigInt64Array",
  "BigUint64Array",
  "WeakRef",
  "FinalizationRegistry",
  "AggregateError",
  "SharedArrayBuffer",
  "Atomics",
  "globalThis",
];
const NEWER_METHODS: Record<string, string[]> = {
  Object: ["hasOwn", "fromEntries", "entries", "values", "getOwnPropertyDescriptors"],
  "String.prototype": ["replaceAll", "padStart", "padEnd", "trimStart", "trimEnd", "matchAll", "at"],
  "Array.prototype": ["flat", "flatMap", "at", "findLast", "findLastIndex"],
  Promise: ["allSettled", "any"],
  "Promise.prototype": ["finally"],
};

export function loadHandlers(code: string, options: RuntimeOptions = {}): HandlerRuntime {
  const associated: string[] = [];
  const handlers = new Map<string, (event: unknown) => unknown>();
  const logs: string[] = [];
  const fetched: string[] = [];
  const stored = new Map<string, string>();
  let current: FakeOffice = fakeOffice();

  // Office is one object for the runtime's life; the item behind it is each event's own.
  const office = {
    actions: {
      associate: (name: string, handler: (event: unknown) => unknown) => {
        associated.push(name);
        handlers.set(name, handler);
      },
    },
  };
  for (const name of ["context", "AsyncResultStatus", "CoercionType", "MailboxEnums"] as const) {
    Object.defineProperty(office, name, { get: () => (current.office as unknown as Record<string, unknown>)[name], enumerable: true });
  }
  const officeRuntime = {
    storage: {
      getItem: (key: string) => Promise.resolve(stored.get(key) ?? null),
      setItem: (key: string, value: string) => {
        stored.set(key, value);
        return Promise.resolve();
      },
    },
  };
  const fetch = options.fetch ?? (() => Promise.resolve({ ok: true, status: 200, text: () => Promise.resolve(policyText()) }));
  const log = (...parts: unknown[]) => logs.push(parts.map(String).join(" "));

  const context = vm.createContext({
    Office: office,
    ...(options.storage === false ? {} : { OfficeRuntime: officeRuntime }),
    fetch: (url: string) => {
      fetched.push(url);
      return fetch(url);
    },
    setTimeout,
    clearTimeout,
    console: { log, info: log, warn: log, error: log, debug: log },
  });
  vm.runInContext("delete globalThis.Intl; delete globalThis.WebAssembly;", context);
  if (options.es2016BuiltIns === true) {
    vm.runInContext(
      [
        ...Object.entries(NEWER_METHODS).flatMap(([owner, names]) => names.map((name) => `delete ${owner}.${name};`)),
        ...NEWER_GLOBALS.map((name) => `delete globalThis.${name};`),
      ].join("\n"),
      context,
    );
  }
  vm.runInContext(code, context, { filename: "launchevent.js" });

  const dispatch = (name: string, event: unknown) => {
    const handler = handlers.get(name);
    if (handler === undefined) throw new Error(`the bundle associated no "${name}"`);
    handler(event);
  };

  return {
    associated,
    logs,
    fetched,
    storage: stored,
    async send(scenario) {
      current = fakeOffice(scenario);
      const completions: (CompletedOptions | undefined)[] = [];
      const started = performance.now();
      const done = new Promise<CompletedOptions | undefined>((resolve) => {
        dispatch("onMessageSendHandler", {
          completed: (options?: CompletedOptions) => {
            // Copied into this realm: the bundle's objects have the vm context's prototypes.
            const copy = options === undefined ? undefined : { ...options };
            completions.push(copy);
            resolve(copy);
          },
        });
      });
      const options = await done;
      const elapsedMs = performance.now() - started;
      return { options, completions: completions.length, elapsedMs, fake: current };
    },
    async recipientsChanged(scenario) {
      current = fakeOffice(scenario);
      let completions = 0;
      await new Promise<void>((resolve) => {
        dispatch("onMessageRecipientsChangedHandler", {
          completed: () => {
            completions++;
            resolve();
          },
        });
      });
      return { completions, fake: current };
    },
  };
}

export interface SendTimings {
  readonly sends: number;
  readonly recipients: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Loading the bundle into a fresh runtime and its first send, as classic Outlook does for each event. */
  readonly coldStartMs: number;
}

/**
 * Times `sends` sends through the handler bundle, each to `recipients` recipients across To, Cc
 * and Bcc with one bank address among them and content sealed to the bank (the full check:
 * body and attachment read and parsed), host calls answering asynchronously.
 */
export async function timeSends(options: { sends?: number; recipients?: number; code?: string } = {}): Promise<SendTimings> {
  const sends = options.sends ?? 200;
  const count = options.recipients ?? 50;
  const code = options.code ?? (await bundleHandlers());
  const coldStarted = performance.now();
  const runtime = loadHandlers(code);
  const addresses = Array.from({ length: count - 1 }, (_, i) => `colleague${String(i)}@corp.example`);
  const third = Math.ceil(addresses.length / 3);
  const scenario: MailboxScenario = {
    to: [BANK, ...addresses.slice(0, third)],
    cc: addresses.slice(third, 2 * third),
    bcc: addresses.slice(2 * third),
    body: fixtureText("sealed-bank.asc"),
    attachments: [sealedAttachment()],
  };
  await runtime.send(scenario);
  const coldStartMs = performance.now() - coldStarted;
  const samples: number[] = [];
  for (let i = 0; i < sends; i++) {
    const run = await runtime.send(scenario);
    if (run.options?.allowEvent !== true) throw new Error(`send ${String(i)} was not allowed: ${run.options?.errorMessage ?? "?"}`);
    samples.push(run.elapsedMs);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)] ?? 0;
  return { sends, recipients: count, medianMs: at(0.5), p99Ms: at(0.99), maxMs: samples[samples.length - 1] ?? 0, coldStartMs };
}
