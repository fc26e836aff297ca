// The host side of the test driver: an HTTP server on 127.0.0.1 that hands commands to the
// driver extension inside Thunderbird (it long-polls) and turns its replies into promises.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";
import { type RunningThunderbird, type ThunderbirdExit } from "./thunderbird.js";

/** The pref through which the driver's Experiment learns where to poll. */
export const CONTROL_URL_PREF = "sealpost.testDriver.controlUrl";

/** Precedes the tail of Thunderbird's output in error messages. */
export const LOG_TAIL_HEADING = "--- last lines of Thunderbird's output ---";

const LONG_POLL_MS = 15_000;
const DEFAULT_TIMEOUT_MS = 15_000;

export interface ComposeOptions {
  readonly identityId?: string;
  readonly to?: readonly string[];
  readonly cc?: readonly string[];
  readonly bcc?: readonly string[];
  readonly subject: string;
  readonly body: string;
  /** Defaults to true: a text/plain message whose body arrives as written. */
  readonly isPlainText?: boolean;
}

export type SendResult =
  | { readonly outcome: "sent"; readonly headerMessageId: string | null }
  | { readonly outcome: "rejected"; readonly message: string }
  | { readonly outcome: "timeout" };

/** What messages.sendMessage takes, as far as the tests use it. */
export interface NewMessage {
  readonly identityId: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly body: string;
}

export type ComposeOnMessage = "reply" | "replyAll" | "forwardInline" | "forwardAsAttachment" | "editAsNew" | "redirect";

/** How a Send Unsent Messages run ended (nsIMsgSendLaterListener.onStopSending and its errors). */
export interface UnsentRun {
  readonly status: number;
  readonly message: string;
  readonly total: number;
  readonly successful: number;
  readonly errors: readonly string[];
}

/** compose.getComposeDetails as Thunderbird returns it; the fields tests usually look at are typed. */
export interface ComposeDetails {
  readonly identityId?: string;
  readonly from?: string;
  readonly to?: readonly string[];
  readonly cc?: readonly string[];
  readonly bcc?: readonly string[];
  readonly subject?: string;
  readonly body?: string;
  readonly plainTextBody?: string;
  readonly isPlainText?: boolean;
  readonly selectedEncryptionTechnology?: unknown;
  readonly [field: string]: unknown;
}

/** Encryption to switch on (or off) in a compose window, as compose.setComposeDetails takes it. */
export interface EncryptionSettings {
  readonly name: "OpenPGP" | "S/MIME";
  readonly encryptBody: boolean;
  /** Thunderbird then sends "..." as the outer Subject and the real one inside; defaults to false. */
  readonly encryptSubject?: boolean;
  /** Defaults to false. */
  readonly signMessage?: boolean;
}

/** OpenPGP keys to import into Thunderbird's key store. */
export interface OpenPgpKeysToImport {
  /** An armored secret key without a passphrase; accepted as a personal key (usable by an identity). */
  readonly secret?: string;
  /** Armored public keys; accepted as "unverified", enough to encrypt to them without the Key Assistant. */
  readonly public: readonly string[];
}

/** Fingerprints (40 hex digits, upper case) of what importOpenPgpKeys put into Thunderbird. */
export interface ImportedOpenPgpKeys {
  readonly secret: readonly string[];
  readonly public: readonly string[];
}

export interface WindowInfo {
  /** The WebExtension window id; null for dialogs and prompts. */
  readonly id: number | null;
  /** WebExtension window type (normal, messageCompose, messageDisplay, popup) or "other". */
  readonly type: string;
  /** The chrome document's windowtype attribute, e.g. msgcompose, mail:extensionPopup, prompt:temporary. */
  readonly chromeType: string;
  readonly title: string;
  readonly chromeUrl: string;
  /** For an extension popup, the extension page it shows. */
  readonly url: string | null;
  /** Extension pages shown in the window; remoteType "extension" means out of process, null in the parent. */
  readonly extensionPages: readonly { readonly url: string; readonly remoteType: string | null }[];
}

export interface MailingListOptions {
  readonly name: string;
  readonly members: readonly { readonly name: string; readonly email: string }[];
}

