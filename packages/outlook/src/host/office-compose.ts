// The one module that calls Office.js: it turns Outlook's callback APIs into promises, each with
// its own timeout, checks what Outlook answers, and hands the rest of the add-in a Host to fake.
/// <reference types="office-js" />
/// <reference types="office-runtime" />

import { withDeadline } from "../shared/deadline.js";
import { describeError } from "../shared/errors.js";

export type RecipientField = "to" | "cc" | "bcc";

export interface RecipientDetails {
  readonly emailAddress: string;
  readonly displayName: string;
  /** `user`, `externalUser`, `distributionList` or `other`, as Outlook reports it. */
  readonly recipientType: string;
}

export interface AttachmentSummary {
  readonly id: string;
  readonly name: string;
  /** `file`, `item` (an attached mail or event) or `cloud` (a link). */
  readonly attachmentType: string;
  readonly size: number;
  readonly isInline: boolean;
  /** The id an HTML body names an inline attachment by (`cid:`); absent or empty where Outlook gives none. */
  readonly contentId?: string;
}

export interface AttachmentData {
  /** `base64` for files; `eml`, `iCalendar` or `url` for the other kinds. */
  readonly format: string;
  readonly content: string;
}

export type MailboxVersion = "1.11" | "1.13" | "1.14" | "1.15";

export interface KeyValueStorage {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
}

/** Everything the add-in needs from Outlook about the message being composed. */
export interface Host {
  recipients(field: RecipientField): Promise<RecipientDetails[]>;
  /** The From address (Mailbox 1.7). */
  sender(): Promise<RecipientDetails | undefined>;
  /** `userProfile.accountType`, undefined where Outlook does not report it (Outlook 2016 volume licence). */
  accountType(): string | undefined;
  /** The signed-in user's address, a fallback for the sender. */
  userAddress(): string | undefined;
  bodyText(): Promise<string>;
  attachments(): Promise<AttachmentSummary[]>;
  attachmentContent(id: string): Promise<AttachmentData>;
  /** The sensitivity label's id; undefined where Mailbox 1.13 is missing or no label is set. */
  sensitivityLabel(): Promise<string | undefined>;
  subject(): Promise<string>;
  /** A value the task pane left in `item.sessionData` (Mailbox 1.11); undefined where there is none. */
  sessionValue(name: string): Promise<string | undefined>;
  supports(version: MailboxVersion): boolean;
  /** The Office display language (BCP 47). */
  displayLanguage(): string;
  showInfo(key: string, message: string, icon: string): Promise<void>;
  removeInfo(key: string): Promise<void>;
  /** The value of Office.MailboxEnums.SendModeOverride.PromptUser. */
  readonly promptUserSendMode: string;
}

/** The options Smart Alerts accepts in `event.completed` (Mailbox 1.12–1.15). */
export interface CompletedOptions {
  readonly allowEvent: boolean;
  readonly errorMessage?: string;
  readonly errorMessageMarkdown?: string;
  readonly cancelLabel?: string;
  readonly commandId?: string;
  readonly sendModeOverride?: string;
}

export interface SendEvent {
  completed(options: CompletedOptions): void;
}

export interface RecipientsChangedEvent {
  completed(): void;
}

export interface HostTimeouts {
  /** For each ordinary call: recipients, body, attachment list, label, notifications. */
  readonly callMs: number;
  /** For one attachment's content, which may be megabytes. */
  readonly contentMs: number;
  readonly storageMs: number;
}

export const DEFAULT_TIMEOUTS: HostTimeouts = { callMs: 1500, contentMs: 2500, storageMs: 500 };

type AsyncCallback<T> = (result: Office.AsyncResult<T>) => void;

/**
 * A Host for the item Outlook is composing now. Reads `Office.context.mailbox.item` at once, so
 * it is made inside each event handler; throws when Outlook hands over no item.
 */
