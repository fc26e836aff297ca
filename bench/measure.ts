// Timing by round robin: every cycle calls each task in turn and times each call on its own.
// On a shared VM the speed of the machine drifts by a third within seconds; tasks that take
// turns call by call live through the same drift, so their ratios hold where their absolute
// times do not. (tinybench times one task in a block, then the next: on this 2-core VM two
// identical tasks measured that way came out up to 18 % apart, against 2–4 % call by call.)

export interface TaskSpec {
  readonly name: string;
  readonly fn: () => void;
  /** Consecutive calls per cycle: more for tasks much shorter than the others in their group. */
  readonly callsPerCycle: number;
}

export interface Plan {
  /** Untimed cycles run for at least this long first, so that the JIT has settled; 0 for none. */
  readonly warmupMs: number;
  /** Timed cycles run until both this much time has passed and `minCycles` are done. */
  readonly durationMs: number;
  readonly minCycles: number;
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

export function summarize(samplesUs: readonly number[]): Stats {
  const sorted = [...samplesUs].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    medianUs: round(quantile(sorted, 0.5)),
    p95Us: round(quantile(sorted, 0.95)),
    minUs: round(sorted[0] ?? Number.NaN),
    maxUs: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

function elapsedMs(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

// Each cycle starts one task further along, so that no task always follows the same one
// (and inherits, say, its garbage to collect).
function cycle(specs: readonly TaskSpec[], index: number, record: (spec: TaskSpec, us: number) => void): void {
  for (let offset = 0; offset < specs.length; offset++) {
    const spec = specs[(index + offset) % specs.length];
    if (spec === undefined) continue;
    for (let call = 0; call < spec.callsPerCycle; call++) {
      const started = process.hrtime.bigint();
      spec.fn();
      record(spec, Number(process.hrtime.bigint() - started) / 1000);
    }
  }
}

/** Runs the tasks together by {@link Plan} and returns each task's call latencies. */
export function measure(specs: readonly TaskSpec[], plan: Plan, progress: (line: string) => void): Map<string, Stats> {
  const warmupStarted = process.hrtime.bigint();
  for (let index = 0; plan.warmupMs > 0 && (index === 0 || elapsedMs(warmupStarted) < plan.warmupMs); index++)
    cycle(specs, index, () => {});

  const samples = new Map<string, number[]>(specs.map((spec) => [spec.name, []]));
  const started = process.hrtime.bigint();
  let cycles = 0;
  let reportedAt = 0;
  const report = (): void => {
    reportedAt = elapsedMs(started);
    progress(
      `${cycles} cycle${cycles === 1 ? "" : "s"} of ${specs.map((spec) => spec.name).join(", ")} in ${(reportedAt / 1000).toFixed(1)} s`,
    );
  };
  while (cycles < plan.minCycles || elapsedMs(started) < plan.durationMs) {
    cycle(specs, cycles, (spec, us) => samples.get(spec.name)?.push(us));
    cycles++;
    if (elapsedMs(started) - reportedAt >= 2000) report();
  }
  if (elapsedMs(started) - reportedAt > 100) report();
  return new Map([...samples].map(([name, values]) => [name, summarize(values)]));
}
