// Drives the BUILT task pane (dist/outlook/taskpane.html and taskpane.js) in Debian's headless
// Chromium through playwright-core: the stateful fake of the compose item (test/outlook/
// compose-fake.ts) is bundled and injected before the pane's script runs, Office.js's CDN URL and
// the add-in's own origin are answered by the test, and every other host name resolves to a
// local HTTPS server on loopback (WKD, keys.openpgp.org) or to nothing.
import { createHash, createPublicKey } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { type Browser, chromium, type Page } from "playwright-core";
import { selfSignedCertificate } from "../thunderbird/harness/ca.js";
import type { ComposeScenario, ComposeState } from "../outlook/compose-fake.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
export const SITE = join(root, "dist/outlook");
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Debian's Chromium, headless, as root, on a machine with no way out: without the
 * background-networking flags it keeps trying Google's hosts, which this network refuses.
 */
export const HEADLESS_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;
/** The build's base URL (scripts/build-outlook.mjs TEMPLATE_BASE_URL): the pane's own origin. */
export const PANE_ORIGIN = "https://localhost:3000";
const OFFICE_JS = "https://appsforoffice.microsoft.com/**";

/** Fails (never skips) when what the suite needs is missing. */
export function requireChromiumAndBuild(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  for (const file of ["taskpane.html", "taskpane.js", "launchevent.js"]) {
    if (!existsSync(join(SITE, file))) throw new Error(`dist/outlook/${file} is missing: run npm run build first`);
  }
}

export interface KeyServer {
  readonly port: number;
  /** Base64 SHA-256 of the server certificate's SubjectPublicKeyInfo, for --ignore-certificate-errors-spki-list. */
  readonly spki: string;
  /** Every request, as "host path". */
  readonly requests: string[];
  /** Serves `body` for `host` + `path` (query ignored); everything else is 404. */
  serve(host: string, path: string, body: Uint8Array): void;
  close(): Promise<void>;
}

