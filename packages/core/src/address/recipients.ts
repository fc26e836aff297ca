// Recipient parsing: turns what a host hands over (one address, "Name <addr>", a list, a group)
// into addresses with normalized domains, using a real RFC 5322 parser (email-addresses).
import emailAddresses from "email-addresses";
import { decodeWords } from "postal-mime";
import { normalizeDomain } from "./domain.js";

export type RecipientKind = "to" | "cc" | "bcc" | "list-member";

export interface ParsedAddress {
  readonly ok: true;
  /** The display name, with RFC 2047 encoded-words decoded; empty when there is none. */
  readonly name: string;
  /** The local part as written (case is kept: RFC 5321 §2.4 leaves it to the receiving host). */
  readonly local: string;
  /** The domain in ASCII (A-label) form, lower case, no trailing dot. */
  readonly domain: string;
  /** The same domain for display, in Unicode. */
  readonly unicodeDomain: string;
  /** `local@domain` with the normalized domain. */
  readonly address: string;
  /** The RFC 5322 group the address was written in, if any. */
  readonly group?: string;
}

export interface UnparsableAddress {
  readonly ok: false;
  readonly input: string;
  readonly reason: string;
}

export type AddressParse = ParsedAddress | UnparsableAddress;

const MAX_INPUT = 100_000;
// A dot that ends a domain: right before ">", ",", ";" or the end of the text.
const ROOT_DOT = /\.(?=\s*(?:>|,|;|$))/g;

function parseList(input: string): ReturnType<typeof emailAddresses.parseAddressList> {
  return emailAddresses.parseAddressList({ input, rfc6532: true, rejectTLD: false });
}

/**
 * Parses one recipient field as a host hands it over. The result holds every mailbox the text
 * names (several for a list or a group, none for an empty group such as
 * "undisclosed-recipients:;"), or a single failure naming the input and what is wrong.
 * A text that is blank yields nothing.
 */
export function parseRecipients(input: string): AddressParse[] {
  if (typeof input !== "string") {
    return [{ ok: false, input: String(input), reason: "is not text" }];
  }
  if (input.trim() === "") return [];
  if (input.length > MAX_INPUT) {
    return [{ ok: false, input: input.slice(0, 80) + "…", reason: "is too long to be an address list" }];
  }

  let parsed: ReturnType<typeof emailAddresses.parseAddressList>;
  try {
    // A fully qualified domain may end in the root dot ("bank.com."), which RFC 5322's dot-atom
    // does not allow but hosts pass on; it names the same domain, so the dot is dropped and the
    // text parsed again rather than the address refused.
    parsed = parseList(input) ?? parseList(input.replace(ROOT_DOT, ""));
  } catch (error) {
    return [{ ok: false, input, reason: `cannot be parsed (${String(error)})` }];
  }
  if (parsed === null) {
    return [{ ok: false, input, reason: describeUnparsable(input) }];
  }

  const results: AddressParse[] = [];
  for (const entry of parsed) {
    if (entry.type === "group") {
      const group = decodeName(entry.name);
      for (const mailbox of entry.addresses) results.push(toParsed(mailbox, input, group));
    } else {
      results.push(toParsed(entry, input));
    }
  }
  return results;
}

function toParsed(mailbox: emailAddresses.ParsedMailbox, input: string, group?: string): AddressParse {
  const domain = normalizeDomain(mailbox.domain);
  if (!domain.ok) {
    return { ok: false, input: mailbox.address || input, reason: `has a domain that ${domain.reason}` };
  }
  const local = localPart(mailbox);
  return {
    ok: true,
    name: decodeName(mailbox.name),
    local,
    domain: domain.ascii,
    unicodeDomain: domain.unicode,
    address: `${local}@${domain.ascii}`,
    ...(group === undefined ? {} : { group }),
  };
}

// The obsolete syntax (RFC 5322 §4.4) lets whitespace and comments sit between the words of a
// local part ("payments @ bank.com"); they carry no meaning there, so they are dropped. Inside
// a quoted string whitespace is part of the name and is kept.
function localPart(mailbox: emailAddresses.ParsedMailbox): string {
  const quoted = mailbox.parts.local.tokens.includes('"');
  return quoted ? mailbox.local.trim() : mailbox.local.replace(/\s+/g, "");
}

// Encoded-words (RFC 2047 §2) only ever occur in display names and comments, never in an
// addr-spec, so decoding them changes what the user sees, not where the message goes.
function decodeName(name: string | null): string {
  if (name === null || name === "") return "";
  try {
    return decodeWords(name);
  } catch {
    return name;
  }
}

function describeUnparsable(input: string): string {
  if (!input.includes("@")) return "is not an email address (it has no @)";
  if (/[<>]/.test(input) && !/<[^<>]*@[^<>]*>/.test(input)) return "has unbalanced angle brackets";
  return "is not a valid RFC 5322 address";
}

/** The address used to look keys up: local part lower-cased, as WKD and most key servers do. */
export function addressKey(address: ParsedAddress): string {
  return `${address.local.toLowerCase()}@${address.domain}`;
}
