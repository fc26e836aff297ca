// The shape of bench/results/latest.json and the plain-text table printed from it, so that the
// table shows exactly what the JSON records.
import { type ChromiumReport, formatChromium } from "./openpgp-chromium.js";
import { formatOpenpgp, type OpenpgpReport } from "./openpgp.js";
import type { OutlookReport } from "./outlook.js";
import type { BundleReport } from "./bundle-size.js";
import type { Plan, Stats } from "./measure.js";
import type { PolicyShape } from "./policies.js";
import type { ProbeBench } from "./probe.js";

export interface EvaluateRow {
  readonly domains: number;
  readonly suffixMap: Stats;
  readonly naive: Stats;
  /** Median naive time over median suffix-map time. */
  readonly naiveOverSuffixMap: number;
}

export interface BenchResults {
  readonly meta: {
    readonly date: string;
    readonly node: string;
    readonly v8: string;
    readonly platform: string;
    readonly arch: string;
    readonly cpu: { readonly model: string; readonly cores: number };
    readonly seed: string;
    /** How long each group of tasks took turns: the send checks, then brute force and parsing. */
    readonly plans: { readonly fast: Plan; readonly slow: Plan };
    readonly totalRuntimeS: number;
  };
  readonly snapshot: {
    readonly recipientFields: number;
    readonly addresses: number;
    readonly protected: number;
    readonly excepted: number;
    readonly verdict: string;
    readonly findings: number;
  };
  readonly policies: readonly (PolicyShape & { readonly compileMs: number })[];
  readonly evaluate: readonly EvaluateRow[];
  readonly scaling: {
    /** Median suffix-map time at the largest policy over the smallest; near 1 when lookup is per label. */
    readonly suffixMapLargestOverSmallest: number;
    readonly naiveLargestOverSmallest: number;
  };
  readonly parse: PolicyShape & { readonly textBytes: number; readonly stats: Stats };
  readonly bundle: BundleReport;
  readonly outlook: OutlookReport;
  readonly probe: ProbeBench;
  readonly openpgp: OpenpgpReport;
  readonly chromium: ChromiumReport;
}

export function ratio(numerator: number, denominator: number): number {
  return Math.round((numerator / denominator) * 100) / 100;
}

function count(value: number): string {
  return value.toLocaleString("en-US");
}

function plural(value: number, noun: string): string {
  return `${count(value)} ${noun}${value === 1 ? "" : "s"}`;
}

