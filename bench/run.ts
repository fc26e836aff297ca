// `npm run bench`: send-check latency against policies of 10 to 100,000 domains, by suffix map
// and by brute force, policy parsing, the browser bundle, and OpenPGP sealing and key discovery
// (bench/openpgp.ts); a table, and bench/results/latest.json.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { arch, cpus, platform } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type CompiledPolicy, type Decision, evaluate, parsePolicyText, type PolicyDocument, validatePolicy } from "@sealpost/core";
import { measureBundle } from "./bundle-size.js";
import { measureChromium } from "./openpgp-chromium.js";
import { measureOpenpgp } from "./openpgp.js";
import { measureOutlook } from "./outlook.js";
import { measureProbe } from "./probe.js";
import { measure, type Plan, type TaskSpec } from "./measure.js";
import { withNaiveMatcher } from "./naive-matcher.js";
import { policyDocument, SEED, shapeOf } from "./policies.js";
import { type BenchResults, formatTable, ratio } from "./report.js";
import { SNAPSHOT } from "./snapshot.js";

const SIZES = [10, 10_000, 100_000] as const;
const PARSE_SIZE = 10_000;
const FAST_PLAN: Plan = { warmupMs: 1000, durationMs: 10_000, minCycles: 50 };
const SLOW_PLAN: Plan = { warmupMs: 0, durationMs: 0, minCycles: 2 };

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const resultsFile = join(root, "bench", "results", "latest.json");
const jsonOnly = process.argv.includes("--json");

// Progress goes to stderr so that `--json` leaves stdout clean for a pipe.
function progress(line: string): void {
  process.stderr.write(`  … [${process.uptime().toFixed(1)} s] ${line}\n`);
}

// Holds the last decision so that no timed call can be optimized away as unused.
let sink: Decision | undefined;

function compile(document: PolicyDocument): CompiledPolicy {
  const result = validatePolicy(document);
  if (!result.ok) {
    const first = result.errors.slice(0, 3).map((error) => `${error.path}: ${error.message}`);
    throw new Error(`the generated policy is invalid: ${first.join("; ")}`);
  }
  return result.policy;
}

interface Prepared {
  readonly size: number;
  readonly document: PolicyDocument;
  readonly policy: CompiledPolicy;
  readonly naive: CompiledPolicy;
  readonly shape: ReturnType<typeof shapeOf>;
  readonly compileMs: number;
}

function prepare(size: number): Prepared {
  const document = policyDocument(size);
  const started = performance.now();
  const policy = compile(document);
  const compileMs = performance.now() - started;
  progress(`compiled the ${size.toLocaleString("en-US")}-domain policy in ${(compileMs / 1000).toFixed(1)} s`);
  return { size, document, policy, naive: withNaiveMatcher(policy), shape: shapeOf(document), compileMs };
}

/**
 * A speed-up is only worth reporting if both paths decide alike, and a size ratio only if
 * every size does the same work apart from the lookup. `evaluate` turns an internal error
 * into a finding instead of throwing, so a broken path would otherwise time as fast.
 */
function checkSameDecisions(prepared: readonly Prepared[]): Decision {
  const reference = evaluate(prepared[0]?.policy ?? null, SNAPSHOT);
  assert.equal(reference.verdict, "block");
  assert.ok(!reference.findings.some((finding) => finding.code === "snapshot-invalid" || finding.code === "invalid-recipient"));
  for (const { size, policy, naive } of prepared) {
    assert.deepEqual(evaluate(policy, SNAPSHOT), reference, `suffix map at ${size} domains decides unlike the smallest policy`);
    assert.deepEqual(evaluate(naive, SNAPSHOT), reference, `naive matcher at ${size} domains decides unlike the suffix map`);
  }
  return reference;
}

function fail(message: string): never {
  throw new Error(message);
}

function stats<T>(map: ReadonlyMap<string, T>, name: string): T {
  const value = map.get(name);
  if (value === undefined) throw new Error(`no measurement for "${name}"`);
  return value;
}

