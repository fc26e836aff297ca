// The only module that talks to Thunderbird: standard WebExtension APIs through
// webextension-polyfill, Thunderbird's own namespaces and Sealpost's Experiment through the
// same object. Everything else receives these functions as a `Host` and is tested with fakes.
import browser from "webextension-polyfill";
import type {
  ComposeDetails,
  Delivery,
  DeliveryVerdict,
  EncryptionTechnology,
  MailIdentity,
  ParsedMailbox,
  SendingRoute,
  ServerInfo,
  Tab,
} from "./thunderbird-types.js";

interface ThunderbirdNamespaces {
  readonly compose: {
    readonly onBeforeSend: {
      addListener(listener: (tab: Tab, details: ComposeDetails) => Promise<BeforeSendResult | undefined>): void;
    };
    getComposeDetails(tabId: number): Promise<ComposeDetails>;
    setComposeDetails(tabId: number, details: Partial<ComposeDetails>): Promise<void>;
  };
  readonly identities: { get(identityId: string): Promise<MailIdentity | null> };
  readonly messengerUtilities: {
    parseMailboxString(text: string, options: { preserveGroups?: boolean; expandMailingLists?: boolean }): Promise<ParsedMailbox[]>;
  };
  readonly addressBooks: { readonly mailingLists: { get(id: string): Promise<{ name: string }> } };
  readonly sealpost: {
    getSendingRoute(identityId: string): Promise<SendingRoute>;
    getIncomingServer(accountId: string): Promise<ServerInfo>;
    getRecipientKeys(addresses: string[]): Promise<Record<string, string[]>>;
    getPrimaryFingerprints(keyIds: string[]): Promise<Record<string, string>>;
    readonly onDelivery: { addListener(listener: (delivery: Delivery) => Promise<DeliveryVerdict>): void };
  };
}

const thunderbird = browser as unknown as typeof browser & ThunderbirdNamespaces;

/** Everything the background needs from Thunderbird, as plain async functions. */
export interface Host {
  getComposeDetails(tabId: number): Promise<ComposeDetails>;
  setEncryption(tabId: number, technology: EncryptionTechnology): Promise<void>;
  getIdentity(identityId: string): Promise<MailIdentity | null>;
  /** Parses an address field the way Thunderbird does, with address-book mailing lists expanded. */
  expandMailingLists(text: string): Promise<ParsedMailbox[]>;
  mailingListName(nodeId: string): Promise<string>;
  getSendingRoute(identityId: string): Promise<SendingRoute>;
  getIncomingServer(accountId: string): Promise<ServerInfo>;
  /** For each address, the fingerprints of the OpenPGP keys Thunderbird would encrypt to. */
  getRecipientKeys(addresses: string[]): Promise<Record<string, string[]>>;
  /** For OpenPGP key ids (primary or subkey), the primary key's fingerprint where Thunderbird knows the key. */
  getPrimaryFingerprints(keyIds: string[]): Promise<Record<string, string>>;
  uiLanguage(): string;
}

export const thunderbirdHost: Host = {
  getComposeDetails: (tabId) => thunderbird.compose.getComposeDetails(tabId),
  setEncryption: (tabId, technology) => thunderbird.compose.setComposeDetails(tabId, { selectedEncryptionTechnology: technology }),
  getIdentity: (identityId) => thunderbird.identities.get(identityId),
  expandMailingLists: (text) =>
    thunderbird.messengerUtilities.parseMailboxString(text, { preserveGroups: false, expandMailingLists: true }),
  mailingListName: async (nodeId) => (await thunderbird.addressBooks.mailingLists.get(nodeId)).name,
  getSendingRoute: (identityId) => thunderbird.sealpost.getSendingRoute(identityId),
  getIncomingServer: (accountId) => thunderbird.sealpost.getIncomingServer(accountId),
  getRecipientKeys: (addresses) => thunderbird.sealpost.getRecipientKeys(addresses),
  getPrimaryFingerprints: (keyIds) => thunderbird.sealpost.getPrimaryFingerprints(keyIds),
  uiLanguage: () => browser.i18n.getUILanguage(),
};

/** What an onBeforeSend listener may answer: cancel the send, or change the message before it goes. */
export interface BeforeSendResult {
  readonly cancel?: boolean;
  readonly details?: { readonly selectedEncryptionTechnology?: EncryptionTechnology };
}

export function onBeforeSend(listener: (tab: Tab, details: ComposeDetails) => Promise<BeforeSendResult | undefined>): void {
  thunderbird.compose.onBeforeSend.addListener(listener);
}

/** Sealpost's Experiment asks this listener about every message just before it reaches the outgoing server. */
export function onDelivery(listener: (delivery: Delivery) => Promise<DeliveryVerdict>): void {
  thunderbird.sealpost.onDelivery.addListener(listener);
}

export { browser };
