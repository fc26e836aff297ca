// Seal and Unseal: encrypts the body and every attachment of the message in place, and puts the
// original back exactly. Every change is made in an order that can be undone, and any failure
// undoes what was done, so that a half-sealed message never stays in the compose window.
//
// Where the original lives while the message is sealed: each seal also encrypts to a fresh
// "restore key". Its secret key, the original's metadata (subject, body format, attachment names,
// inline-ness), a SHA-256 of each attachment and the original body (compressed, encrypted to the
// restore key alone) are kept in the item's sessionData (Mailbox 1.11; 50,000 characters per
// add-in up to Mailbox 1.15, 2,621,440 from 1.16). Attachments, which can be megabytes, are not
// copied: Unseal decrypts the sealed ones with the restore key and checks each against its digest
// before it changes anything. A body too long for sessionData is refused before anything changes.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { AttachmentSummary, BodyType, ComposeEditor } from "../host/office-compose.js";
import { describeError } from "../shared/errors.js";
import { fromBase64, toBase64 } from "./base64.js";
import type { KeyInfo, SealInput, Sealed } from "@sealpost/core/openpgp";
import { RECORD_KEY } from "../launch/seal-record.js";

export { RECORD_KEY };
export const SESSION_LIMIT = 50_000;
/** From Mailbox 1.16 (office.sessiondata, "2,621,440 characters per add-in"). */
export const SESSION_LIMIT_116 = 2_621_440;
/** `body.setAsync` takes at most 1,000,000 characters. */
export const BODY_LIMIT = 1_000_000;
/** The longest base64 string `addFileAttachmentFromBase64Async` takes (Mailbox 1.8 reference: "25 MB before Base64 encoding"). */
export const ATTACHMENT_BASE64_LIMIT = 34_865_152;
/** The longest attachment name it takes. */
export const NAME_LIMIT = 255;

/** A key only this message's sessionData can open: the way back to the original. */
export interface RestoreKeys {
  create(): Promise<{ readonly key: KeyInfo; readonly secret: string }>;
  /** Encrypts (compressed) to the restore key alone. */
  lock(key: KeyInfo, data: Uint8Array): Promise<Uint8Array>;
  /** Decrypts one sealed part (armored text or binary) with the secret key. */
  open(secret: string, sealed: string | Uint8Array): Promise<Uint8Array>;
}

export interface SealDeps {
  readonly editor: ComposeEditor;
  readonly seal: (input: SealInput) => Promise<Sealed>;
  readonly restore: RestoreKeys;
}

export interface SealRequest {
  /** Every recipient key to encrypt to, already checked. */
  readonly keys: readonly KeyInfo[];
  /** Which recipient each key is for and where it came from, kept in the record for the send check. */
  readonly recipients?: readonly SealedRecipient[];
  /** Set when a rule asks for the subject to travel inside the encryption. */
  readonly neutralSubject?: string;
}

/** Why a seal or unseal did not happen; the message is as it was (unless `rollback` lists leftovers). */
export type FlowProblem =
  | { readonly code: "already-sealed" }
  | { readonly code: "not-sealed" }
  | { readonly code: "not-a-file"; readonly name: string }
  | { readonly code: "too-big"; readonly part: string; readonly limit: string }
  | { readonly code: "record-too-big"; readonly size: number; readonly limit: number }
  | { readonly code: "changed"; readonly part: string; readonly reason: string }
  | { readonly code: "failed"; readonly step: string; readonly reason: string; readonly rollback: readonly string[] };

export type FlowResult = { readonly ok: true; readonly parts: number } | { readonly ok: false; readonly problem: FlowProblem };

interface OriginalAttachment {
  readonly name: string;
  readonly isInline: boolean;
  readonly contentId: string;
  readonly sealedName: string;
  readonly sha256: string;
}

/** A recipient's key as sealed to: what a send check can match the sealed parts' PKESKs against. */
export interface SealedRecipient {
  readonly address: string;
  readonly fingerprint: string;
  readonly encryptionKeyIds: readonly string[];
  readonly source: string;
}

