// The one build: explicit entry points per runtime, bundled by esbuild. Type-checking is
// separate (`npm run typecheck`). Writes packages/cli/dist/ (the `sealpost` binary), dist/core/
// (core for browser-like hosts) and schema/policy-v1.schema.json.
import { build } from "esbuild";
import { mkdir, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const started = performance.now();

// The CLI: one self-contained ESM file for Node 20, dependencies included.
await build({
  entryPoints: [`${root}packages/cli/src/main.ts`],
  outfile: `${root}packages/cli/dist/sealpost.mjs`,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // jsonc-parser's "main" is a UMD build that esbuild cannot follow; its ESM build is "module".
  mainFields: ["module", "main"],
  sourcemap: "linked",
  // dns-packet is CommonJS and requires Node built-ins; an ESM bundle has no `require` of its own.
  banner: {
    js: 'import { createRequire as sealpostCreateRequire } from "node:module"; const require = sealpostCreateRequire(import.meta.url);',
  },
  logLevel: "warning",
});

// Core as the add-ins will carry it: browser platform, minified, so its size is what users download.
const core = await build({
  stdin: {
    contents: 'export { evaluate, parsePolicyText, validatePolicy, describeDecision, groupFindings } from "@sealpost/core";',
    resolveDir: root,
    loader: "ts",
    sourcefile: "core-entry.ts",
  },
  outfile: `${root}dist/core/sealpost-core.min.js`,
  bundle: true,
  platform: "browser",
  format: "esm",
  target: "es2020",
  minify: true,
  metafile: true,
  logLevel: "warning",
});

// The published JSON Schema, from the same valibot definition that validates policies.
const { buildSchemaFile } = await import("./schema-file.mjs");
const schemaPath = await buildSchemaFile(root);

// The Thunderbird add-on.
const { buildThunderbird } = await import("./build-thunderbird.mjs");
const thunderbird = await buildThunderbird(root);

// The Outlook add-in: a static site and its manifests for https://localhost:3000/ (see README to
// build for another address: npm run build:outlook -- --base-url URL).
const { buildOutlook } = await import("./build-outlook.mjs");
const outlook = await buildOutlook(root);

const bytes = Object.values(core.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
const { readFile } = await import("node:fs/promises");
const gz = gzipSync(await readFile(`${root}dist/core/sealpost-core.min.js`), { level: 9 }).length;
await mkdir(`${root}dist`, { recursive: true });
await writeFile(`${root}dist/build-report.json`, JSON.stringify({ core: { minified: bytes, gzip: gz } }, null, 2) + "\n");

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`built in ${Math.round(performance.now() - started)} ms
  packages/cli/dist/sealpost.mjs      the sealpost command (npx sealpost --help)
  dist/core/sealpost-core.min.js      core for browser hosts: ${kib(bytes)} minified, ${kib(gz)} gzipped
  ${schemaPath.padEnd(34)}  the policy's JSON Schema
  dist/thunderbird/sealpost.xpi       the Thunderbird add-on: ${kib(thunderbird.bytes)}
  dist/outlook/                       the Outlook add-in site and manifests for ${outlook.baseUrl}
                                      (launchevent.js ${kib(outlook.bytes.launchevent)}, taskpane.js ${kib(outlook.bytes.taskpane)})`);
