/* This Source Code Form is subject to the terms of the Mozilla Public License, v. 2.0. */
// Sealpost's Experiment: the one place that reads Thunderbird's account internals. It only
// reports what is configured and what is about to leave; deciding whether that is secure is
// left to Sealpost's core, in the background page.
"use strict";

// Globals of Thunderbird's privileged scope (ChromeUtils, Ci, Services) are declared in eslint.config.js.
// eslint-disable-next-line no-redeclare -- the Experiment scope may or may not predefine it
var { ExtensionCommon } = ChromeUtils.importESModule("resource://gre/modules/ExtensionCommon.sys.mjs");
var { ExtensionUtils } = ChromeUtils.importESModule("resource://gre/modules/ExtensionUtils.sys.mjs");
// eslint-disable-next-line no-redeclare -- the Experiment's scope has no timers of its own
var { setTimeout, clearTimeout } = ChromeUtils.importESModule("resource://gre/modules/Timer.sys.mjs");

// The delivery gate. Every message Thunderbird sends by mail goes through MessageSend's
// _deliverAsMail, whatever started it: a compose window (Send Now), the Outbox (Send Unsent
// Messages), the calendar's invitations, messages.sendMessage, return receipts. The gate wraps
// that one method while a listener is registered and lets a message reach the outgoing server
// only when every listener answers allow: true in time. Otherwise Thunderbird's own failure path
// runs, with Sealpost's explanation as the error: the compose window stays open, an Outbox
// message stays in the Outbox.
const DELIVERY_DEADLINE_MS = 120_000; // long enough for the user to answer a "confirm" question
const DELIVERY_HEAD_BYTES = 256 * 1024;
const ORIGINAL_DELIVER = "_sealpostOriginalDeliverAsMail";
const deliveryListeners = new Set();

function messageSendPrototype() {
  const { MessageSend } = ChromeUtils.importESModule("resource:///modules/MessageSend.sys.mjs");
  return MessageSend.prototype;
}

function deliveryMode(send) {
  switch (send._deliverMode) {
    case Ci.nsIMsgSend.nsMsgDeliverNow:
      return "now";
    case Ci.nsIMsgSend.nsMsgSendUnsent:
      return "outbox";
    case Ci.nsIMsgSend.nsMsgDeliverBackground:
      return "background";
    default:
      return "other";
  }
}

// Byte for character: headers, MIME boundaries and OpenPGP armor are ASCII, and the Experiment's
// scope has no TextDecoder.
function latin1(bytes) {
  const chunks = [];
  for (let start = 0; start < bytes.length; start += 8192) {
    chunks.push(String.fromCharCode.apply(null, bytes.subarray(start, start + 8192)));
  }
  return chunks.join("");
}

// nsIMsgOutgoingServer and nsIMsgIncomingServer expose different attribute names; every
// read is guarded so that one missing attribute yields a partial answer, not an exception.
function read(fn) {
  try {
    const value = fn();
    return value === null || value === undefined || value === "" ? undefined : value;
  } catch {
    return undefined;
  }
}

function describeIncoming(server) {
  return {
    type: String(read(() => server.type) ?? "unknown"),
    // nsIMsgIncomingServer.hostName became hostname in Thunderbird 153.
    host: read(() => server.hostname) ?? read(() => server.hostName),
    port: read(() => server.port),
    socketType: read(() => server.socketType),
    authMethod: read(() => server.authMethod),
    url: read(() => server.serverURI),
  };
}

function folderServer(uri) {
  const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
  // getFolderForURL answers null for a folder not looked at yet in this session;
  // getOrCreateFolderForURL finds it (without creating anything on the server).
  const folder = read(() => MailServices.folderLookup.getOrCreateFolderForURL(uri));
  const server = folder ? folder.server : undefined;
  if (!server) throw new Error(`the folder ${uri} belongs to no account`);
  return server;
}

// Where this message's copies will be filed, as MessageSend decided (MsgUtils.getFcc: the
// message's own choice, the identity's Sent folder, or a reply's parent folder) plus the
// second copy (fcc2). A copy whose server cannot be told is reported as unknown.
function describeSentCopies(send) {
  const uris = [send._fcc, send._compFields?.fcc2].filter((uri) => typeof uri === "string" && uri !== "" && !uri.startsWith("nocopy://"));
  return uris.map((uri) => {
    try {
      return describeIncoming(folderServer(uri));
    } catch {
      return { type: "unknown", url: uri };
    }
  });
}

