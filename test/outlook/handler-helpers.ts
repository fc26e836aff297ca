// Runs the Outlook handlers the way Outlook does, against the fake Office of office-helpers.ts:
// the real Host (office-compose.ts) over the fake mailbox, a policy source, and an event that
// records every `completed` call.
import { type CompletedOptions, createOfficeHost, type HostTimeouts } from "../../packages/outlook/src/host/office-compose.js";
import { createPolicySource, type PolicySource } from "../../packages/outlook/src/launch/policy-source.js";
import { onRecipientsChanged } from "../../packages/outlook/src/launch/recipients-changed.js";
import { type CheckResult, onMessageSend } from "../../packages/outlook/src/launch/send-check.js";
import { policyText } from "./fixture-helpers.js";
import { fakeOffice, type MailboxScenario, recordedEvent } from "./office-helpers.js";

/** Short enough that a hanging call fails a test in a fraction of a second. */
export const TEST_TIMEOUTS: HostTimeouts = { callMs: 250, contentMs: 250, storageMs: 100 };
export const TEST_DEADLINE_MS = 1200;
export const TASK_PANE = "SealpostTaskPaneButton";

export interface RunOptions {
  /** Policy text built in; `null` for no policy at all; or a source of the test's own. */
  readonly policy?: string | null | PolicySource;
  readonly deadlineMs?: number;
  readonly timeouts?: HostTimeouts;
  /** Make creating the Host throw, as when Outlook hands over no item. */
  readonly hostFails?: boolean;
}

export interface SendRun {
  /** The options of the first `completed` call. */
  readonly options: CompletedOptions | undefined;
  readonly completions: readonly (CompletedOptions | undefined)[];
  readonly calls: readonly string[];
  readonly result: CheckResult | undefined;
  readonly elapsedMs: number;
  readonly log: readonly string[];
}

export function builtIn(text: string | null): PolicySource {
  return createPolicySource({
    config: { baseUrl: "", builtInPolicy: text },
    fetch: undefined,
    storage: () => undefined,
    now: () => Date.now(),
    fetchTimeoutMs: 100,
    refreshAfterMs: 0,
    maxAgeMs: 0,
  });
}

export async function runSend(scenario: MailboxScenario, options: RunOptions = {}): Promise<SendRun> {
  const fake = fakeOffice(scenario);
  const { event, completions, done } = recordedEvent<CompletedOptions>();
  const policy =
    options.policy === undefined || typeof options.policy === "string" || options.policy === null
      ? builtIn(options.policy === undefined ? policyText() : options.policy)
      : options.policy;
  let result: CheckResult | undefined;
  const log: string[] = [];
  const started = performance.now();
  const handled = onMessageSend(
    {
      host: () => {
        if (options.hostFails === true) throw new Error("Outlook handed over no message");
        return createOfficeHost(fake.office, options.timeouts ?? TEST_TIMEOUTS);
      },
      policy,
      deadlineMs: options.deadlineMs ?? TEST_DEADLINE_MS,
      taskPaneCommandId: TASK_PANE,
      log: (line) => log.push(line),
      onCheck: (checked) => (result = checked),
    },
    event,
  );
  const first = await done;
  const elapsedMs = performance.now() - started;
  await handled;
  // A late second call would show up here.
  await new Promise((resolve) => setTimeout(resolve, 5));
  return { options: first, completions, calls: fake.calls, result, elapsedMs, log };
}

export async function runRecipientsChanged(scenario: MailboxScenario, options: RunOptions = {}) {
  const fake = fakeOffice(scenario);
  const { event, completions, done } = recordedEvent<undefined>();
  const policy =
    options.policy === undefined || typeof options.policy === "string" || options.policy === null
      ? builtIn(options.policy === undefined ? policyText() : options.policy)
      : options.policy;
  const log: string[] = [];
  const handled = onRecipientsChanged(
    {
      host: () => {
        if (options.hostFails === true) throw new Error("Outlook handed over no message");
        return createOfficeHost(fake.office, options.timeouts ?? TEST_TIMEOUTS);
      },
      policy,
      deadlineMs: options.deadlineMs ?? TEST_DEADLINE_MS,
      icon: "Icon.16x16",
      log: (line) => log.push(line),
    },
    event,
  );
  await done;
  await handled;
  return { completions, notifications: fake.notifications, calls: fake.calls, log };
}

/** The finding codes of a run's decision, sorted. */
export function codes(run: SendRun): string[] {
  return (run.result?.decision.findings ?? []).map((finding) => finding.code).sort();
}

/** The note keys of a run, in order. */
export function notes(run: SendRun): string[] {
  return (run.result?.notes ?? []).map((note) => note.key);
}