async function main(): Promise<void> {
  const prepared = SIZES.map(prepare);
  const reference = checkSameDecisions(prepared);
  progress("both matchers decide alike at every size");
  const recipients = reference.recipients;

  const parseDocument = prepared.find((entry) => entry.size === PARSE_SIZE)?.document ?? policyDocument(PARSE_SIZE);
  // Indented like a file an administrator keeps in version control.
  const parseText = JSON.stringify(parseDocument, null, 2);
  assert.ok(parsePolicyText(parseText).ok, "the generated policy text does not parse");

  const evaluateTask = (name: string, policy: CompiledPolicy, callsPerCycle = 1): TaskSpec => ({
    name,
    fn: () => {
      sink = evaluate(policy, SNAPSHOT);
    },
    callsPerCycle,
  });
  // The tasks whose ratios should sit near 1 take turns for about ten seconds.
  const fast: TaskSpec[] = [
    ...prepared.map(({ size, policy }) => evaluateTask(`suffix-map ${size}`, policy)),
    evaluateTask(`naive ${SIZES[0]}`, prepared[0]?.naive ?? fail("no smallest policy")),
  ];
  // Brute force at 100,000 domains takes several seconds a call (and ten more the first time,
  // while V8 compiles 100,000 regular expressions), parsing 10,000 domains about one: a few
  // calls each, already warmed by the checks above, keep the whole run near a minute.
  const slow: TaskSpec[] = [
    ...prepared.slice(1).map(({ size, naive }) => evaluateTask(`naive ${size}`, naive, size >= 100_000 ? 1 : 4)),
    {
      name: `parse ${PARSE_SIZE}`,
      fn: () => {
        if (!parsePolicyText(parseText).ok) throw new Error("the policy text stopped parsing");
      },
      callsPerCycle: 3,
    },
  ];
  const measured = new Map([...measure(fast, FAST_PLAN, progress), ...measure(slow, SLOW_PLAN, progress)]);

  progress("bundling core for the browser");
  const bundle = await measureBundle(root);
  progress("timing 200 sends through the built Outlook handler in the bare runtime");
  const outlook = await measureOutlook(root);
  progress("probing 24 loopback domains one lookup at a time and in parallel");
  const probe = await measureProbe();
  const openpgp = await measureOpenpgp(root, progress);
  progress("sealing in headless Chromium, and weighing the task pane");
  const chromium = await measureChromium(root, progress);

  const evaluateRows = prepared.map(({ size }) => {
    const suffixMap = stats(measured, `suffix-map ${size}`);
    const naive = stats(measured, `naive ${size}`);
    return { domains: size, suffixMap, naive, naiveOverSuffixMap: ratio(naive.medianUs, suffixMap.medianUs) };
  });
  const first = evaluateRows[0];
  const last = evaluateRows[evaluateRows.length - 1];
  if (first === undefined || last === undefined) throw new Error("no policy sizes were measured");

  const cpu = cpus();
  const results: BenchResults = {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      v8: process.versions.v8,
      platform: platform(),
      arch: arch(),
      cpu: { model: cpu[0]?.model.trim() ?? "unknown", cores: cpu.length },
      seed: `0x${SEED.toString(16)}`,
      plans: { fast: FAST_PLAN, slow: SLOW_PLAN },
      totalRuntimeS: Math.round(process.uptime() * 10) / 10,
    },
    snapshot: {
      recipientFields: SNAPSHOT.recipients.length,
      addresses: recipients.length,
      protected: recipients.filter((report) => report.ok && report.protected).length,
      excepted: recipients.filter((report) => report.ok && !report.protected && report.excepted.length > 0).length,
      verdict: reference.verdict,
      findings: reference.findings.length,
    },
    policies: prepared.map(({ shape, compileMs }) => ({ ...shape, compileMs: Math.round(compileMs) })),
    evaluate: evaluateRows,
    scaling: {
      suffixMapLargestOverSmallest: ratio(last.suffixMap.medianUs, first.suffixMap.medianUs),
      naiveLargestOverSmallest: ratio(last.naive.medianUs, first.naive.medianUs),
    },
    parse: { ...shapeOf(parseDocument), textBytes: Buffer.byteLength(parseText), stats: stats(measured, `parse ${PARSE_SIZE}`) },
    bundle,
    outlook,
    probe,
    openpgp,
    chromium,
  };

  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  if (jsonOnly) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else process.stdout.write(`\n${formatTable(results)}\nwritten to ${resultsFile}\n`);
  if (sink === undefined) throw new Error("no evaluation ran");
}

await main();
