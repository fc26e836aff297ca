// What classic Outlook's JavaScript-only runtime may lack and the bundle needs, installed only
// where missing and imported before anything else: the built-in methods newer than ECMAScript
// 2016 that core and its dependencies call (Outlook before build 2403 offers ES2016), and a
// UTF-8 TextEncoder and TextDecoder, which core's MIME word decoder (postal-mime) makes at load
// time in a runtime that is no browser. Object.getOwnPropertyDescriptors is in prelude.js.

interface DecoderOptions {
  readonly fatal?: boolean;
  readonly ignoreBOM?: boolean;
}

class Utf8Encoder {
  readonly encoding = "utf-8";

  encode(input = ""): Uint8Array {
    const bytes: number[] = [];
    for (let i = 0; i < input.length; i++) {
      let code = input.charCodeAt(i);
      const next = input.charCodeAt(i + 1);
      if (code >= 0xd800 && code < 0xdc00 && next >= 0xdc00 && next < 0xe000) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else if (code >= 0xd800 && code < 0xe000) {
        code = 0xfffd;
      }
      if (code < 0x80) bytes.push(code);
      else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
      else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
      else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    }
    return new Uint8Array(bytes);
  }
}

class Utf8Decoder {
  readonly encoding = "utf-8";
  private readonly ignoreBOM: boolean;

  constructor(label = "utf-8", options: DecoderOptions = {}) {
    // Other encodings are refused as a browser refuses an unknown label; callers fall back.
    if (!/^\s*(utf-?8|unicode-1-1-utf-8)\s*$/i.test(label)) throw new RangeError(`the encoding "${label}" is not supported`);
    this.ignoreBOM = options.ignoreBOM === true;
  }

  decode(input?: ArrayBuffer | ArrayBufferView): string {
    if (input === undefined) return "";
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    let text = "";
    let i = !this.ignoreBOM && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    while (i < bytes.length) {
      const byte = bytes[i] ?? 0;
      const size =
        byte < 0x80 ? 1 : byte >= 0xf0 && byte < 0xf5 ? 4 : byte >= 0xe0 && byte < 0xf0 ? 3 : byte >= 0xc2 && byte < 0xe0 ? 2 : 0;
      let code = size === 1 ? byte : size === 2 ? byte & 0x1f : size === 3 ? byte & 0x0f : byte & 0x07;
      let valid = size > 0 && i + size <= bytes.length;
      for (let k = 1; valid && k < size; k++) {
        const continuation = bytes[i + k] ?? 0;
        if ((continuation & 0xc0) !== 0x80) valid = false;
        code = (code << 6) | (continuation & 0x3f);
      }
      if (
        !valid ||
        (size === 3 && (code < 0x800 || (code >= 0xd800 && code < 0xe000))) ||
        (size === 4 && (code < 0x10000 || code > 0x10ffff))
      ) {
        text += "\ufffd";
        i += 1;
        continue;
      }
      text +=
        code < 0x10000
          ? String.fromCharCode(code)
          : String.fromCharCode(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
      i += size;
    }
    return text;
  }
}

// Non-enumerable, as the built-ins are: an enumerable method on Array.prototype would show up
// in every for-in loop over an array.
function define(target: object, name: string, value: unknown): void {
  if (typeof (target as Record<string, unknown>)[name] === "function") return;
  Object.defineProperty(target, name, { configurable: true, writable: true, value });
}

// The ones the bundle calls, found by searching it; runtime.test.ts runs it without them.
define(Object, "entries", (object: object) => Object.keys(object).map((key) => [key, (object as Record<string, unknown>)[key]]));
define(Object, "hasOwn", (object: object, key: PropertyKey) => Object.prototype.hasOwnProperty.call(Object(object), key));
define(String.prototype, "trimStart", function (this: string) {
  return String(this).replace(/^[\s\uFEFF\xA0]+/, "");
});
define(String.prototype, "replaceAll", function (this: string, search: string | RegExp, replacement: string | ((match: string) => string)) {
  if (search instanceof RegExp) {
    if (!search.global) throw new TypeError("replaceAll must be called with a global RegExp");
    return String(this).replace(search, replacement as string);
  }
  const pattern = new RegExp(String(search).replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g");
  return String(this).replace(pattern, replacement as string);
});
define(Array.prototype, "flatMap", function <T, U>(this: T[], map: (value: T, index: number, array: T[]) => U | U[], thisArg?: unknown) {
  const out: U[] = [];
  for (let i = 0; i < this.length; i++) {
    const mapped = map.call(thisArg, this[i] as T, i, this);
    if (Array.isArray(mapped)) out.push(...mapped);
    else out.push(mapped);
  }
  return out;
});

// prelude.js provides `globalThis` where the runtime predates it (ECMAScript 2020).
const root = (typeof globalThis !== "undefined" ? globalThis : undefined) as unknown as Record<string, unknown> | undefined;
if (root !== undefined) {
  if (typeof root.TextEncoder !== "function") root.TextEncoder = Utf8Encoder;
  if (typeof root.TextDecoder !== "function") root.TextDecoder = Utf8Decoder;
}

export {};
