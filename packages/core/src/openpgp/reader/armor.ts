// ASCII armor (RFC 9580 §6.2): finds the one armored block in a text, and reports whether
// anything else is written beside it, since that text would travel readable.
import { base64Bytes, type ByteSource } from "./bytes.js";

export type Armor =
  | {
      readonly ok: true;
      /** What follows "BEGIN " in the header line, such as "PGP MESSAGE". */
      readonly label: string;
      readonly data: ByteSource;
      /** Whether the text holds anything but whitespace outside the block. */
      readonly textOutside: boolean;
    }
  | { readonly ok: false; readonly reason: string };

const BEGIN = /-----BEGIN PGP ([A-Z0-9 ,]+)-----/;
const HEADER = /^[A-Za-z][A-Za-z0-9-]*: /;
const CHECKSUM = /^=[A-Za-z0-9+/]{4}$/;
const ALLOWED_HEADER = /^(Version: [\x20-\x7e]{1,64}|Hash: [A-Za-z0-9, -]{1,64}|Charset: [A-Za-z0-9-]{1,32})\s*$/;
const LEADING_SPACE = /^[\s\u00a0]+/;

/** Whether `text`, leading whitespace aside, starts an armored block with this label. */
export function startsArmored(text: string, label: string): boolean {
  return text.replace(LEADING_SPACE, "").startsWith(`-----BEGIN ${label}-----`);
}

export function readArmor(text: string): Armor {
  const begin = BEGIN.exec(text);
  if (begin === null) return { ok: false, reason: "there is no armored OpenPGP block" };
  const label = `PGP ${begin[1] ?? ""}`;
  const endLine = `-----END ${label}-----`;
  const bodyStart = begin.index + begin[0].length;
  const end = text.indexOf(endLine, bodyStart);
  if (end < 0) return { ok: false, reason: `the block has no "${endLine}" line` };

  const lines = text.slice(bodyStart, end).split(/\r\n|\r|\n/);
  // The BEGIN line ends the first line; armor headers follow until a blank line (§6.2.2).
  let index = lines[0]?.trim() === "" ? 1 : 0;
  // Armor headers travel in the clear: only the short, fixed ones implementations write are
  // accepted, so that no header (a Comment: above all) can carry the message's text.
  for (; index < lines.length && HEADER.test(lines[index] ?? ""); index++) {
    if (!ALLOWED_HEADER.test(lines[index] ?? ""))
      return { ok: false, reason: "the armored block has a header that could carry readable text" };
  }
  const payload: string[] = [];
  for (; index < lines.length; index++) {
    const line = (lines[index] ?? "").trim();
    // The CRC-24 line is optional and carries no security (RFC 9580 §6.1); it is not checked,
    // but it must be the last line: anything after it would travel readable.
    if (CHECKSUM.test(line)) {
      if (lines.slice(index + 1).some((rest) => rest.trim() !== "")) {
        return { ok: false, reason: "the armored block has text after its checksum line" };
      }
      break;
    }
    payload.push(line);
  }
  const data = base64Bytes(payload.join(""));
  if (data === undefined) return { ok: false, reason: "the armored block is not valid base64" };
  const outside = text.slice(0, begin.index) + text.slice(end + endLine.length);
  return { ok: true, label, data, textOutside: outside.trim() !== "" };
}
