// Validation of a policy value: the schema pass and the checks that span fields, every error
// collected with its JSON path, and compilation into the form `evaluate` uses.
import * as v from "valibot";
import { isSameOrSubdomain, normalizeDomain } from "../address/domain.js";
import { addressKey, parseRecipients } from "../address/recipients.js";
import { DomainMatcher } from "./domain-matcher.js";
import {
  type Action,
  type EncryptionMethod,
  normalizeFingerprint,
  type PolicyDocument,
  PolicySchema,
  type RelayLevel,
} from "./policy-schema.js";

export type PathSegment = string | number;

export type PolicyErrorCode = "syntax" | "duplicate-key" | "unknown-field" | "missing" | "invalid";

export interface PolicyError {
  /** What kind of mistake it is, for callers that present them differently. */
  readonly code: PolicyErrorCode;
  /** The JSON path, written like `rules[0].domains[2]`; empty for the document itself. */
  readonly path: string;
  readonly segments: readonly PathSegment[];
  /** What is wrong, in English, without the path. */
  readonly message: string;
  /** 1-based position in the policy text, when the policy was read from text. */
  readonly line?: number;
  readonly column?: number;
}

export interface CompiledRule {
  readonly index: number;
  readonly id: string;
  readonly domains: readonly string[];
  readonly except: readonly string[];
  readonly submission: "tls" | undefined;
  readonly encryption: readonly EncryptionMethod[] | undefined;
  /** TLS our mail server must use towards these domains; the add-ins do not judge it. */
  readonly relay: RelayLevel | undefined;
  readonly action: Action;
  readonly message: Readonly<Record<string, string>> | undefined;
  /** Whether an add-in may switch encryption on for the user rather than refuse. */
  readonly autoEncrypt: boolean;
  /** Whether the subject must be encrypted too. */
  readonly protectSubject: boolean;
}

export interface PinnedKey {
  /** Upper-case hex fingerprint, when the pin is a fingerprint. */
  readonly fingerprint?: string;
  /** The armored key, when the pin is a key. */
  readonly armored?: string;
}

export interface CompiledPolicy {
  readonly kind: "policy";
  readonly document: PolicyDocument;
  readonly rules: readonly CompiledRule[];
  readonly matcher: DomainMatcher;
  /** Sensitivity label ids (lower case) that count as encryption. */
  readonly encryptingLabels: ReadonlyMap<string, string>;
  /** Pinned keys by address, local part lower-cased and domain normalized. */
  readonly keys: ReadonlyMap<string, PinnedKey>;
}

export type PolicyResult =
  { readonly ok: true; readonly policy: CompiledPolicy } | { readonly ok: false; readonly errors: readonly PolicyError[] };