/** What sessionData keeps for Unseal (and, for the send check, whom the message was sealed to). */
export interface SealRecord {
  readonly v: 1;
  readonly subject: string;
  readonly sealedSubject: string;
  readonly bodyType: BodyType;
  /** The original body, encrypted to the restore key alone, base64. */
  readonly body: string;
  readonly secret: string;
  readonly attachments: readonly OriginalAttachment[];
  readonly recipients: readonly SealedRecipient[];
}

class StepError extends Error {
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(`${step}: ${describeError(cause)}`, { cause });
  }
}

/** Runs steps, remembering how to undo each; on failure undoes them newest first and reports. */
class Transaction {
  private readonly undo: { what: string; run: () => Promise<unknown> }[] = [];

  async step<T>(what: string, run: () => Promise<T>, undo?: (value: T) => Promise<unknown>): Promise<T> {
    let value: T;
    try {
      value = await run();
    } catch (error) {
      throw new StepError(what, error);
    }
    if (undo !== undefined) this.undo.push({ what, run: () => undo(value) });
    return value;
  }

  /** Undoes every step; returns what could not be undone. */
  async rollback(): Promise<string[]> {
    const left: string[] = [];
    for (const entry of this.undo.reverse()) {
      try {
        await entry.run();
      } catch (error) {
        left.push(`${entry.what} (${describeError(error)})`);
      }
    }
    return left;
  }
}

export function sessionLimit(editor: ComposeEditor): number {
  return editor.supports("1.16") ? SESSION_LIMIT_116 : SESSION_LIMIT;
}

export async function readRecord(editor: ComposeEditor): Promise<SealRecord | undefined> {
  const text = await editor.sessionValue(RECORD_KEY);
  if (text === undefined) return undefined;
  const record = JSON.parse(text) as Partial<SealRecord>;
  if (record.v !== 1 || typeof record.secret !== "string" || !Array.isArray(record.attachments)) {
    throw new Error(`the saved seal record (sessionData "${RECORD_KEY}") is not one Sealpost wrote`);
  }
  return record as SealRecord;
}

