// `npm run bench`, task pane part: sealMessage's throughput in headless Chromium (the engine of
// Outlook's WebView2 and of Outlook on the web) for one 1, 10 and 25 MB attachment, against
// `gpg --encrypt` to the same key on the same bytes in the same run; and what the built task
// pane weighs, by package (openpgp.js, html-to-text, tr46, …).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { createGpg } from "../test/openpgp/tools.js";
import { CHROMIUM, HEADLESS_ARGS } from "../test/outlook-pane/pane-harness.js";
import { gpgEncryptArgs, median } from "./openpgp.js";
import { ratio } from "./report.js";

const SIZES_MB = [1, 10, 25] as const;
const RUNS = 3;
const ORIGIN = "https://bench.sealpost.invalid";

export interface ChromiumRow {
  readonly megabytes: number;
  /** Median of RUNS: sealMessage inside the page, timed with performance.now(). */
  readonly chromiumMs: number;
  readonly chromiumMBps: number;
  /** Median of RUNS of the whole gpg process on the same bytes and key. */
  readonly gpgMs: number;
  readonly chromiumOverGpg: number;
}

export interface TaskPaneBundle {
  readonly file: string;
  readonly minifiedBytes: number;
  readonly gzipBytes: number;
  /** Minified bytes by npm package (from esbuild's metafile), largest first. */
  readonly packages: readonly { readonly name: string; readonly bytes: number }[];
}

export interface ChromiumReport {
  readonly chromium: string;
  readonly key: string;
  readonly rows: readonly ChromiumRow[];
  readonly taskpane: TaskPaneBundle;
}

