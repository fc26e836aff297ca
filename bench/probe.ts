// `sealpost probe` over loopback with a resolver 20 ms away: the same domains probed one lookup
// at a time and with the default concurrency, in one run, so the ratio shows what parallel
// lookups are worth.
import { mkdtemp, rm } from "node:fs/promises";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../packages/cli/src/cli.js";
import { PROBE_DEFAULTS } from "../packages/cli/src/probe-command.js";
import type { ProbeReport } from "../packages/cli/src/probe/render-report.js";
import { rr, startDnsServer, type Zone } from "../test/cli/probe/dns-server.js";
import { startSmtpServers } from "../test/cli/probe/mail-servers.js";
import { createTestCa, issueServerCertificate } from "../test/thunderbird/harness/ca.js";
import { ratio } from "./report.js";

export interface ProbeBench {
  readonly domains: number;
  readonly dnsDelayMs: number;
  readonly runs: number;
  /** Median wall time of one whole `sealpost probe` with --concurrency 1. */
  readonly oneAtATimeMs: number;
  /** The same with the default --concurrency. */
  readonly parallelMs: number;
  readonly concurrency: number;
  readonly speedup: number;
}

const DOMAINS = 24;
const DELAY_MS = 20;
const RUNS = 3;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function measureProbe(): Promise<ProbeBench> {
  const dir = await mkdtemp(join(tmpdir(), "sealpost-bench-probe-"));
  const ca = await createTestCa(dir);
  const certificate = await issueServerCertificate(ca, ["*.bench.test"]);
  const zone: Zone = new Map();
  const domains = Array.from({ length: DOMAINS }, (_, index) => `d${String(index)}.test`);
  domains.forEach((domain, index) => {
    const mx = `mx${String(index)}.bench.test`;
    zone.set(`${domain} MX`, { answers: [rr.mx(domain, 10, mx)] });
    zone.set(`${mx} A`, { answers: [rr.a(mx, "127.0.0.2")] });
  });
  const dns = await startDnsServer(zone, { delayMs: DELAY_MS });
  const smtp = await startSmtpServers([{ address: "127.0.0.2", certificate }]);
  try {
    const probe = async (concurrency: number): Promise<number> => {
      let stdout = "";
      const started = performance.now();
      const code = await run(
        [
          "probe",
          ...domains,
          "--resolver",
          `127.0.0.1:${String(dns.port)}`,
          "--smtp-port",
          String(smtp.smtpPort),
          "--ca-file",
          ca.caCertPath,
          "--ehlo",
          "bench.sealpost.test",
          "--concurrency",
          String(concurrency),
          "--json",
        ],
        {
          stdout: (text) => void (stdout += text),
          stderr: () => undefined,
          readFile: (path) => readFile(path, "utf8"),
          writeFile: () => Promise.reject(new Error("the probe writes no file")),
          color: false,
        },
      );
      const elapsed = performance.now() - started;
      const report = JSON.parse(stdout) as ProbeReport;
      const verified = report.domains.filter((domain) => domain.recommendation.level === "verify").length;
      if (code !== 0 || verified !== DOMAINS)
        throw new Error(`the bench probe judged ${String(verified)} of ${String(DOMAINS)} domains verify`);
      return elapsed;
    };
    await probe(PROBE_DEFAULTS.concurrency); // warm-up: module loading, the first TLS context
    const oneAtATime: number[] = [];
    const parallel: number[] = [];
    // Alternating, so that a slow moment of the shared machine hits both sides alike.
    for (let round = 0; round < RUNS; round++) {
      oneAtATime.push(await probe(1));
      parallel.push(await probe(PROBE_DEFAULTS.concurrency));
    }
    const oneAtATimeMs = Math.round(median(oneAtATime));
    const parallelMs = Math.round(median(parallel));
    return {
      domains: DOMAINS,
      dnsDelayMs: DELAY_MS,
      runs: RUNS,
      oneAtATimeMs,
      parallelMs,
      concurrency: PROBE_DEFAULTS.concurrency,
      speedup: ratio(oneAtATimeMs, parallelMs),
    };
  } finally {
    await Promise.all([dns.stop(), smtp.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}