/** Seals the message in place. Never leaves it half-sealed: on any failure every change is undone. */
export async function sealItem(deps: SealDeps, request: SealRequest): Promise<FlowResult> {
  const { editor } = deps;
  const tx = new Transaction();
  try {
    if ((await tx.step("reading the saved seal", () => readRecord(editor))) !== undefined) return refuse({ code: "already-sealed" });
    const subject = await tx.step("reading the subject", () => editor.subject());
    const bodyType = await tx.step("reading the message format", () => editor.bodyType());
    const body = await tx.step("reading the message text", () => editor.body(bodyType));
    // An HTML body is sealed as Outlook's own text rendering of it (inline PGP carries text).
    const text = bodyType === "text" ? body : await tx.step("reading the message as text", () => editor.body("text"));
    const list = await tx.step("listing the attachments", () => editor.attachments());
    const other = list.find((attachment) => attachment.attachmentType !== "file");
    if (other !== undefined) return refuse({ code: "not-a-file", name: other.name });
    const originals: { summary: AttachmentSummary; base64: string; bytes: Uint8Array }[] = [];
    for (const summary of list) {
      const data = await tx.step(`reading “${summary.name}”`, () => editor.attachmentContent(summary.id));
      if (data.format !== "base64") return refuse({ code: "not-a-file", name: summary.name });
      originals.push({ summary, base64: data.content, bytes: fromBase64(data.content, `“${summary.name}”`) });
    }

    const restore = await tx.step("making the restore key", () => deps.restore.create());
    const sealed = await tx.step("encrypting", () =>
      deps.seal({
        subject,
        body: { type: "text", content: text },
        attachments: originals.map(({ summary, bytes }) => ({
          name: summary.name,
          contentType: contentTypeOf(summary.name),
          content: bytes,
        })),
        keys: [...request.keys, restore.key],
        ...(request.neutralSubject === undefined ? {} : { protectSubject: { neutralSubject: request.neutralSubject } }),
      }),
    );
    if (sealed.attachments.length !== originals.length) throw new StepError("encrypting", new Error("not every attachment was sealed"));

    // Everything that could be too big is checked before the message is touched.
    if (sealed.body.length > BODY_LIMIT) return refuse({ code: "too-big", part: "body", limit: "1,000,000 characters" });
    const tooBig = sealed.attachments.find((attachment) => 4 * Math.ceil(attachment.content.length / 3) > ATTACHMENT_BASE64_LIMIT);
    if (tooBig !== undefined) return refuse({ code: "too-big", part: tooBig.name, limit: "25 MB" });
    const tooLong = sealed.attachments.find((attachment) => attachment.name.length > NAME_LIMIT);
    if (tooLong !== undefined) return refuse({ code: "too-big", part: tooLong.name, limit: "255 characters for a name" });
    const record: SealRecord = {
      v: 1,
      subject,
      sealedSubject: sealed.subject,
      bodyType,
      body: toBase64(await tx.step("keeping the original text", () => deps.restore.lock(restore.key, new TextEncoder().encode(body)))),
      secret: restore.secret,
      attachments: originals.map(({ summary, bytes }, index) => ({
        name: summary.name,
        isInline: summary.isInline,
        contentId: summary.contentId ?? "",
        sealedName: sealed.attachments[index]?.name ?? "",
        sha256: digest(bytes),
      })),
      recipients: request.recipients ?? [],
    };
    const recordText = JSON.stringify(record);
    const limit = sessionLimit(editor);
    if (recordText.length + RECORD_KEY.length > limit) return refuse({ code: "record-too-big", size: recordText.length, limit });

    // The order: the record first (Unseal needs it), then additions, then the body and subject,
    // and removals last, since putting back a removed original is the costliest undo.
    await tx.step(
      "saving the way back",
      () => editor.setSessionValue(RECORD_KEY, recordText),
      () => editor.removeSessionValue(RECORD_KEY),
    );
    for (const attachment of sealed.attachments) {
      await tx.step(
        `attaching “${attachment.name}”`,
        () => editor.addFileAttachment(toBase64(attachment.content), attachment.name, false),
        (id) => editor.removeAttachment(id),
      );
    }
    // Originals put back by the undo get new content ids; the restored HTML must name those.
    const moves = new Map<string, string>();
    await tx.step(
      "replacing the message text",
      () => editor.setBody("text", sealed.body),
      () => editor.setBody(bodyType, bodyType === "html" ? relink(body, moves) : body),
    );
    if (sealed.subject !== subject) {
      await tx.step(
        "replacing the subject",
        () => editor.setSubject(sealed.subject),
        () => editor.setSubject(subject),
      );
    }
    for (const { summary, base64 } of originals) {
      await tx.step(
        `removing “${summary.name}”`,
        () => editor.removeAttachment(summary.id),
        async () => {
          const id = await editor.addFileAttachment(base64, summary.name, summary.isInline);
          await noteMove(editor, moves, { ...summary, contentId: summary.contentId ?? "" }, id);
        },
      );
    }
    return { ok: true, parts: 1 + originals.length };
  } catch (error) {
    return failed(error, await tx.rollback());
  }
}

