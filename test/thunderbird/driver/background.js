// Test-only driver: polls the test's control server on 127.0.0.1 for commands (compose, send,
// click in a dialog, ...) and posts back each result. Never part of a shipped build.
"use strict";

const POLL_RETRY_MS = 250;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function errorMessage(error) {
  return error instanceof Error ? error.message : String(error);
}

async function personalAddressBookId() {
  const id = await messenger.sealpostTestDriver.personalAddressBookId();
  if (!id) throw new Error("Thunderbird has no Personal Address Book (ldap_2.servers.pab)");
  return id;
}

// Extension pages can appear a moment after the action that opens them, and their scripts fill
// them in later still: retry until the element exists or the deadline passes. With `absentIsAnswer`
// a loaded page without the element is an answer (null) rather than something to wait for.
async function queryExtensionPage({ urlPrefix, selector, timeoutMs = 5000, value }, action, { absentIsAnswer = false } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await messenger.sealpostTestDriver.queryExtensionPage(urlPrefix, selector, action, value);
    if (answer.error) throw new Error(`${action} in ${answer.page ?? "extension page"} failed: ${answer.error}`);
    if (answer.found) return action === "inspect" ? { text: answer.text, ...answer.state } : answer.text;
    if (absentIsAnswer && answer.page !== null && answer.readyState === "complete") return null;
    if (Date.now() >= deadline) {
      const where =
        answer.page === null
          ? `no open extension page starts with ${urlPrefix} (open extension pages: ${answer.pages.join(", ") || "none"})`
          : `${answer.page} has no element matching ${selector} (document ${answer.readyState})`;
      throw new Error(`${action} in extension page failed after ${timeoutMs} ms: ${where}`);
    }
    await sleep(100);
  }
}

// Another add-on's onBeforeSend listener that changes the message after Sealpost has checked it.
let interference = null;
async function interfere(details) {
  if (interference === null) return undefined;
  const changes = {};
  if (interference.addBcc) changes.bcc = [...(details.bcc ?? []), interference.addBcc];
  if (interference.removeEncryption) {
    const current = details.selectedEncryptionTechnology;
    // Every flag spelled out: compose.setComposeDetails toggles a flag left out.
    changes.selectedEncryptionTechnology = {
      name: current?.name ?? "OpenPGP",
      encryptBody: false,
      encryptSubject: false,
      signMessage: current?.signMessage ?? false,
    };
  }
  return { details: changes };
}

async function waitForNewComposeTab(known, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tabs = await messenger.tabs.query({ type: "messageCompose" });
    const fresh = tabs.find((tab) => !known.has(tab.id));
    if (fresh) {
      // The window's details answer once its editor is ready.
      await messenger.compose.getComposeDetails(fresh.id);
      return fresh.id;
    }
    if (Date.now() >= deadline) throw new Error(`no new compose window within ${timeoutMs} ms`);
    await sleep(100);
  }
}