function wallTime(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${command} failed: ${stderr}`))));
  });
}

/** The page's script: sealMessage and readPublicKeys from core, bundled as the task pane bundles them. */
async function pageScript(root: string): Promise<string> {
  const result = await build({
    stdin: {
      contents: [
        'import { readPublicKeys, sealMessage } from "@sealpost/core/openpgp";',
        "globalThis.sealBench = async (armored, url) => {",
        "  const [read] = await readPublicKeys(armored);",
        '  if (!read || !read.ok) throw new Error("the bench key cannot be read");',
        "  const content = new Uint8Array(await (await fetch(url)).arrayBuffer());",
        "  const started = performance.now();",
        '  const sealed = await sealMessage({ subject: "bench", body: { type: "text", content: "" },',
        '    attachments: [{ name: "data.bin", contentType: "application/octet-stream", content }], keys: [read.key] });',
        "  const ms = performance.now() - started;",
        "  return { ms, bytes: sealed.attachments[0].content.length };",
        "};",
      ].join("\n"),
      resolveDir: root,
      loader: "js",
    },
    bundle: true,
    write: false,
    format: "iife",
    target: "es2020",
    platform: "browser",
    minify: true,
    logLevel: "warning",
  });
  return result.outputFiles[0]?.text ?? "";
}

function packageOf(input: string): string {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match?.[1] !== undefined) return match[1];
  if (input.startsWith("packages/core/")) return "@sealpost/core";
  if (input.startsWith("packages/outlook/")) return "@sealpost/outlook";
  return "(other)";
}

/** The task pane bundled exactly as scripts/build-outlook.mjs bundles it, with its bytes attributed to packages. */
export async function taskPaneBundle(root: string): Promise<TaskPaneBundle> {
  const built = join(root, "dist/outlook/taskpane.js");
  const result = await build({
    entryPoints: [join(root, "packages/outlook/src/taskpane/taskpane.ts")],
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: "iife",
    target: "es2020",
    platform: "browser",
    minify: true,
    metafile: true,
    define: { __SEALPOST_CONFIG__: JSON.stringify({ baseUrl: "https://localhost:3000/", builtInPolicy: null }) },
    logLevel: "warning",
  });
  const code = existsSync(built) ? readFileSync(built) : Buffer.from(result.outputFiles[0]?.text ?? "");
  const bytes = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      bytes.set(packageOf(input), (bytes.get(packageOf(input)) ?? 0) + bytesInOutput);
    }
  }
  return {
    file: "dist/outlook/taskpane.js",
    minifiedBytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    packages: [...bytes.entries()].map(([name, size]) => ({ name, bytes: size })).sort((a, b) => b.bytes - a.bytes),
  };
}

export async function measureChromium(root: string, progress: (line: string) => void): Promise<ChromiumReport> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  const gpg = await createGpg();
  const dir = await mkdtemp(join(tmpdir(), "sealpost-bench-chromium-"));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...HEADLESS_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND"],
  });
  try {
    const fingerprint = await gpg.generate("Bench <bench@bank.example>", "future-default", "default", "never");
    const armored = await gpg.exportPublic(fingerprint);
    const env = { ...process.env, GNUPGHOME: gpg.home };
    const script = await pageScript(root);
    const context = await browser.newContext();
    const files = new Map<string, string>();
    // The page and its data come from the test, over a secure origin (WebCrypto needs one).
    await context.route(`${ORIGIN}/**`, async (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === "/") return route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>bench</title>" });
      const file = files.get(path);
      if (file === undefined) return route.fulfill({ status: 404, body: "" });
      return route.fulfill({ status: 200, contentType: "application/octet-stream", body: await readFile(file) });
    });
    const page = await context.newPage();
    await page.goto(`${ORIGIN}/`);
    await page.addScriptTag({ content: script });
    const rows: ChromiumRow[] = [];
    for (const megabytes of SIZES_MB) {
      const data = join(dir, `data-${String(megabytes)}.bin`);
      await writeFile(data, randomBytes(megabytes * 1024 * 1024));
      files.set(`/data-${String(megabytes)}.bin`, data);
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const sealed = await page.evaluate<{ ms: number; bytes: number }, [string, string]>(
          ([key, url]) =>
            (globalThis as unknown as { sealBench(k: string, u: string): Promise<{ ms: number; bytes: number }> }).sealBench(key, url),
          [armored, `${ORIGIN}/data-${String(megabytes)}.bin`],
        );
        if (sealed.bytes < megabytes * 1024 * 1024)
          throw new Error(`the sealed ${String(megabytes)} MB came out ${String(sealed.bytes)} bytes`);
        ours.push(sealed.ms);
        theirs.push(await wallTime("gpg", gpgEncryptArgs(fingerprint, join(dir, "out.pgp"), data), env));
      }
      const chromiumMs = median(ours);
      const gpgMs = median(theirs);
      rows.push({
        megabytes,
        chromiumMs: Math.round(chromiumMs),
        chromiumMBps: Math.round((megabytes / (chromiumMs / 1000)) * 10) / 10,
        gpgMs: Math.round(gpgMs),
        chromiumOverGpg: ratio(chromiumMs, gpgMs),
      });
      progress(`sealed ${String(megabytes)} MB in Chromium: ${String(Math.round(chromiumMs))} ms, gpg ${String(Math.round(gpgMs))} ms`);
    }
    return {
      chromium: browser.version(),
      key: `Curve25519 (gpg future-default) ${fingerprint}`,
      rows,
      taskpane: await taskPaneBundle(root),
    };
  } finally {
    await browser.close();
    await gpg.remove();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The table's lines; `node` is the Node figure of the same run (bench/openpgp.ts), by size. */
export function formatChromium(report: ChromiumReport, node: ReadonlyMap<number, number>): string[] {
  const out = [
    `OpenPGP sealMessage in headless Chromium ${report.chromium} vs gpg --encrypt, same key and bytes, median of ${String(RUNS)}`,
  ];
  out.push("  MB   Chromium            gpg --encrypt   Chromium / gpg   Chromium / Node (same run)");
  for (const row of report.rows) {
    const nodeMs = node.get(row.megabytes);
    out.push(
      `  ${String(row.megabytes).padStart(2)}   ${`${String(row.chromiumMs)} ms (${String(row.chromiumMBps)} MB/s)`.padEnd(20)}` +
        `${`${String(row.gpgMs)} ms`.padEnd(16)}${`${row.chromiumOverGpg.toFixed(2)}×`.padEnd(17)}` +
        `${nodeMs === undefined ? "?" : `${ratio(row.chromiumMs, nodeMs).toFixed(2)}× (Node ${String(nodeMs)} ms)`}`,
    );
  }
  const { taskpane } = report;
  out.push(
    `  task pane ${taskpane.file}: ${(taskpane.minifiedBytes / 1024).toFixed(1)} KiB minified, ${(taskpane.gzipBytes / 1024).toFixed(1)} KiB gzip -9; ` +
      taskpane.packages
        .slice(0, 8)
        .map((entry) => `${entry.name} ${(entry.bytes / 1024).toFixed(1)} KiB`)
        .join(", "),
  );
  return out;
}
