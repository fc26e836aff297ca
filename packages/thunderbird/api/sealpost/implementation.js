/* This Source Code Form is subject to the terms of the Mozilla Public License, v. 2.0. */
// Sealpost's Experiment: the one place that reads Thunderbird's account internals. It only
// reports what is configured; deciding whether that is secure is left to Sealpost's core.
"use strict";

// Globals of Thunderbird's privileged scope (ChromeUtils, Ci, Services) are declared in eslint.config.js.
// eslint-disable-next-line no-redeclare -- the Experiment scope may or may not predefine it
var { ExtensionCommon } = ChromeUtils.importESModule("resource://gre/modules/ExtensionCommon.sys.mjs");
var { ExtensionUtils } = ChromeUtils.importESModule("resource://gre/modules/ExtensionUtils.sys.mjs");

var sealpost = class extends ExtensionCommon.ExtensionAPI {
  getAPI() {
    const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");

    // nsIMsgOutgoingServer and nsIMsgIncomingServer expose different attribute names; every
    // read is guarded so that one missing attribute yields a partial answer, not an exception.
    const read = (fn) => {
      try {
        const value = fn();
        return value === null || value === undefined || value === "" ? undefined : value;
      } catch {
        return undefined;
      }
    };

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

    const describeIncoming = (server) => ({
      type: String(read(() => server.type) ?? "unknown"),
      // nsIMsgIncomingServer.hostName became hostname in Thunderbird 153.
      host: read(() => server.hostname) ?? read(() => server.hostName),
      port: read(() => server.port),
      socketType: read(() => server.socketType),
      authMethod: read(() => server.authMethod),
      url: read(() => server.serverURI),
    });

    const sentCopyServer = (identity) => {
      const uri = identity.fccFolderURI;
      if (!uri) throw new Error("the identity saves a Sent copy but names no folder");
      // getFolderForURL answers null for a folder not looked at yet in this session;
      // getOrCreateFolderForURL finds it (without creating anything on the server).
      const folder = read(() => MailServices.folderLookup.getOrCreateFolderForURL(uri));
      const server = folder ? folder.server : undefined;
      if (!server) throw new Error(`the Sent folder ${uri} belongs to no account`);
      return server;
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

        async getIncomingServer(accountId) {
          const account = MailServices.accounts.getAccount(accountId);
          if (!account || !account.incomingServer) throw new ExtensionUtils.ExtensionError(`unknown account ${accountId}`);
          return describeIncoming(account.incomingServer);
        },
      },
    };
  }

  onShutdown(isAppShutdown) {
    if (isAppShutdown) return;
    // Experiments are cached by the startup cache; flushing it lets an updated add-on load its new code.
    Services.obs.notifyObservers(null, "startupcache-invalidate");
  }
};