const commands = {
  async compose({ identityId, to, cc, bcc, subject, body, isPlainText = true }) {
    const details = { to, cc, bcc, subject, isPlainText };
    if (identityId !== undefined) details.identityId = identityId;
    if (isPlainText) details.plainTextBody = body;
    else details.body = body;
    // beginNew resolves once the compose editor is ready (compose-editor-ready).
    const tab = await messenger.compose.beginNew(null, details);
    return tab.id;
  },

  // compose.sendMessage may never settle (a modal Key Assistant, a dialog waiting for the user),
  // so it races a timeout; the outcome says which way it went.
  async send({ tabId, timeoutMs }) {
    const sending = messenger.compose.sendMessage(tabId, { mode: "sendNow" }).then(
      (result) => ({ outcome: "sent", headerMessageId: result?.headerMessageId ?? null }),
      (error) => ({ outcome: "rejected", message: errorMessage(error) }),
    );
    const timeout = sleep(timeoutMs).then(() => ({ outcome: "timeout" }));
    return Promise.race([sending, timeout]);
  },

  async sendLater({ tabId, timeoutMs }) {
    const sending = messenger.compose.sendMessage(tabId, { mode: "sendLater" }).then(
      () => ({ outcome: "sent", headerMessageId: null }),
      (error) => ({ outcome: "rejected", message: errorMessage(error) }),
    );
    return Promise.race([sending, sleep(timeoutMs).then(() => ({ outcome: "timeout" }))]);
  },

  // messages.sendMessage: no compose window, so no onBeforeSend.
  async sendWithoutWindow({ identityId, to, subject, body, mode = "sendNow", timeoutMs }) {
    if (!(await messenger.permissions.contains({ permissions: ["messages.send"] }))) {
      await messenger.sealpostTestDriver.grantPermission("messages.send");
    }
    const sending = messenger.messages.sendMessage({ identityId, to, subject, plainTextBody: body, isPlainText: true }, { mode }).then(
      (result) => ({ outcome: "sent", headerMessageId: result?.headerMessageId ?? null }),
      (error) => ({ outcome: "rejected", message: errorMessage(error) }),
    );
    return Promise.race([sending, sleep(timeoutMs).then(() => ({ outcome: "timeout" }))]);
  },

  async interfere({ addBcc = null, removeEncryption = false }) {
    interference = addBcc === null && !removeEncryption ? null : { addBcc, removeEncryption };
    // Re-registered so that it runs after every listener registered before it, Sealpost's included.
    messenger.compose.onBeforeSend.removeListener(interfere);
    if (interference !== null) messenger.compose.onBeforeSend.addListener(interfere);
    return null;
  },

  async addMessage({ raw }) {
    return messenger.sealpostTestDriver.addMessage(raw);
  },

  // Reply, Reply All, Forward inline or as attachment, Edit as New, Redirect: a compose window
  // on a message that is in a folder.
  async composeOn({ messageId, how, identityId }) {
    const details = { identityId };
    let tab;
    switch (how) {
      case "reply":
        tab = await messenger.compose.beginReply(messageId, "replyToSender", details);
        return tab.id;
      case "replyAll":
        tab = await messenger.compose.beginReply(messageId, "replyToAll", details);
        return tab.id;
      case "forwardInline":
      case "forwardAsAttachment":
        tab = await messenger.compose.beginForward(messageId, how, { ...details, to: ["payments@bank.example"] });
        return tab.id;
      case "editAsNew":
        tab = await messenger.compose.beginNew(messageId, details);
        return tab.id;
      case "redirect": {
        const known = new Set((await messenger.tabs.query({ type: "messageCompose" })).map((each) => each.id));
        await messenger.sealpostTestDriver.openRedirect(messageId, identityId);
        const tabId = await waitForNewComposeTab(known, 10_000);
        await messenger.compose.setComposeDetails(tabId, { to: ["payments@bank.example"] });
        return tabId;
      }
      default:
        throw new Error(`unknown way to compose: ${how}`);
    }
  },

  async useSmimeCertificate({ identityId, email }) {
    return messenger.sealpostTestDriver.useSmimeCertificate(identityId, email);
  },

  async outboxCount() {
    return messenger.sealpostTestDriver.outboxCount();
  },

  async sendUnsentMessages({ identityId, timeoutMs }) {
    return messenger.sealpostTestDriver.sendUnsentMessages(identityId, timeoutMs);
  },

  async sendCalendarInvitation({ organizer, attendees, summary }) {
    return messenger.sealpostTestDriver.sendCalendarInvitation(organizer, attendees, summary);
  },

  async promptTexts() {
    return messenger.sealpostTestDriver.promptTexts();
  },

  async closePrompts() {
    return messenger.sealpostTestDriver.closePrompts();
  },

  async closeTab({ tabId }) {
    await messenger.tabs.remove(tabId);
    return null;
  },

  async details({ tabId }) {
    return messenger.compose.getComposeDetails(tabId);
  },

  // compose.setComposeDetails toggles each flag that differs from the window's, and an absent flag
  // differs from false: every flag is spelled out, so nothing flips by omission.
  async setEncryption({ tabId, name, encryptBody, encryptSubject = false, signMessage = false }) {
    const technology = { name, encryptBody, signMessage };
    if (name === "OpenPGP") technology.encryptSubject = encryptSubject;
    await messenger.compose.setComposeDetails(tabId, { selectedEncryptionTechnology: technology });
    return (await messenger.compose.getComposeDetails(tabId)).selectedEncryptionTechnology ?? null;
  },

  // This message saves no Sent copy, as the compose window's "Send copy to" menu can choose
  // (the driver is a Manifest V2 add-on, hence the MV2 field).
  async skipSentCopy({ tabId }) {
    await messenger.compose.setComposeDetails(tabId, { overrideDefaultFccFolder: "" });
    return null;
  },

  async importOpenPgpKeys({ secret, public: publicKeys = [] }) {
    return messenger.sealpostTestDriver.importOpenPgpKeys(publicKeys, secret);
  },

  async keyAssistantOpen({ tabId }) {
    return messenger.sealpostTestDriver.keyAssistantOpen(tabId);
  },

  async createMailingList({ name, members }) {
    const bookId = await personalAddressBookId();
    const listId = await messenger.mailingLists.create(bookId, { name });
    for (const member of members) {
      const contactId = await messenger.contacts.create(bookId, null, { DisplayName: member.name, PrimaryEmail: member.email });
      await messenger.mailingLists.addMember(listId, contactId);
    }
    return name;
  },

  async windows() {
    return messenger.sealpostTestDriver.listWindows();
  },

  async extensionUrl({ extensionId, path }) {
    return messenger.sealpostTestDriver.extensionUrl(extensionId, path);
  },

  async clickInExtensionPage(args) {
    await queryExtensionPage(args, "click");
    return null;
  },

  async readExtensionPage(args) {
    return queryExtensionPage(args, "read");
  },

  async fillInExtensionPage(args) {
    if (typeof args.value !== "string") throw new Error("fillInExtensionPage needs a string value");
    await queryExtensionPage(args, "fill");
    return null;
  },

  async inspectExtensionPage(args) {
    return queryExtensionPage(args, "inspect", { absentIsAnswer: true });
  },

  async openOptionsPage({ extensionId }) {
    return messenger.sealpostTestDriver.openOptionsPage(extensionId);
  },

  async managedStorage() {
    try {
      return { found: true, value: await messenger.storage.managed.get() };
    } catch (error) {
      // Thunderbird reports "no policy for this add-on" as an error; it is an answer here.
      if (/Managed storage manifest not found/.test(errorMessage(error))) return { found: false };
      throw error;
    }
  },

  async pressComposeAction({ tabId, extensionId }) {
    await messenger.sealpostTestDriver.pressComposeAction(tabId, extensionId);
    return null;
  },

  async deliveryGate() {
    return messenger.sealpostTestDriver.deliveryGate();
  },

  async setAddonEnabled({ addonId, enabled }) {
    await messenger.sealpostTestDriver.setAddonEnabled(addonId, enabled);
    return null;
  },

  async installAddon({ path }) {
    return messenger.sealpostTestDriver.installAddon(path);
  },

  async quit() {
    await messenger.sealpostTestDriver.quit();
    return null;
  },
};

