// A faithful fake of the Office.js surface the add-in uses, built with office-addin-mock: the
// compose item's callback-style getAsync methods answer (asynchronously, as Outlook does), fail
// or never answer, as each test's scenario says. Also fake events that record their completion.
/// <reference types="office-js" />
import { OfficeMockObject } from "office-addin-mock";

/** A call that never calls back. */
export const HANG = { hang: true } as const;

/** A call that fails with this message, or never calls back. */
export type Failure = { readonly fail: string } | typeof HANG;

export function isFailure(value: unknown): value is Failure {
  return typeof value === "object" && value !== null && ("fail" in value || "hang" in value);
}

export interface FakeRecipient {
  readonly emailAddress: string;
  readonly displayName?: string;
  readonly recipientType?: string;
}

export interface FakeAttachment {
  readonly name: string;
  readonly attachmentType?: "file" | "item" | "cloud";
  readonly isInline?: boolean;
  /** The content as Outlook hands it over: base64 for files. */
  readonly content: string | Failure;
  readonly format?: string;
}

export interface MailboxScenario {
  readonly to?: readonly (FakeRecipient | string)[] | Failure;
  readonly cc?: readonly (FakeRecipient | string)[] | Failure;
  readonly bcc?: readonly (FakeRecipient | string)[] | Failure;
  readonly from?: string | Failure;
  /** `null` leaves the property out, as volume-licensed Outlook 2016 does. */
  readonly accountType?: string | null;
  readonly body?: string | Failure;
  readonly attachments?: readonly FakeAttachment[] | Failure;
  readonly label?: string | Failure;
  readonly subject?: string | Failure;
  /** What the task pane left in `item.sessionData`, by key; a missing key answers as Outlook does, with an error. */
  readonly sessionData?: Readonly<Record<string, string>> | Failure;
  /** Mailbox requirement sets the fake client supports; 1.1 to 1.15 unless a test says otherwise. */
  readonly supported?: readonly string[];
  readonly displayLanguage?: string;
  /** How long each answer takes; 0 still answers in a later turn, as Outlook does. */
  readonly delayMs?: number;
}

export const ALL_SETS = ["1.1", "1.3", "1.7", "1.8", "1.10", "1.11", "1.12", "1.13", "1.14", "1.15"];

export interface FakeOffice {
  readonly office: typeof Office;
  /** Every Office method called, in order, by name. */
  readonly calls: string[];
  /** The info bar notifications currently shown, by key. */
  readonly notifications: Map<string, Office.NotificationMessageDetails>;
}

type Callback = (result: Office.AsyncResult<unknown>) => void;

