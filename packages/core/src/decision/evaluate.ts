// The send decision: a pure, total function from a policy and a snapshot of the message to a
// verdict with one finding per unmet requirement. Adapters only translate what it returns.
import { isSameOrSubdomain, normalizeDomain } from "../address/domain.js";
import { addressKey, type ParsedAddress, parseRecipients, type RecipientKind } from "../address/recipients.js";
import { type MessageKey, pickLocalized, resolveLocale, translate } from "../i18n/messages.js";
import type { Action, EncryptionMethod } from "../policy/policy-schema.js";
import type { CompiledPolicy, CompiledRule } from "../policy/validate-policy.js";
import type { ComposeSnapshot, EncryptionState, PolicyUnavailable, RecipientInput, Transport } from "./snapshot.js";

export type Verdict = "allow" | "confirm" | "block";

export type FindingCode =
  | "invalid-recipient"
  | "submission-not-tls"
  | "sent-copy-not-tls"
  | "not-encrypted"
  | "encryption-not-accepted"
  | "pinned-key-not-used"
  | "subject-not-protected"
  | "policy-unavailable"
  | "snapshot-invalid";

export interface RuleRef {
  readonly id: string;
  /** The policy domain (or exception) that matched, in Unicode form for display. */
  readonly domain: string;
}

export type RecipientReport =
  | {
      readonly ok: true;
      readonly input: string;
      readonly kind: RecipientKind;
      readonly list?: string;
      readonly name: string;
      readonly address: string;
      readonly domain: string;
      readonly unicodeDomain: string;
      readonly group?: string;
      readonly protected: boolean;
      readonly rules: readonly RuleRef[];
      readonly excepted: readonly RuleRef[];
    }
  | {
      readonly ok: false;
      readonly input: string;
      readonly kind: RecipientKind;
      readonly list?: string;
      readonly reason: string;
    };

export interface Finding {
  readonly code: FindingCode;
  readonly requirement: "address" | "submission" | "encryption" | "policy" | "snapshot";
  readonly action: Action;
  readonly recipient?: {
    readonly input: string;
    /** The address with its domain in ASCII form, as it travels. */
    readonly address?: string;
    /** The same address with its domain in Unicode, for people. */
    readonly display?: string;
    readonly kind: RecipientKind;
  };
  readonly domain?: string;
  readonly rule?: string;
  /** What Sealpost saw, in a stable machine-readable form (`plain`, `none`, `smime`, …). */
  readonly observed: string;
  /** What is wrong, for the user, in the decision's language. */
  readonly problem: string;
  /** What to do about it. */
  readonly fix: string;
}

export interface RuleMessage {
  readonly rule: string;
  readonly text: string;
}

interface DecisionBase {
  readonly policyActive: boolean;
  readonly locale: string;
  readonly recipients: readonly RecipientReport[];
  readonly ruleMessages: readonly RuleMessage[];
  /** One sentence for the verdict, in the decision's language. */
  readonly summary: string;
}

export type Decision =
  | (DecisionBase & { readonly verdict: "allow"; readonly findings: readonly Finding[] })
  | (DecisionBase & { readonly verdict: "confirm"; readonly findings: readonly Finding[] })
  | (DecisionBase & { readonly verdict: "block"; readonly findings: readonly Finding[] });

/**
 * Decides whether the message may leave. Never throws and does no I/O: a snapshot it cannot
 * read blocks with a `snapshot-invalid` finding. `null` means no policy is configured (a
 * personal install), which checks nothing; a `PolicyUnavailable` blocks mail outside the
 * sender's domain.
 */
export function evaluate(policy: CompiledPolicy | PolicyUnavailable | null, snapshot: ComposeSnapshot): Decision {
  const requested = safeLocale(snapshot);
  const locale = resolveLocale(requested);
  try {
    const problem = snapshotProblem(snapshot);
    if (policy === null) return decide(locale, false, [], [], []);
    if (problem !== undefined) {
      return decide(locale, true, [], [snapshotFinding(locale, problem)], []);
    }
    if (policy.kind === "unavailable") return evaluateUnavailable(policy, snapshot, locale);
    return evaluatePolicy(policy, snapshot, locale, requested);
  } catch (error) {
    return decide(locale, policy !== null, [], [snapshotFinding(locale, `internal error: ${describeError(error)}`)], []);
  }
}

