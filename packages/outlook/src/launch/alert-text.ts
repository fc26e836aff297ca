// The Smart Alerts dialog's text: core's verdict and grouped findings, the add-in's own notes
// and the policy's words, as plain text or Markdown, fitted into Outlook's 500 characters by
// dropping whole lines from the end (and naming how many) rather than cutting mid-word.
import { type Decision, groupFindings } from "@sealpost/core";
import { type Note, say, sayNote } from "./messages.js";

export const ALERT_LIMIT = 500;

interface Piece {
  readonly kind: "summary" | "item" | "para";
  readonly text: string;
}

export interface AlertContent {
  readonly decision: Decision;
  readonly notes: readonly Note[];
  /** Replaces core's summary line (a confirmation this Outlook cannot ask for becomes a block). */
  readonly summary?: string;
  /** Said after the notes. */
  readonly extra?: readonly string[];
}

export function alertText(content: AlertContent, markdown: boolean, limit = ALERT_LIMIT): string {
  const { decision } = content;
  const locale = decision.locale;
  const pieces: Piece[] = [{ kind: "summary", text: content.summary ?? decision.summary }];
  for (const reason of groupFindings(decision.findings)) {
    const who = reason.recipients.length > 0 ? ` (${shortList(reason.recipients, locale)})` : "";
    pieces.push({ kind: "item", text: `${reason.problem}${who} ${reason.fix}` });
  }
  for (const note of content.notes) pieces.push({ kind: "para", text: sayNote(locale, note) });
  for (const text of content.extra ?? []) pieces.push({ kind: "para", text });
  for (const message of decision.ruleMessages) pieces.push({ kind: "para", text: message.text });
  const render = markdown ? renderMarkdown : renderPlain;
  return fit(dedupe(pieces), render, limit, (count) => say(locale, "alert.more", { count: String(count) }));
}

function shortList(recipients: readonly string[], locale: string): string {
  if (recipients.length <= 3) return recipients.join(", ");
  return `${recipients.slice(0, 3).join(", ")}, ${say(locale, "alert.more-recipients", { count: String(recipients.length - 3) })}`;
}

// The same note can arise twice (two attachments with one problem are two notes, but one
// unreadable label is one); saying a sentence twice only costs room.
function dedupe(pieces: readonly Piece[]): Piece[] {
  return pieces.filter((piece, index) => pieces.findIndex((other) => other.text === piece.text) === index);
}

function renderPlain(pieces: readonly Piece[]): string {
  return pieces.map((piece) => (piece.kind === "item" ? `- ${piece.text}` : piece.text)).join("\n");
}

// Smart Alerts Markdown: bold, "- item\r" list items and "\n\n" between paragraphs
// (office-js-docs-pr, onmessagesend-onappointmentsend-events.md, "Limitations to formatting").
function renderMarkdown(pieces: readonly Piece[]): string {
  let out = "";
  let previous: Piece["kind"] | undefined;
  for (const piece of pieces) {
    const text = escapeMarkdown(piece.text);
    if (previous !== undefined && !(previous === "item" && piece.kind === "item")) out += "\n\n";
    out += piece.kind === "summary" ? `**${text}**` : piece.kind === "item" ? `- ${text}\r` : text;
    previous = piece.kind;
  }
  return out;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]]/g, (character) => `\\${character}`);
}

function fit(
  pieces: readonly Piece[],
  render: (pieces: readonly Piece[]) => string,
  limit: number,
  more: (count: number) => string,
): string {
  const whole = render(pieces);
  if (whole.length <= limit) return whole;
  const pointer = (count: number): Piece[] => (count > 0 ? [{ kind: "para", text: more(count) }] : []);
  for (let keep = pieces.length - 1; keep >= 1; keep--) {
    const omitted = pieces.length - keep;
    const kept = pieces.slice(0, keep);
    const base = render([...kept, ...pointer(omitted)]);
    if (base.length > limit) continue;
    // Room is left: the next line goes in shortened, if enough of it fits to be worth reading.
    const next = pieces[keep];
    if (next !== undefined) {
      for (let room = next.text.length - 1; room >= 60; room -= 10) {
        const candidate = render([...kept, { kind: next.kind, text: shorten(next.text, room) }, ...pointer(omitted - 1)]);
        if (candidate.length <= limit) return candidate;
      }
    }
    return base;
  }
  // Not even the summary and the pointer to the pane fit: the summary alone, shortened.
  const summary = pieces[0]?.text ?? "";
  for (let room = Math.min(summary.length, limit); room > 0; room -= 10) {
    const candidate = render([{ kind: "summary", text: shorten(summary, room) }]);
    if (candidate.length <= limit) return candidate;
  }
  return "";
}

/** The text cut at a word boundary to at most `room` characters, with an ellipsis. */
export function shorten(text: string, room: number): string {
  if (text.length <= room) return text;
  const cut = text.lastIndexOf(" ", room - 1);
  const end = cut >= room / 2 ? cut : room - 1;
  return `${text.slice(0, end).replace(/[\s,;:(-]+$/, "")}…`;
}
