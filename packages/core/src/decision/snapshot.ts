// What a host adapter gathers about the message being sent: the input to `evaluate`.
import type { RecipientKind } from "../address/recipients.js";

export interface RecipientInput {
  /** The recipient as the host gives it: an address, "Name <addr>", or several in one string. */
  readonly text: string;
  readonly kind: RecipientKind;
  /** For a list member, the list it was expanded from. */
  readonly list?: string;
}

/**
 * Only implicit TLS and *required* STARTTLS protect the submission; opportunistic STARTTLS
 * ("STARTTLS if available") can be stripped by anyone on the path.
 */
export type SmtpSecurity = "plain" | "opportunistic-starttls" | "starttls" | "tls";

export type Transport =
  | { readonly kind: "smtp"; readonly security: SmtpSecurity; readonly host?: string; readonly port?: number }
  /** An IMAP upload, such as the copy saved to "Sent" on the server; the same TLS rules apply. */
  | { readonly kind: "imap"; readonly security: SmtpSecurity; readonly host?: string; readonly port?: number }
  | { readonly kind: "https"; readonly host?: string }
  | { readonly kind: "unknown"; readonly reason: string };

export type EncryptionState =
  | { readonly kind: "none" }
  | {
      readonly kind: "openpgp";
      /**
       * The keys the message is encrypted to, where the host can tell: fingerprints or key ids
       * (hex) of the *primary* keys. A message's PKESK packets name encryption subkeys; the
       * adapter maps each to its primary key, because policies pin primary fingerprints.
       */
      readonly keyIds?: readonly string[];
      readonly subject?: boolean;
    }
  | { readonly kind: "smime" }
  | { readonly kind: "label"; readonly id: string; readonly name?: string };

export interface ComposeSnapshot {
  readonly recipients: readonly RecipientInput[];
  /** How the sending account submits the message. */
  readonly transport: Transport;
  /** Where a copy for "Sent" is uploaded over the network (IMAP), when it is. */
  readonly sentCopy?: Transport;
  readonly encryption: EncryptionState;
  /**
   * The OpenPGP keys the host would encrypt to for each recipient (primary fingerprints, by
   * address with the local part lower-cased), where the host can tell before encrypting.
   * Checked against pinned keys when the encryption state carries no key ids of its own.
   */
  readonly recipientKeys?: Readonly<Record<string, readonly string[]>>;
  /** The sender's address; used to tell internal from external mail when the policy is unavailable. */
  readonly sender?: string;
  /** The user's language (BCP 47), for the texts in the decision. */
  readonly locale?: string;
}

/** Stands in for the policy when it could not be loaded or is invalid: fails closed. */
export interface PolicyUnavailable {
  readonly kind: "unavailable";
  readonly reason: string;
}
