// One Thunderbird run from start to clean-up: a fresh profile with the test driver, Thunderbird
// headless, the driver connected; afterwards everything stopped and deleted, whatever happened.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Driver, LOG_TAIL_HEADING } from "./control.js";
import { packDriver, type PackedExtension } from "./driver.js";
import { createProfile, type Profile, type ProfileOptions } from "./profile.js";
import { startThunderbird, type RunningThunderbird } from "./thunderbird.js";

export interface SessionOptions extends Omit<ProfileOptions, "dir"> {
  /** Thunderbird is killed after this long (default 90 s). */
  readonly timeoutMs?: number;
  /** How long Thunderbird may take to start and connect the driver (default 30 s). */
  readonly readyTimeoutMs?: number;
  readonly env?: Readonly<Record<string, string>>;
  /** A driver .xpi packed earlier (packDriver); packed afresh when absent. */
  readonly driverXpi?: PackedExtension;
}

export interface ThunderbirdSession {
  readonly driver: Driver;
  readonly thunderbird: RunningThunderbird;
  readonly profile: Profile;
  /** Quits Thunderbird (killing it if it does not quit), stops the driver, deletes the profile. */
  stop(): Promise<void>;
}

/** Starts Thunderbird on a new profile with the driver installed and resolves once the driver answers. */
export async function startSession(options: SessionOptions): Promise<ThunderbirdSession> {
  const { timeoutMs = 90_000, readyTimeoutMs = 30_000, env, driverXpi, ...profileOptions } = options;
  const work = await mkdtemp(join(tmpdir(), "sealpost-tb-session-"));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(work, { recursive: true, force: true })];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const driver = await Driver.start();
    cleanups.push(() => driver.close());
    const profile = await createProfile({
      ...profileOptions,
      dir: join(work, "profile"),
      extensions: [driverXpi ?? (await packDriver(work)), ...(profileOptions.extensions ?? [])],
      prefs: { ...driver.prefs, ...profileOptions.prefs },
    });
    const thunderbird = await startThunderbird(profile.dir, { timeoutMs, ...(env === undefined ? {} : { env }) });
    cleanups.push(async () => {
      if (thunderbird.running) await driver.quit(10_000).catch(() => undefined);
      await thunderbird.stop();
    });
    driver.attach(thunderbird);
    await driver.ready(readyTimeoutMs);
    return { driver, thunderbird, profile, stop: cleanUp };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/**
 * Runs `body` against a fresh Thunderbird and always cleans up. A failing body's error gets the
 * tail of Thunderbird's output appended, which is usually where the reason is.
 */
export async function withThunderbird<T>(options: SessionOptions, body: (session: ThunderbirdSession) => Promise<T>): Promise<T> {
  const session = await startSession(options);
  try {
    return await body(session);
  } catch (error) {
    if (error instanceof Error && !error.message.includes(LOG_TAIL_HEADING)) {
      error.message += `\n${LOG_TAIL_HEADING}\n${session.thunderbird.logTail(40)}`;
    }
    throw error;
  } finally {
    await session.stop();
  }
}
