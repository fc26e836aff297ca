// Test-only Experiment of the Sealpost test driver: the few things the WebExtension APIs do not
// reach (the control URL pref, every window, another extension's pages and options, OpenPGP keys,
// quitting).
"use strict";

(function (exports) {
  const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
  const { SessionStoreManager } = ChromeUtils.importESModule("resource:///modules/SessionStoreManager.sys.mjs");
  const { ExtensionError } = ChromeUtils.importESModule("resource://gre/modules/ExtensionUtils.sys.mjs").ExtensionUtils;
  const { setTimeout, clearTimeout } = ChromeUtils.importESModule("resource://gre/modules/Timer.sys.mjs");

  const RESOURCE_HOST = "sealpost-test-driver";
  const ACTOR_NAME = "SealpostTestDriverPage";
  const OPENPGP_INIT_TIMEOUT_MS = 20_000;
  let actorRegistered = false;

  // Extension pages run in the extension process, out of reach of parent-process code. A
  // JSWindowActor is Gecko's supported bridge: the child half is loaded in whichever process shows
  // the page. Its module must have a resource: URL that the content process can resolve, hence the
  // substitution to this add-on's own files (substitutions are forwarded to child processes).
  function registerPageActor(extension) {
    if (actorRegistered) return;
    const resProto = Services.io.getProtocolHandler("resource").QueryInterface(Ci.nsIResProtocolHandler);
    resProto.setSubstitution(RESOURCE_HOST, Services.io.newURI("api/driver/", null, extension.rootURI));
    ChromeUtils.registerWindowActor(ACTOR_NAME, {
      child: { esModuleURI: `resource://${RESOURCE_HOST}/page-actor.sys.mjs` },
      allFrames: true,
    });
    actorRegistered = true;
  }

  // The child module itself stays loaded (ES modules cannot be unloaded): harmless for a driver
  // that lives exactly as long as its test profile.
  function unregisterPageActor() {
    if (!actorRegistered) return;
    ChromeUtils.unregisterWindowActor(ACTOR_NAME);
    const resProto = Services.io.getProtocolHandler("resource").QueryInterface(Ci.nsIResProtocolHandler);
    resProto.setSubstitution(RESOURCE_HOST, null);
    actorRegistered = false;
  }

  // Every <browser> in a chrome document, descending into same-process privileged documents where
  // further browsers may live: the mail tab's about:3pane, and about:addons in a content tab, which
  // holds an add-on's options page in its own (remote) browser.
  function* browsersIn(document) {
    for (const browser of document.querySelectorAll("browser")) {
      yield browser;
      const inner = browser.isRemoteBrowser ? null : browser.contentDocument;
      if (inner && inner !== document && (inner.documentURI.startsWith("chrome:") || inner.nodePrincipal?.isSystemPrincipal)) {
        yield* browsersIn(inner);
      }
    }
  }

  function* allWindows() {
    for (const window of Services.wm.getEnumerator(null)) {
      if (!window.closed && window.document) yield window;
    }
  }

  function pageUrlOf(browser) {
    try {
      return browser.currentURI?.spec ?? "";
    } catch {
      return "";
    }
  }

  // remoteType says which process shows the page: "extension" when out of process (the default),
  // null when in the parent process.
  function extensionPages(window) {
    return [...browsersIn(window.document)]
      .map((browser) => ({ url: pageUrlOf(browser), remoteType: browser.remoteType ?? null }))
      .filter((page) => page.url.startsWith("moz-extension:"));
  }

  // The driver connects before the main window has finished starting: until its onLoad the tab
  // type that about:addons opens in is not registered ("No such tab mode: contentTab"), and
  // until its tabs are restored a new tab can be swept away. Resolves once both are done.
  async function mainWindowReady(window) {
    await window.delayedStartupPromise;
    if (SessionStoreManager._restored) return;
    await new Promise((resolve) => {
      const observer = () => {
        Services.obs.removeObserver(observer, "mail-tabs-session-restored");
        resolve();
      };
      Services.obs.addObserver(observer, "mail-tabs-session-restored");
      // Restored between the check above and now: nothing will be notified any more.
      if (SessionStoreManager._restored) observer();
    });
  }

  // Thunderbird's own OpenPGP modules (chrome://openpgp/content/modules/, in omni.ja), loaded only
  // when a test imports keys.
  async function openPgpModules() {
    const load = (path) => ChromeUtils.importESModule(`chrome://openpgp/content/${path}`);
    const { BondOpenPGP } = load("BondOpenPGP.sys.mjs");
    const { EnigmailCore } = load("modules/core.sys.mjs");
    // Thunderbird starts OpenPGP at startup (BondOpenPGP.init) and nobody awaits it; a second init
    // returns at once while the first still runs. Until EnigmailCore, its last step, is done the
    // acceptance tables may not exist yet ("no such table: acceptance_decision").
    await BondOpenPGP.init();
    const deadline = Date.now() + OPENPGP_INIT_TIMEOUT_MS;
    while (!EnigmailCore._initialized) {
      if (Date.now() > deadline) {
        const status = JSON.stringify(BondOpenPGP.getRNPLibStatus());
        throw new ExtensionError(`Thunderbird's OpenPGP did not start within ${OPENPGP_INIT_TIMEOUT_MS} ms (RNP: ${status})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return {
      RNP: load("modules/RNP.sys.mjs").RNP,
      PgpSqliteDb2: load("modules/sqliteDb.sys.mjs").PgpSqliteDb2,
      EnigmailKeyRing: load("modules/keyRing.sys.mjs").EnigmailKeyRing,
    };
  }

  // RNP's import report names keys as "0x<key id>"; acceptance is stored by fingerprint.
  function fingerprintsOf(EnigmailKeyRing, keyIds) {
    return keyIds.map((keyId) => {
      const key = EnigmailKeyRing.getKeyById(keyId);
      if (!key) throw new ExtensionError(`the imported key ${keyId} is not in Thunderbird's key ring`);
      return key.fpr.toUpperCase();
    });
  }

  async function importOpenPgpKeys(publicKeys, secretKey) {
    const { RNP, PgpSqliteDb2, EnigmailKeyRing } = await openPgpModules();
    const imported = { secret: [], public: [] };
    if (secretKey) {
      // No window and no passphrase callback: the key is unprotected, and nothing may prompt.
      const result = await RNP.importSecKeyBlockImpl(null, null, false, secretKey);
      if (result.exitCode !== 0) throw new ExtensionError(`importing the secret key failed: ${result.errorMsg || "no reason given"}`);
      EnigmailKeyRing.clearCache();
      imported.secret = fingerprintsOf(EnigmailKeyRing, result.importedKeys);
      // Thunderbird's acceptAsPersonalKey does not await its write: await it here, so that
      // a compose window opened next finds the key usable for the identity.
      for (const fingerprint of imported.secret) await PgpSqliteDb2.updateAcceptance(fingerprint, null, "personal");
    }
    for (const publicKey of publicKeys) {
      // "unverified" is what a user's "Accepted (unverified)" choice stores: enough to encrypt to it.
      const result = await RNP.importPubkeyBlockAutoAcceptImpl(null, publicKey, "unverified");
      if (result.exitCode !== 0) throw new ExtensionError(`importing a public key failed: ${result.errorMsg || "no reason given"}`);
      EnigmailKeyRing.clearCache();
      imported.public.push(...fingerprintsOf(EnigmailKeyRing, result.importedKeys));
    }
    EnigmailKeyRing.clearCache();
    return imported;
  }

  const WEBEXT_WINDOW_TYPES = {
    "mail:3pane": "normal",
    msgcompose: "messageCompose",
    "mail:messageWindow": "messageDisplay",
    "mail:extensionPopup": "popup",
  };

  // A folder in Local Folders for messages the tests reply to, forward and redirect.
  function receivedFolder() {
    const root = MailServices.accounts.localFoldersServer.rootFolder;
    if (!root.containsChildNamed("Received")) root.createSubfolder("Received", null);
    return root.getChildNamed("Received");
  }

  // Thunderbird's alerts (a failed send, for one) are commonDialog documents: a window of their
  // own, or a dialog box inside the window they belong to.
  function* commonDialogs() {
    const isCommonDialog = (document) => document?.documentURI?.startsWith("chrome://global/content/commonDialog") === true;
    for (const window of allWindows()) {
      if (isCommonDialog(window.document)) yield window.document;
      for (const browser of browsersIn(window.document)) {
        const inner = browser.isRemoteBrowser ? null : browser.contentDocument;
        if (isCommonDialog(inner)) yield inner;
      }
    }
  }

  function outbox() {
    return MailServices.accounts.localFoldersServer.rootFolder.getFolderWithFlags(Ci.nsMsgFolderFlags.Queue);
  }

  // Send Unsent Messages, as File > Send Unsent Messages does it, settled when the Outbox run ends.
  function sendUnsentMessages(identity, timeoutMs) {
    const sendLater = Cc["@mozilla.org/messengercompose/sendlater;1"].getService(Ci.nsIMsgSendLater);
    return new Promise((resolve, reject) => {
      const errors = [];
      const timer = setTimeout(() => {
        sendLater.removeListener(listener);
        reject(new ExtensionError(`Send Unsent Messages did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = {
        QueryInterface: ChromeUtils.generateQI(["nsIMsgSendLaterListener"]),
        onStartSending() {},
        onMessageStartSending() {},
        onMessageSendProgress() {},
        onMessageSendError(_index, _header, status, message) {
          errors.push(message || `status 0x${(status >>> 0).toString(16)}`);
        },
        onStopSending(status, message, total, successful) {
          clearTimeout(timer);
          sendLater.removeListener(listener);
          resolve({ status: status >>> 0, message: message ?? "", total, successful, errors });
        },
      };
      sendLater.addListener(listener);
      sendLater.sendUnsentMessages(identity);
    });
  }

  // An invitation as Thunderbird's calendar sends it: its iTIP mail transport, without a compose window.
  function sendCalendarInvitation({ organizer, attendees, summary }) {
    const { CalItipEmailTransport } = ChromeUtils.importESModule("resource:///modules/CalItipEmailTransport.sys.mjs");
    const stamp = "20261203T120000Z";
    const lines = [
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//Sealpost tests//EN",
      "METHOD:REQUEST",
      "BEGIN:VEVENT",
      `UID:sealpost-test-${Date.now()}@example.org`,
      `DTSTAMP:${stamp}`,
      "DTSTART:20261210T090000Z",
      "DTEND:20261210T100000Z",
      `SUMMARY:${summary}`,
      `ORGANIZER:mailto:${organizer}`,
      ...attendees.map((address) => `ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT:mailto:${address}`),
      "END:VEVENT",
      "END:VCALENDAR",
      "",
    ];
    const itipItem = Cc["@mozilla.org/calendar/itip-item;1"].createInstance(Ci.calIItipItem);
    itipItem.init(lines.join("\r\n"));
    itipItem.responseMethod = "REQUEST";
    itipItem.autoResponse = Ci.calIItipItem.AUTO;
    itipItem.isSend = true;
    const item = itipItem.getItemList()[0];
    const transport = CalItipEmailTransport.createInstance();
    return transport.sendItems(item.getAttendees(), itipItem, null);
  }

  class SealpostTestDriver extends ExtensionCommon.ExtensionAPI {
    getAPI(context) {
      const extension = context.extension;
      registerPageActor(extension);
      return {
        sealpostTestDriver: {
          async controlUrl() {
            return Services.prefs.getStringPref("sealpost.testDriver.controlUrl", "");
          },

          async personalAddressBookId() {
            return MailServices.ab.getDirectoryFromId("ldap_2.servers.pab")?.UID ?? null;
          },

          async listWindows() {
            return [...allWindows()].map((window) => {
              const chromeType = window.document.documentElement?.getAttribute("windowtype") ?? "";
              let id = null;
              try {
                id = extension.windowManager.getWrapper(window)?.id ?? null;
              } catch {
                // Dialogs and prompts are not WebExtension windows and have no id.
              }
              const pages = extensionPages(window);
              return {
                id,
                type: WEBEXT_WINDOW_TYPES[chromeType] ?? "other",
                chromeType,
                title: window.document.title ?? "",
                chromeUrl: window.location.href,
                url: pages[0]?.url ?? null,
                extensionPages: pages,
              };
            });
          },

          async extensionUrl(extensionId, path) {
            const policy = WebExtensionPolicy.getByID(extensionId);
            if (!policy) throw new ExtensionError(`no add-on ${extensionId} is running`);
            return policy.getURL(path);
          },

          // As Thunderbird's runtime.openOptionsPage does for options_ui without open_in_tab
          // (ext-mail.js): the add-on's details in about:addons, in a tab of the main window.
          async openOptionsPage(extensionId) {
            const policy = WebExtensionPolicy.getByID(extensionId);
            if (!policy) throw new ExtensionError(`no add-on ${extensionId} is running`);
            const optionsUi = policy.extension?.manifest?.options_ui;
            if (!optionsUi) throw new ExtensionError(`the add-on ${extensionId} has no options_ui page`);
            if (optionsUi.open_in_tab)
              throw new ExtensionError(`the add-on ${extensionId} opens its options in a tab, which the driver does not do`);
            const window = Services.wm.getMostRecentWindow("mail:3pane");
            if (!window) throw new ExtensionError("no main Thunderbird window is open");
            await mainWindowReady(window);
            try {
              await window.openAddonsMgr(`addons://detail/${encodeURIComponent(extensionId)}/preferences`);
            } catch (error) {
              // Anything but an ExtensionError reaches the caller as "An unexpected error occurred".
              throw new ExtensionError(`opening about:addons failed: ${error?.message ?? error}`);
            }
            // The manifest as loaded holds the page resolved against the add-on's base URL already;
            // resolving again also covers a relative one.
            return Services.io.newURI(optionsUi.page, null, Services.io.newURI(policy.getURL(""))).spec;
          },

          async queryExtensionPage(urlPrefix, selector, action, value) {
            const seen = [];
            for (const window of allWindows()) {
              for (const browser of browsersIn(window.document)) {
                const url = pageUrlOf(browser);
                if (url.startsWith("moz-extension:")) seen.push(url);
                if (!url.startsWith(urlPrefix)) continue;
                const windowGlobal = browser.browsingContext?.currentWindowGlobal;
                if (!windowGlobal) continue;
                const answer = await windowGlobal.getActor(ACTOR_NAME).sendQuery("query", { selector, action, value });
                return { page: url, pages: seen, ...answer };
              }
            }
            return { page: null, pages: seen, found: false };
          },

          async importOpenPgpKeys(publicKeys, secretKey) {
            try {
              return await importOpenPgpKeys(publicKeys, secretKey);
            } catch (error) {
              // Anything but an ExtensionError reaches the caller as "An unexpected error occurred".
              if (error instanceof ExtensionError) throw error;
              throw new ExtensionError(`importing OpenPGP keys failed: ${error?.message ?? error}`);
            }
          },

          async keyAssistantOpen(tabId) {
            const window = extension.tabManager.get(tabId).nativeTab;
            const dialog = window?.document?.getElementById("keyAssistant");
            if (!dialog) throw new ExtensionError(`tab ${tabId} is not a compose window with a Key Assistant`);
            return dialog.open;
          },

          // Presses an add-on's button in a compose window's toolbar, as a click does; its
          // compose_action popup opens in a panel, where queryExtensionPage finds it.
          async pressComposeAction(tabId, extensionId) {
            const window = extension.tabManager.get(tabId).nativeTab;
            const id = `${ExtensionCommon.makeWidgetId(extensionId)}-composeAction-toolbarbutton`;
            const button = window?.document?.getElementById(id);
            if (!button) throw new ExtensionError(`tab ${tabId} has no compose action button ${id}`);
            button.dispatchEvent(new window.MouseEvent("mousedown", { button: 0, bubbles: true }));
          },

          async addMessage(raw) {
            const header = receivedFolder().QueryInterface(Ci.nsIMsgLocalMailFolder).addMessage(raw);
            return extension.messageManager.convert(header).id;
          },

          // Message > Redirect: the WebExtension APIs have no way to begin one.
          async openRedirect(messageId, identityId) {
            const header = extension.messageManager.get(messageId);
            if (!header) throw new ExtensionError(`no message ${messageId}`);
            const identity = MailServices.accounts.getIdentity(identityId);
            try {
              MailServices.compose.OpenComposeWindow(
                null,
                header,
                header.folder.getUriForMsg(header),
                Ci.nsIMsgCompType.Redirect,
                Ci.nsIMsgCompFormat.Default,
                identity,
                null,
                null,
              );
            } catch (error) {
              throw new ExtensionError(`opening a Redirect window failed: ${error?.message ?? error}`);
            }
          },

          // An optional-only permission (messages.send) is granted by the user in a real profile.
          async grantPermission(permission) {
            const { ExtensionPermissions } = ChromeUtils.importESModule("resource://gre/modules/ExtensionPermissions.sys.mjs");
            await ExtensionPermissions.add(extension.id, { permissions: [permission], origins: [] }, extension);
          },

          // As the account settings' End-to-End Encryption page does: the certificate's name and its
          // database key, for both signing and encryption.
          async useSmimeCertificate(identityId, email) {
            const identity = MailServices.accounts.getIdentity(identityId);
            if (!identity) throw new ExtensionError(`no identity ${identityId}`);
            const certdb = Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB);
            const cert = certdb.getCerts().find((each) => each.emailAddress === email && each.certType === Ci.nsIX509Cert.USER_CERT);
            if (!cert) {
              const seen = certdb.getCerts().map((each) => `${each.nickname} <${each.emailAddress}> type ${each.certType}`);
              throw new ExtensionError(`no certificate of ${email} with its key in the profile (seen: ${seen.join("; ")})`);
            }
            for (const use of ["encryption", "signing"]) {
              identity.setUnicharAttribute(`${use}_cert_name`, cert.displayName);
              identity.setCharAttribute(`${use}_cert_dbkey`, cert.dbKey);
            }
            return cert.dbKey;
          },

          async outboxCount() {
            return outbox()?.getTotalMessages(false) ?? 0;
          },

          async sendUnsentMessages(identityId, timeoutMs) {
            const identity = MailServices.accounts.getIdentity(identityId);
            if (!identity) throw new ExtensionError(`no identity ${identityId}`);
            return sendUnsentMessages(identity, timeoutMs);
          },

          async sendCalendarInvitation(organizer, attendees, summary) {
            try {
              return sendCalendarInvitation({ organizer, attendees, summary });
            } catch (error) {
              throw new ExtensionError(`sending the invitation failed: ${error?.message ?? error}`);
            }
          },

          async promptTexts() {
            return [...commonDialogs()].map((document) => document.getElementById("infoBody")?.textContent ?? "");
          },

          async closePrompts() {
            let closed = 0;
            for (const document of commonDialogs()) {
              const dialog = document.querySelector("dialog");
              if (dialog?.acceptDialog) dialog.acceptDialog();
              else document.defaultView.close();
              closed++;
            }
            return closed;
          },

          // Sealpost's delivery gate as Thunderbird's MessageSend shows it: the name of the
          // delivery method in use and of the one Sealpost saved to restore (null when none).
          async deliveryGate() {
            const { MessageSend } = ChromeUtils.importESModule("resource:///modules/MessageSend.sys.mjs");
            const prototype = MessageSend.prototype;
            const saved = Object.hasOwn(prototype, "_sealpostOriginalDeliverAsMail") ? prototype._sealpostOriginalDeliverAsMail : null;
            return { deliver: prototype._deliverAsMail.name, saved: saved ? saved.name : null };
          },

          async setAddonEnabled(addonId, enabled) {
            const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
            const addon = await AddonManager.getAddonByID(addonId);
            if (!addon) throw new ExtensionError(`no add-on ${addonId}`);
            if (enabled) await addon.enable();
            else await addon.disable();
          },

          // Installs an .xpi as an update would (no prompt: Thunderbird does not require signing).
          async installAddon(path) {
            const { AddonManager } = ChromeUtils.importESModule("resource://gre/modules/AddonManager.sys.mjs");
            const file = Cc["@mozilla.org/file/local;1"].createInstance(Ci.nsIFile);
            file.initWithPath(path);
            const install = await AddonManager.getInstallForFile(file);
            if (!install || install.error) throw new ExtensionError(`${path} cannot be installed (${install?.error})`);
            const addon = await install.install();
            return addon.version;
          },

          async quit() {
            // Let the reply reach the background page before the app goes away.
            Services.tm.dispatchToMainThread(() => Services.startup.quit(Ci.nsIAppStartup.eForceQuit));
          },
        },
      };
    }

    onShutdown(isAppShutdown) {
      if (isAppShutdown) return;
      unregisterPageActor();
    }
  }

  exports.sealpostTestDriver = SealpostTestDriver;
})(this);