function threeDigits(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function duration(us: number): string {
  if (us < 1000) return `${threeDigits(us)} µs`;
  if (us < 1_000_000) return `${threeDigits(us / 1000)} ms`;
  return `${threeDigits(us / 1_000_000)} s`;
}

function bytes(value: number): string {
  return `${count(value)} B (${(value / 1024).toFixed(1)} KiB)`;
}

function times(value: number): string {
  return `${value.toFixed(2)}×`;
}

/** Columns after the first are right-aligned: they hold numbers. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join("   ")
      .trimEnd();
  return ["  " + line(header), "  " + widths.map((width) => "-".repeat(width)).join("   "), ...rows.map((row) => "  " + line(row))].join(
    "\n",
  );
}

export function formatTable(results: BenchResults): string {
  const { meta, snapshot, evaluate, scaling, parse, bundle } = results;
  const out: string[] = [];
  out.push(`Sealpost bench: Node ${meta.node}, ${meta.cpu.model} (${meta.cpu.cores} cores), ${meta.platform} ${meta.arch}`);
  out.push(
    `snapshot: ${snapshot.recipientFields} recipient fields, ${snapshot.addresses} addresses ` +
      `(${snapshot.protected} protected, ${snapshot.excepted} carved out), verdict ${snapshot.verdict} with ${snapshot.findings} findings`,
  );
  out.push(`policies (seed ${meta.seed}), compiled once each by validatePolicy:`);
  for (const policy of results.policies) {
    out.push(
      `  ${plural(policy.domains, "domain")}, ${plural(policy.rules, "rule")}, ${plural(policy.exceptions, "exception")}: ` +
        `compiled in ${duration(policy.compileMs * 1000)}`,
    );
  }
  out.push("");
  out.push("evaluate(policy, snapshot): one send check, 50 recipient fields");
  out.push(
    table(
      ["domains", "suffix map median", "p95", "n", "naive regex median", "p95", "n", "naive / suffix map"],
      evaluate.map((row) => [
        count(row.domains),
        duration(row.suffixMap.medianUs),
        duration(row.suffixMap.p95Us),
        count(row.suffixMap.samples),
        duration(row.naive.medianUs),
        duration(row.naive.p95Us),
        count(row.naive.samples),
        times(row.naiveOverSuffixMap),
      ]),
    ),
  );
  const largest = evaluate[evaluate.length - 1]?.domains ?? 0;
  const smallest = evaluate[0]?.domains ?? 0;
  out.push(
    `  largest / smallest policy (${count(largest)} / ${count(smallest)} domains): ` +
      `suffix map ${times(scaling.suffixMapLargestOverSmallest)}, naive ${times(scaling.naiveLargestOverSmallest)}`,
  );
  out.push("");
  out.push(`parsePolicyText: ${count(parse.domains)} domains in ${count(parse.rules)} rules, ${bytes(parse.textBytes)} of JSON`);
  out.push(
    table(
      ["", "median", "p95", "min", "n"],
      [
        [
          "parse + validate + compile",
          duration(parse.stats.medianUs),
          duration(parse.stats.p95Us),
          duration(parse.stats.minUs),
          count(parse.stats.samples),
        ],
      ],
    ),
  );
  out.push("");
  out.push(`browser bundle of \`${bundle.entry}\` (esbuild, ${bundle.target}, esm, minified)`);
  out.push(`  minified ${bytes(bundle.minifiedBytes)}, gzip -9 ${bytes(bundle.gzipBytes)}`);
  out.push(
    table(
      ["package", "minified bytes", "share"],
      bundle.packages.map((entry) => [entry.name, count(entry.bytes), `${(entry.share * 100).toFixed(1)} %`]),
    ),
  );
  out.push("");
  const { handler, sends } = results.outlook;
  out.push(`Outlook handler ${handler.file} (ES2016, minified): ${bytes(handler.minifiedBytes)}, gzip -9 ${bytes(handler.gzipBytes)}`);
  out.push(
    `  send check through it in the bare JavaScript-only runtime, ${count(sends.sends)} sends, ${count(sends.recipients)} recipients, ` +
      `host calls answering asynchronously: median ${sends.medianMs.toFixed(1)} ms, p99 ${sends.p99Ms.toFixed(1)} ms, ` +
      `worst ${sends.maxMs.toFixed(1)} ms; cold start (load + first send) ${sends.coldStartMs.toFixed(1)} ms`,
  );
  out.push("");
  const { probe } = results;
  out.push(
    `sealpost probe, ${count(probe.domains)} domains (one STARTTLS MX each) over loopback, every DNS answer ${String(probe.dnsDelayMs)} ms late, ` +
      `median of ${String(probe.runs)}: --concurrency 1 ${duration(probe.oneAtATimeMs * 1000)}, ` +
      `--concurrency ${String(probe.concurrency)} ${duration(probe.parallelMs * 1000)} (${times(probe.speedup)} faster)`,
  );
  out.push("");
  out.push(...formatOpenpgp(results.openpgp));
  out.push("");
  out.push(...formatChromium(results.chromium, new Map(results.openpgp.throughput.map((row) => [row.megabytes, row.sealpostMs]))));
  out.push("");
  out.push(`total runtime ${meta.totalRuntimeS.toFixed(1)} s`);
  return out.join("\n");
}
