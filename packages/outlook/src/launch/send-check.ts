// The OnMessageSend gate. It gathers a snapshot within its own deadline, asks core for the
// decision and completes the event exactly once: allow, ask (Mailbox 1.14's PromptUser) or
// block with an explanation. Whatever fails or hangs, protected and unknown recipients are
// blocked from what is known so far, and the message stays as it was.
import {
  type ComposeSnapshot,
  type Decision,
  type EncryptionState,
  evaluate,
  type RecipientInput,
  translate,
  type Transport,
} from "@sealpost/core";
import type { CompletedOptions, Host, SendEvent } from "../host/office-compose.js";
import { withDeadline } from "../shared/deadline.js";
import { describeError } from "../shared/errors.js";
import { alertText } from "./alert-text.js";
import { type GatheredRecipient, needsOf, readEncryption, readRecipients, readSender, transportFor } from "./compose-snapshot.js";
import { type Note, say } from "./messages.js";
import { forEvaluation, type LoadedPolicy, type PolicySource } from "./policy-source.js";

/** Well under the ~5 s after which Outlook tells the user the add-in is taking long. */
export const SEND_DEADLINE_MS = 3500;

export interface CheckDeps {
  readonly policy: PolicySource;
  readonly deadlineMs: number;
  /** Read the encryption state even when no recipient needs it (the task pane shows it). */
  readonly alwaysReadEncryption?: boolean;
}

export interface CheckResult {
  readonly decision: Decision;
  /** What the add-in found beyond core's findings (why content is not sealed, what could not be read). */
  readonly notes: readonly Note[];
  readonly policy: LoadedPolicy | undefined;
  readonly recipients: readonly GatheredRecipient[] | undefined;
  readonly transport: Transport | undefined;
  /** Outlook's account type, as reported (`office365`, `enterprise`, …). */
  readonly accountType: string | undefined;
  readonly encryption: EncryptionState | undefined;
  /** Set when the check did not finish (a failure or the deadline) and the decision rests on what was known. */
  readonly interrupted?: string;
}

interface Progress {
  locale: string;
  policy?: LoadedPolicy;
  recipients?: GatheredRecipient[];
  recipientsProblem?: string;
  sender?: string;
  accountType?: string;
  transport?: Transport;
  encryption?: EncryptionState;
  readonly notes: Note[];
}

/** Checks the message Outlook is composing. Never rejects: a failure becomes a fail-closed decision. */
export async function checkMessage(host: Host, deps: CheckDeps): Promise<CheckResult> {
  const progress: Progress = { locale: "en", notes: [] };
  try {
    await withDeadline(gather(host, deps, progress), deps.deadlineMs, `the check took longer than ${seconds(deps.deadlineMs)}`);
    return conclude(progress);
  } catch (error) {
    return conclude(progress, describeError(error));
  }
}

async function gather(host: Host, deps: CheckDeps, progress: Progress): Promise<void> {
  progress.locale = safely(() => host.displayLanguage(), "en");
  progress.accountType = safely(() => host.accountType(), undefined);
  progress.transport = transportFor(progress.accountType);
  // The policy, the recipients and the sender are independent: they are asked for at once.
  const policy = deps.policy.load().then(
    (loaded) => (progress.policy = loaded),
    (error: unknown) => (progress.policy = { kind: "unavailable", reason: `reading the policy failed (${describeError(error)})` }),
  );
  const recipients = readRecipients(host).then(
    (list) => (progress.recipients = list),
    (error: unknown) => (progress.recipientsProblem = describeError(error)),
  );
  const sender = readSender(host).then(
    (address) => (progress.sender = address),
    () => undefined,
  );
  await Promise.all([policy, recipients, sender]);

  const loaded = progress.policy;
  const inputs = progress.recipients?.map((recipient) => recipient.input);
  if (loaded?.kind !== "active" || inputs === undefined) return;
  const needs = needsOf(loaded.policy, inputs);
  // Unprotected mail is decided without reading the body or the attachments.
  progress.encryption =
    needs.encryption || deps.alwaysReadEncryption === true
      ? await readEncryption(host, loaded.policy, loaded.keys, needs, progress.notes)
      : { kind: "none" };
}

function conclude(progress: Progress, interrupted?: string): CheckResult {
  const notes = [...progress.notes];
  const policy: LoadedPolicy = progress.policy ?? {
    kind: "unavailable",
    reason: `the policy could not be loaded (${interrupted ?? "no answer"})`,
  };
  let snapshot: ComposeSnapshot;
  if (progress.recipients === undefined) {
    notes.unshift({ key: "check.recipients-unreadable", values: { reason: progress.recipientsProblem ?? interrupted ?? "no answer" } });
    snapshot = unreadable(progress.locale);
  } else {
    if (progress.encryption === undefined && interrupted !== undefined) {
      notes.push({ key: "check.unchecked", values: { reason: interrupted } });
    }
    snapshot = {
      recipients: progress.recipients.map((recipient): RecipientInput => recipient.input),
      transport: progress.transport ?? { kind: "unknown", reason: interrupted ?? "the account type was not read" },
      encryption: progress.encryption ?? { kind: "none" },
      ...(progress.sender === undefined ? {} : { sender: progress.sender }),
      locale: progress.locale,
    };
  }
  return {
    decision: evaluate(forEvaluation(policy), snapshot),
    notes,
    policy: progress.policy,
    recipients: progress.recipients,
    transport: progress.transport,
    accountType: progress.accountType,
    encryption: progress.encryption,
    ...(interrupted === undefined ? {} : { interrupted }),
  };
}

