// Domain normalization shared by policies and recipients: IDNA UTS #46 through tr46, so
// every runtime (Node, browsers, Thunderbird, Outlook's JavaScript-only runtime) agrees.
import { toASCII, toUnicode } from "tr46";

export type DomainResult =
  { readonly ok: true; readonly ascii: string; readonly unicode: string } | { readonly ok: false; readonly reason: string };

// RFC 1035 §2.3.4 and RFC 5321 §4.5.3.1.2: 63 octets a label, 253 for the name without the root dot.
const MAX_LABEL = 63;
const MAX_NAME = 253;

/**
 * Normalizes a domain to its ASCII (A-label) form: UTS #46 mapping (case folding, full-width
 * dots and other compatibility forms), non-transitional processing as IDNA2008 expects, STD3
 * rules, and the single trailing root dot removed. Returns why a domain is refused otherwise.
 */
export function normalizeDomain(input: string): DomainResult {
  if (typeof input !== "string") return { ok: false, reason: "is not a string" };
  if (input.length === 0) return { ok: false, reason: "is empty" };
  if (input.length > 1024) return { ok: false, reason: "is far too long to be a domain name" };
  if (input.startsWith("[")) return { ok: false, reason: "is an address literal, not a domain name" };

  const options = {
    checkBidi: true,
    checkJoiners: true,
    checkHyphens: false,
    useSTD3ASCIIRules: true,
    transitionalProcessing: false,
    verifyDNSLength: false,
  };
  let ascii: string | null;
  try {
    ascii = toASCII(input, options);
  } catch (error) {
    return { ok: false, reason: `cannot be processed (${String(error)})` };
  }
  if (ascii === null) {
    return { ok: false, reason: "contains characters or a label that IDNA does not allow" };
  }
  // The root label is written as a trailing dot ("bank.com."); it names the same domain.
  if (ascii.endsWith(".")) ascii = ascii.slice(0, -1);

  const labels = ascii.split(".");
  if (ascii.length === 0) return { ok: false, reason: "is empty" };
  if (labels.some((label) => label.length === 0)) return { ok: false, reason: "has an empty label" };
  const long = labels.find((label) => label.length > MAX_LABEL);
  if (long !== undefined) return { ok: false, reason: `has a label longer than ${MAX_LABEL} characters` };
  if (ascii.length > MAX_NAME) return { ok: false, reason: `is longer than ${MAX_NAME} characters` };
  if (labels.some((label) => label.startsWith("-") || label.endsWith("-"))) {
    return { ok: false, reason: "has a label that starts or ends with a hyphen" };
  }
  // A name whose last label is numeric is an IPv4 address written without brackets.
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? "")) {
    return { ok: false, reason: "is an IP address, not a domain name" };
  }

  const unicode = toUnicode(ascii, options);
  return { ok: true, ascii, unicode: unicode.error ? ascii : unicode.domain };
}

/** True when `domain` is `parent` or lies below it, both already normalized. */
export function isSameOrSubdomain(domain: string, parent: string): boolean {
  return domain === parent || domain.endsWith(`.${parent}`);
}