export interface ExtensionPageTarget {
  /** The first open extension page whose URL starts with this, e.g. "moz-extension://" or a full prefix. */
  readonly urlPrefix: string;
  readonly selector: string;
  /** How long to wait for the page and the element to appear (default 5000 ms). */
  readonly timeoutMs?: number;
}

export interface ExtensionPageFill extends ExtensionPageTarget {
  /** Becomes the element's value, followed by an input event, as if typed. */
  readonly value: string;
}

/** What a test may assert about an element beyond its text. */
export interface ElementState {
  readonly text: string;
  /** Its local name, e.g. "textarea", "button". */
  readonly tagName: string;
  /** Whether it is rendered: false under a [hidden] ancestor or display: none, i.e. out of a user's reach. */
  readonly visible: boolean;
  /** A form field's value, null for other elements. */
  readonly value: string | null;
  readonly readOnly: boolean;
  readonly disabled: boolean;
}

export type ManagedStorage = { readonly found: false } | { readonly found: true; readonly value: Readonly<Record<string, unknown>> };

interface Command {
  readonly id: number;
  readonly name: string;
  readonly args: unknown;
}

interface Pending {
  readonly command: Command;
  delivered: boolean;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export interface DeliveryGateState {
  readonly deliver: string;
  readonly saved: string | null;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function expect<T>(command: string, value: unknown, check: (value: unknown) => value is T, shape: string): T {
  if (!check(value)) throw new Error(`the driver answered ${command} with ${JSON.stringify(value)}, expected ${shape}`);
  return value;
}

const isSendResult = (value: unknown): value is SendResult =>
  isRecord(value) &&
  (value.outcome === "timeout" ||
    (value.outcome === "rejected" && typeof value.message === "string") ||
    (value.outcome === "sent" && (value.headerMessageId === null || typeof value.headerMessageId === "string")));

const isFingerprintList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((entry) => typeof entry === "string" && /^[0-9A-F]{40}$/.test(entry));

const isImportedOpenPgpKeys = (value: unknown): value is ImportedOpenPgpKeys =>
  isRecord(value) && isFingerprintList(value.secret) && isFingerprintList(value.public);

const isWindowInfo = (value: unknown): value is WindowInfo =>
  isRecord(value) && typeof value.type === "string" && typeof value.chromeType === "string" && Array.isArray(value.extensionPages);

const isElementState = (value: unknown): value is ElementState =>
  isRecord(value) &&
  typeof value.text === "string" &&
  typeof value.tagName === "string" &&
  typeof value.visible === "boolean" &&
  (value.value === null || typeof value.value === "string") &&
  typeof value.readOnly === "boolean" &&
  typeof value.disabled === "boolean";

const isManagedStorage = (value: unknown): value is ManagedStorage =>
  isRecord(value) && (value.found === false || (value.found === true && isRecord(value.value)));

const describeExit = (exit: ThunderbirdExit): string =>
  exit.timedOut ? "was killed after its timeout" : `exited (code ${String(exit.code)}, signal ${String(exit.signal)})`;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** Drives one Thunderbird through the test-driver extension. */
export class Driver {
  private readonly server = createServer((request, response) => {
    this.handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  // A secret path, so that only the Thunderbird given these prefs can take commands.
  private readonly token = randomBytes(16).toString("hex");
  private url = "";
  private readonly queue: Command[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly polls = new Set<ServerResponse>();
  private nextId = 1;
  private closed = false;
  private hello: Record<string, unknown> | undefined;
  private helloWaiters: (() => void)[] = [];
  private thunderbird: RunningThunderbird | undefined;

  private constructor() {}

  /** Starts the control server on an ephemeral port of 127.0.0.1. */
  static async start(): Promise<Driver> {
    const driver = new Driver();
    await new Promise<void>((resolve, reject) => {
      driver.server.once("error", reject);
      driver.server.listen(0, "127.0.0.1", () => {
        driver.server.off("error", reject);
        resolve();
      });
    });
    const port = (driver.server.address() as AddressInfo).port;
    driver.url = `http://127.0.0.1:${String(port)}/${driver.token}/`;
    return driver;
  }

  /** Where the driver extension polls for commands. */
  get controlUrl(): string {
    return this.url;
  }

  /** Put these prefs in the profile (createProfile's `prefs`) so the driver finds this server. */
  get prefs(): Readonly<Record<string, string>> {
    return { [CONTROL_URL_PREF]: this.url };
  }

  /** Ties this driver to a running Thunderbird: its log goes into errors, its exit fails pending calls. */
  attach(thunderbird: RunningThunderbird): void {
    this.thunderbird = thunderbird;
    void thunderbird.exited.then((exit) => {
      const how = describeExit(exit);
      for (const [id, pending] of this.pending) {
        if (pending.command.name === "quit") pending.resolve(null);
        else pending.reject(this.failure(`Thunderbird ${how} while the test waited for ${pending.command.name}`));
        this.pending.delete(id);
      }
    });
  }

  /** Resolves with Thunderbird's name and version once the driver has connected. */
  async ready(timeoutMs: number): Promise<{ readonly name: string; readonly version: string }> {
    if (this.hello === undefined) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.helloWaiters = this.helloWaiters.filter((waiter) => waiter !== done);
          reject(this.failure(`the test driver in Thunderbird did not connect within ${String(timeoutMs)} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        this.helloWaiters.push(done);
        void this.thunderbird?.exited.then((exit) => {
          clearTimeout(timer);
          reject(this.failure(`Thunderbird ${describeExit(exit)} before the test driver connected`));
        });
      });
    }
    const hello = this.hello ?? {};
    return { name: String(hello.name), version: String(hello.version) };
  }

  /** Opens a compose window (compose.beginNew) and resolves with its tab id once it is ready. */
  async compose(options: ComposeOptions, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<number> {
    return expect("compose", await this.call("compose", options, timeoutMs), (value) => typeof value === "number", "a tab id");
  }

  /** compose.sendMessage, raced in Thunderbird against `timeoutMs`: it may never settle. */
  async send(tabId: number, options: { readonly timeoutMs: number }): Promise<SendResult> {
    const answer = await this.call("send", { tabId, timeoutMs: options.timeoutMs }, options.timeoutMs + DEFAULT_TIMEOUT_MS);
    return expect("send", answer, isSendResult, "a send outcome");
  }

  /** compose.sendMessage with mode "sendLater": the message goes to the Outbox. */
  async sendLater(tabId: number, options: { readonly timeoutMs: number }): Promise<SendResult> {
    const answer = await this.call("sendLater", { tabId, timeoutMs: options.timeoutMs }, options.timeoutMs + DEFAULT_TIMEOUT_MS);
    return expect("sendLater", answer, isSendResult, "a send result");
  }

  /** messages.sendMessage: a message sent without a compose window (no onBeforeSend). */
  async sendWithoutWindow(
    message: NewMessage,
    options: { readonly mode?: "sendNow" | "sendLater"; readonly timeoutMs: number },
  ): Promise<SendResult> {
    const answer = await this.call(
      "sendWithoutWindow",
      { ...message, mode: options.mode ?? "sendNow", timeoutMs: options.timeoutMs },
      options.timeoutMs + DEFAULT_TIMEOUT_MS,
    );
    return expect("sendWithoutWindow", answer, isSendResult, "a send result");
  }

  /**
   * Makes the driver act as another add-on whose onBeforeSend listener runs after Sealpost's and
   * changes the message: adds a Bcc recipient, or switches encryption off. Nothing given: stop.
   */
  async interfere(
    change: { readonly addBcc?: string; readonly removeEncryption?: boolean },
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<void> {
    await this.call("interfere", change, timeoutMs);
  }

  /** Adds a raw message to Local Folders/Received; returns its WebExtension message id. */
  async addMessage(raw: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<number> {
    return expect("addMessage", await this.call("addMessage", { raw }, timeoutMs), (value) => typeof value === "number", "a message id");
  }

  /** Opens a compose window on a message: reply, reply all, forward, edit as new or redirect. */
  async composeOn(messageId: number, how: ComposeOnMessage, identityId: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<number> {
    const answer = await this.call("composeOn", { messageId, how, identityId }, timeoutMs);
    return expect("composeOn", answer, (value) => typeof value === "number", "a tab id");
  }

  /** Makes an identity sign and encrypt with an S/MIME certificate in the profile, as the account settings do. */
  async useSmimeCertificate(identityId: string, email: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.call("useSmimeCertificate", { identityId, email }, timeoutMs);
  }

  /** What sits in Thunderbird's delivery step: the method's name, and that of the one Sealpost saved to restore (null: none). */
  async deliveryGate(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<DeliveryGateState> {
    const answer = await this.call("deliveryGate", {}, timeoutMs);
    return expect(
      "deliveryGate",
      answer,
      (value): value is DeliveryGateState =>
        isRecord(value) && typeof value.deliver === "string" && (value.saved === null || typeof value.saved === "string"),
      "the delivery method's names",
    );
  }

  /** Enables or disables an add-on as the Add-ons Manager does. */
  async setAddonEnabled(addonId: string, enabled: boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.call("setAddonEnabled", { addonId, enabled }, timeoutMs);
  }

  /** Installs an .xpi over the installed add-on of the same id, as an update; resolves with the new version. */
  async installAddon(path: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    return expect("installAddon", await this.call("installAddon", { path }, timeoutMs), (value) => typeof value === "string", "a version");
  }

  async outboxCount(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<number> {
    return expect("outboxCount", await this.call("outboxCount", {}, timeoutMs), (value) => typeof value === "number", "a count");
  }

  /** File > Send Unsent Messages for an identity; resolves when the Outbox run has ended. */
  async sendUnsentMessages(identityId: string, timeoutMs = 30_000): Promise<UnsentRun> {
    const answer = await this.call("sendUnsentMessages", { identityId, timeoutMs }, timeoutMs + DEFAULT_TIMEOUT_MS);
    return expect(
      "sendUnsentMessages",
      answer,
      (value): value is UnsentRun => isRecord(value) && Array.isArray(value.errors),
      "an Outbox run",
    );
  }

  /** An event invitation sent through the calendar's iTIP mail transport (no compose window). */
  async sendCalendarInvitation(invitation: {
    readonly organizer: string;
    readonly attendees: readonly string[];
    readonly summary: string;
  }): Promise<boolean> {
    return (await this.call("sendCalendarInvitation", invitation, DEFAULT_TIMEOUT_MS)) === true;
  }

  /** The texts of Thunderbird's open alerts, such as a failed send's. */
  async promptTexts(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<readonly string[]> {
    const answer = await this.call("promptTexts", {}, timeoutMs);
    return expect("promptTexts", answer, (value): value is string[] => Array.isArray(value), "a list of texts");
  }

  async closePrompts(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<number> {
    return expect("closePrompts", await this.call("closePrompts", {}, timeoutMs), (value) => typeof value === "number", "a count");
  }

  async closeTab(tabId: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.call("closeTab", { tabId }, timeoutMs);
  }

  /** compose.getComposeDetails for the tab. */
  async details(tabId: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ComposeDetails> {
    return expect("details", await this.call("details", { tabId }, timeoutMs), isRecord, "compose details");
  }

  /**
   * Sets the compose window's encryption (compose.setComposeDetails' selectedEncryptionTechnology)
   * and resolves with the settings Thunderbird reports afterwards. OpenPGP needs an identity with
   * openpgp_key_id whose secret key was imported (importOpenPgpKeys), or Thunderbird refuses.
   */
  async setEncryption(
    tabId: number,
    settings: EncryptionSettings,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<Readonly<Record<string, unknown>>> {
    const answer = await this.call("setEncryption", { tabId, ...settings }, timeoutMs);
    return expect("setEncryption", answer, isRecord, "the selected encryption technology");
  }

  /** Presses an add-on's compose_action button in a compose window; its popup page then answers readExtensionPage. */
  async pressComposeAction(tabId: number, extensionId: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.call("pressComposeAction", { tabId, extensionId }, timeoutMs);
  }

  /** Makes this message save no Sent copy, whatever its identity's setting. */
  async skipSentCopy(tabId: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.call("skipSentCopy", { tabId }, timeoutMs);
  }

  /** Waits for one of Thunderbird's alert prompts (a send error), closes it and resolves with its text. */
  async takeAlert(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // A prompt fills in its text a moment after it opens.
      const texts = (await this.promptTexts()).filter((text) => text.trim() !== "");
      if (texts.length > 0) {
        await this.closePrompts();
        return texts.join("\n");
      }
      if (Date.now() >= deadline) throw new Error(`Thunderbird showed no alert within ${String(timeoutMs)} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Imports keys through Thunderbird's own OpenPGP modules, as its key manager does: the secret key
   * as a personal key, the public keys accepted as unverified. Resolves with their fingerprints.
   */
  async importOpenPgpKeys(keys: OpenPgpKeysToImport, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ImportedOpenPgpKeys> {
    const answer = await this.call("importOpenPgpKeys", keys, timeoutMs);
    return expect("importOpenPgpKeys", answer, isImportedOpenPgpKeys, "{ secret, public } fingerprints");
  }

  /** Whether the tab's compose window shows the OpenPGP Key Assistant, which a send with a missing or undecided recipient key opens. */
  async keyAssistantOpen(tabId: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<boolean> {
    const answer = await this.call("keyAssistantOpen", { tabId }, timeoutMs);
    return expect("keyAssistantOpen", answer, (value) => typeof value === "boolean", "a boolean");
  }

  /** Creates a mailing list with these members in the Personal Address Book; resolves with its name. */
  async createMailingList(options: MailingListOptions, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const answer = await this.call("createMailingList", options, timeoutMs);
    return expect("createMailingList", answer, (value) => typeof value === "string", "the list's name");
  }

  /** Every open window, dialogs included. */
  async windows(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<readonly WindowInfo[]> {
    const answer = await this.call("windows", {}, timeoutMs);
    return expect("windows", answer, (value): value is WindowInfo[] => Array.isArray(value) && value.every(isWindowInfo), "windows");
  }

  /**
   * The moz-extension: URL of `path` in the add-on `extensionId` (its host is a random UUID per
   * profile), e.g. to click in Sealpost's dialog: urlPrefix = extensionUrl(id, "dialog/dialog.html").
   */
  async extensionUrl(extensionId: string, path = "", timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const answer = await this.call("extensionUrl", { extensionId, path }, timeoutMs);
    return expect("extensionUrl", answer, (value) => typeof value === "string", "a URL");
  }

  /** Clicks the element matching `selector` in the first open extension page under `urlPrefix`. */
  async clickInExtensionPage(target: ExtensionPageTarget): Promise<void> {
    await this.call("clickInExtensionPage", target, (target.timeoutMs ?? 5_000) + DEFAULT_TIMEOUT_MS);
  }

  /** The text content of the element matching `selector` in the first open extension page under `urlPrefix`. */
  async readExtensionPage(target: ExtensionPageTarget): Promise<string> {
    const answer = await this.call("readExtensionPage", target, (target.timeoutMs ?? 5_000) + DEFAULT_TIMEOUT_MS);
    return expect("readExtensionPage", answer, (value) => typeof value === "string", "text");
  }

  /**
   * Sets the value of the form field matching `selector` and fires an input event, as typing would.
   * Fails for a read-only or disabled field, which a user could not type into either.
   */
  async fillInExtensionPage(target: ExtensionPageFill): Promise<void> {
    await this.call("fillInExtensionPage", target, (target.timeoutMs ?? 5_000) + DEFAULT_TIMEOUT_MS);
  }

  /**
   * The state of the element matching `selector` in the first open extension page under `urlPrefix`,
   * or null when that page has loaded without such an element. It waits for the page, not for the
   * element: wait for the page's own sign of being ready (readExtensionPage) before asserting an absence.
   */
  async inspectExtensionPage(target: ExtensionPageTarget): Promise<ElementState | null> {
    const answer = await this.call("inspectExtensionPage", target, (target.timeoutMs ?? 5_000) + DEFAULT_TIMEOUT_MS);
    return expect("inspectExtensionPage", answer, (value) => value === null || isElementState(value), "an element's state or null");
  }

  /**
   * Opens the options page of the add-on `extensionId` the way Thunderbird's Add-ons Manager and
   * runtime.openOptionsPage do: in about:addons, in a tab of the main window. Resolves with the
   * page's URL, the urlPrefix for reading, clicking and filling in it; the page may still be loading.
   */
  async openOptionsPage(extensionId: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const answer = await this.call("openOptionsPage", { extensionId }, timeoutMs);
    return expect("openOptionsPage", answer, (value) => typeof value === "string", "the options page's URL");
  }

  /** What storage.managed holds for the driver (enterprise policy 3rdparty.Extensions). */
  async managedStorage(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ManagedStorage> {
    return expect("managedStorage", await this.call("managedStorage", {}, timeoutMs), isManagedStorage, "{ found, value }");
  }

  /** Quits Thunderbird cleanly; resolves once it has exited (or, unattached, once it acknowledged). */
  async quit(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.call("quit", {}, timeoutMs);
    const thunderbird = this.thunderbird;
    if (thunderbird === undefined || !thunderbird.running) return;
    const exited = await Promise.race([
      thunderbird.exited.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
    ]);
    if (!exited) throw this.failure(`Thunderbird did not exit within ${String(timeoutMs)} ms of quit()`);
  }

  /** Stops the control server; the driver in a still-running Thunderbird stops polling. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const poll of this.polls) poll.writeHead(410).end();
    this.polls.clear();
    for (const pending of this.pending.values())
      pending.reject(new Error(`the driver was closed while ${pending.command.name} was pending`));
    this.pending.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Sends a command and waits for its result; `timeoutMs` covers delivery and execution. */
  call(name: string, args: unknown, timeoutMs: number): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error(`the driver is closed; cannot send ${name}`));
    if (this.thunderbird?.running === false) return Promise.reject(this.failure(`Thunderbird is not running; cannot send ${name}`));
    const command: Command = { id: this.nextId++, name, args };
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.delete(command.id)) return;
        const queued = this.queue.indexOf(command);
        if (queued >= 0) this.queue.splice(queued, 1);
        const where = pending.delivered
          ? "the driver took the command but did not answer"
          : "the driver never asked for the command (is Thunderbird running, is the driver installed?)";
        reject(this.failure(`Thunderbird did not answer ${name} within ${String(timeoutMs)} ms: ${where}`));
      }, timeoutMs);
      const pending: Pending = {
        command,
        delivered: false,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.pending.set(command.id, pending);
      this.queue.push(command);
      this.flush();
    });
  }

  private failure(message: string): Error {
    const tail = this.thunderbird?.logTail(40);
    return new Error(tail === undefined ? message : `${message}\n${LOG_TAIL_HEADING}\n${tail}`);
  }

  private flush(): void {
    for (const poll of this.polls) {
      const command = this.queue.shift();
      if (command === undefined) return;
      this.polls.delete(poll);
      const pending = this.pending.get(command.id);
      if (pending !== undefined) pending.delivered = true;
      poll.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(command));
    }
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const prefix = `/${this.token}/`;
    const url = request.url ?? "";
    if (request.method !== "POST" || !url.startsWith(prefix)) {
      response.writeHead(404).end();
      return;
    }
    const route = url.slice(prefix.length);
    const body = await readBody(request);
    if (this.closed) {
      response.writeHead(410).end();
      return;
    }
    switch (route) {
      case "hello": {
        const hello: unknown = JSON.parse(body);
        this.hello = isRecord(hello) ? hello : {};
        for (const waiter of this.helloWaiters.splice(0)) waiter();
        response.writeHead(204).end();
        return;
      }
      case "next": {
        this.polls.add(response);
        const timer = setTimeout(() => {
          if (this.polls.delete(response)) response.writeHead(204).end();
        }, LONG_POLL_MS);
        response.on("close", () => {
          clearTimeout(timer);
          this.polls.delete(response);
        });
        this.flush();
        return;
      }
      case "result": {
        const reply: unknown = JSON.parse(body);
        response.writeHead(204).end();
        if (!isRecord(reply) || typeof reply.id !== "number") return;
        const pending = this.pending.get(reply.id);
        if (pending === undefined) return; // timed out already
        this.pending.delete(reply.id);
        if (reply.ok === true) pending.resolve(reply.value);
        else pending.reject(this.failure(`${pending.command.name} failed in Thunderbird: ${String(reply.error)}`));
        return;
      }
      default:
        response.writeHead(404).end();
    }
  }
}
