// The policy's one definition: valibot schemas that validate policies at every entry point
// and from which the published JSON Schema is generated (json-schema.ts).
import * as v from "valibot";
import { normalizeDomain } from "../address/domain.js";
import { parseRecipients } from "../address/recipients.js";

export const ENCRYPTION_METHODS = ["openpgp", "smime", "label"] as const;
export type EncryptionMethod = (typeof ENCRYPTION_METHODS)[number];
export const ACTIONS = ["block", "confirm"] as const;
export type Action = (typeof ACTIONS)[number];
/** TLS from our mail server to the recipient's, weakest first: a stronger level includes the weaker ones' guarantees. */
export const RELAY_LEVELS = ["encrypt", "verify", "dane"] as const;
export type RelayLevel = (typeof RELAY_LEVELS)[number];

const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const LABEL_ID = /^[A-Za-z0-9{}-]{1,64}$/;
// v4 fingerprints are 40 hex digits (RFC 4880 §12.2), v6 ones 64 (RFC 9580 §5.5.4); GnuPG
// prints them in groups of four with spaces, which are accepted and dropped.
const FINGERPRINT = /^(0X)?([0-9A-F]{40}|[0-9A-F]{64})$/;
const ARMORED_KEY = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

function domainIssue(value: string): string | null {
  if (value.startsWith("*.")) return `"${value}" is not a domain name: write "${value.slice(2)}", which already covers its subdomains`;
  if (value.startsWith("@")) return `"${value}" is not a domain name: write "${value.slice(1)}" without the @`;
  if (value.includes("://")) return `"${value}" is a URL, not a domain name`;
  const result = normalizeDomain(value);
  return result.ok ? null : `"${value}" is not a domain name (it ${result.reason})`;
}

const DomainName = v.pipe(
  v.string(),
  v.check(
    (value) => domainIssue(value) === null,
    (issue) => domainIssue(String(issue.input)) ?? "is not a domain name",
  ),
  v.description("A domain name in Unicode or Punycode form; it also covers every subdomain."),
);

const LocalizedText = v.pipe(
  v.record(
    v.pipe(
      v.string(),
      v.regex(LOCALE, (issue) => `"${String(issue.input)}" is not a language tag such as "en" or "de-CH"`),
    ),
    v.pipe(v.string(), v.minLength(1, "must not be empty"), v.maxLength(1000, "is longer than 1000 characters")),
  ),
  v.description('Text by language tag, for example { "en": "…", "de": "…" }; English is the fallback.'),
);

const Requirements = v.pipe(
  v.strictObject({
    submission: v.optional(
      v.pipe(
        v.picklist(["tls"]),
        v.description(
          'How the sending account must submit mail: "tls" accepts implicit TLS, required STARTTLS and HTTPS (Exchange, Microsoft 365).',
        ),
      ),
    ),
    encryption: v.optional(
      v.pipe(
        v.array(v.picklist(ENCRYPTION_METHODS)),
        v.minLength(1, "must list at least one method"),
        v.description(
          'Accepted end-to-end encryption: "openpgp", "smime", "label" (a sensitivity label listed in encryptingLabels). Any one of them satisfies the rule.',
        ),
      ),
    ),
    relay: v.optional(
      v.pipe(
        v.picklist(RELAY_LEVELS),
        v.description(
          'TLS from our mail server to the recipient domain\'s mail servers, enforced by the server (sealpost export), not by the add-ins: "encrypt" requires TLS with any certificate, "verify" a certificate that verifies for the MX host name, "dane" DANE authentication where the domain publishes TLSA records and never cleartext.',
        ),
      ),
    ),
  }),
  v.check(
    (value) => value.submission !== undefined || value.encryption !== undefined || value.relay !== undefined,
    "names no requirement: add submission, encryption, relay or several",
  ),
);

export const RuleSchema = v.strictObject({
  id: v.pipe(
    v.string(),
    v.regex(RULE_ID, (issue) => `"${String(issue.input)}" is not a rule id (letters, digits, ".", "_" and "-", at most 64)`),
    v.description("A short, unique name for the rule, shown to users and in logs."),
  ),
  description: v.optional(v.pipe(v.string(), v.description("A note for administrators; not shown to users."))),
  domains: v.pipe(v.array(DomainName), v.minLength(1, "must list at least one domain")),
  except: v.optional(v.pipe(v.array(DomainName), v.description("More specific domains below `domains` that this rule does not cover."))),
  require: Requirements,
  action: v.pipe(
    v.picklist(ACTIONS),
    v.description('"block" refuses the message until the requirements are met; "confirm" lets the user send after confirming.'),
  ),
  message: v.optional(LocalizedText),
  autoEncrypt: v.optional(
    v.pipe(
      v.boolean(),
      v.description(
        "Where the add-in can encrypt for the user (Thunderbird with an OpenPGP key or S/MIME certificate), it switches encryption on instead of refusing. Default: true for rules that require encryption.",
      ),
    ),
  ),
  protectSubject: v.optional(
    v.pipe(v.boolean(), v.description("The real subject must travel inside the encrypted part, the outer one neutral. Default: false.")),
  ),
});

export const PolicySchema = v.pipe(
  v.strictObject({
    $schema: v.optional(v.string()),
    version: v.pipe(v.literal(1), v.description("The policy format version; this is version 1.")),
    description: v.optional(v.string()),
    rules: v.pipe(v.array(RuleSchema), v.description("Rules for protected domains. All rules that match a recipient apply.")),
    encryptingLabels: v.optional(
      v.pipe(
        v.array(
          v.strictObject({
            id: v.pipe(
              v.string(),
              v.regex(LABEL_ID, (issue) => `"${String(issue.input)}" is not a sensitivity label id`),
            ),
            name: v.pipe(v.string(), v.minLength(1, "must not be empty")),
          }),
        ),
        v.description("Microsoft Purview sensitivity labels that encrypt the message (Outlook)."),
      ),
    ),
    keys: v.optional(
      v.pipe(
        v.record(
          v.pipe(
            v.string(),
            v.check(
              (value) => isPlainAddress(value),
              (issue) => `"${String(issue.input)}" is not an email address (write the bare address, like payments@bank.example)`,
            ),
          ),
          v.pipe(
            v.string(),
            v.check(
              (value) => normalizeFingerprint(value) !== null || value.trimStart().startsWith(ARMORED_KEY),
              "must be an OpenPGP fingerprint (40 or 64 hex digits) or an armored public key",
            ),
          ),
        ),
        v.description("Pinned OpenPGP keys: a protected recipient's address and the fingerprint or armored key it must be encrypted to."),
      ),
    ),
  }),
  v.description("A Sealpost policy: which recipient domains are protected, and what a message to them needs."),
);

export type PolicyDocument = v.InferOutput<typeof PolicySchema>;
export type RuleDocument = v.InferOutput<typeof RuleSchema>;

function isPlainAddress(value: string): boolean {
  const parsed = parseRecipients(value);
  const first = parsed[0];
  return parsed.length === 1 && first !== undefined && first.ok && first.name === "" && first.group === undefined && !value.includes("<");
}

/** The fingerprint in upper-case hex without spaces or "0x", or null when `value` is not one. */
export function normalizeFingerprint(value: string): string | null {
  const compact = value.replace(/\s+/g, "").toUpperCase();
  const match = FINGERPRINT.exec(compact);
  return match === null ? null : (match[2] ?? null);
}
