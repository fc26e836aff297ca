// A fake of the add-on's Host port: Thunderbird's answers as data, and failures or hangs on demand.
import type { Host } from "../../packages/thunderbird/src/host/thunderbird-api.js";
import type {
  ComposeDetails,
  MailIdentity,
  ParsedMailbox,
  SendingRoute,
  ServerInfo,
} from "../../packages/thunderbird/src/host/thunderbird-types.js";

export interface FakeHostOptions {
  details?: ComposeDetails;
  route?: SendingRoute | Error | "hang";
  identity?: MailIdentity | null | "hang";
  lists?: Record<string, { name: string; email?: string }[]>;
  incoming?: Record<string, ServerInfo>;
  language?: string;
  recipientKeys?: Record<string, string[]> | Error;
  /** Key id (upper case) to primary fingerprint, as Thunderbird's key ring answers. */
  primaryFingerprints?: Record<string, string>;
}

export const smtp = (socketType: number, port = 587): ServerInfo => ({
  type: "smtp",
  host: "smtp.example.org",
  port,
  socketType,
  authMethod: 3,
});

export function fakeHost(options: FakeHostOptions = {}): Host & { encryptionSet: unknown[] } {
  const encryptionSet: unknown[] = [];
  return {
    encryptionSet,
    getComposeDetails: () => Promise.resolve(options.details ?? {}),
    setEncryption: (tabId, technology) => {
      encryptionSet.push({ tabId, technology });
      return Promise.resolve();
    },
    getIdentity: () =>
      options.identity === "hang"
        ? new Promise<MailIdentity | null>(() => undefined)
        : Promise.resolve(
            options.identity === undefined
              ? { id: "id1", email: "alice@example.org", encryptionCapabilities: { OpenPGP: { canEncrypt: true, canSign: true } } }
              : options.identity,
          ),
    expandMailingLists: (text) => {
      const name = text.replace(/\s*<[^>]*>\s*$/, "");
      const members = options.lists?.[name];
      const result: ParsedMailbox[] = members === undefined ? [{ name, email: name }] : members;
      return Promise.resolve(result);
    },
    mailingListName: (nodeId) => Promise.resolve(nodeId),
    getSendingRoute: () => {
      const route = options.route ?? { outgoing: smtp(3, 465), savesSentCopy: false };
      if (route === "hang") return new Promise<SendingRoute>(() => undefined);
      return route instanceof Error ? Promise.reject(route) : Promise.resolve(route);
    },
    getIncomingServer: (accountId) => {
      const server = options.incoming?.[accountId];
      return server === undefined ? Promise.reject(new Error(`unknown account ${accountId}`)) : Promise.resolve(server);
    },
    getRecipientKeys: (addresses) => {
      const keys = options.recipientKeys;
      if (keys instanceof Error) return Promise.reject(keys);
      return Promise.resolve(Object.fromEntries(addresses.map((address) => [address, keys?.[address] ?? []])));
    },
    getPrimaryFingerprints: (keyIds) =>
      Promise.resolve(
        Object.fromEntries(
          keyIds.flatMap((id) => (options.primaryFingerprints?.[id] === undefined ? [] : [[id, options.primaryFingerprints[id]]])),
        ),
      ),
    uiLanguage: () => options.language ?? "en-US",
  };
}
