// Builds Sealpost for Outlook as a static site (dist/outlook/): the send handler for Outlook's JavaScript-only
// runtime, the pages, icons, the policy, both manifests pointed at one base URL, and the unified app package.
// CLI: node scripts/build-outlook.mjs --base-url URL [--policy FILE] [--built-in-policy] [--office-js local] [--out DIR]
import { parse } from "acorn";
import { build } from "esbuild";
import { zipSync } from "fflate";
import { existsSync, realpathSync } from "node:fs";
import { copyFile, mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/** The base URL written in manifests/outlook/*; the build replaces it with the site's own. */
export const TEMPLATE_BASE_URL = "https://localhost:3000/";
/** Microsoft's supported source of Office.js; pages must reference it by exactly this URL. */
export const OFFICE_JS_CDN = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js";
/** Where the local copy of Office.js lives inside the site, for offline development and tests. */
export const OFFICE_JS_LOCAL = "office-js/office.js";
/** The unified manifest travels as an app package: manifest.json, its localizations and its two icons. */
export const APP_PACKAGE = "sealpost-outlook-app.zip";

// Microsoft documents this file and its place (use-sso-in-event-based-activation.md): classic Outlook's
// JavaScript-only runtime may make CORS requests only from scripts the add-in's origin lists here.
const WELL_KNOWN = ".well-known/microsoft-officeaddins-allowed.json";
const FIXED_MTIME = new Date("2026-01-01T00:00:00Z");

/**
 * Checks a base URL and returns it in the form every manifest URL starts with: https, a directory (ending in
 * "/"), no query, fragment or credentials, and nothing that XML or JSON would need escaped.
 */
export function normalizeBaseUrl(input) {
  let url;
  try {
    url = new URL(input);
  } catch (error) {
    throw new Error(`--base-url ${JSON.stringify(input)} is not a URL`, { cause: error });
  }
  // Office loads every add-in URL over TLS, localhost included.
  if (url.protocol !== "https:") throw new Error(`--base-url must be https (Office loads add-ins only over TLS), not ${url.protocol}`);
  if (url.username || url.password || url.search || url.hash) {
    throw new Error(`--base-url ${JSON.stringify(input)} must not carry credentials, a query or a fragment`);
  }
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  if (/[&<>"'\\\s]/.test(url.href))
    throw new Error(`--base-url ${JSON.stringify(url.href)} has characters that manifests cannot hold as is`);
  return url.href;
}

/** The two manifests and the unified manifest's localization files, with every URL moved to `baseUrl`. */
export async function renderOutlookManifests(root, { baseUrl = TEMPLATE_BASE_URL } = {}) {
  const base = normalizeBaseUrl(baseUrl);
  const dir = join(root, "manifests/outlook");
  const rebase = (text) => text.split(TEMPLATE_BASE_URL).join(base);
  const localizations = {};
  for (const name of (await readdir(dir)).filter((file) => /^[a-z]{2}(-[a-z]{2})?\.json$/.test(file)).sort()) {
    localizations[name] = await readFile(join(dir, name), "utf8");
  }
  return {
    baseUrl: base,
    xml: rebase(await readFile(join(dir, "manifest.xml"), "utf8")),
    json: rebase(await readFile(join(dir, "manifest.json"), "utf8")),
    localizations,
  };
}

/**
 * Writes the Outlook site. `policyFile` defaults to examples/banks-policy.json; `builtInPolicy` also compiles
 * it into the bundles; `officeJs: "local"` serves Office.js from a copy beside the site instead of Microsoft's CDN.
 */
export async function buildOutlook(root, options = {}) {
  const { baseUrl = TEMPLATE_BASE_URL, builtInPolicy = false, officeJs = "cdn" } = options;
  if (officeJs !== "cdn" && officeJs !== "local") throw new Error(`officeJs must be "cdn" or "local", not ${JSON.stringify(officeJs)}`);
  const base = normalizeBaseUrl(baseUrl);
  const pkg = join(root, "packages/outlook");
  const out = resolve(options.outDir ?? join(root, "dist/outlook"));

  const entries = {
    launch: join(pkg, "src/launch/launch-events.ts"),
    taskpane: join(pkg, "src/taskpane/taskpane.ts"),
  };
  for (const entry of Object.values(entries)) {
    if (!existsSync(entry)) throw new Error(`cannot build the Outlook add-in: ${relative(root, entry)} does not exist`);
  }

  // A policy that core rejects would block every external message once deployed: stop here instead.
  const policyFile = resolve(options.policyFile ?? join(root, "examples/banks-policy.json"));
  const policyText = await readFile(policyFile, "utf8").catch((error) => {
    throw new Error(`cannot read the policy ${policyFile}`, { cause: error });
  });
  await checkPolicy(root, policyFile, policyText);

  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });

  // The add-in reads this global: the site's own URL (the JavaScript-only runtime cannot fetch relative URLs)
  // and, when asked for, the policy's text compiled in.
  const define = { __SEALPOST_CONFIG__: JSON.stringify({ baseUrl: base, builtInPolicy: builtInPolicy ? policyText : null }) };

  // Classic Outlook on Windows runs this file in its JavaScript-only runtime: one self-contained script, no
  // imports, and only ES2016 before build 2403 (troubleshoot-event-based-and-spam-reporting-add-ins.md).
  const launchFile = join(out, "launchevent.js");
  const launch = await build({
    entryPoints: [entries.launch],
    outfile: launchFile,
    bundle: true,
    format: "iife",
    target: "es2016",
    // esbuild would rewrite ES2018 regular expressions into `new RegExp(...)` calls, which it then never drops
    // as unused (valibot's emoji pattern, for one) and which throw in an ES2016 engine. Left as literals, the
    // unused ones are tree-shaken, and the parse below rejects any that remain.
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
    define,
    // esbuild's ES2016 output reads Object.getOwnPropertyDescriptors (ES2017) on its first line,
    // before any module of ours runs; the prelude (plain ES5) supplies it first.
    banner: { js: await readFile(join(pkg, "src/launch/prelude.js"), "utf8") },
    logLevel: "silent",
  });
  // esbuild warns when it keeps syntax the target lacks (a BigInt literal, for one) "and may crash at run-time":
  // in a Block-mode handler that crash stops every message, so it fails the build.
  if (launch.warnings.length > 0) {
    throw new Error(`launchevent.js would not run on ES2016:\n${launch.warnings.map((warning) => `  ${describe(warning)}`).join("\n")}`);
  }
  checkEs2016(await readFile(launchFile, "utf8"));

  await build({
    entryPoints: [entries.taskpane],
    outfile: join(out, "taskpane.js"),
    bundle: true,
    format: "iife",
    // The task pane is a page in WebView2 (Windows), WKWebView (Mac) or the browser (Outlook on the web), all
    // past ES2020 (browsers-used-by-office-web-add-ins.md).
    target: "es2020",
    platform: "browser",
    minify: true,
    define,
    logLevel: "warning",
  });

  const officeJsSrc = officeJs === "local" ? await copyOfficeJs(root, join(out, dirname(OFFICE_JS_LOCAL))) : OFFICE_JS_CDN;
  await writePage(root, join(pkg, "src/launch/commands.html"), join(out, "commands.html"), "launchevent.js", officeJsSrc);
  await writePage(root, join(pkg, "src/taskpane/taskpane.html"), join(out, "taskpane.html"), "taskpane.js", officeJsSrc);

  await copyFile(join(pkg, "static/about.html"), join(out, "about.html"));
  await mkdir(join(out, "icons"));
  const icons = (await readdir(join(pkg, "static/icons"))).filter((name) => name.endsWith(".png")).sort();
  for (const icon of icons) await copyFile(join(pkg, "static/icons", icon), join(out, "icons", icon));

  await writeFile(join(out, "policy.json"), policyText);
  await mkdir(join(out, ".well-known"));
  await writeFile(join(out, WELL_KNOWN), JSON.stringify({ allowed: [`${base}launchevent.js`] }, null, 2) + "\n");

  const manifests = await renderOutlookManifests(root, { baseUrl: base });
  await writeFile(join(out, "manifest.xml"), manifests.xml);
  await writeFile(join(out, "manifest.json"), manifests.json);
  const unified = JSON.parse(manifests.json);
  const appFiles = {
    "manifest.json": [Buffer.from(manifests.json), { mtime: FIXED_MTIME }],
    ...Object.fromEntries(
      Object.entries(manifests.localizations).map(([name, text]) => [name, [Buffer.from(text), { mtime: FIXED_MTIME }]]),
    ),
    // The unified manifest names its two icons by paths inside the package.
    [unified.icons.color]: [await readFile(join(pkg, "static/icons/color-192.png")), { mtime: FIXED_MTIME }],
    [unified.icons.outline]: [await readFile(join(pkg, "static/icons/outline-32.png")), { mtime: FIXED_MTIME }],
  };
  await writeFile(join(out, APP_PACKAGE), zipSync(appFiles, { level: 9 }));

  return {
    out,
    baseUrl: base,
    bytes: {
      launchevent: (await stat(join(out, "launchevent.js"))).size,
      taskpane: (await stat(join(out, "taskpane.js"))).size,
    },
  };
}

async function checkPolicy(root, policyFile, text) {
  // Core is TypeScript; bundling its parser for Node is how scripts/schema-file.mjs reaches it too.
  const result = await build({
    stdin: { contents: 'export { parsePolicyText } from "@sealpost/core";', resolveDir: root, loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    // jsonc-parser's "main" is a UMD build that esbuild cannot follow; its ESM build is "module".
    mainFields: ["module", "main"],
    write: false,
    logLevel: "warning",
  });
  const { parsePolicyText } = await import(
    `data:text/javascript;base64,${Buffer.from(result.outputFiles[0].text).toString("base64")}`
  ).catch((error) => {
    // The module's name is the whole bundle: keep it out of the message.
    throw new Error(
      `cannot load @sealpost/core to check the policy: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`,
    );
  });
  const parsed = parsePolicyText(text);
  if (parsed.ok) return;
  const lines = parsed.errors.map((error) => {
    const at = error.line === undefined ? "" : `${error.line}:${error.column ?? 1} `;
    return `  ${at}${error.path || "(the document)"}: ${error.message}`;
  });
  throw new Error(`${policyFile} is not a valid Sealpost policy:\n${lines.join("\n")}`);
}

function checkEs2016(code) {
  try {
    parse(code, { ecmaVersion: 2016, sourceType: "script" });
  } catch (error) {
    const at =
      error instanceof SyntaxError && "pos" in error
        ? ` near ${JSON.stringify(code.slice(Number(error.pos), Number(error.pos) + 60))}`
        : "";
    throw new Error(`launchevent.js is not ES2016, which classic Outlook before build 2403 requires: ${String(error)}${at}`, {
      cause: error,
    });
  }
}

async function writePage(root, source, target, script, officeJsSrc) {
  let html;
  if (existsSync(source)) {
    html = await readFile(source, "utf8");
    // The page names Microsoft's CDN; the local build swaps in the copy served beside the site.
    if (!html.includes(OFFICE_JS_CDN)) throw new Error(`${relative(root, source)} must load Office.js from ${OFFICE_JS_CDN}`);
    html = html.split(OFFICE_JS_CDN).join(officeJsSrc);
  } else {
    html = [
      "<!doctype html>",
      `<!-- Placeholder from scripts/build-outlook.mjs until ${relative(root, source)} exists. -->`,
      '<html lang="en">',
      '  <head><meta charset="utf-8" /><title>Sealpost</title>',
      `    <script src="${officeJsSrc}"></script>`,
      `    <script src="${script}"></script>`,
      "  </head>",
      "  <body></body>",
      "</html>",
      "",
    ].join("\n");
  }
  await writeFile(target, html);
}

async function copyOfficeJs(root, target) {
  // @microsoft/office-js is 86 MB for every Office host; Outlook pages need the loader, its file map, the
  // Outlook host scripts, telemetry and each locale's strings. The CDN stays the source for production.
  const require = createRequire(join(root, "package.json"));
  const source = join(dirname(require.resolve("@microsoft/office-js/package.json")), "dist");
  const wanted = (path) =>
    !path.endsWith(".debug.js") &&
    (/^(office|o15apptofilemappingtable|es6-promise)\.js$/.test(path) ||
      /^outlook[\w.-]*\.js$/.test(path) ||
      /^telemetry\/oteljs(_agave)?\.js$/.test(path) ||
      /^[a-z]{2,3}(-[a-z0-9]+)+\/(office|outlook)_strings\.js$/.test(path));
  const files = (await walk(source)).map((file) => relative(source, file)).filter(wanted);
  for (const file of files) {
    await mkdir(dirname(join(target, file)), { recursive: true });
    await copyFile(join(source, file), join(target, file));
  }
  await copyFile(join(source, "../LICENSE.md"), join(target, "LICENSE.md"));
  return OFFICE_JS_LOCAL;
}

async function walk(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)])));
  return nested.flat().sort();
}