// `requested` is the user's own language tag: the policy may speak languages Sealpost's catalogs do not.
function evaluatePolicy(policy: CompiledPolicy, snapshot: ComposeSnapshot, locale: string, requested: string | undefined): Decision {
  const reports: RecipientReport[] = [];
  const findings: Finding[] = [];
  const triggered = new Set<CompiledRule>();

  for (const [input, parsed] of addresses(snapshot, locale, reports, findings)) {
    const lookup = policy.matcher.lookup(parsed.domain);
    const rules = lookup.matches.map((match) => policy.rules[match.rule]).filter((rule) => rule !== undefined);
    reports.push(report(input, parsed, policy, lookup.matches, lookup.excepted));
    for (const rule of rules) {
      const before = findings.length;
      findings.push(...checkRule(policy, rule, snapshot, input, parsed, locale));
      if (findings.length > before) triggered.add(rule);
    }
    const pinned = checkPinnedKey(policy, rules, snapshot.encryption, snapshot.recipientKeys, input, parsed, locale);
    if (pinned !== undefined) findings.push(pinned);
  }

  const ruleMessages = [...triggered]
    .sort((a, b) => a.index - b.index)
    .flatMap((rule) => {
      const text = pickLocalized(rule.message, requested ?? locale);
      return text === undefined ? [] : [{ rule: rule.id, text }];
    });
  return decide(locale, true, reports, findings, ruleMessages);
}

function checkRule(
  policy: CompiledPolicy,
  rule: CompiledRule,
  snapshot: ComposeSnapshot,
  input: RecipientInput,
  address: ParsedAddress,
  locale: string,
): Finding[] {
  const findings: Finding[] = [];
  const base = {
    action: rule.action,
    recipient: recipientRef(input, address),
    domain: address.unicodeDomain,
    rule: rule.id,
  };
  if (rule.submission === "tls") {
    const submission = transportProblem(snapshot.transport, locale, "submission");
    if (submission !== undefined) findings.push({ ...base, code: "submission-not-tls", requirement: "submission", ...submission });
    if (snapshot.sentCopy !== undefined) {
      const copy = transportProblem(snapshot.sentCopy, locale, "sent-copy");
      if (copy !== undefined) findings.push({ ...base, code: "sent-copy-not-tls", requirement: "submission", ...copy });
    }
  }
  if (rule.encryption !== undefined) {
    const encryption = encryptionProblem(policy, rule.encryption, snapshot.encryption, address, locale);
    if (encryption !== undefined) findings.push({ ...base, requirement: "encryption", ...encryption });
    // Only OpenPGP can carry the subject inside the encrypted part (a protected header).
    else if (rule.protectSubject && snapshot.encryption.kind === "openpgp" && snapshot.encryption.subject !== true) {
      findings.push({
        ...base,
        code: "subject-not-protected",
        requirement: "encryption",
        observed: "subject in the clear",
        problem: translate(locale, "encryption.subject.problem"),
        fix: translate(locale, "encryption.subject.fix"),
      });
    }
  }
  return findings;
}

function transportProblem(
  transport: Transport,
  locale: string,
  leg: "submission" | "sent-copy",
): { observed: string; problem: string; fix: string } | undefined {
  if (transport.kind === "https") return undefined;
  if (transport.kind === "unknown") {
    return {
      observed: "unknown",
      problem: translate(locale, "submission.unknown.problem", { reason: transport.reason }),
      fix: translate(locale, "submission.unknown.fix"),
    };
  }
  if (transport.security === "tls" || transport.security === "starttls") return undefined;
  // Placed right after "server" in the sentence: " (smtp.example.org:25)", or nothing when unknown.
  const host = transport.host ? ` (${transport.host}${transport.port ? `:${String(transport.port)}` : ""})` : "";
  if (leg === "sent-copy") {
    return {
      observed: transport.security,
      problem: translate(locale, "sent-copy.problem", { host }),
      fix: translate(locale, "sent-copy.fix"),
    };
  }
  const key: MessageKey = transport.security === "plain" ? "submission.plain.problem" : "submission.opportunistic.problem";
  return { observed: transport.security, problem: translate(locale, key, { host }), fix: translate(locale, "submission.fix") };
}

