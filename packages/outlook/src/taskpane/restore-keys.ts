// The restore key behind Unseal, with openpgp.js: a fresh Curve25519 key per seal, whose secret
// half stays in the item's sessionData; the original body is kept encrypted (and compressed) to it.
import { readPublicKeys } from "@sealpost/core/openpgp";
import { createMessage, decrypt, encrypt, enums, generateKey, readKey, readMessage, readPrivateKey } from "openpgp";
import type { RestoreKeys } from "./seal-flow.js";

export const restoreKeys: RestoreKeys = {
  create: async () => {
    const { privateKey, publicKey } = await generateKey({
      type: "curve25519",
      userIDs: [{ name: "Sealpost restore key (kept only until the message is sent)" }],
      format: "armored",
    });
    const [read] = await readPublicKeys(publicKey);
    if (read === undefined || !read.ok)
      throw new Error(`the new restore key cannot be read back (${read?.ok === false ? read.problem.message : "no key"})`);
    return { key: read.key, secret: privateKey };
  },
  lock: async (key, data) => {
    // openpgp.js types its result through @openpgp/web-stream-tools, which it does not ship: named here.
    const encrypted = (await encrypt({
      message: await createMessage({ binary: data }),
      encryptionKeys: await readKey({ armoredKey: key.armored }),
      format: "binary",
      config: { preferredCompressionAlgorithm: enums.compression.zlib },
    })) as unknown as Uint8Array;
    return encrypted;
  },
  open: async (secret, sealed) => {
    const decryptionKeys = await readPrivateKey({ armoredKey: secret });
    const message =
      typeof sealed === "string" ? await readMessage({ armoredMessage: sealed }) : await readMessage({ binaryMessage: sealed });
    const { data } = (await decrypt({ message, decryptionKeys, format: "binary" })) as unknown as { data: Uint8Array };
    return data;
  },
};