/** One HTTPS server on 127.0.0.1 for every key host, with a self-signed certificate made by openssl. */
export async function startKeyServer(dir: string, names: readonly string[]): Promise<KeyServer> {
  const { certPem: cert, keyPem: key } = await selfSignedCertificate(dir, names, "key-server");
  const spki = createHash("sha256")
    .update(createPublicKey(cert).export({ type: "spki", format: "der" }))
    .digest("base64");
  const files = new Map<string, Uint8Array>();
  const requests: string[] = [];
  const server: Server = createServer({ key, cert }, (request, response) => {
    const host = (request.headers.host ?? "").replace(/:\d+$/, "");
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    requests.push(`${host} ${path}`);
    // The WKD draft (§3.1) asks servers to allow any origin, so that web clients can read keys.
    const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "*" };
    if (request.method === "OPTIONS") {
      response.writeHead(204, cors).end();
      return;
    }
    const body = files.get(`${host} ${path}`);
    if (body === undefined) response.writeHead(404, { ...cors, "content-type": "text/plain" }).end("not found");
    else response.writeHead(200, { ...cors, "content-type": "application/octet-stream" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    spki,
    requests,
    serve: (host, path, body) => files.set(`${host} ${path}`, body),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface PaneBrowser {
  readonly browser: Browser;
  readonly keys: KeyServer;
  close(): Promise<void>;
}

/** Chromium with every key host mapped to the key server, its certificate trusted by SPKI, and nothing else reachable. */
export async function launchPaneBrowser(keyHosts: readonly string[]): Promise<PaneBrowser> {
  requireChromiumAndBuild();
  const dir = await mkdtemp(join(tmpdir(), "sealpost-pane-"));
  const keys = await startKeyServer(dir, keyHosts);
  const rules = [...keyHosts.map((host) => `MAP ${host} 127.0.0.1:${String(keys.port)}`), "MAP * ~NOTFOUND"].join(", ");
  // launch() gives Chromium a new, empty temporary profile of its own (and refuses --user-data-dir).
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...HEADLESS_ARGS,
      `--host-resolver-rules=${rules}`,
      `--ignore-certificate-errors-spki-list=${keys.spki}`,
      // The key hosts stand for public servers but resolve to loopback here, which Chromium's
      // Local Network Access checks would refuse to a page from another address space.
      "--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults",
    ],
  });
  return {
    browser,
    keys,
    close: async () => {
      await browser.close();
      await keys.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let fakeBundle: string | undefined;

/** compose-fake.ts as one script that installs `Office` and `__sealpostFake` from `__SEALPOST_SCENARIO__`. */
export async function fakeScript(): Promise<string> {
  if (fakeBundle !== undefined) return fakeBundle;
  const result = await build({
    stdin: {
      contents: [
        'import { composeFake } from "./compose-fake.ts";',
        "const fake = composeFake(globalThis.__SEALPOST_SCENARIO__);",
        "globalThis.__sealpostFake = fake;",
        "globalThis.Office = fake.office;",
      ].join("\n"),
      resolveDir: join(root, "test/outlook"),
      loader: "ts",
    },
    bundle: true,
    write: false,
    format: "iife",
    target: "es2020",
    platform: "browser",
    logLevel: "warning",
  });
  fakeBundle = result.outputFiles[0]?.text ?? "";
  return fakeBundle;
}

const TYPES: Readonly<Record<string, string>> = { ".html": "text/html", ".js": "text/javascript", ".json": "application/json" };

export interface OpenedPane {
  readonly page: Page;
  /** The item as the fake holds it now. */
  state(): Promise<ComposeState>;
  /** Waits until the pane has looked up every recipient's key. */
  keysSettled(): Promise<void>;
  readonly errors: string[];
}

/** Opens the built taskpane.html as Outlook would, over the fake item described by `scenario`. */
export async function openPane(pane: PaneBrowser, scenario: ComposeScenario, policyText: string): Promise<OpenedPane> {
  const context = await pane.browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await context.addInitScript({ content: `globalThis.__SEALPOST_SCENARIO__ = ${JSON.stringify(scenario)};\n${await fakeScript()}` });
  // Office.js is not loaded: the fake above is the Office the pane sees.
  await context.route(OFFICE_JS, (route) =>
    route.fulfill({ status: 200, contentType: "text/javascript", body: "/* Office.js: the test's fake is in place */" }),
  );
  await context.route(`${PANE_ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === "/policy.json") return route.fulfill({ status: 200, contentType: "application/json", body: policyText });
    const file = normalize(join(SITE, decodeURIComponent(path)));
    if (!file.startsWith(SITE) || !existsSync(file)) return route.fulfill({ status: 404, body: "not found" });
    return route.fulfill({ status: 200, contentType: TYPES[extname(file)] ?? "application/octet-stream", body: readFileSync(file) });
  });
  await page.goto(`${PANE_ORIGIN}/taskpane.html`);
  return {
    page,
    errors,
    // Page-side code as strings: the test project has no DOM library.
    state: () => page.evaluate<ComposeState>("globalThis.__sealpostFake.snapshot()"),
    keysSettled: () =>
      page
        .waitForFunction(
          `(() => { const keys = [...document.querySelectorAll("#recipients .key")];
             return keys.length > 0 && keys.every((key) => key.getAttribute("data-status") !== "pending"); })()`,
          undefined,
          { timeout: 30_000 },
        )
        .then(() => undefined),
  };
}

/** Waits until the element's text matches; its text. */
export async function waitForText(page: Page, selector: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = "";
  while (Date.now() < deadline) {
    text = await page.locator(selector).innerText();
    if (pattern.test(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${selector} never matched ${String(pattern)}; it says ${JSON.stringify(text)}`);
}

/** The id of the focused element. */
export function focusedId(page: Page): Promise<string> {
  return page.evaluate<string>("document.activeElement ? document.activeElement.id : ''");
}