function encryptionProblem(
  policy: CompiledPolicy,
  accepted: readonly EncryptionMethod[],
  state: EncryptionState,
  address: ParsedAddress,
  locale: string,
): { code: FindingCode; observed: string; problem: string; fix: string } | undefined {
  const fix = translate(locale, "encryption.fix", { methods: methodList(accepted, locale) });
  if (state.kind === "none") {
    return { code: "not-encrypted", observed: "none", problem: translate(locale, "encryption.none.problem"), fix };
  }
  if (state.kind === "label") {
    const encrypting = policy.encryptingLabels.has(state.id.toLowerCase());
    if (accepted.includes("label") && encrypting) return undefined;
    const label = state.name ?? policy.encryptingLabels.get(state.id.toLowerCase()) ?? state.id;
    if (!encrypting) {
      return {
        code: "not-encrypted",
        observed: `label:${state.id}`,
        problem: translate(locale, "encryption.label.problem", { label }),
        fix,
      };
    }
    return {
      code: "encryption-not-accepted",
      observed: `label:${state.id}`,
      problem: translate(locale, "encryption.not-accepted.problem", { observed: label, domain: address.unicodeDomain }),
      fix,
    };
  }
  if (accepted.includes(state.kind)) return undefined;
  return {
    code: "encryption-not-accepted",
    observed: state.kind,
    problem: translate(locale, "encryption.not-accepted.problem", {
      observed: translate(locale, `method.${state.kind}`),
      domain: address.unicodeDomain,
    }),
    fix,
  };
}

// A pinned key binds a protected address to one OpenPGP key. It can only be checked where the
// host reports the key ids the message is encrypted to; an armored pin needs the OpenPGP module
// to compute its fingerprint, so until then it cannot be matched and the check fails closed.
function checkPinnedKey(
  policy: CompiledPolicy,
  rules: readonly CompiledRule[],
  state: EncryptionState,
  recipientKeys: ComposeSnapshot["recipientKeys"],
  input: RecipientInput,
  address: ParsedAddress,
  locale: string,
): Finding | undefined {
  if (state.kind !== "openpgp") return undefined;
  const requiring = rules.filter((rule) => rule.encryption?.includes("openpgp") === true);
  const pin = policy.keys.get(addressKey(address));
  if (requiring.length === 0 || pin === undefined) return undefined;
  const fingerprint = pin.fingerprint;
  // The keys the message is encrypted to, or else the keys the host will use for this recipient.
  const own =
    recipientKeys === undefined ? undefined : Object.entries(recipientKeys).find(([key]) => key.toLowerCase() === addressKey(address))?.[1];
  const keyIds = state.keyIds ?? (recipientKeys === undefined ? undefined : (own ?? []));
  if (fingerprint !== undefined && keyIds?.some((id) => keyIdMatches(fingerprint, id)) === true) return undefined;
  const shown = fingerprint ?? "(armored key)";
  const action: Action = requiring.some((rule) => rule.action === "block") ? "block" : "confirm";
  // A host that cannot tell which keys the message is encrypted to cannot show the pin is
  // honoured: that fails closed too, with its own explanation.
  const unknown = keyIds === undefined;
  return {
    code: "pinned-key-not-used",
    requirement: "encryption",
    action,
    recipient: recipientRef(input, address),
    domain: address.unicodeDomain,
    rule: requiring[0]?.id ?? "",
    observed: unknown ? "unknown" : keyIds.join(",") || "none",
    problem: translate(locale, unknown ? "encryption.pinned.unknown.problem" : "encryption.pinned.problem", {
      address: address.address,
      fingerprint: shown,
      observed: unknown || keyIds.length === 0 ? translate(locale, "no-key") : keyIds.join(", "),
    }),
    fix: translate(locale, "encryption.pinned.fix", { address: address.address, fingerprint: shown }),
  };
}

