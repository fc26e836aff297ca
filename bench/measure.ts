// Timing through tinybench in interleaved rounds: on a shared, noisy machine a slow spell
// (another process, a throttled core) then spreads over every task instead of landing on one
// size and skewing the ratios that are the point of this bench.
import { Bench } from "tinybench";

export interface TaskSpec {
  readonly name: string;
  readonly fn: () => void;
  /** Time budget per round in milliseconds; 0 runs exactly `minIterations`. */
  readonly timeMs: number;
  readonly minIterations: number;
  /** Whether round 1 starts with warm-up calls; off for slow tasks the caller has already run. */
  readonly warmup: boolean;
}

/** Latency of one call, in microseconds. */
export interface Stats {
  readonly samples: number;
  readonly medianUs: number;
  readonly p95Us: number;
  readonly minUs: number;
  readonly maxUs: number;
}

function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const lower = sorted[low] ?? Number.NaN;
  const upper = sorted[Math.min(low + 1, sorted.length - 1)] ?? lower;
  return lower + (upper - lower) * (position - low);
}

// Hundredths of a microsecond are far below the noise; more digits would only suggest precision.
function round(us: number): number {
  return Math.round(us * 100) / 100;
}

export function summarize(samplesMs: readonly number[]): Stats {
  const sorted = samplesMs.map((ms) => ms * 1000).sort((a, b) => a - b);
  return {
    samples: sorted.length,
    medianUs: round(quantile(sorted, 0.5)),
    p95Us: round(quantile(sorted, 0.95)),
    minUs: round(sorted[0] ?? Number.NaN),
    maxUs: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

function runOnce(spec: TaskSpec, warmup: boolean): number[] {
  const bench = new Bench({
    time: spec.timeMs,
    iterations: spec.minIterations,
    warmup,
    warmupTime: 250,
    warmupIterations: 1,
    retainSamples: true,
    throws: true,
    timestampProvider: "hrtimeNow",
  });
  // Declared synchronous: otherwise tinybench calls the function once more to find out, which
  // costs seconds for the brute-force task.
  bench.add(spec.name, spec.fn, { async: false });
  const [task] = bench.runSync();
  const result = task?.result;
  if (result?.state !== "completed") throw new Error(`bench task "${spec.name}" did not complete (${result?.state ?? "no task"})`);
  return [...(result.latency.samples ?? [])];
}

/**
 * Runs every task once per round, starting each round one task further along so that no task
 * always runs first (fresh heap) or last. Samples from all rounds are pooled per task.
 */
export function measure(specs: readonly TaskSpec[], rounds: number, progress: (line: string) => void): Map<string, Stats> {
  const pooled = new Map<string, number[]>(specs.map((spec) => [spec.name, []]));
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const counts: string[] = [];
    for (let offset = 0; offset < specs.length; offset++) {
      const spec = specs[(round + offset) % specs.length];
      if (spec === undefined) continue;
      const samples = runOnce(spec, round === 0 && spec.warmup);
      pooled.get(spec.name)?.push(...samples);
      counts.push(`${spec.name} ×${samples.length}`);
    }
    progress(`round ${round + 1}/${rounds} in ${((performance.now() - started) / 1000).toFixed(1)} s: ${counts.join(", ")}`);
  }
  return new Map([...pooled].map(([name, samples]) => [name, summarize(samples)]));
}
