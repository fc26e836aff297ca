// Which keys an OpenPGP message is encrypted to, read from its session-key packets without
// decrypting: the same reader the Outlook send check uses, so both agree.

/** Key ids (16 upper-case hex) the message's PKESK packets name; throws a clear Error for data that is not an encrypted OpenPGP message. */
export function encryptedTo(data: string | Uint8Array): string[] {
  void data;
  throw new Error("encryptedTo is not implemented yet");
}