async function describeDelivery(send) {
  const file = send._deliveryFile ?? send._messageFile;
  if (!file) throw new Error("the message file is missing");
  const bytes = await IOUtils.read(file.path, { maxBytes: DELIVERY_HEAD_BYTES });
  const fields = send._compFields;
  const text = (value) => (typeof value === "string" && value !== "" ? value : undefined);
  const delivery = {
    mode: deliveryMode(send),
    head: latin1(bytes),
    size: file.fileSize,
    sentCopies: describeSentCopies(send),
  };
  for (const [name, value] of Object.entries({
    identityId: send._userIdentity?.key,
    from: fields?.from,
    to: fields?.to,
    cc: fields?.cc,
    bcc: fields?.bcc,
    subject: fields?.subject,
  })) {
    if (text(value) !== undefined) delivery[name] = value;
  }
  return delivery;
}

function withDeadline(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function deliveryVerdict(send) {
  let delivery;
  try {
    delivery = await describeDelivery(send);
  } catch (error) {
    return {
      allow: false,
      message: localize("deliveryUnreadable", String(error.message ?? error)),
    };
  }
  for (const listener of deliveryListeners) {
    let verdict;
    try {
      verdict = await withDeadline(listener(delivery), DELIVERY_DEADLINE_MS, "Sealpost's check");
    } catch (error) {
      return { allow: false, message: localize("deliveryUnchecked", String(error.message ?? error)) };
    }
    if (verdict?.allow !== true) {
      return { allow: false, message: verdict?.message || localize("deliveryNotAllowed") };
    }
  }
  return { allow: true };
}

// The same steps Thunderbird takes when the outgoing server refuses a message
// (PromiseMsgOutgoingListener.onSendStop): report the failure, then fail the delivery.
async function refuseDelivery(send, message) {
  await send.sendDeliveryCallback(null, Cr.NS_ERROR_FAILURE, null, message);
  if (send._deliverMode === Ci.nsIMsgSend.nsMsgSendUnsent) return;
  throw Components.Exception(`Sending FAILED! ${message}`, Cr.NS_ERROR_FAILURE);
}

// The refusals the gate words itself (when the background cannot answer), from the add-on's
// _locales; English until a listener has registered.
const ENGLISH = {
  deliveryUnreadable: "Sealpost could not read this message before sending it ($1), so it was not sent.",
  deliveryUnchecked: "Sealpost could not check this message ($1), so it was not sent.",
  deliveryNotAllowed: "Sealpost did not allow this message to be sent.",
};
let localizeMessage;

function localize(key, ...substitutions) {
  const text = localizeMessage?.(key, substitutions);
  return text || ENGLISH[key].replace("$1", substitutions[0] ?? "");
}

// The wrapper this load of the Experiment put in front of Thunderbird's delivery, if any.
let installedWrapper;

function addDeliveryListener(listener) {
  deliveryListeners.add(listener);
  const prototype = messageSendPrototype();
  if (installedWrapper !== undefined && prototype._deliverAsMail === installedWrapper) return;
  // A wrapper that an earlier load of this code left behind (an update whose old copy did not
  // shut down cleanly) asks listeners that are gone: unwind it, so that this gate is the only one.
  if (Object.hasOwn(prototype, ORIGINAL_DELIVER)) prototype._deliverAsMail = prototype[ORIGINAL_DELIVER];
  else prototype[ORIGINAL_DELIVER] = prototype._deliverAsMail;
  const original = prototype[ORIGINAL_DELIVER];
  installedWrapper = async function sealpostDeliverAsMail(...args) {
    const verdict = await deliveryVerdict(this);
    if (!verdict.allow) return refuseDelivery(this, verdict.message);
    return original.apply(this, args);
  };
  prototype._deliverAsMail = installedWrapper;
}

// Puts Thunderbird's own delivery back, unless something else has wrapped it since (then
// unwinding would remove that wrapper too).
function restoreDelivery() {
  const prototype = messageSendPrototype();
  if (installedWrapper === undefined || prototype._deliverAsMail !== installedWrapper) return;
  prototype._deliverAsMail = prototype[ORIGINAL_DELIVER];
  delete prototype[ORIGINAL_DELIVER];
  installedWrapper = undefined;
}

function removeDeliveryListener(listener) {
  deliveryListeners.delete(listener);
  if (deliveryListeners.size === 0) restoreDelivery();
}

var sealpost = class extends ExtensionCommon.ExtensionAPIPersistent {
  PERSISTENT_EVENTS = {
    // Registered while Sealpost's background listens, and primed while it sleeps: a delivery
    // then wakes it up before asking.
    // An arrow function: `this` is the API object, whose extension has the _locales.
    onDelivery: ({ fire }) => {
      localizeMessage = (key, substitutions) => this.extension.localizeMessage(key, substitutions);
      const listener = async (delivery) => {
        if (fire.wakeup) await fire.wakeup();
        return fire.async(delivery);
      };
      addDeliveryListener(listener);
      return {
        unregister: () => removeDeliveryListener(listener),
        convert(newFire) {
          fire = newFire;
        },
      };
    },
  };

  getAPI(context) {
    const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");

    const describeOutgoing = (server) => {
      const smtp = read(() => server.QueryInterface(Ci.nsISmtpServer));
      return {
        type: String(read(() => server.type) ?? "unknown"),
        host: read(() => smtp?.hostname),
        port: read(() => smtp?.port),
        socketType: read(() => server.socketType),
        authMethod: read(() => server.authMethod),
        url: read(() => server.serverURI.spec),
      };
    };

    const sentCopyServer = (identity) => {
      const uri = identity.fccFolderURI;
      if (!uri) throw new Error("the identity saves a Sent copy but names no folder");
      return folderServer(uri);
    };

    return {
      sealpost: {
        async getSendingRoute(identityId) {
          const identity = MailServices.accounts.getIdentity(identityId);
          if (!identity || !identity.valid) throw new ExtensionUtils.ExtensionError(`unknown identity ${identityId}`);
          const route = { savesSentCopy: Boolean(identity.doFcc) };
          try {
            const server = MailServices.outgoingServer.getServerByIdentity(identity);
            if (server) route.outgoing = describeOutgoing(server);
            else route.outgoingProblem = "no outgoing server is configured for this identity";
          } catch (error) {
            route.outgoingProblem = `the outgoing server could not be read (${error.message ?? error})`;
          }
          if (route.savesSentCopy) {
            try {
              route.sentCopy = describeIncoming(sentCopyServer(identity));
            } catch (error) {
              route.sentCopyProblem = `the Sent folder's server could not be read (${error.message ?? error})`;
            }
          }
          return route;
        },

        // Which key Thunderbird will use for an address, as its own send does it
        // (EnigmailKeyRing: an alias rule first, else the one accepted valid key).
        async getRecipientKeys(addresses) {
          const { EnigmailKeyRing } = ChromeUtils.importESModule("chrome://openpgp/content/modules/keyRing.sys.mjs");
          const result = {};
          for (const address of addresses) {
            const email = String(address).toLowerCase();
            const alias = EnigmailKeyRing.getAliasKeyList(email);
            if (alias) {
              result[email] = EnigmailKeyRing.getAliasKeys(alias).map((fpr) => String(fpr).toUpperCase());
              continue;
            }
            const keyId = await EnigmailKeyRing.getValidKeyForRecipient(email, {});
            const key = keyId ? EnigmailKeyRing.getKeyById(keyId) : null;
            result[email] = key ? [String(key.fpr).toUpperCase()] : [];
          }
          return result;
        },

        async getPrimaryFingerprints(keyIds) {
          const { EnigmailKeyRing } = ChromeUtils.importESModule("chrome://openpgp/content/modules/keyRing.sys.mjs");
          const result = {};
          for (const keyId of keyIds) {
            // getKeyById finds a primary key by its own id or by one of its subkeys' ids.
            const key = EnigmailKeyRing.getKeyById(String(keyId));
            if (key) result[String(keyId).toUpperCase()] = String(key.fpr).toUpperCase();
          }
          return result;
        },

        onDelivery: new ExtensionCommon.EventManager({
          context,
          module: "sealpost",
          event: "onDelivery",
          extensionApi: this,
        }).api(),

        async getIncomingServer(accountId) {
          const account = MailServices.accounts.getAccount(accountId);
          if (!account || !account.incomingServer) throw new ExtensionUtils.ExtensionError(`unknown account ${accountId}`);
          return describeIncoming(account.incomingServer);
        },
      },
    };
  }

  onShutdown(isAppShutdown) {
    // Disabled, removed or updated: nothing of Sealpost stays in Thunderbird's send path, even
    // if a listener's unregister never ran.
    deliveryListeners.clear();
    restoreDelivery();
    localizeMessage = undefined;
    if (isAppShutdown) return;
    // Experiments are cached by the startup cache; flushing it lets an updated add-on load its new code.
    Services.obs.notifyObservers(null, "startupcache-invalidate");
  }
};