async function post(url, body) {
  await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

async function run(base, command) {
  let reply;
  try {
    const handler = commands[command.name];
    if (!handler) throw new Error(`unknown command ${command.name}`);
    reply = { id: command.id, ok: true, value: (await handler(command.args ?? {})) ?? null };
  } catch (error) {
    reply = { id: command.id, ok: false, error: errorMessage(error) };
  }
  try {
    await post(`${base}result`, reply);
  } catch (error) {
    console.error(`sealpost test driver: could not post the result of ${command.name}: ${errorMessage(error)}`);
  }
}

async function main() {
  const base = await messenger.sealpostTestDriver.controlUrl();
  if (!base) {
    console.error("sealpost test driver: the pref sealpost.testDriver.controlUrl is not set; nothing to do");
    return;
  }
  const info = await messenger.runtime.getBrowserInfo();
  for (;;) {
    try {
      await post(`${base}hello`, { name: info.name, version: info.version });
      break;
    } catch {
      await sleep(POLL_RETRY_MS);
    }
  }
  // Commands run concurrently: a test clicks in a dialog while the send that opened it is pending.
  for (;;) {
    let response;
    try {
      response = await fetch(`${base}next`, { method: "POST" });
    } catch {
      await sleep(POLL_RETRY_MS);
      continue;
    }
    if (response.status === 410) return; // the test is over
    if (response.status !== 200) continue; // 204: no command within the long poll
    void run(base, await response.json());
  }
}

main().catch((error) => console.error(`sealpost test driver stopped: ${errorMessage(error)}`));