// Without the recipients nothing can be decided for them. Core refuses a snapshot that has no
// recipient list with its own fail-closed finding ("snapshot-invalid"), which is what an
// adapter's unreadable message is; the note says which field failed and why.
function unreadable(locale: string): ComposeSnapshot {
  return {
    recipients: undefined,
    transport: { kind: "unknown", reason: "not read" },
    encryption: { kind: "none" },
    locale,
  } as unknown as ComposeSnapshot;
}

export interface SendHandlerDeps extends CheckDeps {
  /** Makes the Host for the current item; may throw when Outlook hands over none. */
  readonly host: () => Host;
  /** The task pane's command id in the manifest, opened from the dialog's button. */
  readonly taskPaneCommandId: string;
  readonly log?: (line: string) => void;
  /** Told of each check with how long it took (for logs and the bench). */
  readonly onCheck?: (result: CheckResult, elapsedMs: number) => void;
}

const LAST_RESORT = "Sealpost could not check this message. Try again; if it keeps happening, contact IT.";

/** The OnMessageSend handler: completes the event exactly once, on every path. */
export async function onMessageSend(deps: SendHandlerDeps, event: SendEvent): Promise<void> {
  let completed = false;
  const complete = (options: CompletedOptions) => {
    if (completed) return;
    completed = true;
    try {
      event.completed(options);
    } catch (error) {
      // Nothing more can be done for this event; a second call would not be honoured either.
      deps.log?.(`event.completed failed: ${describeError(error)}`);
    }
  };
  const started = Date.now();
  try {
    const host = deps.host();
    const result = await checkMessage(host, deps);
    deps.onCheck?.(result, Date.now() - started);
    complete(completionFor(result, capabilities(host, deps.taskPaneCommandId)));
  } catch (error) {
    deps.log?.(`the send check failed: ${describeError(error)}`);
    try {
      // Outlook handed over no usable item: decide with no recipients known, which blocks under any policy.
      const loaded = await withDeadline(deps.policy.load(), deps.deadlineMs, "the policy did not load").catch((): LoadedPolicy => ({
        kind: "unavailable",
        reason: "not loaded",
      }));
      const result = conclude({ locale: "en", notes: [], policy: loaded }, describeError(error));
      complete(completionFor(result, { v14: false, v15: false, promptUser: "promptUser", commandId: deps.taskPaneCommandId }));
    } catch (fallbackError) {
      deps.log?.(`the fallback failed too: ${describeError(fallbackError)}`);
    }
  } finally {
    complete({ allowEvent: false, errorMessage: LAST_RESORT });
  }
}

export interface Capabilities {
  /** Mailbox 1.14: cancelLabel, commandId and sendModeOverride. */
  readonly v14: boolean;
  /** Mailbox 1.15: errorMessageMarkdown. */
  readonly v15: boolean;
  readonly promptUser: string;
  readonly commandId: string;
}

function capabilities(host: Host, commandId: string): Capabilities {
  return { v14: host.supports("1.14"), v15: host.supports("1.15"), promptUser: host.promptUserSendMode, commandId };
}

/** What to hand `event.completed` for a check's result. */
export function completionFor(result: CheckResult, caps: Capabilities): CompletedOptions {
  const { decision, notes } = result;
  if (decision.verdict === "allow") return { allowEvent: true };
  const locale = decision.locale;
  // Without Mailbox 1.14 Outlook cannot offer "Send Anyway": a confirmation becomes a block that says so.
  const canAsk = decision.verdict === "confirm" && caps.v14;
  const content =
    decision.verdict === "confirm" && !canAsk
      ? { decision, notes, summary: translate(locale, "verdict.block"), extra: [say(locale, "alert.confirm-unsupported")] }
      : { decision, notes };
  return {
    allowEvent: false,
    errorMessage: alertText(content, false),
    ...(caps.v15 ? { errorMessageMarkdown: alertText(content, true) } : {}),
    ...(caps.v14 ? { cancelLabel: say(locale, "alert.open-pane").slice(0, 20), commandId: caps.commandId } : {}),
    ...(canAsk ? { sendModeOverride: caps.promptUser } : {}),
  };
}

function safely<T>(read: () => T, otherwise: T): T {
  try {
    return read();
  } catch {
    return otherwise;
  }
}

function seconds(ms: number): string {
  return `${String(Math.round(ms / 100) / 10)} s`;
}
