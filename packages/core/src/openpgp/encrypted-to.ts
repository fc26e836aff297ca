// Which keys an OpenPGP message is encrypted to, read from its session-key packets without
// decrypting: the same reader the Outlook send check uses, so both agree.
import { readArmor } from "./reader/armor.js";
import { arrayBytes, type ByteSource } from "./reader/bytes.js";
import { inspectEncryptedMessage } from "./reader/message.js";

const ARMOR_START = /^\s*-----BEGIN PGP /;

/**
 * Key ids (16 upper-case hex, in packet order, without repeats) that the message's PKESK packets
 * name, armored or binary. Throws an Error saying why for anything that is not wholly an
 * encrypted OpenPGP message: plain data, a signed-only or literal message, text beside the armor,
 * data without integrity protection, packets after the encrypted data.
 */
export function encryptedTo(data: string | Uint8Array): string[] {
  const source = bytesOf(data);
  const message = inspectEncryptedMessage(source);
  if (!message.ok) throw new Error(`not an encrypted OpenPGP message (${message.problem}): ${message.detail}`);
  const ids = message.recipients.map((ref) => ref.keyId);
  return ids.filter((id, index) => ids.indexOf(id) === index);
}

function bytesOf(data: string | Uint8Array): ByteSource {
  const text = typeof data === "string" ? data : ARMOR_START.test(asciiPrefix(data)) ? asciiText(data) : undefined;
  if (text === undefined) return arrayBytes(data as Uint8Array);
  const armor = readArmor(text);
  if (!armor.ok) throw new Error(`not an encrypted OpenPGP message: ${armor.reason}`);
  if (armor.label !== "PGP MESSAGE") throw new Error(`not an encrypted OpenPGP message: the armored block is a ${armor.label}`);
  // Text outside the block travels as readable as any plaintext.
  if (armor.textOutside) throw new Error("not only an encrypted OpenPGP message: there is readable text outside the armored block");
  return armor.data;
}

function asciiPrefix(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes.subarray(0, 64));
}

function asciiText(bytes: Uint8Array): string {
  let text = "";
  // In slices: String.fromCharCode with a huge argument list overflows the stack.
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return text;
}