export function createOfficeHost(office: typeof Office, timeouts = DEFAULT_TIMEOUTS): Host {
  const context = office.context;
  const mailbox = context.mailbox;
  const item = composeItem(office);
  const call = caller(office);

  const field = (name: RecipientField) => item[name];
  const supports = (version: MailboxVersion): boolean => {
    try {
      return context.requirements.isSetSupported("Mailbox", version);
    } catch {
      return false;
    }
  };

  return {
    recipients: async (name) =>
      recipientList(
        name,
        await call<Office.EmailAddressDetails[]>(`reading ${name}`, timeouts.callMs, (done) => field(name).getAsync(done)),
      ),
    sender: async () => {
      const from = await call<Office.EmailAddressDetails>("reading From", timeouts.callMs, (done) => item.from.getAsync(done));
      return from === undefined || from === null ? undefined : recipientDetails(from);
    },
    accountType: () => {
      const value: unknown = mailbox.userProfile?.accountType;
      return typeof value === "string" && value !== "" ? value : undefined;
    },
    userAddress: () => {
      const value: unknown = mailbox.userProfile?.emailAddress;
      return typeof value === "string" && value !== "" ? value : undefined;
    },
    bodyText: async () => {
      const text = await call<string>("reading the message text", timeouts.callMs, (done) =>
        item.body.getAsync(office.CoercionType?.Text ?? "text", done),
      );
      if (typeof text !== "string") throw new Error("reading the message text gave no text");
      return text;
    },
    attachments: async () => {
      const list = await call<Office.AttachmentDetailsCompose[]>("listing the attachments", timeouts.callMs, (done) =>
        item.getAttachmentsAsync(done),
      );
      if (!Array.isArray(list)) throw new Error("listing the attachments gave no list");
      return list.map(attachmentSummary);
    },
    attachmentContent: async (id) => {
      const data = await call<Office.AttachmentContent>(`reading attachment ${id}`, timeouts.contentMs, (done) =>
        item.getAttachmentContentAsync(id, done),
      );
      if (typeof data?.content !== "string" || typeof data.format !== "string") throw new Error(`reading attachment ${id} gave no content`);
      return { format: data.format, content: data.content };
    },
    sensitivityLabel: async () => {
      if (!supports("1.13")) return undefined;
      const label = await call<string>("reading the sensitivity label", timeouts.callMs, (done) => item.sensitivityLabel.getAsync(done));
      return typeof label === "string" && label !== "" ? label : undefined;
    },
    subject: async () => {
      const subject = await call<unknown>("reading the subject", timeouts.callMs, (done) => item.subject.getAsync(done));
      if (typeof subject !== "string") throw new Error("reading the subject gave no text");
      return subject;
    },
    sessionValue: async (name) => {
      if (!supports("1.11")) return undefined;
      return sessionValueOf(call, timeouts.callMs, item, name);
    },
    supports,
    displayLanguage: () => {
      const language: unknown = context.displayLanguage;
      return typeof language === "string" && language !== "" ? language : "en";
    },
    showInfo: (key, message, icon) =>
      call<void>("showing a notification", timeouts.callMs, (done) =>
        item.notificationMessages.replaceAsync(
          key,
          {
            type: office.MailboxEnums?.ItemNotificationMessageType?.InformationalMessage ?? "informationalMessage",
            message,
            icon,
            persistent: false,
          },
          done,
        ),
      ),
    removeInfo: (key) => call<void>("removing a notification", timeouts.callMs, (done) => item.notificationMessages.removeAsync(key, done)),
    promptUserSendMode: office.MailboxEnums?.SendModeOverride?.PromptUser ?? "promptUser",
  };
}

type Call = <T>(what: string, ms: number, start: (callback: AsyncCallback<T>) => void) => Promise<T>;

async function sessionValueOf(call: Call, ms: number, item: Office.MessageCompose, name: string): Promise<string | undefined> {
  try {
    const value = await call<unknown>("reading the session data", ms, (done) => item.sessionData.getAsync(name, done));
    return typeof value === "string" && value !== "" ? value : undefined;
  } catch (error) {
    // Outlook answers a key it does not hold with an error, not an empty value.
    if (/not found|wasn't found|doesn't exist|does not exist|keynotfound/i.test(describeError(error))) return undefined;
    throw error;
  }
}

function composeItem(office: typeof Office): Office.MessageCompose {
  const item = office.context.mailbox.item as Office.MessageCompose | undefined;
  if (item === undefined || item === null) throw new Error("Outlook handed over no message");
  return item;
}

/** Turns one callback-style Office.js call into a promise that settles once: answer, error or timeout. */
function caller(office: typeof Office): Call {
  // Office.js's runtime value is "succeeded"; its type declarations say a number.
  const succeeded = (office.AsyncResultStatus as { Succeeded?: unknown } | undefined)?.Succeeded ?? "succeeded";
  return <T>(what: string, ms: number, start: (callback: AsyncCallback<T>) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (finish: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        finish();
      };
      const timer = setTimeout(() => settle(() => reject(new Error(`${what} did not answer within ${String(ms)} ms`))), ms);
      try {
        start((result) => {
          if (result === undefined || result === null) settle(() => reject(new Error(`${what} gave no result`)));
          else if ((result.status as unknown) === succeeded) settle(() => resolve(result.value));
          else settle(() => reject(new Error(`${what} failed: ${errorText(result.error)}`)));
        });
      } catch (error) {
        settle(() => reject(new Error(`${what} failed: ${describeError(error)}`, { cause: error })));
      }
    });
}

