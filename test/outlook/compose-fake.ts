// A faithful, stateful fake of the Outlook compose item for the task pane: body (text or HTML),
// subject, attachments added and removed, sessionData with its 50,000-character limit and
// roamingSettings with its 32 KB one, each call answering in a later turn as Outlook does, and any
// call made to fail. Host-free (no Node built-ins): the Chromium suite bundles it into the page.
/// <reference types="office-js" />

export interface FakeAttachmentState {
  readonly id: string;
  readonly name: string;
  readonly attachmentType: "file" | "item" | "cloud";
  readonly isInline: boolean;
  readonly contentId: string;
  /** base64 for files; the item's EML or the link for the others. */
  readonly content: string;
}

export interface ComposeState {
  subject: string;
  body: { type: "text" | "html"; content: string };
  attachments: FakeAttachmentState[];
  sessionData: Record<string, string>;
  roaming: Record<string, string>;
}

export interface ComposeScenario {
  readonly to?: readonly string[];
  readonly cc?: readonly string[];
  readonly bcc?: readonly string[];
  readonly subject?: string;
  readonly body?: { type: "text" | "html"; content: string };
  readonly attachments?: readonly {
    readonly name: string;
    readonly content: string;
    readonly attachmentType?: "file" | "item" | "cloud";
    readonly isInline?: boolean;
    readonly contentId?: string;
  }[];
  readonly roaming?: Record<string, string>;
  readonly displayLanguage?: string;
  readonly accountType?: string;
  /** Mailbox requirement sets; 1.1 to 1.15 unless a scenario says otherwise. */
  readonly supported?: readonly string[];
  /**
   * Calls that fail, by method name and the call's number (1 for the first): e.g.
   * `{ addFileAttachmentFromBase64Async: [2] }` fails the second attachment added.
   */
  readonly failures?: Readonly<Record<string, readonly number[]>>;
}

export const SESSION_DATA_LIMIT = 50_000;
export const ROAMING_LIMIT = 32 * 1024;
export const ALL_SETS = ["1.1", "1.3", "1.7", "1.8", "1.10", "1.11", "1.12", "1.13", "1.14", "1.15"];

export interface ComposeFake {
  readonly office: typeof Office;
  readonly state: ComposeState;
  /** Every method called, in order. */
  readonly calls: string[];
  /** A deep copy of the item as it stands. */
  snapshot(): ComposeState;
  /** Make the `call`-th call of `method` (counted from the fake's start) fail. */
  failAt(method: string, call: number): void;
  /** Tell the pane the recipients changed, as Outlook does (Mailbox 1.7). */
  changeRecipients(field: "to" | "cc" | "bcc", addresses: readonly string[]): void;
}

type Callback = (result: Office.AsyncResult<unknown>) => void;

