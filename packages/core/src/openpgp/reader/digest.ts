// SHA-1 and SHA-256, only to compute OpenPGP key fingerprints: a v4 fingerprint is SHA-1 (RFC
// 4880 §12.2), a v6 one SHA-256 (RFC 9580 §5.5.4). Outlook's JavaScript-only runtime has no
// WebCrypto, so they come from @noble/hashes (audited, pure JavaScript, lowers to ES2016).
import { sha1 as nobleSha1 } from "@noble/hashes/legacy.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

export function sha1(message: Uint8Array): Uint8Array {
  return nobleSha1(message);
}

export function sha256(message: Uint8Array): Uint8Array {
  return nobleSha256(message);
}
