// Seals a message for Outlook, which cannot build PGP/MIME: the body becomes one armored OpenPGP
// message (inline PGP) and each attachment a binary OpenPGP message named NAME.pgp.
import type { KeyInfo } from "./key-info.js";

export interface SealAttachment {
  readonly name: string;
  readonly contentType: string;
  readonly content: Uint8Array;
}

export interface SealInput {
  readonly subject: string;
  readonly body: { readonly type: "text" | "html"; readonly content: string };
  readonly attachments: readonly SealAttachment[];
  /**
   * Every recipient's key that is known, protected recipients or not: the message is encrypted
   * to all of them, so each recipient can read it. The caller must refuse to seal while a
   * protected recipient has no key; sealMessage cannot tell who is protected.
   */
  readonly keys: readonly KeyInfo[];
  /** Replace the subject with a neutral one; the real one travels inside the encrypted body. */
  readonly protectSubject?: { readonly neutralSubject: string };
}

export interface Sealed {
  readonly subject: string;
  /** The armored OpenPGP message that becomes the whole body (as plain text). */
  readonly body: string;
  readonly attachments: readonly SealAttachment[];
}

export function sealMessage(input: SealInput): Promise<Sealed> {
  void input;
  return Promise.reject(new Error("sealMessage is not implemented yet"));
}
