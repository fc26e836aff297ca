// The delivery gate of Sealpost's Experiment (api/sealpost/implementation.js), run in a bare
// context with fakes of the few Thunderbird modules it touches: it wraps MessageSend's delivery
// while a listener is registered, refuses on every failure, and leaves nothing behind.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { createContext, runInContext } from "node:vm";
import { root } from "../cli/run-cli.js";

const source = readFileSync(`${root}packages/thunderbird/api/sealpost/implementation.js`, "utf8");

interface Verdict {
  allow: boolean;
  message?: string;
}
type Listener = (delivery: Record<string, unknown>) => Promise<Verdict>;
interface Registration {
  unregister(): void;
}
interface SealpostApi {
  PERSISTENT_EVENTS: { onDelivery(arg: { fire: { async: Listener; wakeup?: () => Promise<void> } }): Registration };
  onShutdown(isAppShutdown: boolean): void;
}

/** Thunderbird's MessageSend, reduced to what the gate uses; `_deliverAsMail` is the real step it wraps. */
class FakeMessageSend {
  delivered = false;
  failures: unknown[][] = [];
  _deliverMode = 0;
  _deliveryFile: { path: string; fileSize: number } | null = { path: "/tmp/message.eml", fileSize: 42 };
  _compFields = { from: "alice@example.org", to: "pay@bank.example", subject: "Statement" };
  _userIdentity = { key: "id1" };

  _deliverAsMail(): Promise<void> {
    this.delivered = true;
    return Promise.resolve();
  }

  sendDeliveryCallback(...args: unknown[]): Promise<void> {
    this.failures.push(args);
    return Promise.resolve();
  }
}

type Proto = Record<string, unknown>;
const proto = FakeMessageSend.prototype as unknown as Proto;
// Held as a value only, to compare identities; never called detached.
const ORIGINAL = proto._deliverAsMail;

function reset(): void {
  proto._deliverAsMail = ORIGINAL;
  delete proto._sealpostOriginalDeliverAsMail;
}

/** One load of the Experiment's script, as Thunderbird loads it for one copy of the add-on. */
function loadExperiment(
  options: { deadlineMs?: number; unreadable?: boolean; localize?: (key: string, substitutions: string[]) => string } = {},
): SealpostApi {
  const modules: Record<string, unknown> = {
    "resource://gre/modules/ExtensionCommon.sys.mjs": {
      ExtensionCommon: {
        ExtensionAPIPersistent: class {
          // As Thunderbird's ExtensionAPI: the add-on, whose _locales the gate's own refusals use.
          extension = options.localize === undefined ? { localizeMessage: () => "" } : { localizeMessage: options.localize };
        },
        EventManager: class {},
      },
    },
    "resource://gre/modules/ExtensionUtils.sys.mjs": { ExtensionUtils: { ExtensionError: Error } },
    // The gate's own two-minute deadline, shortened.
    "resource://gre/modules/Timer.sys.mjs": {
      setTimeout: (fn: () => void) => setTimeout(fn, options.deadlineMs ?? 60_000),
      clearTimeout,
    },
    "resource:///modules/MessageSend.sys.mjs": { MessageSend: FakeMessageSend },
    "resource:///modules/MailServices.sys.mjs": {
      MailServices: {
        folderLookup: {
          getOrCreateFolderForURL: (uri: string) =>
            uri.includes("@imap.example.org/")
              ? { server: { type: "imap", hostname: "imap.example.org", port: 143, socketType: 0 } }
              : null,
        },
      },
    },
  };
  const context = createContext({
    ChromeUtils: { importESModule: (url: string) => modules[url] ?? assert.fail(`unexpected module ${url}`) },
    Ci: { nsIMsgSend: { nsMsgDeliverNow: 0, nsMsgQueueForLater: 1, nsMsgSendUnsent: 6, nsMsgDeliverBackground: 8 } },
    Cr: { NS_ERROR_FAILURE: 0x80004005 },
    Components: { Exception: (message: string) => new Error(message) },
    IOUtils: {
      read: () =>
        options.unreadable === true
          ? Promise.reject(new Error("file gone"))
          : Promise.resolve(new TextEncoder().encode("To: pay@bank.example\r\nSubject: Statement\r\n\r\nhello\r\n")),
    },
    Services: { obs: { notifyObservers: () => undefined } },
  });
  runInContext(source, context);
  const Api = (context as { sealpost: new () => SealpostApi }).sealpost;
  return new Api();
}

function listen(api: SealpostApi, listener: Listener): Registration {
  return api.PERSISTENT_EVENTS.onDelivery({ fire: { async: listener } });
}

async function deliver(mode = 0): Promise<{ send: FakeMessageSend; outcome: "delivered" | "refused" | "threw" }> {
  const send = new FakeMessageSend();
  send._deliverMode = mode;
  try {
    await send._deliverAsMail();
  } catch {
    return { send, outcome: "threw" };
  }
  return { send, outcome: send.delivered ? "delivered" : "refused" };
}

const allow: Listener = () => Promise.resolve({ allow: true });
const refuse: Listener = () => Promise.resolve({ allow: false, message: "Sealpost stopped this message." });