/** A key id is the low 64 bits of a v4 fingerprint (RFC 4880 §12.2) or the high 64 bits of a v6 one (RFC 9580 §5.5.4). */
function keyIdMatches(fingerprint: string, keyId: string): boolean {
  const id = keyId.replaceAll(" ", "").toUpperCase().replace(/^0X/, "");
  if (id.length < 16) return false;
  if (id === fingerprint) return true;
  return fingerprint.length === 40 ? fingerprint.endsWith(id) : fingerprint.startsWith(id);
}

function evaluateUnavailable(policy: PolicyUnavailable, snapshot: ComposeSnapshot, locale: string): Decision {
  const sender = typeof snapshot.sender === "string" ? parseRecipients(snapshot.sender)[0] : undefined;
  const home = sender?.ok === true ? sender.domain : undefined;
  const reports: RecipientReport[] = [];
  const findings: Finding[] = [];
  for (const [input, parsed] of addresses(snapshot, locale, reports, findings)) {
    const internal = home !== undefined && isSameOrSubdomain(parsed.domain, home);
    reports.push({ ...reportBase(input, parsed), protected: !internal, rules: [], excepted: [] });
    if (internal) continue;
    findings.push({
      code: "policy-unavailable",
      requirement: "policy",
      action: "block",
      recipient: recipientRef(input, parsed),
      domain: parsed.unicodeDomain,
      observed: policy.reason,
      problem: translate(locale, "policy-unavailable.problem", { reason: policy.reason }),
      fix: translate(locale, "policy-unavailable.fix"),
    });
  }
  return decide(locale, true, reports, findings, []);
}

// Every address the recipients name, in order; one that cannot be parsed is reported and
// becomes an `invalid-recipient` finding instead of being yielded.
function* addresses(
  snapshot: ComposeSnapshot,
  locale: string,
  reports: RecipientReport[],
  findings: Finding[],
): Generator<[RecipientInput, ParsedAddress]> {
  for (const input of snapshot.recipients) {
    for (const parsed of parseRecipients(input.text)) {
      if (parsed.ok) {
        yield [input, parsed];
        continue;
      }
      reports.push({ ok: false, input: parsed.input, kind: input.kind, ...listOf(input), reason: parsed.reason });
      findings.push(invalidRecipient(locale, input, parsed.input, parsed.reason));
    }
  }
}

function report(
  input: RecipientInput,
  parsed: ParsedAddress,
  policy: CompiledPolicy,
  matches: readonly { rule: number; domain: string }[],
  excepted: readonly { rule: number; domain: string }[],
): RecipientReport {
  const refs = (list: readonly { rule: number; domain: string }[]): RuleRef[] =>
    list.map((match) => ({ id: policy.rules[match.rule]?.id ?? "", domain: displayDomain(match.domain) }));
  return { ...reportBase(input, parsed), protected: matches.length > 0, rules: refs(matches), excepted: refs(excepted) };
}

function reportBase(input: RecipientInput, parsed: ParsedAddress) {
  return {
    ok: true as const,
    input: input.text,
    kind: input.kind,
    ...listOf(input),
    name: parsed.name,
    address: parsed.address,
    domain: parsed.domain,
    unicodeDomain: parsed.unicodeDomain,
    ...(parsed.group === undefined ? {} : { group: parsed.group }),
  };
}

function recipientRef(input: RecipientInput, address: ParsedAddress): NonNullable<Finding["recipient"]> {
  return { input: input.text, address: address.address, display: `${address.local}@${address.unicodeDomain}`, kind: input.kind };
}

function displayDomain(ascii: string): string {
  const normalized = normalizeDomain(ascii);
  return normalized.ok ? normalized.unicode : ascii;
}

function listOf(input: RecipientInput): { list?: string } {
  return typeof input.list === "string" ? { list: input.list } : {};
}

function invalidRecipient(locale: string, input: RecipientInput, text: string, reason: string): Finding {
  return {
    code: "invalid-recipient",
    requirement: "address",
    action: "block",
    recipient: { input: text, kind: input.kind },
    observed: reason,
    problem: translate(locale, "invalid-recipient.problem", { input: text, reason }),
    fix: translate(locale, "invalid-recipient.fix"),
  };
}

