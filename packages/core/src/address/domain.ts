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

  // Fast path: for a name of ASCII letters, digits, hyphens and dots with no A-label, UTS #46
  // mapping is exactly ASCII lower-casing and every label is valid under STD3 rules, so tr46 would
  // return the same answer; A-labels ("xn--") still go through tr46 to have their Punycode checked.
  if (ASCII_LDH.test(input) && !input.toLowerCase().includes("xn--")) {
    const lower = input.toLowerCase();
    const problem = lengthProblem(lower.endsWith(".") ? lower.slice(0, -1) : lower);
    if (problem !== undefined) return { ok: false, reason: problem };
    const ascii = lower.endsWith(".") ? lower.slice(0, -1) : lower;
    return { ok: true, ascii, unicode: ascii };
  }

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

  const problem = lengthProblem(ascii);
  if (problem !== undefined) return { ok: false, reason: problem };

  const unicode = toUnicode(ascii, options);
  return { ok: true, ascii, unicode: unicode.error ? ascii : unicode.domain };
}

const ASCII_LDH = /^[A-Za-z0-9.-]+$/;

// The DNS limits and shape checks that UTS #46 leaves to the caller, on the name without its root dot.
function lengthProblem(ascii: string): string | undefined {
  if (ascii.length === 0) return "is empty";
  const labels = ascii.split(".");
  if (labels.some((label) => label.length === 0)) return "has an empty label";
  if (labels.some((label) => label.length > MAX_LABEL)) return `has a label longer than ${MAX_LABEL} characters`;
  if (ascii.length > MAX_NAME) return `is longer than ${MAX_NAME} characters`;
  if (labels.some((label) => label.startsWith("-") || label.endsWith("-"))) return "has a label that starts or ends with a hyphen";
  // A name whose last label is numeric is an IPv4 address written without brackets.
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? "")) return "is an IP address, not a domain name";
  return undefined;
}

/** True when `domain` is `parent` or lies below it, both already normalized. */
export function isSameOrSubdomain(domain: string, parent: string): boolean {
  return domain === parent || domain.endsWith(`.${parent}`);
}
