// base64 to bytes and back, as Outlook hands attachments over; strict, so that a damaged answer
// is refused instead of decoded into other bytes.

const STRICT = /^[A-Za-z0-9+/]*={0,2}$/;

export function fromBase64(text: string, what: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  if (clean.length % 4 !== 0 || !STRICT.test(clean)) throw new Error(`${what} is not base64`);
  const binary = atob(clean);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  // In slices: String.fromCharCode with millions of arguments overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
