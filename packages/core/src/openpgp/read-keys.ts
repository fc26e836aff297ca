// Reads public keys that a user imports or a directory serves, with openpgp.js, and judges each:
// usable, or refused with a stable code and a message that says why.
import type { KeyRead } from "./key-info.js";

export interface ReadKeysOptions {
  /** The moment validity is judged at; now by default. */
  readonly now?: Date;
}

/** Every key in `input` (armored, possibly several blocks, or binary), each judged on its own. */
export function readPublicKeys(input: string | Uint8Array, options: ReadKeysOptions = {}): Promise<KeyRead[]> {
  void input;
  void options;
  return Promise.reject(new Error("readPublicKeys is not implemented yet"));
}
