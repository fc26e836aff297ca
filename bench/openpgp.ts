// `npm run bench`, OpenPGP part: sealMessage's encryption throughput and peak memory against
// `gpg --encrypt` to the same key on the same data in the same run; key discovery for 20
// recipients on a local WKD server that delays every answer; what @sealpost/core/openpgp weighs.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { createKeyFinder, wkdSource } from "@sealpost/core/openpgp";
import { createGpg } from "../test/openpgp/tools.js";
import { loopbackFetch, trustingAgent } from "../test/openpgp/wkd-server.js";
import { ratio } from "./report.js";

const SIZES_MB = [1, 10, 25] as const;
const RUNS = 5;
const RECIPIENTS = 20;
const DELAY_MS = 200;
const TIME = "/usr/bin/time";

export interface ThroughputRow {
  readonly megabytes: number;
  /** Median of RUNS, each in a fresh process; sealMessage's own time, excluding Node's start-up. */
  readonly sealpostMs: number;
  /** Median of RUNS of the whole gpg process (its start-up is a few milliseconds). */
  readonly gpgMs: number;
  readonly sealpostMBps: number;
  readonly gpgMBps: number;
  /** sealpostMs / gpgMs. */
  readonly sealpostOverGpg: number;
  /** Peak resident set size (getrusage ru_maxrss through /usr/bin/time -f %M), largest of RUNS. */
  readonly sealpostPeakRssMiB: number;
  readonly gpgPeakRssMiB: number;
  /** The same for a Node process that loads openpgp.js and reads the key but seals nothing: the floor. */
  readonly nodeFloorRssMiB: number;
}

export interface OpenpgpReport {
  readonly key: string;
  readonly gpg: string;
  readonly throughput: readonly ThroughputRow[];
  readonly discovery: {
    readonly recipients: number;
    readonly delayMs: number;
    /** The first run: new TLS connections, code not yet compiled. */
    readonly elapsedMs: number;
    readonly overDelay: number;
    /** A second run with a new finder (no cache) over the kept-alive connections. */
    readonly warmElapsedMs: number;
    readonly warmOverDelay: number;
    readonly found: number;
  };
  readonly bundle: {
    readonly entry: string;
    readonly minifiedBytes: number;
    readonly gzipBytes: number;
    readonly packages: readonly { readonly name: string; readonly bytes: number }[];
  };
}

/** The middle value (the upper one of an even count), NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * `gpg --encrypt` of `data` to one key, as the bench compares it: no compression (openpgp.js
 * does not compress either, and random data does not shrink), no trust prompt.
 */
export function gpgEncryptArgs(fingerprint: string, out: string, data: string): string[] {
  return [
    "--batch",
    "--yes",
    "--quiet",
    "--trust-model",
    "always",
    "--compress-algo",
    "none",
    "-r",
    fingerprint,
    "-o",
    out,
    "--encrypt",
    data,
  ];
}

/** Runs a command under /usr/bin/time; its wall time in ms, its peak RSS in KiB, its stdout. time's report goes to `scratch`. */
function timed(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  scratch: string,
): Promise<{ ms: number; peakKiB: number; stdout: string }> {
  const report = join(scratch, `time-${randomBytes(4).toString("hex")}.txt`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(TIME, ["-f", "%M", "-o", report, command, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", (error) => reject(new Error(`${TIME} could not run: install it with apt-get install time`, { cause: error })));
    child.on("close", (code) => {
      const ms = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`${command} ${args.join(" ")} failed (exit ${String(code)}): ${stderr.trim()}`));
        return;
      }
      readFile(report, "utf8")
        .then(async (text) => {
          await rm(report, { force: true });
          resolve({ ms, peakKiB: Number(text.trim().split("\n").pop()), stdout });
        })
        .catch(reject);
    });
  });
}

