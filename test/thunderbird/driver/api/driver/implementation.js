// Test-only Experiment of the Sealpost test driver: the few things the WebExtension APIs do not
// reach (the control URL pref, every window, another extension's pages and options, OpenPGP keys,
// quitting).
"use strict";

(function (exports) {
  const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
  const { SessionStoreManager } = ChromeUtils.importESModule("resource:///modules/SessionStoreManager.sys.mjs");
  const { ExtensionError } = ChromeUtils.importESModule("resource://gre/modules/ExtensionUtils.sys.mjs").ExtensionUtils;
  const { setTimeout } = ChromeUtils.importESModule("resource://gre/modules/Timer.sys.mjs");

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
