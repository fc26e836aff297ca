// The slice of Thunderbird's WebExtension APIs Sealpost uses, typed from Thunderbird 153's own
// schemas (compose.json, identities.json, messengerUtilities.json); the published @types stop at 127.

export type ComposeRecipient = string | { readonly id?: string; readonly nodeId?: string; readonly type: "contact" | "mailingList" };
export type ComposeRecipientList = ComposeRecipient | readonly ComposeRecipient[];

export interface EncryptionTechnology {
  readonly name: "OpenPGP" | "S/MIME";
  readonly encryptBody?: boolean;
  readonly encryptSubject?: boolean;
  readonly signMessage?: boolean;
}

export interface ComposeDetails {
  readonly identityId?: string;
  readonly from?: ComposeRecipient;
  readonly to?: ComposeRecipientList;
  readonly cc?: ComposeRecipientList;
  readonly bcc?: ComposeRecipientList;
  readonly subject?: string;
  readonly selectedEncryptionTechnology?: EncryptionTechnology;
  /**
   * This message's own Sent copy, as Manifest V3 reports it (ext-compose.js): a MailFolder id
   * ("<accountId>:/<path>"), "" for no copy, absent for the identity's default. The MV2 fields
   * overrideDefaultFcc/overrideDefaultFccFolder are not given to an MV3 add-on.
   */
  readonly overrideDefaultFccFolderId?: string;
  /** A second copy of this message, as a MailFolder id. */
  readonly additionalFccFolderId?: string;
}

export interface Tab {
  readonly id?: number;
  readonly windowId?: number;
  readonly type?: string;
}

export interface MailIdentity {
  readonly id: string;
  readonly email: string;
  readonly accountId?: string;
  readonly encryptionCapabilities?: {
    readonly OpenPGP?: { readonly canEncrypt: boolean; readonly canSign: boolean };
    readonly "S/MIME"?: { readonly canEncrypt: boolean; readonly canSign: boolean };
  };
}

export interface ParsedMailbox {
  readonly name?: string;
  readonly email?: string;
  readonly group?: readonly ParsedMailbox[];
}

/** What Sealpost's Experiment (api/sealpost) reports. */
export interface ServerInfo {
  readonly type: string;
  readonly host?: string;
  readonly port?: number;
  readonly socketType?: number;
  readonly authMethod?: number;
  readonly url?: string;
}

export interface SendingRoute {
  readonly outgoing?: ServerInfo;
  readonly outgoingProblem?: string;
  readonly sentCopy?: ServerInfo;
  readonly sentCopyProblem?: string;
  readonly savesSentCopy: boolean;
}

/** What the Experiment reports about a message about to be delivered (see api/sealpost/schema.json). */
export interface Delivery {
  readonly identityId?: string;
  readonly from?: string;
  readonly to?: string;
  readonly cc?: string;
  readonly bcc?: string;
  readonly subject?: string;
  readonly mode: string;
  readonly head: string;
  readonly size: number;
  /** The servers this message's copies go to after delivery, as Thunderbird decided them for this message. */
  readonly sentCopies?: readonly ServerInfo[];
}

export interface DeliveryVerdict {
  readonly allow: boolean;
  readonly message?: string;
}
