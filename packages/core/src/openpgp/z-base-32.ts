// z-base-32 (Zooko's human-oriented base-32), the encoding WKD uses for the hashed local part
// (draft-koch-openpgp-webkey-service §3.1). No well-kept package ships it alone; it is a few lines.

const ALPHABET = "ybndrfg8ejkmcpqxot1uwisza345h769";

/** z-base-32 of `bytes`, most significant bit first, the last group zero-padded, no padding characters. */
export function zBase32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >> (bits - 5)) & 31] ?? "";
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31] ?? "";
  return out;
}