export function formatPath(segments: readonly PathSegment[]): string {
  let path = "";
  for (const segment of segments) {
    if (typeof segment === "number") path += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) path += path === "" ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

export function policyError(segments: readonly PathSegment[], message: string, code: PolicyErrorCode = "invalid"): PolicyError {
  return { code, path: formatPath(segments), segments, message };
}

/** Validates a parsed JSON value as a policy; reports every error, not only the first. */
export function validatePolicy(input: unknown): PolicyResult {
  const arrays = arraysWhereObjectsBelong(input);
  if (arrays.some((error) => error.segments.length === 0)) return { ok: false, errors: arrays };
  const result = v.safeParse(PolicySchema, input, { abortEarly: false });
  // valibot accepts arrays as objects (and would read Array.prototype.keys as "keys"), so an
  // array where an object belongs is reported here, and what valibot says beneath it dropped.
  const inArray = (error: PolicyError) => arrays.some((array) => array.segments.every((segment, i) => error.segments[i] === segment));
  const schemaErrors = result.success ? [] : withoutEchoes(result.issues.map(describeIssue)).filter((error) => !inArray(error));
  const errors: PolicyError[] = [...arrays, ...schemaErrors];
  errors.push(...crossFieldErrors(input));
  if (!result.success || errors.length > 0) return { ok: false, errors: dedupe(errors) };
  return { ok: true, policy: compile(result.output) };
}

function arraysWhereObjectsBelong(input: unknown): PolicyError[] {
  const found: PolicyError[] = [];
  const expectObject = (value: unknown, segments: PathSegment[]) => {
    if (Array.isArray(value)) found.push(policyError(segments, "must be an object (found an array)"));
  };
  expectObject(input, []);
  if (!isRecord(input)) return found;
  expectObject(input.keys, ["keys"]);
  if (Array.isArray(input.rules)) {
    input.rules.forEach((rule: unknown, index) => {
      expectObject(rule, ["rules", index]);
      if (!isRecord(rule)) return;
      expectObject(rule.require, ["rules", index, "require"]);
      expectObject(rule.message, ["rules", index, "message"]);
    });
  }
  if (Array.isArray(input.encryptingLabels)) {
    input.encryptingLabels.forEach((label: unknown, index) => expectObject(label, ["encryptingLabels", index]));
  }
  return found;
}

function describeIssue(issue: v.GenericIssue): PolicyError {
  const segments: PathSegment[] = (issue.path ?? []).map((item) => {
    const key: unknown = item.key;
    return typeof key === "number" ? key : String(key);
  });
  if (issue.kind === "schema" && issue.received === "undefined") return policyError(segments, "is required", "missing");
  if (issue.type === "strict_object" && issue.expected === "never") {
    const key = String(segments[segments.length - 1]);
    return policyError(segments, `unknown field "${key}"${suggest(key)}`, "unknown-field");
  }
  return policyError(segments, messageFor(issue));
}

// A misspelt field ("acton") also leaves the real one missing; saying both is saying one thing twice.
function withoutEchoes(errors: PolicyError[]): PolicyError[] {
  const suggested = new Set(
    errors.flatMap((error) => {
      const match = /did you mean "([^"]+)"/.exec(error.message);
      return error.code === "unknown-field" && match?.[1] !== undefined ? [formatPath([...error.segments.slice(0, -1), match[1]])] : [];
    }),
  );
  return errors.filter((error) => !(error.code === "missing" && suggested.has(error.path)));
}

function messageFor(issue: v.GenericIssue): string {
  if (issue.kind === "validation") return issue.message;
  const received = issue.received;
  switch (issue.type) {
    case "literal":
      return `must be ${issue.expected ?? "?"} (found ${received})`;
    case "picklist":
      return `must be one of ${issue.expected?.replaceAll(" | ", ", ").replace(/^\(|\)$/g, "") ?? "?"} (found ${received})`;
    default:
      return `must be ${article(issue.expected ?? issue.type)} (found ${received})`;
  }
}

const KNOWN_FIELDS = [
  "$schema",
  "version",
  "description",
  "rules",
  "encryptingLabels",
  "keys",
  "id",
  "domains",
  "except",
  "require",
  "action",
  "message",
  "submission",
  "encryption",
  "relay",
  "name",
];

