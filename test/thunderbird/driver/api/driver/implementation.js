// Test-only Experiment of the Sealpost test driver: the few things the WebExtension APIs do not
// reach (the control URL pref, every window, clicks inside another extension's page, quitting).
"use strict";

(function (exports) {
  const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
  const { ExtensionError } = ChromeUtils.importESModule("resource://gre/modules/ExtensionUtils.sys.mjs").ExtensionUtils;

  const RESOURCE_HOST = "sealpost-test-driver";
  const ACTOR_NAME = "SealpostTestDriverPage";
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

  // Every <browser> in a chrome document, descending into same-process chrome browsers (the mail
  // tab's about:3pane is one) where further browsers may live.
  function* browsersIn(document) {
    for (const browser of document.querySelectorAll("browser")) {
      yield browser;
      const inner = browser.isRemoteBrowser ? null : browser.contentDocument;
      if (inner && inner.documentURI.startsWith("chrome:") && inner !== document) yield* browsersIn(inner);
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

          async queryExtensionPage(urlPrefix, selector, action) {
            const seen = [];
            for (const window of allWindows()) {
              for (const browser of browsersIn(window.document)) {
                const url = pageUrlOf(browser);
                if (url.startsWith("moz-extension:")) seen.push(url);
                if (!url.startsWith(urlPrefix)) continue;
                const windowGlobal = browser.browsingContext?.currentWindowGlobal;
                if (!windowGlobal) continue;
                const answer = await windowGlobal.getActor(ACTOR_NAME).sendQuery("query", { selector, action });
                return { page: url, pages: seen, ...answer };
              }
            }
            return { page: null, pages: seen, found: false };
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
