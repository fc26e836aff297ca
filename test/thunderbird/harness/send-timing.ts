// The cost of Sealpost on an encrypted send: each suite records how long Thunderbird took from
// Send to the SMTP server receiving the message, with or without the add-on, into one report.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Driver } from "./control.js";
import { type SmtpServers, waitForMessages } from "./smtp.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const reportFile = join(root, "bench/results/thunderbird-encrypted-send.json");

type Side = { readonly timesMs: readonly number[]; readonly medianMs: number; readonly recordedAt: number; readonly run?: number };
type Report = Partial<Record<"withSealpost" | "withoutSealpost", Side>>;

// The two suites run one after the other in one `npm run test:e2e`, each file in a child of the
// same test runner: its process id names the run. (A time window mixed in the other side of a
// run a few minutes earlier.)
const RUN = process.ppid;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Sends `runs` OpenPGP-encrypted messages from `identityId` to `to`, one after another, and
 * returns the time from Send to the STARTTLS server holding each one.
 */
export async function timeEncryptedSends(
  driver: Driver,
  servers: SmtpServers,
  identityId: string,
  to: string,
  runs = 5,
): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    servers.clear();
    const tabId = await driver.compose({ identityId, to: [to], subject: `Timing ${String(run)}`, body: "Timing run." });
    await driver.setEncryption(tabId, { name: "OpenPGP", encryptBody: true });
    const started = performance.now();
    const sent = await driver.send(tabId, { timeoutMs: 20_000 });
    if (sent.outcome !== "sent") throw new Error(`timing send ${String(run)} was not sent: ${JSON.stringify(sent)}`);
    await waitForMessages(servers.starttls, 1, 10_000);
    times.push(performance.now() - started);
  }
  return times;
}

/** Records this suite's times and returns a one-line comparison once both sides are known. */
export async function recordEncryptedSendTimes(side: keyof Report, timesMs: readonly number[]): Promise<string> {
  let report: Report = {};
  try {
    report = JSON.parse(await readFile(reportFile, "utf8")) as Report;
  } catch {
    // first suite of the run
  }
  const now = Date.now();
  report = {
    ...report,
    [side]: { timesMs: timesMs.map((ms) => Math.round(ms)), medianMs: Math.round(median(timesMs)), recordedAt: now, run: RUN },
  };
  await mkdir(join(root, "bench/results"), { recursive: true });
  await writeFile(reportFile, JSON.stringify(report, null, 2) + "\n");
  const { withSealpost, withoutSealpost } = report;
  const line = `encrypted send, Send to SMTP receipt: ${side === "withSealpost" ? "with" : "without"} Sealpost median ${String(Math.round(median(timesMs)))} ms over ${String(timesMs.length)} sends`;
  const fresh = (entry: Side | undefined): entry is Side => entry !== undefined && entry.run === RUN;
  if (!fresh(withSealpost) || !fresh(withoutSealpost)) return line;
  return `${line}; with/without = ${(withSealpost.medianMs / withoutSealpost.medianMs).toFixed(2)} (${String(withSealpost.medianMs)} ms / ${String(withoutSealpost.medianMs)} ms)`;
}