describe("the Experiment's delivery gate", () => {
  it("wraps MessageSend's delivery while a listener is registered, and unwraps it after the last one", () => {
    reset();
    const api = loadExperiment();
    const first = listen(api, allow);
    const second = listen(api, allow);
    assert.notEqual(proto._deliverAsMail, ORIGINAL);
    assert.equal(proto._sealpostOriginalDeliverAsMail, ORIGINAL);
    first.unregister();
    assert.notEqual(proto._deliverAsMail, ORIGINAL, "one listener is still registered");
    second.unregister();
    assert.equal(proto._deliverAsMail, ORIGINAL);
    assert.equal(Object.hasOwn(proto, "_sealpostOriginalDeliverAsMail"), false);
  });

  it("hands the listener what is about to leave and delivers on allow", async () => {
    reset();
    const seen: Record<string, unknown>[] = [];
    const registration = listen(loadExperiment(), (delivery) => {
      seen.push(delivery);
      return Promise.resolve({ allow: true });
    });
    assert.equal((await deliver()).outcome, "delivered");
    assert.equal(seen[0]?.to, "pay@bank.example");
    assert.equal(seen[0]?.identityId, "id1");
    assert.equal(seen[0]?.mode, "now");
    assert.match(String(seen[0]?.head), /^To: pay@bank\.example/);
    registration.unregister();
  });

  it("refuses through Thunderbird's failure path, with the listener's message", async () => {
    reset();
    const registration = listen(loadExperiment(), refuse);
    const { send, outcome } = await deliver();
    assert.equal(outcome, "threw");
    assert.equal(send.delivered, false);
    assert.equal(send.failures[0]?.[3], "Sealpost stopped this message.");
    registration.unregister();
  });

  it("leaves an Outbox message in the Outbox: the failure is reported, not thrown", async () => {
    reset();
    const registration = listen(loadExperiment(), refuse);
    const { send, outcome } = await deliver(6);
    assert.equal(outcome, "refused");
    assert.equal(send.failures.length, 1);
    registration.unregister();
  });

  it("refuses when the listener fails", async () => {
    reset();
    const registration = listen(loadExperiment(), () => Promise.reject(new Error("background gone")));
    const { send } = await deliver();
    assert.equal(send.delivered, false);
    assert.match(String(send.failures[0]?.[3]), /could not check this message \(background gone\)/);
    registration.unregister();
  });

  it("refuses when the listener does not answer in time", async () => {
    reset();
    const registration = listen(loadExperiment({ deadlineMs: 20 }), () => new Promise<Verdict>(() => undefined));
    const { send } = await deliver();
    assert.equal(send.delivered, false);
    assert.match(String(send.failures[0]?.[3]), /did not answer within/);
    registration.unregister();
  });

  it("refuses when the message file cannot be read", async () => {
    reset();
    const registration = listen(loadExperiment({ unreadable: true }), allow);
    const { send } = await deliver();
    assert.equal(send.delivered, false);
    assert.match(String(send.failures[0]?.[3]), /could not read this message/);
    registration.unregister();
  });

  it("tells the listener where this message's copies will be filed, and which server holds each", async () => {
    reset();
    const seen: Record<string, unknown>[] = [];
    const registration = listen(loadExperiment(), (delivery) => {
      seen.push(delivery);
      return Promise.resolve({ allow: true });
    });
    const send = new FakeMessageSend() as FakeMessageSend & { _fcc?: string };
    send._fcc = "imap://alice%40example.org@imap.example.org/Sent";
    (send._compFields as Record<string, string>).fcc2 = "imap://alice%40example.org@gone.example/Archive";
    await send._deliverAsMail();
    // Through JSON, as the schema hands it over: the objects come from the Experiment's own realm.
    assert.deepEqual(JSON.parse(JSON.stringify(seen[0]?.sentCopies)), [
      { type: "imap", host: "imap.example.org", port: 143, socketType: 0 },
      { type: "unknown", url: "imap://alice%40example.org@gone.example/Archive" },
    ]);
    registration.unregister();
  });

  it("words its own refusals in the user's language, from the add-on's _locales", async () => {
    reset();
    const api = loadExperiment({ localize: (key, [reason]) => `${key} auf Deutsch (${reason ?? ""})` });
    const registration = listen(api, () => Promise.reject(new Error("background gone")));
    assert.equal((await deliver()).send.failures[0]?.[3], "deliveryUnchecked auf Deutsch (background gone)");
    registration.unregister();
  });

  it("refuses an answer that is not an explicit allow", async () => {
    reset();
    const registration = listen(loadExperiment(), () => Promise.resolve(undefined as unknown as Verdict));
    assert.equal((await deliver()).send.delivered, false);
    registration.unregister();
  });
});

describe("the Experiment's clean-up", () => {
  // Regression: only unregistering listeners unwound the gate; a shutdown without it left the wrapper.
  it("puts Thunderbird's delivery back on shutdown, even when no listener was unregistered", async () => {
    reset();
    const api = loadExperiment();
    listen(api, refuse);
    api.onShutdown(false);
    assert.equal(proto._deliverAsMail, ORIGINAL);
    assert.equal(Object.hasOwn(proto, "_sealpostOriginalDeliverAsMail"), false);
    assert.equal((await deliver()).outcome, "delivered");
  });

  // Regression: a second copy (an update) found the first one's wrapper, added none of its own,
  // and messages kept being judged by the old copy's listeners.
  it("replaces a wrapper an earlier copy left behind instead of stacking on it or deferring to it", async () => {
    reset();
    const old = loadExperiment();
    listen(old, () => Promise.reject(new Error("the old copy's background is gone")));
    const updated = loadExperiment();
    const asked: string[] = [];
    const registration = listen(updated, () => {
      asked.push("new");
      return Promise.resolve({ allow: true });
    });
    assert.equal(proto._sealpostOriginalDeliverAsMail, ORIGINAL, "the saved method is Thunderbird's, not the old wrapper");
    assert.equal((await deliver()).outcome, "delivered");
    assert.deepEqual(asked, ["new"]);
    registration.unregister();
    assert.equal(proto._deliverAsMail, ORIGINAL);
  });
});
