// Builders shared by the core tests: policies compiled from documents or from the fixture
// files in test/fixtures/policies, and compose snapshots that meet every requirement unless a
// test changes the one thing it is about.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  type CompiledPolicy,
  type ComposeSnapshot,
  type Decision,
  type Finding,
  parsePolicyText,
  type RecipientInput,
  type RecipientKind,
  validatePolicy,
} from "@sealpost/core";

/** The text of a policy file under test/fixtures/policies, exactly as stored (a BOM is kept). */
export function readPolicyFixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/policies/${name}`, import.meta.url)), "utf8");
}

/** Compiles a policy document, failing the test with every error when it is not valid. */
export function compilePolicy(document: unknown): CompiledPolicy {
  const result = validatePolicy(document);
  if (!result.ok) throw new Error(`test policy is invalid:\n${result.errors.map((e) => `${e.path}: ${e.message}`).join("\n")}`);
  return result.policy;
}

/** Compiles a policy fixture file through parsePolicyText, as the CLI and the add-ins read it. */
export function compilePolicyFixture(name: string): CompiledPolicy {
  const result = parsePolicyText(readPolicyFixture(name));
  if (!result.ok) throw new Error(`fixture ${name} is invalid:\n${result.errors.map((e) => `${e.path}: ${e.message}`).join("\n")}`);
  return result.policy;
}

/** One rule for the banks: TLS submission and OpenPGP or S/MIME, or the message is blocked. */
export const BANKS_POLICY = {
  version: 1,
  rules: [
    {
      id: "banks",
      domains: ["examplebank.com", "bänk.de"],
      except: ["newsletter.examplebank.com"],
      require: { submission: "tls", encryption: ["openpgp", "smime"] },
      action: "block",
    },
  ],
} as const;

export function to(text: string, kind: RecipientKind = "to"): RecipientInput {
  return { text, kind };
}

/**
 * A snapshot that satisfies every rule in these tests: implicit TLS submission and OpenPGP
 * encryption (without key ids, so pinned keys are not checked unless a test adds them).
 */
export function snapshot(recipients: readonly (string | RecipientInput)[], overrides: Partial<ComposeSnapshot> = {}): ComposeSnapshot {
  return {
    recipients: recipients.map((recipient) => (typeof recipient === "string" ? to(recipient) : recipient)),
    transport: { kind: "smtp", security: "tls", host: "smtp.corp.example", port: 465 },
    encryption: { kind: "openpgp" },
    locale: "en",
    ...overrides,
  };
}

/** The same snapshot with nothing protected: plain submission, no encryption. */
export function insecureSnapshot(
  recipients: readonly (string | RecipientInput)[],
  overrides: Partial<ComposeSnapshot> = {},
): ComposeSnapshot {
  return snapshot(recipients, {
    transport: { kind: "smtp", security: "plain", host: "smtp.corp.example", port: 25 },
    encryption: { kind: "none" },
    ...overrides,
  });
}

export function codes(decision: Decision): Finding["code"][] {
  return decision.findings.map((finding) => finding.code);
}

/** The report for the recipient with this normalized address, failing when there is none. */
export function reportFor(decision: Decision, address: string): Extract<Decision["recipients"][number], { ok: true }> {
  for (const report of decision.recipients) if (report.ok && report.address === address) return report;
  throw new Error(`no recipient report for ${address}; have ${JSON.stringify(decision.recipients)}`);
}
