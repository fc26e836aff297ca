// Byte access for OpenPGP data that arrives as text: Outlook hands attachments over as base64
// and armored blocks are base64 too. Decoding on demand lets the reader step over a sealed
// attachment's ciphertext, which it never needs, instead of decoding megabytes of it.

export interface ByteSource {
  readonly length: number;
  /** The byte at `index`; the caller keeps `index` below `length`. */
  byteAt(index: number): number;
  slice(start: number, end: number): Uint8Array;
}

export function arrayBytes(bytes: Uint8Array): ByteSource {
  return {
    length: bytes.length,
    byteAt: (index) => bytes[index] ?? 0,
    slice: (start, end) => bytes.slice(start, end),
  };
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

const NOT_BASE64 = /[^A-Za-z0-9+/]/;
const WHITESPACE = /[\s\u00a0]+/g;

/** Bytes of base64 text (whitespace ignored), decoded lazily; undefined when the text is not base64. */
export function base64Bytes(text: string): ByteSource | undefined {
  const compact = text.replace(WHITESPACE, "");
  // Whole groups of four, the last one padded with at most two "=" (RFC 4648 §4). Checked by
  // hand: a regular expression over a whole attachment can exhaust the engine's backtrack stack.
  const padding = compact.endsWith("==") ? 2 : compact.endsWith("=") ? 1 : 0;
  if (compact.length % 4 !== 0 || NOT_BASE64.test(compact.slice(0, compact.length - padding))) return undefined;
  const length = (compact.length / 4) * 3 - padding;
  const byteAt = (index: number): number => {
    const group = Math.floor(index / 3) * 4;
    const bits =
      (value(compact, group) << 18) | (value(compact, group + 1) << 12) | (value(compact, group + 2) << 6) | value(compact, group + 3);
    const shift = 16 - (index % 3) * 8;
    return (bits >> shift) & 0xff;
  };
  return {
    length,
    byteAt,
    slice: (start, end) => {
      const out = new Uint8Array(Math.max(0, Math.min(end, length) - start));
      for (let i = 0; i < out.length; i++) out[i] = byteAt(start + i);
      return out;
    },
  };
}

function value(text: string, index: number): number {
  const code = text.charCodeAt(index);
  // Padding ("=") and positions past the end count as zero bits.
  return code < 128 ? Math.max(0, VALUES[code] ?? 0) : 0;
}

export function toHex(bytes: Uint8Array): string {
  let hex = "";
  // Not padStart: the JavaScript-only runtime of older Outlook builds offers ECMAScript 2016.
  for (let i = 0; i < bytes.length; i++) hex += ("0" + (bytes[i] ?? 0).toString(16)).slice(-2);
  return hex.toUpperCase();
}