export type BodyType = "text" | "html";

/** What the task pane changes in the message being composed, to seal and unseal it. */
export interface ComposeEditor {
  /** `item.body.getTypeAsync` (Mailbox 1.3). */
  bodyType(): Promise<BodyType>;
  body(type: BodyType): Promise<string>;
  /** `item.body.setAsync` (Mailbox 1.3), at most 1,000,000 characters. */
  setBody(type: BodyType, content: string): Promise<void>;
  subject(): Promise<string>;
  setSubject(subject: string): Promise<void>;
  attachments(): Promise<AttachmentSummary[]>;
  attachmentContent(id: string): Promise<AttachmentData>;
  /** `item.removeAttachmentAsync` (Mailbox 1.1). */
  removeAttachment(id: string): Promise<void>;
  /** `item.addFileAttachmentFromBase64Async` (Mailbox 1.8); resolves to the new attachment's id. */
  addFileAttachment(base64: string, name: string, isInline: boolean): Promise<string>;
  /** `item.sessionData` (Mailbox 1.11): kept with this item until it is sent or closed. */
  sessionValue(name: string): Promise<string | undefined>;
  setSessionValue(name: string, value: string): Promise<void>;
  removeSessionValue(name: string): Promise<void>;
  supports(version: string): boolean;
}

export interface EditorTimeouts {
  /** Ordinary calls: body, subject, lists, session data. */
  readonly callMs: number;
  /** Reading or adding one attachment, which may be 25 MB. */
  readonly contentMs: number;
}

export const EDITOR_TIMEOUTS: EditorTimeouts = { callMs: 10_000, contentMs: 120_000 };

/** A ComposeEditor for the item Outlook is composing now; throws when Outlook hands over none. */
export function createOfficeEditor(office: typeof Office, timeouts = EDITOR_TIMEOUTS): ComposeEditor {
  const item = composeItem(office);
  const call = caller(office);
  const coercion = (type: BodyType) => (type === "html" ? (office.CoercionType?.Html ?? "html") : (office.CoercionType?.Text ?? "text"));
  const ms = timeouts.callMs;
  return {
    bodyType: async () => {
      const type = await call<unknown>("reading the message format", ms, (done) => item.body.getTypeAsync(done));
      const text = typeof type === "string" ? type.toLowerCase() : "";
      if (text !== "html" && text !== "text") throw new Error(`reading the message format gave ${JSON.stringify(type)}`);
      return text;
    },
    body: async (type) => {
      const content = await call<unknown>("reading the message text", ms, (done) => item.body.getAsync(coercion(type), done));
      if (typeof content !== "string") throw new Error("reading the message text gave no text");
      return content;
    },
    setBody: (type, content) =>
      call<void>("replacing the message text", ms, (done) => item.body.setAsync(content, { coercionType: coercion(type) }, done)),
    subject: async () => {
      const subject = await call<unknown>("reading the subject", ms, (done) => item.subject.getAsync(done));
      if (typeof subject !== "string") throw new Error("reading the subject gave no text");
      return subject;
    },
    setSubject: (subject) => call<void>("replacing the subject", ms, (done) => item.subject.setAsync(subject, done)),
    attachments: async () => {
      const list = await call<unknown>("listing the attachments", ms, (done) => item.getAttachmentsAsync(done));
      if (!Array.isArray(list)) throw new Error("listing the attachments gave no list");
      return (list as unknown[]).map(attachmentSummary);
    },
    attachmentContent: async (id) => {
      const data = await call<Office.AttachmentContent>(`reading attachment ${id}`, timeouts.contentMs, (done) =>
        item.getAttachmentContentAsync(id, done),
      );
      if (typeof data?.content !== "string" || typeof data.format !== "string") throw new Error(`reading attachment ${id} gave no content`);
      return { format: data.format, content: data.content };
    },
    removeAttachment: (id) => call<void>(`removing attachment ${id}`, ms, (done) => item.removeAttachmentAsync(id, done)),
    addFileAttachment: async (base64, name, isInline) => {
      const id = await call<unknown>(`attaching “${name}”`, timeouts.contentMs, (done) =>
        item.addFileAttachmentFromBase64Async(base64, name, { isInline }, done),
      );
      if (typeof id !== "string" || id === "") throw new Error(`attaching “${name}” gave no attachment id`);
      return id;
    },
    sessionValue: (name) => sessionValueOf(call, ms, item, name),
    setSessionValue: (name, value) => call<void>("saving the session data", ms, (done) => item.sessionData.setAsync(name, value, done)),
    removeSessionValue: (name) => call<void>("removing the session data", ms, (done) => item.sessionData.removeAsync(name, done)),
    supports: (version) => {
      try {
        return office.context.requirements.isSetSupported("Mailbox", version);
      } catch {
        return false;
      }
    },
  };
}