function snapshotFinding(locale: string, reason: string): Finding {
  return {
    code: "snapshot-invalid",
    requirement: "snapshot",
    action: "block",
    observed: reason,
    problem: translate(locale, "snapshot-invalid.problem", { reason }),
    fix: translate(locale, "snapshot-invalid.fix"),
  };
}

function decide(
  locale: string,
  policyActive: boolean,
  recipients: RecipientReport[],
  findings: Finding[],
  ruleMessages: RuleMessage[],
): Decision {
  const base = { policyActive, locale, recipients, ruleMessages, findings };
  if (!policyActive) return { ...base, verdict: "allow", summary: translate(locale, "no-policy") };
  if (findings.some((finding) => finding.action === "block"))
    return { ...base, verdict: "block", summary: translate(locale, "verdict.block") };
  if (findings.length > 0) return { ...base, verdict: "confirm", summary: translate(locale, "verdict.confirm") };
  return { ...base, verdict: "allow", summary: translate(locale, "verdict.allow") };
}

function methodList(methods: readonly EncryptionMethod[], locale: string): string {
  const names = methods.map((method) => translate(locale, `method.${method}`));
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} ${translate(locale, "or")} ${names[names.length - 1] ?? ""}`;
}

function safeLocale(snapshot: unknown): string | undefined {
  try {
    const locale = (snapshot as { locale?: unknown } | null)?.locale;
    return typeof locale === "string" ? locale : undefined;
  } catch {
    return undefined;
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const KINDS = new Set(["to", "cc", "bcc", "list-member"]);
const SECURITIES = new Set(["plain", "opportunistic-starttls", "starttls", "tls"]);

// Adapters build snapshots from host answers; a malformed one must block, not throw or pass.
function snapshotProblem(snapshot: unknown): string | undefined {
  if (typeof snapshot !== "object" || snapshot === null) return "no message data";
  const { recipients, transport, sentCopy, encryption } = snapshot as Record<string, unknown>;
  if (!Array.isArray(recipients)) return "the recipients are missing";
  for (const recipient of recipients as unknown[]) {
    if (typeof recipient !== "object" || recipient === null) return "a recipient is malformed";
    const { text, kind } = recipient as Record<string, unknown>;
    if (typeof text !== "string") return "a recipient has no address text";
    if (typeof kind !== "string" || !KINDS.has(kind)) return `a recipient has an unknown kind (${String(kind)})`;
  }
  const transportIssue = transportShapeProblem(transport);
  if (transportIssue !== undefined) return `the outgoing server ${transportIssue}`;
  if (sentCopy !== undefined) {
    const copyIssue = transportShapeProblem(sentCopy);
    if (copyIssue !== undefined) return `the Sent-copy server ${copyIssue}`;
  }
  if (typeof encryption !== "object" || encryption === null) return "the encryption state is missing";
  const state = encryption as Record<string, unknown>;
  switch (state.kind) {
    case "none":
    case "smime":
      return undefined;
    case "openpgp":
      if (state.keyIds !== undefined && !(Array.isArray(state.keyIds) && state.keyIds.every((id) => typeof id === "string"))) {
        return "the encryption key ids are malformed";
      }
      return undefined;
    case "label":
      return typeof state.id === "string" ? undefined : "the sensitivity label has no id";
    default:
      return `the encryption state is unknown (${String(state.kind)})`;
  }
}

function transportShapeProblem(transport: unknown): string | undefined {
  if (typeof transport !== "object" || transport === null) return "is not described";
  const { kind, security, reason } = transport as Record<string, unknown>;
  if (kind === "https") return undefined;
  if (kind === "unknown") return typeof reason === "string" ? undefined : "is unknown, with no reason given";
  if (kind === "smtp" || kind === "imap")
    return typeof security === "string" && SECURITIES.has(security) ? undefined : `has an unknown security (${String(security)})`;
  return `has an unknown kind (${String(kind)})`;
}