function suggest(key: string): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const field of KNOWN_FIELDS) {
    const distance = editDistance(key.toLowerCase(), field.toLowerCase());
    if (distance < bestDistance) {
      best = field;
      bestDistance = distance;
    }
  }
  return best === undefined ? "" : ` (did you mean "${best}"?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function article(expected: string): string {
  const names: Record<string, string> = {
    string: "a string",
    Object: "an object",
    Array: "an array",
    number: "a number",
    boolean: "true or false",
  };
  return names[expected] ?? expected;
}

// Checks that look at more than one field. They run on the raw value, defensively, so that
// they are reported together with schema errors elsewhere in the document.
function crossFieldErrors(input: unknown): PolicyError[] {
  const errors: PolicyError[] = [];
  if (!isRecord(input) || !Array.isArray(input.rules)) return errors;
  const ids = new Map<string, number>();
  input.rules.forEach((rule: unknown, index) => {
    if (!isRecord(rule)) return;
    if (typeof rule.id === "string") {
      const first = ids.get(rule.id);
      if (first === undefined) ids.set(rule.id, index);
      else errors.push(policyError(["rules", index, "id"], `"${rule.id}" is already the id of rules[${first}]`));
    }
    const domains = new Map<string, number>();
    if (Array.isArray(rule.domains)) {
      rule.domains.forEach((domain: unknown, d) => {
        const normalized = typeof domain === "string" ? normalizeDomain(domain) : undefined;
        if (normalized?.ok !== true) return;
        const first = domains.get(normalized.ascii);
        if (first === undefined) domains.set(normalized.ascii, d);
        else errors.push(policyError(["rules", index, "domains", d], `"${String(domain)}" repeats rules[${index}].domains[${first}]`));
      });
    }
    if (Array.isArray(rule.except)) {
      rule.except.forEach((domain: unknown, e) => {
        const normalized = typeof domain === "string" ? normalizeDomain(domain) : undefined;
        if (normalized?.ok !== true) return;
        const path = ["rules", index, "except", e];
        if (domains.has(normalized.ascii)) {
          errors.push(
            policyError(
              path,
              `"${String(domain)}" is also listed in domains; an exception must be more specific than the domain it narrows`,
            ),
          );
        } else if (![...domains.keys()].some((parent) => isSameOrSubdomain(normalized.ascii, parent))) {
          errors.push(policyError(path, `"${String(domain)}" is not below any of this rule's domains, so it would have no effect`));
        }
      });
    }
    const require = isRecord(rule.require) ? rule.require : undefined;
    if (require !== undefined && Array.isArray(require.encryption)) {
      const labels = input.encryptingLabels;
      const index2 = require.encryption.indexOf("label");
      if (index2 >= 0 && !(Array.isArray(labels) && labels.length > 0)) {
        errors.push(policyError(["rules", index, "require", "encryption", index2], '"label" needs at least one entry in encryptingLabels'));
      }
    }
  });
  if (isRecord(input.keys)) {
    const seen = new Map<string, string>();
    for (const address of Object.keys(input.keys)) {
      const parsed = parseRecipients(address)[0];
      if (parsed?.ok !== true) continue;
      const key = addressKey(parsed);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, address);
      else errors.push(policyError(["keys", address], `"${address}" is the same address as "${first}"`, "duplicate-key"));
    }
  }
  return errors;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function dedupe(errors: PolicyError[]): PolicyError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.path}\u0000${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function compile(document: PolicyDocument): CompiledPolicy {
  const matcher = new DomainMatcher();
  const rules = document.rules.map((rule, index): CompiledRule => {
    const domains = rule.domains.map((domain) => asciiOf(domain));
    const except = (rule.except ?? []).map((domain) => asciiOf(domain));
    for (const domain of domains) matcher.add(domain, index, "domain");
    for (const domain of except) matcher.add(domain, index, "except");
    return {
      index,
      id: rule.id,
      domains,
      except,
      submission: rule.require.submission,
      encryption: rule.require.encryption,
      relay: rule.require.relay,
      action: rule.action,
      message: rule.message,
      autoEncrypt: rule.autoEncrypt ?? rule.require.encryption !== undefined,
      protectSubject: rule.protectSubject ?? false,
    };
  });
  const encryptingLabels = new Map((document.encryptingLabels ?? []).map((label) => [label.id.toLowerCase(), label.name]));
  const keys = new Map<string, PinnedKey>();
  for (const [address, value] of Object.entries(document.keys ?? {})) {
    const parsed = parseRecipients(address)[0];
    if (parsed?.ok !== true) continue;
    const fingerprint = normalizeFingerprint(value);
    keys.set(addressKey(parsed), fingerprint === null ? { armored: value.trim() } : { fingerprint });
  }
  return { kind: "policy", document, rules, matcher, encryptingLabels, keys };
}

function asciiOf(domain: string): string {
  const normalized = normalizeDomain(domain);
  // The schema has already refused every domain that does not normalize.
  if (!normalized.ok) throw new Error(`domain "${domain}" passed validation but does not normalize`);
  return normalized.ascii;
}
