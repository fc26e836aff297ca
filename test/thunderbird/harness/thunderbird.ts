// Starts the installed Thunderbird headless on a test profile, keeps its output for failure
// messages, and makes sure it (and every process it started) is gone afterwards.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

const INSTALL_HINT = "install it with: apt-get install thunderbird (Debian/Ubuntu), then run the tests again";
const MAX_LOG_CHARS = 4 * 1024 * 1024;
// Headless Thunderbird repeats these GTK warnings hundreds of times; they say nothing about a test.
const GTK_NOISE = /gtk_icon_theme_|GDK_IS_SCREEN|GTK_IS_ICON_THEME/;

export interface ThunderbirdOptions {
  /** Thunderbird is killed when it is still running after this long. */
  readonly timeoutMs: number;
  /** Added to the environment (HOME defaults to a fresh temporary directory). */
  readonly env?: Readonly<Record<string, string>>;
  /** Defaults to requireThunderbird(). */
  readonly executable?: string;
  /**
   * Defaults to true. False shows real windows on the display that `env.DISPLAY` names (an Xvfb
   * for screenshots); tests stay headless, which needs no display at all.
   */
  readonly headless?: boolean;
}

export interface ThunderbirdExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Whether the harness killed it because timeoutMs passed. */
  readonly timedOut: boolean;
}

export interface RunningThunderbird {
  readonly pid: number;
  readonly profileDir: string;
  /** Settles when the process has exited. */
  readonly exited: Promise<ThunderbirdExit>;
  readonly running: boolean;
  /** Everything Thunderbird wrote to stdout and stderr so far. */
  log(): string;
  /** The last `lines` lines of the log, for failure messages. */
  logTail(lines?: number): string;
  /**
   * Waits up to `graceMs` (default 0) for Thunderbird to exit by itself, e.g. after the driver's
   * quit(), then terminates its process group, and kills it when it still has not exited.
   */
  stop(graceMs?: number): Promise<ThunderbirdExit>;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The path of the installed Thunderbird. Throws when there is none: end-to-end suites call this
 * first so that a machine without Thunderbird fails them, rather than skipping them silently.
 */
export function requireThunderbird(): string {
  if (isExecutable("/usr/bin/thunderbird")) return "/usr/bin/thunderbird";
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && isExecutable(join(dir, "thunderbird"))) return join(dir, "thunderbird");
  }
  throw new Error(`Thunderbird is not installed (no /usr/bin/thunderbird, none on PATH): the end-to-end tests need it; ${INSTALL_HINT}`);
}

/** Starts `thunderbird --headless --no-remote --profile DIR` (without --headless when `headless` is false). */
export async function startThunderbird(profileDir: string, options: ThunderbirdOptions): Promise<RunningThunderbird> {
  const executable = options.executable ?? requireThunderbird();
  // A profile that was in use when its Thunderbird was killed keeps its lock files, and Thunderbird
  // then refuses it ("already running"): this harness owns the profile, so the lock is stale.
  await Promise.all(["lock", ".parentlock"].map((name) => rm(join(profileDir, name), { force: true })));
  const home = options.env?.HOME === undefined ? await mkdtemp(join(tmpdir(), "sealpost-tb-home-")) : undefined;

  const headless = options.headless ?? true;
  const child = spawn(executable, [...(headless ? ["--headless"] : []), "--no-remote", "--profile", profileDir], {
    // Its own process group, so that stop() reaches the wrapper script, Thunderbird and its
    // content processes with one signal.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      // Unset rather than left out when headed: an inherited MOZ_HEADLESS would hide the windows.
      MOZ_HEADLESS: headless ? "1" : undefined,
      // After a killed run, Thunderbird would otherwise offer safe mode or a crash reporter.
      MOZ_DISABLE_AUTO_SAFE_MODE: "1",
      MOZ_CRASHREPORTER_DISABLE: "1",
      ...(home === undefined ? {} : { HOME: home }),
      ...options.env,
    },
  });
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once("spawn", () => resolve(undefined));
    child.once("error", resolve);
  });
  const pid = child.pid;
  if (spawnError !== undefined || pid === undefined) {
    if (home !== undefined) await rm(home, { recursive: true, force: true });
    throw new Error(`could not start ${executable}; ${INSTALL_HINT}`, { cause: spawnError });
  }
  child.on("error", () => undefined); // a failed kill of an already dead process; exit tells the rest

  let log = "";
  const append = (chunk: Buffer) => {
    log += chunk.toString("utf8");
    if (log.length > MAX_LOG_CHARS) log = log.slice(log.length - MAX_LOG_CHARS);
  };
  child.stdout.on("data", append);
  child.stderr.on("data", append);

  let running = true;
  let timedOut = false;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    append(Buffer.from(`\n[harness] Thunderbird still running after ${String(options.timeoutMs)} ms: killed\n`));
    killGroup("SIGKILL");
  }, options.timeoutMs);
  const exited = new Promise<ThunderbirdExit>((resolve) => {
    child.once("exit", (code, signal) => {
      running = false;
      clearTimeout(timer);
      // Thunderbird's content processes may outlive the main process for a moment.
      killGroup("SIGKILL");
      resolve({ code, signal, timedOut });
    });
  }).finally(async () => {
    if (home !== undefined) await rm(home, { recursive: true, force: true });
  });

  return {
    pid,
    profileDir,
    exited,
    get running() {
      return running;
    },
    log: () => log,
    logTail(lines = 60) {
      return log
        .split("\n")
        .filter((line) => line.trim() !== "" && !GTK_NOISE.test(line))
        .slice(-lines)
        .join("\n");
    },
    async stop(graceMs = 0) {
      const within = async (ms: number) => (await Promise.race([exited.then(() => true), delay(ms).then(() => false)])) || !running;
      if (running && !(await within(graceMs))) {
        killGroup("SIGTERM");
        if (!(await within(3_000))) killGroup("SIGKILL");
      }
      return exited;
    },
  };
}