function describe(message) {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : "";
  return `${where}${message.text}`;
}

async function main() {
  const { values } = parseArgs({
    options: {
      "base-url": { type: "string", default: TEMPLATE_BASE_URL },
      policy: { type: "string" },
      "built-in-policy": { type: "boolean", default: false },
      "office-js": { type: "string", default: "cdn" },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      "usage: node scripts/build-outlook.mjs --base-url URL [--policy FILE] [--built-in-policy] [--office-js cdn|local] [--out DIR]",
    );
    return;
  }
  const root = fileURLToPath(new URL("..", import.meta.url));
  const started = performance.now();
  const result = await buildOutlook(root, {
    baseUrl: values["base-url"],
    policyFile: values.policy,
    builtInPolicy: values["built-in-policy"],
    officeJs: values["office-js"],
    outDir: values.out,
  });
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`built in ${Math.round(performance.now() - started)} ms: ${relative(process.cwd(), result.out) || "."}/ for ${result.baseUrl}
  launchevent.js              the send check (ES2016, one file): ${kib(result.bytes.launchevent)}
  taskpane.js                 the task pane: ${kib(result.bytes.taskpane)}
  manifest.xml                add-in only manifest: Outlook on the web, Windows (new and classic), Mac
  ${APP_PACKAGE.padEnd(26)}  unified manifest's app package (Microsoft 365 admin center)
  ${WELL_KNOWN}  must be served at the root of the origin, not under a path
Before deploying, where a network is available: npx office-addin-manifest validate ${relative(process.cwd(), join(result.out, "manifest.xml"))}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