/** Puts the original back exactly, or changes nothing and says why. */
export async function unsealItem(deps: Pick<SealDeps, "editor" | "restore">): Promise<FlowResult> {
  const { editor } = deps;
  const tx = new Transaction();
  try {
    const record = await tx.step("reading the saved seal", () => readRecord(editor));
    if (record === undefined) return refuse({ code: "not-sealed" });
    const sealedBody = await tx.step("reading the message text", () => editor.body("text"));
    const subject = await tx.step("reading the subject", () => editor.subject());
    const list = await tx.step("listing the attachments", () => editor.attachments());

    // Every part is decrypted and checked before anything changes.
    const bodyBytes = await open(deps, record.secret, fromBase64(record.body, "the saved text"), "the saved text");
    const body = new TextDecoder("utf-8", { fatal: true }).decode(bodyBytes);
    const taken = new Set<string>();
    const parts: { original: OriginalAttachment; sealedId: string; sealedBase64: string; bytes: Uint8Array }[] = [];
    for (const original of record.attachments) {
      const match = list.find((attachment) => attachment.name === original.sealedName && !taken.has(attachment.id));
      if (match === undefined) return refuse({ code: "changed", part: original.sealedName, reason: "it is no longer attached" });
      taken.add(match.id);
      const data = await tx.step(`reading “${match.name}”`, () => editor.attachmentContent(match.id));
      const bytes = await open(deps, record.secret, fromBase64(data.content, `“${match.name}”`), `“${match.name}”`);
      if (digest(bytes) !== original.sha256)
        return refuse({ code: "changed", part: match.name, reason: "it differs from what was sealed" });
      parts.push({ original, sealedId: match.id, sealedBase64: data.content, bytes });
    }

    const moves = new Map<string, string>();
    for (const { original, bytes } of parts) {
      const id = await tx.step(
        `attaching “${original.name}”`,
        () => editor.addFileAttachment(toBase64(bytes), original.name, original.isInline),
        (added) => editor.removeAttachment(added),
      );
      await tx.step(`reading the content id of “${original.name}”`, () => noteMove(editor, moves, original, id));
    }
    await tx.step(
      "restoring the message text",
      () => editor.setBody(record.bodyType, record.bodyType === "html" ? relink(body, moves) : body),
      () => editor.setBody("text", sealedBody),
    );
    if (subject !== record.subject) {
      await tx.step(
        "restoring the subject",
        () => editor.setSubject(record.subject),
        () => editor.setSubject(subject),
      );
    }
    for (const { original, sealedId, sealedBase64 } of parts) {
      await tx.step(
        `removing “${original.sealedName}”`,
        () => editor.removeAttachment(sealedId),
        () => editor.addFileAttachment(sealedBase64, original.sealedName, false),
      );
    }
    await tx.step("forgetting the way back", () => editor.removeSessionValue(RECORD_KEY));
    return { ok: true, parts: 1 + parts.length };
  } catch (error) {
    return failed(error, await tx.rollback());
  }
}

async function open(deps: Pick<SealDeps, "restore">, secret: string, sealed: string | Uint8Array, part: string): Promise<Uint8Array> {
  try {
    return await deps.restore.open(secret, sealed);
  } catch (error) {
    throw new StepError(`decrypting ${part}`, error);
  }
}

/**
 * Outlook gives a re-added inline attachment a content id of its own (its file name), not the
 * one the HTML body names it by (`cid:image001.png@01DA…` for a pasted image), so the body's
 * link is moved to the new id; without that the image shows as broken after Unseal.
 */
async function noteMove(
  editor: ComposeEditor,
  moves: Map<string, string>,
  original: { readonly name: string; readonly isInline: boolean; readonly contentId: string },
  id: string,
): Promise<void> {
  if (!original.isInline || original.contentId === "") return;
  // Outlook names an inline attachment it was given by its file name; the listing confirms it where it can.
  const added = (await editor.attachments().catch((): AttachmentSummary[] => [])).find((attachment) => attachment.id === id);
  const now = added?.contentId !== undefined && added.contentId !== "" ? added.contentId : original.name;
  if (now !== original.contentId) moves.set(original.contentId, now);
}

function relink(html: string, moves: ReadonlyMap<string, string>): string {
  let text = html;
  for (const [from, to] of moves) {
    // Whole ids only: image001.png@01DA must not catch image001.png@01DA2.
    const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    text = text.replace(new RegExp(`cid:${escaped}(?![^"'\\s)>])`, "gi"), () => `cid:${to}`);
  }
  return text;
}

function refuse(problem: FlowProblem): FlowResult {
  return { ok: false, problem };
}

function failed(error: unknown, rollback: string[]): FlowResult {
  if (error instanceof StepError) {
    return refuse({ code: "failed", step: error.step, reason: describeError(error.cause), rollback });
  }
  return refuse({ code: "failed", step: "?", reason: describeError(error), rollback });
}

function digest(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

// Office.js does not report an attachment's content type in compose mode; the name says it.
const TYPES: Readonly<Record<string, string>> = {
  pdf: "application/pdf",
  txt: "text/plain",
  csv: "text/csv",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  xml: "application/xml",
  zip: "application/zip",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

export function contentTypeOf(name: string): string {
  const extension = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase() ?? "";
  return TYPES[extension] ?? "application/octet-stream";
}