async function throughput(
  root: string,
  progress: (line: string) => void,
): Promise<{ key: string; gpgVersion: string; rows: ThroughputRow[] }> {
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing: install it with apt-get install time`);
  const gpg = await createGpg();
  const dir = await mkdtemp(join(tmpdir(), "sealpost-bench-openpgp-"));
  try {
    const fingerprint = await gpg.generate("Bench <bench@bank.example>", "future-default", "default", "never");
    const keyFile = join(dir, "key.asc");
    await writeFile(keyFile, await gpg.exportPublic(fingerprint));
    const gpgVersion = (await gpg.run(["--version"])).toString("utf8").split("\n")[0] ?? "gpg";
    const env = { ...process.env, GNUPGHOME: gpg.home };
    const child = join(root, "bench/openpgp-seal-child.ts");
    const node = [process.execPath, "--import", "tsx"];
    const floor = await timed(node[0] ?? "node", [...node.slice(1), child, keyFile, "--floor"], process.env, dir);
    const rows: ThroughputRow[] = [];
    for (const megabytes of SIZES_MB) {
      const data = join(dir, `data-${String(megabytes)}.bin`);
      await writeFile(data, randomBytes(megabytes * 1024 * 1024));
      const sealpost: { ms: number; peakKiB: number }[] = [];
      const gnupg: { ms: number; peakKiB: number }[] = [];
      // Taking turns, so that a slower moment of the machine falls on both sides.
      for (let run = 0; run < RUNS; run++) {
        const ours = await timed(
          node[0] ?? "node",
          [...node.slice(1), child, keyFile, data, join(dir, "out-sealpost.pgp")],
          process.env,
          dir,
        );
        sealpost.push({ ms: (JSON.parse(ours.stdout) as { ms: number }).ms, peakKiB: ours.peakKiB });
        const theirs = await timed("gpg", gpgEncryptArgs(fingerprint, join(dir, "out-gpg.pgp"), data), env, dir);
        gnupg.push(theirs);
      }
      const sealpostMs = median(sealpost.map((run) => run.ms));
      const gpgMs = median(gnupg.map((run) => run.ms));
      const row: ThroughputRow = {
        megabytes,
        sealpostMs: Math.round(sealpostMs),
        gpgMs: Math.round(gpgMs),
        sealpostMBps: Math.round((megabytes / (sealpostMs / 1000)) * 10) / 10,
        gpgMBps: Math.round((megabytes / (gpgMs / 1000)) * 10) / 10,
        sealpostOverGpg: ratio(sealpostMs, gpgMs),
        sealpostPeakRssMiB: Math.round(Math.max(...sealpost.map((run) => run.peakKiB)) / 1024),
        gpgPeakRssMiB: Math.round(Math.max(...gnupg.map((run) => run.peakKiB)) / 1024),
        nodeFloorRssMiB: Math.round(floor.peakKiB / 1024),
      };
      progress(`sealed ${String(megabytes)} MB: sealMessage ${String(row.sealpostMs)} ms, gpg ${String(row.gpgMs)} ms`);
      rows.push(row);
    }
    return { key: `Curve25519 (gpg future-default) ${fingerprint}`, gpgVersion, rows };
  } finally {
    await gpg.remove();
    await rm(dir, { recursive: true, force: true });
  }
}

async function discovery(root: string): Promise<OpenpgpReport["discovery"]> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(root, "bench/wkd-server-child.ts"), String(RECIPIENTS), String(DELAY_MS)],
    {
      cwd: root,
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  try {
    const ready = await new Promise<{ port: number; caCertPem: string }>((resolve, reject) => {
      let text = "";
      child.stdout.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
        if (text.includes("\n")) resolve(JSON.parse(text) as { port: number; caCertPem: string });
      });
      child.on("exit", (code) => reject(new Error(`the WKD server process exited (${String(code)}) before it was ready`)));
    });
    const agent = trustingAgent(ready.caCertPem);
    const addresses = Array.from({ length: RECIPIENTS }, (_, i) => `recipient${String(i)}@bank.example`);
    // Twice, each with a new finder (so nothing comes from its cache): the first run is cold (the
    // first TLS handshakes, code not yet compiled), the second reuses the kept-alive connections.
    const runs: { elapsedMs: number; found: number }[] = [];
    for (let run = 0; run < 2; run++) {
      const finder = createKeyFinder({ policy: null, sources: [wkdSource({ fetch: loopbackFetch(agent, () => ready.port) })] });
      const started = performance.now();
      const lookups = await finder.find(addresses);
      runs.push({ elapsedMs: performance.now() - started, found: lookups.filter((lookup) => lookup.status === "found").length });
    }
    await agent.close();
    const [cold, warm] = runs;
    if (cold === undefined || warm === undefined) throw new Error("the discovery bench did not run");
    if (cold.found !== RECIPIENTS || warm.found !== RECIPIENTS)
      throw new Error(`the local WKD served ${String(cold.found)} of ${String(RECIPIENTS)} keys`);
    return {
      recipients: RECIPIENTS,
      delayMs: DELAY_MS,
      elapsedMs: Math.round(cold.elapsedMs),
      overDelay: ratio(cold.elapsedMs, DELAY_MS),
      warmElapsedMs: Math.round(warm.elapsedMs),
      warmOverDelay: ratio(warm.elapsedMs, DELAY_MS),
      found: cold.found,
    };
  } finally {
    child.stdin.end();
  }
}

function packageOf(input: string): string {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match?.[1] !== undefined) return match[1];
  return input.startsWith("packages/core/") ? "@sealpost/core" : "(entry)";
}

async function bundle(root: string): Promise<OpenpgpReport["bundle"]> {
  const entry = 'export * from "@sealpost/core/openpgp";';
  const result = await build({
    stdin: { contents: entry, resolveDir: root, sourcefile: "bench-openpgp-entry.js", loader: "js" },
    absWorkingDir: root,
    platform: "browser",
    format: "esm",
    target: "es2020",
    bundle: true,
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  const meta = Object.values(result.metafile.outputs)[0];
  if (output === undefined || meta === undefined) throw new Error("esbuild produced no output for the OpenPGP entry");
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) {
    byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
  }
  byPackage.delete("(entry)");
  return {
    entry,
    minifiedBytes: output.contents.length,
    gzipBytes: gzipSync(output.contents, { level: 9 }).length,
    packages: [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes),
  };
}

export async function measureOpenpgp(root: string, progress: (line: string) => void): Promise<OpenpgpReport> {
  progress("OpenPGP: sealMessage against gpg --encrypt, 1, 10 and 25 MB, each in a process of its own");
  const { key, gpgVersion, rows } = await throughput(root, progress);
  progress(`OpenPGP: key discovery for ${String(RECIPIENTS)} recipients, local WKD answering after ${String(DELAY_MS)} ms`);
  const found = await discovery(root);
  const weight = await bundle(root);
  return { key, gpg: gpgVersion, throughput: rows, discovery: found, bundle: weight };
}

export function formatOpenpgp(report: OpenpgpReport): string[] {
  const out: string[] = [];
  out.push(`OpenPGP sealMessage (openpgp.js in Node) vs ${report.gpg}, one attachment of random data, key ${report.key}`);
  out.push(`  median of ${String(RUNS)} runs each; peak RSS is ru_maxrss from /usr/bin/time -f %M, the largest of the runs`);
  out.push("  MB   sealMessage        gpg --encrypt      sealMessage / gpg   peak RSS sealMessage (Node floor)   peak RSS gpg");
  for (const row of report.throughput) {
    out.push(
      `  ${String(row.megabytes).padStart(2)}   ${`${String(row.sealpostMs)} ms (${String(row.sealpostMBps)} MB/s)`.padEnd(19)}` +
        `${`${String(row.gpgMs)} ms (${String(row.gpgMBps)} MB/s)`.padEnd(19)}${`${row.sealpostOverGpg.toFixed(2)}×`.padEnd(20)}` +
        `${`${String(row.sealpostPeakRssMiB)} MiB (${String(row.nodeFloorRssMiB)} MiB)`.padEnd(36)}${String(row.gpgPeakRssMiB)} MiB`,
    );
  }
  const { discovery: found, bundle: weight } = report;
  out.push(
    `  key discovery: ${String(found.recipients)} recipients on a loopback HTTPS WKD that answers after ${String(found.delayMs)} ms: ` +
      `cold ${String(found.elapsedMs)} ms (${found.overDelay.toFixed(2)}× one delay), warm ${String(found.warmElapsedMs)} ms ` +
      `(${found.warmOverDelay.toFixed(2)}×), ${String(found.found)} keys found each time (the server runs in a process of its own)`,
  );
  out.push(
    `  bundle of \`${weight.entry}\` (esbuild, es2020, minified): ${(weight.minifiedBytes / 1024).toFixed(1)} KiB, gzip -9 ${(weight.gzipBytes / 1024).toFixed(1)} KiB; ` +
      weight.packages.map((entry) => `${entry.name} ${(entry.bytes / 1024).toFixed(1)} KiB`).join(", "),
  );
  return out;
}
