// Security regressions: a pinned armored key whose own signatures revoke a subkey, let it expire
// or keep it from encrypting. A sender's tool holding a stale copy of the key still encrypts to
// that subkey; the send check must not count it as the pinned key.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as openpgp from "openpgp";
import { readArmoredKeyNames } from "@sealpost/core/openpgp/reader";
import { BANK, policyText, testPolicy } from "./fixture-helpers.js";
import { notes, runSend } from "./handler-helpers.js";

const TLS = { accountType: "office365" } as const;
const DAY = 86_400;

interface Stale {
  /** The key as the policy pins it now. */
  readonly pinned: string;
  /** Encrypted to the old subkey, as a tool holding the stale copy would. */
  readonly toOld: string;
  /** Encrypted to the subkey that is still good. */
  readonly toNew: string;
}

async function staleKey(change: "revoke" | "expire" | "sign-only"): Promise<Stale> {
  const created = new Date(Date.now() - 10 * DAY * 1000);
  const { privateKey } = await openpgp.generateKey({
    userIDs: [{ email: BANK }],
    type: "curve25519",
    date: created,
    format: "object",
  });
  let key = await privateKey.addSubkey({ date: created });
  const stale = key.toPublic();
  const [oldSubkey] = key.subkeys;
  assert.ok(oldSubkey);
  const oldId = oldSubkey.getKeyID();
  const newId = key.subkeys[1]?.getKeyID();
  assert.ok(newId);
  if (change === "revoke") {
    key.subkeys[0] = await oldSubkey.revoke(key.keyPacket as openpgp.SecretKeyPacket, {
      flag: openpgp.enums.reasonForRevocation.keyCompromised,
    });
  } else {
    // A later binding of the old subkey replaces the first: expired two days ago, or signing only.
    key = await rebindOld(key, oldId, change);
  }
  const pinned = key.toPublic().armor();
  const encrypt = async (id: openpgp.KeyID): Promise<string> =>
    (await openpgp.encrypt({
      message: await openpgp.createMessage({ text: "Payment run 42" }),
      encryptionKeys: stale,
      encryptionKeyIDs: [id],
      date: created,
      format: "armored",
    })) as string;
  return { pinned, toOld: await encrypt(oldId), toNew: await encrypt(newId) };
}

interface RawSignature {
  signatureType: number;
  publicKeyAlgorithm: number;
  hashAlgorithm: number;
  keyFlags: number[];
  keyExpirationTime: number;
  keyNeverExpires: boolean;
  issuerKeyID: openpgp.KeyID;
  issuerFingerprint: Uint8Array | null;
  sign(key: unknown, data: unknown, date: Date, detached: boolean, config: openpgp.Config): Promise<void>;
}

// Builds the key again with the old subkey's binding replaced by one that expires or only signs.
async function rebindOld(key: openpgp.PrivateKey, oldId: openpgp.KeyID, change: "expire" | "sign-only"): Promise<openpgp.PrivateKey> {
  const packets = key.toPacketList();
  const list = new openpgp.PacketList<openpgp.AnyPacket>();
  let inOld = false;
  for (const packet of packets) {
    if (packet instanceof openpgp.SecretSubkeyPacket || packet instanceof openpgp.PublicSubkeyPacket) {
      inOld = packet.getKeyID().equals(oldId);
      list.push(packet);
      if (inOld) {
        // openpgp.js's typings lag its packet API (keyFlags is an array of flag bytes, sign takes a config).
        const signature = new openpgp.SignaturePacket() as unknown as RawSignature;
        signature.signatureType = openpgp.enums.signature.subkeyBinding;
        signature.publicKeyAlgorithm = key.keyPacket.algorithm;
        signature.hashAlgorithm = openpgp.enums.hash.sha256;
        signature.keyFlags = [change === "expire" ? openpgp.enums.keyFlags.encryptCommunication : openpgp.enums.keyFlags.signData];
        if (change === "expire") {
          signature.keyExpirationTime = 4 * DAY;
          signature.keyNeverExpires = false;
        }
        signature.issuerKeyID = key.getKeyID();
        signature.issuerFingerprint = key.keyPacket.getFingerprintBytes();
        await signature.sign(
          key.keyPacket,
          { key: key.keyPacket, bind: packet },
          new Date(Date.now() - 6 * DAY * 1000),
          false,
          openpgp.config,
        );
        list.push(signature as unknown as openpgp.SignaturePacket);
      }
      continue;
    }
    if (inOld && packet instanceof openpgp.SignaturePacket) continue;
    list.push(packet);
  }
  return new openpgp.PrivateKey(list);
}

function pinnedPolicy(armored: string): string {
  const document = testPolicy();
  return policyText({ ...document, keys: { ...(document.keys as Record<string, string>), [BANK]: armored } });
}

describe("security regressions: a pinned key's unusable subkeys", () => {
  for (const change of ["revoke", "expire", "sign-only"] as const) {
    it(`blocks content encrypted to a subkey the pinned key ${change === "revoke" ? "revokes" : change === "expire" ? "lets expire" : "binds for signing only"}`, async () => {
      const stale = await staleKey(change);
      const read = readArmoredKeyNames(stale.pinned);
      assert.ok(read.ok);
      assert.equal(read.keys[0]?.subkeys.filter((subkey) => subkey.unusable !== undefined).length, 1);

      const toOld = await runSend({ ...TLS, to: [BANK], body: stale.toOld }, { policy: pinnedPolicy(stale.pinned) });
      assert.equal(toOld.options?.allowEvent, false);
      assert.deepEqual(notes(toOld), ["seal.key-missing"]);

      const toNew = await runSend({ ...TLS, to: [BANK], body: stale.toNew }, { policy: pinnedPolicy(stale.pinned) });
      assert.deepEqual(toNew.options, { allowEvent: true });
    });
  }

  it("refuses a pin whose primary key is revoked", async () => {
    const { privateKey } = await openpgp.generateKey({ userIDs: [{ email: BANK }], type: "curve25519", format: "object" });
    const revoked = (await openpgp.revokeKey({ key: privateKey, format: "armored" })).publicKey;
    const sealed = (await openpgp.encrypt({
      message: await openpgp.createMessage({ text: "Payment run 42" }),
      encryptionKeys: privateKey.toPublic(),
      format: "armored",
    })) as string;
    const run = await runSend({ ...TLS, to: [BANK], body: sealed }, { policy: pinnedPolicy(revoked) });
    assert.equal(run.options?.allowEvent, false);
    assert.deepEqual(notes(run), ["seal.pin-unreadable"]);
  });
});
