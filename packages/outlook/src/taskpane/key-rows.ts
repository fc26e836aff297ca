// Each recipient as the pane shows it: whether a rule protects it and which, and its key (found,
// missing with what was tried, or refused with why); and from those rows, whom to seal for, or
// which protected recipient stops the seal.
import type { CompiledPolicy } from "@sealpost/core";
import type { KeyInfo, KeyLookup } from "@sealpost/core/openpgp";
import type { SealedRecipient } from "./seal-flow.js";
import type { CheckResult } from "../launch/send-check.js";
import { type PaneMessageKey, sayPane } from "./pane-messages.js";

export interface RecipientRow {
  /** The address as the finder looks it up; the input text for one that cannot be read. */
  readonly address: string;
  /** A rule asks for OpenPGP: Seal needs this recipient's key. */
  readonly needsKey: boolean;
  readonly protectSubject: boolean;
  readonly lookup: KeyLookup | undefined;
}

export function recipientRows(result: CheckResult, lookups: readonly KeyLookup[]): RecipientRow[] {
  const policy: CompiledPolicy | undefined = result.policy?.kind === "active" ? result.policy.policy : undefined;
  const byAddress = new Map(lookups.map((lookup) => [lookup.address.toLowerCase(), lookup]));
  return result.decision.recipients.map((report) => {
    if (!report.ok) return { address: report.input, needsKey: true, protectSubject: false, lookup: undefined };
    const rules = report.protected ? report.rules.map((ref) => policy?.rules.find((rule) => rule.id === ref.id)) : [];
    return {
      address: report.address,
      needsKey: rules.some((rule) => rule?.encryption?.includes("openpgp") === true),
      protectSubject: rules.some((rule) => rule?.protectSubject === true && rule.encryption?.includes("openpgp") === true),
      lookup: byAddress.get(report.address.toLowerCase()),
    };
  });
}

/** The addresses to look keys up for: every readable recipient, once. */
export function lookupAddresses(result: CheckResult): string[] {
  const seen = new Set<string>();
  for (const report of result.decision.recipients) if (report.ok) seen.add(report.address);
  return [...seen];
}

export type SealPlan =
  | {
      readonly ok: true;
      readonly keys: readonly KeyInfo[];
      readonly recipients: readonly SealedRecipient[];
      readonly protectSubject: boolean;
    }
  | { readonly ok: false; readonly missing: readonly string[] };

/** Encrypts to every protected recipient's key and every other known one; refuses while a protected one has none. */
export function sealPlan(rows: readonly RecipientRow[]): SealPlan {
  const missing = rows.filter((row) => row.needsKey && row.lookup?.status !== "found").map((row) => row.address);
  if (missing.length > 0) return { ok: false, missing: [...new Set(missing)] };
  const keys = new Map<string, KeyInfo>();
  const recipients: SealedRecipient[] = [];
  for (const row of rows) {
    if (row.lookup?.status !== "found") continue;
    const { key, source } = row.lookup;
    keys.set(key.fingerprint, key);
    recipients.push({ address: row.address, fingerprint: key.fingerprint, encryptionKeyIds: key.encryptionKeyIds, source });
  }
  // Sealed to no recipient's key, the message would reach nobody who can read it.
  if (keys.size === 0) return { ok: false, missing: [...new Set(rows.map((row) => row.address))] };
  return { ok: true, keys: [...keys.values()], recipients, protectSubject: rows.some((row) => row.protectSubject) };
}

/** What the pane says about a recipient's key. */
export function keyLine(locale: string, row: RecipientRow): string {
  const lookup = row.lookup;
  if (lookup === undefined) return row.needsKey ? sayPane(locale, "keys.looking") : sayPane(locale, "keys.not-needed");
  if (lookup.status === "found") {
    return sayPane(locale, "keys.found", {
      fingerprint: groupFingerprint(lookup.key.fingerprint),
      source: sourceName(locale, lookup.source),
    });
  }
  if (lookup.status === "refused") {
    return sayPane(locale, "keys.refused", { source: sourceName(locale, lookup.source), reason: lookup.problem.message });
  }
  if (lookup.tried.length === 0) return sayPane(locale, "keys.missing-none");
  const tried = lookup.tried.map((attempt) => `${sourceName(locale, attempt.source)}: ${attempt.outcome}`).join("; ");
  return sayPane(locale, "keys.missing", { tried });
}

export function sourceName(locale: string, source: string): string {
  const key = `source.${source}` as PaneMessageKey;
  return key === "source.policy" || key === "source.wkd" || key === "source.keys.openpgp.org" || key === "source.imported"
    ? sayPane(locale, key)
    : source;
}

/** A fingerprint in groups of four, as GnuPG and Thunderbird show it. */
export function groupFingerprint(fingerprint: string): string {
  return (fingerprint.match(/.{1,4}/g) ?? []).join(" ");
}