export function fakeOffice(scenario: MailboxScenario = {}): FakeOffice {
  const calls: string[] = [];
  const notifications = new Map<string, Office.NotificationMessageDetails>();
  const delay = scenario.delayMs ?? 0;
  const supported = scenario.supported ?? ALL_SETS;

  // Outlook answers in a later turn, never inside the call: the callback runs from a timer.
  const answer = (name: string, outcome: unknown, callback: Callback | undefined) => {
    calls.push(name);
    if (outcome === HANG) return;
    const failed = isFailure(outcome);
    const result = failed
      ? { status: "failed", error: { name: "GenericError", message: (outcome as { fail: string }).fail, code: 9020 }, value: undefined }
      : { status: "succeeded", value: outcome };
    setTimeout(() => callback?.(result as unknown as Office.AsyncResult<unknown>), delay);
  };
  const lastCallback = (args: unknown[]) => args.find((arg): arg is Callback => typeof arg === "function");
  const recipients = (field: "to" | "cc" | "bcc") => ({
    getAsync(...args: unknown[]) {
      const value = scenario[field] ?? [];
      answer(`${field}.getAsync`, isFailure(value) ? value : value.map(details), lastCallback(args));
    },
  });
  const attachments = scenario.attachments;

  const data = {
    host: "outlook",
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    CoercionType: { Text: "text", Html: "html" },
    MailboxEnums: {
      ItemNotificationMessageType: { InformationalMessage: "informationalMessage", ErrorMessage: "errorMessage" },
      SendModeOverride: { PromptUser: "promptUser" },
    },
    context: {
      displayLanguage: scenario.displayLanguage ?? "en-US",
      requirements: {
        isSetSupported: (name: string, version: string) => name === "Mailbox" && supported.includes(version),
      },
      mailbox: {
        userProfile: {
          ...(scenario.accountType === null ? {} : { accountType: scenario.accountType ?? "office365" }),
          emailAddress: "alice@corp.example",
        },
        item: {
          to: recipients("to"),
          cc: recipients("cc"),
          bcc: recipients("bcc"),
          from: {
            getAsync(...args: unknown[]) {
              const from = scenario.from ?? "alice@corp.example";
              answer("from.getAsync", typeof from === "string" ? details(from) : from, lastCallback(args));
            },
          },
          body: {
            getAsync(coercion: unknown, ...args: unknown[]) {
              answer(
                `body.getAsync(${String(coercion)})`,
                scenario.body ?? "Hello,\r\nplease find the figures attached.",
                lastCallback(args),
              );
            },
          },
          subject: {
            getAsync(...args: unknown[]) {
              answer("subject.getAsync", scenario.subject ?? "Payment run", lastCallback(args));
            },
          },
          sessionData: {
            getAsync(name: string, ...args: unknown[]) {
              const data = scenario.sessionData ?? {};
              const value = isFailure(data) ? data : name in data ? data[name] : { fail: `The key ${name} wasn't found.` };
              answer(`sessionData.getAsync(${name})`, value, lastCallback(args));
            },
          },
          sensitivityLabel: {
            getAsync(...args: unknown[]) {
              answer("sensitivityLabel.getAsync", scenario.label ?? "", lastCallback(args));
            },
          },
          getAttachmentsAsync(...args: unknown[]) {
            const list = isFailure(attachments)
              ? attachments
              : (attachments ?? []).map((attachment, index) => ({
                  id: String(index),
                  name: attachment.name,
                  attachmentType: attachment.attachmentType ?? "file",
                  size: typeof attachment.content === "string" ? attachment.content.length : 0,
                  isInline: attachment.isInline ?? false,
                  contentId: "",
                  isServiceAccessible: false,
                }));
            answer("getAttachmentsAsync", list, lastCallback(args));
          },
          getAttachmentContentAsync(id: string, ...args: unknown[]) {
            const attachment = isFailure(attachments) ? undefined : attachments?.[Number(id)];
            const content = attachment?.content ?? { fail: `no attachment ${id}` };
            answer(
              `getAttachmentContentAsync(${id})`,
              typeof content === "string" ? { format: attachment?.format ?? "base64", content } : content,
              lastCallback(args),
            );
          },
          notificationMessages: {
            replaceAsync(key: string, details: Office.NotificationMessageDetails, ...args: unknown[]) {
              notifications.set(key, details);
              answer(`notificationMessages.replaceAsync(${key})`, undefined, lastCallback(args));
            },
            removeAsync(key: string, ...args: unknown[]) {
              const shown = notifications.delete(key);
              answer(`notificationMessages.removeAsync(${key})`, shown ? undefined : { fail: "The key wasn't found." }, lastCallback(args));
            },
          },
        },
      },
    },
  };
  const office = new OfficeMockObject(data) as unknown as typeof Office;
  return { office, calls, notifications };
}

function details(value: FakeRecipient | string): Office.EmailAddressDetails {
  const recipient = typeof value === "string" ? { emailAddress: value } : value;
  return {
    emailAddress: recipient.emailAddress,
    displayName: recipient.displayName ?? recipient.emailAddress,
    recipientType: recipient.recipientType ?? "externalUser",
  } as Office.EmailAddressDetails;
}

export interface RecordedEvent<T> {
  readonly event: { completed(options?: T): void };
  /** Every call of `completed`, with its options. */
  readonly completions: (T | undefined)[];
  /** Resolves at the first `completed` call. */
  readonly done: Promise<T | undefined>;
}

export function recordedEvent<T = Office.SmartAlertsEventCompletedOptions>(): RecordedEvent<T> {
  const completions: (T | undefined)[] = [];
  let resolve: (value: T | undefined) => void = () => undefined;
  const done = new Promise<T | undefined>((settle) => (resolve = settle));
  return {
    completions,
    done,
    event: {
      completed(options?: T) {
        completions.push(options);
        resolve(options);
      },
    },
  };
}
