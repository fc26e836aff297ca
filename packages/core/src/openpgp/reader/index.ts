// Entry "@sealpost/core/openpgp/reader": a small OpenPGP packet reader with no openpgp.js, for the
// send check in Outlook's JavaScript-only runtime (no BigInt, no WebCrypto) and for `encryptedTo`.
export { readArmor, startsArmored, type Armor } from "./armor.js";
export { arrayBytes, base64Bytes, toHex, type ByteSource } from "./bytes.js";
export { sha1, sha256 } from "./digest.js";
export { readArmoredKeyNames, readKeyNames, type KeyName, type PublicKeyInfo, type PublicKeys, type SubkeyName } from "./key-names.js";
export { inspectEncryptedMessage, type EncryptedMessage, type KeyRef, type MessageProblem } from "./message.js";
export { readPackets, packetBody, PacketError, TAG, type Packet } from "./packets.js";