/** For the task pane: resolves once Office.js has loaded and handed over the item. */
export async function officeReady(office: typeof Office): Promise<void> {
  await office.onReady();
}

/** The Office display language (BCP 47), "en" where Outlook gives none. */
export function officeLanguage(office: typeof Office): string {
  const language: unknown = office.context?.displayLanguage;
  return typeof language === "string" && language !== "" ? language : "en";
}

/** Calls `handler` whenever the recipients change (Mailbox 1.7); resolves once Outlook registered it. */
export function onRecipientsChanged(office: typeof Office, handler: () => void, ms = EDITOR_TIMEOUTS.callMs): Promise<void> {
  const item = composeItem(office);
  return caller(office)<void>("following the recipients", ms, (done) =>
    item.addHandlerAsync(office.EventType.RecipientsChanged, handler, done),
  );
}

/** Settings that roam with the user's mailbox (`Office.context.roamingSettings`, 32 KB in all per add-in). */
export interface RoamingStore {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  remove(name: string): void;
  /** Writes the settings to the mailbox; until then they live only in this pane. */
  save(): Promise<void>;
}

export function officeRoamingSettings(office: typeof Office, ms = EDITOR_TIMEOUTS.callMs): RoamingStore {
  const settings = office.context.roamingSettings;
  if (settings === undefined || settings === null) throw new Error("Outlook offers no roaming settings here");
  const call = caller(office);
  return {
    get: (name) => {
      const value: unknown = settings.get(name);
      return typeof value === "string" ? value : undefined;
    },
    set: (name, value) => settings.set(name, value),
    remove: (name) => settings.remove(name),
    save: () => call<void>("saving your settings", ms, (done) => settings.saveAsync(done)),
  };
}

/**
 * OfficeRuntime.storage, where the runtime has it: event handlers in classic Outlook on Windows
 * (Mailbox 1.10); not the task pane, Outlook on the web or on Mac.
 */
export function officeRuntimeStorage(
  runtime: typeof OfficeRuntime | undefined,
  ms = DEFAULT_TIMEOUTS.storageMs,
): KeyValueStorage | undefined {
  let storage: OfficeRuntime.Storage | undefined;
  try {
    storage = runtime?.storage;
  } catch {
    return undefined;
  }
  if (storage === undefined || storage === null) return undefined;
  const store = storage;
  return {
    getItem: (key) => withDeadline(store.getItem(key), ms, `reading saved data did not answer within ${String(ms)} ms`),
    setItem: (key, value) => withDeadline(store.setItem(key, value), ms, `saving data did not answer within ${String(ms)} ms`),
  };
}

function recipientList(name: RecipientField, value: unknown): RecipientDetails[] {
  if (!Array.isArray(value)) throw new Error(`reading ${name} gave no recipient list`);
  return (value as unknown[]).map(recipientDetails);
}

// Outlook's answers are checked where they enter: a malformed entry becomes an empty address,
// which the send check refuses, rather than an exception or a silently dropped recipient.
function recipientDetails(value: unknown): RecipientDetails {
  const entry = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  return {
    emailAddress: typeof entry.emailAddress === "string" ? entry.emailAddress : "",
    displayName: typeof entry.displayName === "string" ? entry.displayName : "",
    recipientType: typeof entry.recipientType === "string" ? entry.recipientType : "other",
  };
}

function attachmentSummary(value: unknown): AttachmentSummary {
  const entry = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  return {
    id: typeof entry.id === "string" ? entry.id : String(entry.id),
    name: typeof entry.name === "string" ? entry.name : "",
    attachmentType: typeof entry.attachmentType === "string" ? entry.attachmentType : "unknown",
    size: typeof entry.size === "number" ? entry.size : 0,
    isInline: entry.isInline === true,
    contentId: typeof entry.contentId === "string" ? entry.contentId : "",
  };
}

function errorText(error: Office.Error | undefined): string {
  if (error === undefined || error === null) return "no reason given";
  return typeof error.message === "string" && error.message !== "" ? error.message : String(error.name ?? error.code ?? "no reason given");
}
