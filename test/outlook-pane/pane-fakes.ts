// Fakes for the pane's ports: a sealer and restore keys that transform bytes reversibly (so that
// the flow's ordering and rollback are tested apart from OpenPGP), and what the item holds.
import type { KeyInfo, SealInput, Sealed } from "@sealpost/core/openpgp";
import { createOfficeEditor } from "../../packages/outlook/src/host/office-compose.js";
import type { RestoreKeys, SealDeps } from "../../packages/outlook/src/taskpane/seal-flow.js";
import { type ComposeFake, type ComposeState } from "../outlook/compose-fake.js";

export function fakeKey(fingerprint: string, addresses: readonly string[] = []): KeyInfo {
  return {
    fingerprint,
    keyIds: [fingerprint.slice(-16)],
    encryptionKeyIds: [fingerprint.slice(-16)],
    userIds: addresses.map((address) => `<${address}>`),
    addresses,
    created: new Date("2026-01-01T00:00:00Z"),
    expires: null,
    algorithm: "Curve25519",
    armored: `KEY ${fingerprint}`,
  };
}

const scramble = (bytes: Uint8Array) => {
  const out = new Uint8Array(bytes.length + 1);
  out[0] = 0x01;
  for (let i = 0; i < bytes.length; i++) out[i + 1] = (bytes[i] ?? 0) ^ 0x5a;
  return out;
};
const unscramble = (bytes: Uint8Array) => {
  if (bytes[0] !== 0x01) throw new Error("not sealed by the fake");
  return bytes.subarray(1).map((byte) => byte ^ 0x5a);
};

export interface SealCalls {
  readonly inputs: SealInput[];
}

export function fakeSeal(calls: SealCalls = { inputs: [] }): (input: SealInput) => Promise<Sealed> {
  return (input) => {
    calls.inputs.push(input);
    const text = Buffer.from(input.body.content, "utf8").toString("base64");
    return Promise.resolve({
      subject: input.protectSubject?.neutralSubject ?? input.subject,
      body: `-----BEGIN PGP MESSAGE-----\n\n${text}\n-----END PGP MESSAGE-----\n`,
      attachments: input.attachments.map((attachment) => ({
        name: `${attachment.name}.pgp`,
        contentType: "application/octet-stream",
        content: scramble(attachment.content),
      })),
    });
  };
}

export const fakeRestore: RestoreKeys = {
  create: () => Promise.resolve({ key: fakeKey("RESTORE0000000000000000000000000000000000"), secret: "secret" }),
  lock: (_key, data) => Promise.resolve(scramble(data)),
  open: (secret, sealed) => {
    if (secret !== "secret") return Promise.reject(new Error("wrong secret"));
    if (typeof sealed === "string") return Promise.reject(new Error("the fake opens only binary parts"));
    return Promise.resolve(unscramble(sealed));
  },
};

export function deps(fake: ComposeFake, calls?: SealCalls): SealDeps {
  return { editor: createOfficeEditor(fake.office, { callMs: 500, contentMs: 500 }), seal: fakeSeal(calls), restore: fakeRestore };
}

/** What the user sees of the item: subject, body and attachments (without Outlook's ids). */
export function visible(state: ComposeState) {
  return {
    subject: state.subject,
    body: state.body,
    attachments: state.attachments
      .map(({ name, attachmentType, isInline, contentId, content }) => ({ name, attachmentType, isInline, contentId, content }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}
