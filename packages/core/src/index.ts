// The public face of @sealpost/core: everything an adapter or the CLI may use.
export { normalizeDomain, isSameOrSubdomain, type DomainResult } from "./address/domain.js";
export {
  parseRecipients,
  addressKey,
  type AddressParse,
  type ParsedAddress,
  type UnparsableAddress,
  type RecipientKind,
} from "./address/recipients.js";
export {
  PolicySchema,
  ENCRYPTION_METHODS,
  ACTIONS,
  RELAY_LEVELS,
  type Action,
  type RelayLevel,
  type EncryptionMethod,
  type PolicyDocument,
  type RuleDocument,
} from "./policy/policy-schema.js";
export {
  validatePolicy,
  formatPath,
  type CompiledPolicy,
  type CompiledRule,
  type PinnedKey,
  type PolicyError,
  type PolicyErrorCode,
  type PolicyResult,
} from "./policy/validate-policy.js";
export { parsePolicyText } from "./policy/parse-policy.js";
export { relayLevels, relayAtLeast, compareDomains, type RelayEntry } from "./policy/relay-levels.js";
export { DomainMatcher, type DomainLookup, type RuleMatch } from "./policy/domain-matcher.js";
export type { ComposeSnapshot, EncryptionState, PolicyUnavailable, RecipientInput, SmtpSecurity, Transport } from "./decision/snapshot.js";
export {
  evaluate,
  type Decision,
  type Finding,
  type FindingCode,
  type RecipientReport,
  type RuleMessage,
  type RuleRef,
  type Verdict,
} from "./decision/evaluate.js";
export { describeDecision, groupFindings, type Reason } from "./decision/describe.js";
export { translate, resolveLocale, pickLocalized, SUPPORTED_LOCALES, type MessageKey } from "./i18n/messages.js";
