// Entry "@sealpost/core/openpgp": OpenPGP for the task pane and tests, built on openpgp.js. Kept
// apart from "@sealpost/core" so that `evaluate` and Outlook's launch-event bundle never load it.
export { KEY_PROBLEM_CODES, type KeyInfo, type KeyProblem, type KeyProblemCode, type KeyRead } from "./key-info.js";
export { readPublicKeys, type ReadKeysOptions } from "./read-keys.js";
export {
  KeySourceError,
  type AbortSignalLike,
  type FetchInit,
  type FetchLike,
  type FetchResponse,
  type KeySource,
  type LookupFailureCode,
} from "./key-source.js";
export { WKD_ADVANCED_TIMEOUT_MS, wkdSource, wkdUrls, type WkdUrls } from "./wkd.js";
export { zBase32 } from "./z-base-32.js";
export { keysOpenpgpOrgSource } from "./vks.js";
export { importedKeysSource } from "./imported-keys.js";
export { createKeyFinder, type KeyFinder, type KeyFinderOptions, type KeyLookup, type LookupAttempt } from "./key-finder.js";
export { sealMessage, type SealInput, type SealAttachment, type Sealed } from "./seal.js";
export { encryptedTo } from "./encrypted-to.js";