export function composeFake(scenario: ComposeScenario = {}): ComposeFake {
  const calls: string[] = [];
  const counts = new Map<string, number>();
  const failures = new Map<string, number[]>(Object.entries(scenario.failures ?? {}).map(([name, at]) => [name, [...at]]));
  const supported = scenario.supported ?? ALL_SETS;
  let nextId = 0;
  const state: ComposeState = {
    subject: scenario.subject ?? "Payment run",
    body: scenario.body ?? { type: "html", content: "<p>Hello,</p><p>the figures are attached.</p>" },
    attachments: (scenario.attachments ?? []).map((attachment) => ({
      id: `att-${String(nextId++)}`,
      name: attachment.name,
      content: attachment.content,
      attachmentType: attachment.attachmentType ?? "file",
      isInline: attachment.isInline ?? false,
      contentId: attachment.contentId ?? "",
    })),
    sessionData: {},
    roaming: { ...(scenario.roaming ?? {}) },
  };
  const recipients: Record<"to" | "cc" | "bcc", readonly string[]> = {
    to: scenario.to ?? [],
    cc: scenario.cc ?? [],
    bcc: scenario.bcc ?? [],
  };
  const handlers: (() => void)[] = [];

  // Outlook answers in a later turn, never inside the call. A failed write changes nothing.
  const answer = (name: string, callback: unknown, act: () => unknown) => {
    calls.push(name);
    const count = (counts.get(name) ?? 0) + 1;
    counts.set(name, count);
    const failing = failures.get(name)?.includes(count) === true;
    let result: { status: string; value?: unknown; error?: { name: string; message: string; code: number } };
    try {
      if (failing) throw Object.assign(new Error(`${name} failed (simulated, call ${String(count)})`), { code: 9002 });
      result = { status: "succeeded", value: act() };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = { status: "failed", error: { name: "GenericError", message, code: 9002 } };
    }
    setTimeout(
      () => (typeof callback === "function" ? (callback as Callback)(result as unknown as Office.AsyncResult<unknown>) : undefined),
      0,
    );
  };
  const last = (args: unknown[]) => args.find((arg) => typeof arg === "function");
  const details = (address: string) => ({ emailAddress: address, displayName: address, recipientType: "externalUser" });
  const field = (name: "to" | "cc" | "bcc") => ({
    getAsync: (...args: unknown[]) => answer(`${name}.getAsync`, last(args), () => recipients[name].map(details)),
  });
  const sessionSize = (data: Record<string, string>) =>
    Object.entries(data).reduce((sum, [key, value]) => sum + key.length + value.length, 0);

  const item = {
    itemType: "message",
    to: field("to"),
    cc: field("cc"),
    bcc: field("bcc"),
    from: { getAsync: (...args: unknown[]) => answer("from.getAsync", last(args), () => details("alice@corp.example")) },
    subject: {
      getAsync: (...args: unknown[]) => answer("subject.getAsync", last(args), () => state.subject),
      setAsync: (subject: string, ...args: unknown[]) =>
        answer("subject.setAsync", last(args), () => {
          if (subject.length > 255) throw new Error("The subject is longer than 255 characters.");
          state.subject = subject;
        }),
    },
    body: {
      getTypeAsync: (...args: unknown[]) => answer("body.getTypeAsync", last(args), () => state.body.type),
      getAsync: (coercion: string, ...args: unknown[]) =>
        answer(`body.getAsync(${coercion})`, last(args), () => (coercion === "html" ? asHtml(state.body) : asText(state.body))),
      setAsync: (data: string, ...args: unknown[]) => {
        const options = args.find((arg): arg is { coercionType?: string } => typeof arg === "object" && arg !== null);
        answer("body.setAsync", last(args), () => {
          if (data.length > 1_000_000) throw new Error("The body is longer than 1,000,000 characters.");
          state.body = { type: options?.coercionType === "html" ? "html" : "text", content: data };
        });
      },
    },
    sensitivityLabel: { getAsync: (...args: unknown[]) => answer("sensitivityLabel.getAsync", last(args), () => "") },
    getAttachmentsAsync: (...args: unknown[]) =>
      answer("getAttachmentsAsync", last(args), () =>
        state.attachments.map((attachment) => ({
          id: attachment.id,
          name: attachment.name,
          attachmentType: attachment.attachmentType,
          isInline: attachment.isInline,
          contentId: attachment.contentId,
          size: attachment.attachmentType === "file" ? Math.floor((attachment.content.length * 3) / 4) : attachment.content.length,
          isServiceAccessible: false,
        })),
      ),
    getAttachmentContentAsync: (id: string, ...args: unknown[]) =>
      answer(`getAttachmentContentAsync`, last(args), () => {
        const found = state.attachments.find((attachment) => attachment.id === id);
        if (found === undefined) throw new Error(`The attachment ${id} doesn't exist.`);
        const format = found.attachmentType === "file" ? "base64" : found.attachmentType === "item" ? "eml" : "url";
        return { format, content: found.content };
      }),
    removeAttachmentAsync: (id: string, ...args: unknown[]) =>
      answer("removeAttachmentAsync", last(args), () => {
        const index = state.attachments.findIndex((attachment) => attachment.id === id);
        if (index < 0) throw new Error(`The attachment ${id} doesn't exist.`);
        state.attachments.splice(index, 1);
      }),
    addFileAttachmentFromBase64Async: (base64: string, name: string, ...args: unknown[]) => {
      const options = args.find((arg): arg is { isInline?: boolean } => typeof arg === "object" && arg !== null);
      answer("addFileAttachmentFromBase64Async", last(args), () => {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new Error("The attachment is not base64.");
        // Outlook names an inline attachment by its file name in the body (cid:name).
        const added: FakeAttachmentState = {
          id: `att-${String(nextId++)}`,
          name,
          attachmentType: "file",
          isInline: options?.isInline === true,
          contentId: options?.isInline === true ? name : "",
          content: base64,
        };
        state.attachments.push(added);
        return added.id;
      });
    },
    sessionData: {
      getAsync: (name: string, ...args: unknown[]) =>
        answer("sessionData.getAsync", last(args), () => {
          if (!(name in state.sessionData)) throw new Error(`The key ${name} wasn't found.`);
          return state.sessionData[name];
        }),
      getAllAsync: (...args: unknown[]) => answer("sessionData.getAllAsync", last(args), () => ({ ...state.sessionData })),
      setAsync: (name: string, value: string, ...args: unknown[]) =>
        answer("sessionData.setAsync", last(args), () => {
          const next = { ...state.sessionData, [name]: value };
          if (sessionSize(next) > SESSION_DATA_LIMIT) throw new Error("The session data exceeds 50,000 characters.");
          state.sessionData = next;
        }),
      removeAsync: (name: string, ...args: unknown[]) =>
        answer("sessionData.removeAsync", last(args), () => {
          const next = { ...state.sessionData };
          delete next[name];
          state.sessionData = next;
        }),
      clearAsync: (...args: unknown[]) => answer("sessionData.clearAsync", last(args), () => (state.sessionData = {})),
    },
    notificationMessages: {
      replaceAsync: (...args: unknown[]) => answer("notificationMessages.replaceAsync", last(args), () => undefined),
      removeAsync: (...args: unknown[]) => answer("notificationMessages.removeAsync", last(args), () => undefined),
    },
    addHandlerAsync: (_type: unknown, handler: () => void, ...args: unknown[]) =>
      answer("addHandlerAsync", last(args), () => void handlers.push(handler)),
  };

  // Roaming settings live in memory until saveAsync writes them to the "mailbox" (the state).
  const pending: Record<string, string> = { ...state.roaming };
  const roamingSettings = {
    get: (name: string) => pending[name],
    set: (name: string, value: string) => void (pending[name] = value),
    remove: (name: string) => void delete pending[name],
    saveAsync: (...args: unknown[]) =>
      answer("roamingSettings.saveAsync", last(args), () => {
        if (JSON.stringify(pending).length > ROAMING_LIMIT) throw new Error("The roaming settings exceed 32 KB.");
        state.roaming = { ...pending };
      }),
  };

  const office = {
    onReady: (callback?: (info: { host: string; platform: string }) => void) =>
      new Promise((resolve) =>
        setTimeout(() => {
          callback?.({ host: "Outlook", platform: "OfficeOnline" });
          resolve({ host: "Outlook", platform: "OfficeOnline" });
        }, 0),
      ),
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    CoercionType: { Text: "text", Html: "html" },
    EventType: { RecipientsChanged: "olkRecipientsChanged" },
    MailboxEnums: {
      ItemNotificationMessageType: { InformationalMessage: "informationalMessage", ErrorMessage: "errorMessage" },
      SendModeOverride: { PromptUser: "promptUser" },
      AttachmentType: { File: "file", Item: "item", Cloud: "cloud" },
    },
    context: {
      displayLanguage: scenario.displayLanguage ?? "en-US",
      requirements: { isSetSupported: (name: string, version: string) => name === "Mailbox" && supported.includes(version) },
      roamingSettings,
      mailbox: {
        userProfile: { accountType: scenario.accountType ?? "office365", emailAddress: "alice@corp.example", displayName: "Alice" },
        item,
      },
    },
  } as unknown as typeof Office;

  const copy = (): ComposeState => JSON.parse(JSON.stringify(state)) as ComposeState;
  return {
    office,
    state,
    calls,
    snapshot: copy,
    failAt: (method, call) => failures.set(method, [...(failures.get(method) ?? []), call]),
    changeRecipients: (name, addresses) => {
      recipients[name] = addresses;
      for (const handler of handlers) setTimeout(handler, 0);
    },
  };
}

// Outlook converts between the formats when asked for the other one; a rough conversion is enough.
function asText(body: ComposeState["body"]): string {
  if (body.type === "text") return body.content;
  return body.content
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/p>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .trim();
}

function asHtml(body: ComposeState["body"]): string {
  if (body.type === "html") return body.content;
  const escaped = body.content.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<html><body><div>${escaped.replace(/\r?\n/g, "<br>")}</div></body></html>`;
}
