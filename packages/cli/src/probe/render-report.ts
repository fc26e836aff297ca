// The probe's report for people: a summary table, then each domain's MX hosts, MTA-STS, TLS-RPT,
// the relay level it supports and, with --policy, what its rules require.
import { type Style, style } from "../style.js";
import { describeTlsa } from "./dane.js";
import type { DomainReport, MxReport } from "./probe-domain.js";
import { RELAY_LEVELS } from "@sealpost/core";
import type { RequirementCheck } from "./relay-level.js";

export interface ProbedDomain extends DomainReport {
  /** With --policy: each rule's relay requirement on this domain and whether it is met today. */
  readonly requirements: readonly RequirementCheck[];
  /** Some rule requires more than the domain supports: that mail would be deferred. */
  readonly overRequired: boolean;
}

export interface ProbeReport {
  readonly resolver: string;
  /** Whether the resolver is on a loopback address, where its AD bit cannot be altered on the way. */
  readonly resolverIsLocal: boolean;
  readonly domains: readonly ProbedDomain[];
}

export function renderReport(unsafe: ProbeReport, color: boolean): string {
  const report = printable(unsafe);
  const s = style(color);
  const out: string[] = [];
  const rows = [
    ["domain", "relay level", "MX", "MTA-STS", "TLS-RPT", "policy"],
    ...report.domains.map((domain) => [
      domain.domain,
      domain.recommendation.level,
      domain.error === undefined ? String(domain.mx.length) : "-",
      domain.mtaSts.policy?.mode ?? (domain.mtaSts.record === null ? "none" : "broken"),
      domain.tlsRpt.record === null ? "none" : "yes",
      policyCell(domain),
    ]),
  ];
  out.push(...table(rows, s), "");
  for (const domain of report.domains) out.push(...renderDomain(domain, s), "");
  out.push(s.dim(`DNS answers from ${report.resolver}; DNSSEC validation (the AD bit) is that resolver's.`));
  if (!report.resolverIsLocal) {
    out.push(s.yellow(`The resolver is not on this machine: its AD bit crosses the network unprotected and could be forged.`));
  }
  return out.join("\n") + "\n";
}

function policyCell(domain: ProbedDomain): string {
  if (domain.requirements.length === 0) return "-";
  return domain.requirements.map((check) => `${check.required} ${check.met ? "met" : "NOT MET"} (${check.rules.join(", ")})`).join(", ");
}

function renderDomain(domain: ProbedDomain, s: Style): string[] {
  const out: string[] = [s.bold(domain.domain)];
  const level = domain.recommendation.level;
  const shown = level === "none" ? s.red("none") : level === "encrypt" ? s.yellow(level) : s.green(level);
  out.push(`  relay level: ${shown}`);
  if (domain.error !== undefined) out.push(`  ${s.red("✗")} ${domain.error}`);
  else {
    if (domain.mxSource === "implicit") out.push(`  no MX records: mail goes to the domain's own A/AAAA address (RFC 5321 §5.1)`);
    out.push(`  MX${domain.mxValidated ? " (DNSSEC-validated)" : ""}:`);
    for (const mx of domain.mx) out.push(...renderMx(mx, s));
    for (const candidate of [...RELAY_LEVELS].reverse()) {
      if (candidate === level) break;
      const why = domain.recommendation.why[candidate];
      out.push(`  not ${candidate}: ${why.join("; ")}`);
    }
  }
  out.push(`  MTA-STS: ${describeMtaSts(domain, s)}`);
  out.push(
    `  TLS-RPT: ${domain.tlsRpt.record === null ? `none (${domain.tlsRpt.error ?? "no record"})` : `rua ${domain.tlsRpt.rua.join(", ")}`}`,
  );
  for (const check of domain.requirements) {
    const by = `${check.rules.length === 1 ? "rule" : "rules"} ${check.rules.join(", ")}`;
    if (check.met) out.push(`  ${s.green("✓")} the policy requires relay "${check.required}" (${by}): supported today`);
    else
      out.push(
        `  ${s.red("✗")} the policy requires relay "${check.required}" (${by}): mail would be deferred — ${check.reasons.join("; ")}`,
      );
  }
  return out;
}

function renderMx(mx: MxReport, s: Style): string[] {
  const where = mx.addresses.length > 0 ? ` [${mx.addresses.join(", ")}]` : "";
  const out = [`    ${String(mx.preference).padStart(5)} ${mx.host}${where}`];
  const smtp = mx.smtp;
  if (smtp.outcome === "tls") {
    const certificate = smtp.certificate;
    const cert =
      certificate === undefined
        ? ""
        : certificate.verified
          ? s.green("certificate verifies")
          : s.red(`certificate does not verify: ${certificate.reason ?? ""}`);
    out.push(`          STARTTLS ${smtp.tlsVersion ?? ""} ${smtp.cipher ?? ""}, ${cert}`);
  } else if (smtp.outcome === "no-starttls") out.push(`          ${s.red("no STARTTLS")}`);
  else out.push(`          ${s.red(smtp.outcome === "failed" ? `failed at ${smtp.stage ?? "?"}` : "not probed")}: ${smtp.error ?? ""}`);
  const tlsa = mx.tlsa;
  if (tlsa.error !== undefined) out.push(`          TLSA: lookup failed: ${tlsa.error}`);
  else if (tlsa.records.length === 0) out.push(`          TLSA: none`);
  else {
    const validated = tlsa.validated ? "DNSSEC-validated" : s.yellow("NOT validated (no AD bit)");
    const matched =
      tlsa.matched === null
        ? `the certificate matches none of ${tlsa.records.map(describeTlsa).join(", ")}`
        : `the certificate matches ${tlsa.matched}`;
    out.push(`          TLSA: ${String(tlsa.records.length)} record(s), ${validated}; ${matched}`);
  }
  return out;
}

function describeMtaSts(domain: DomainReport, s: Style): string {
  const sts = domain.mtaSts;
  if (sts.record === null) return `none (${sts.recordError ?? "no record"})`;
  if (sts.policy === undefined)
    return `${s.red("record without a usable policy")} (id ${sts.record.id}): ${sts.policyError ?? ""} — senders treat the domain as having no MTA-STS`;
  const policy = sts.policy;
  const match = sts.mxNotMatching.length === 0 ? "every MX matches" : s.red(`MX not matching: ${sts.mxNotMatching.join(", ")}`);
  return `mode ${policy.mode}, max_age ${String(policy.maxAge)}, mx ${policy.mx.join(" ") || "(none)"}; ${policy.mode === "none" ? "nothing enforced" : match} (id ${sts.record.id})`;
}

function table(rows: readonly (readonly string[])[], s: Style): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows.map((row, index) => {
    const line = row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
    return index === 0 ? s.bold(line) : line;
  });
}

/**
 * Banners, replies and DNS names come from servers we do not control: control characters in
 * them (an escape sequence could rewrite the terminal) are shown as \xNN instead.
 */
function printable(report: ProbeReport): ProbeReport {
  return JSON.parse(JSON.stringify(report), (_key, value: unknown) =>
    typeof value === "string" ? escapeControls(value) : value,
  ) as ProbeReport;
}

function escapeControls(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.charCodeAt(0);
    out += code < 0x20 || (code >= 0x7f && code <= 0x9f) ? `\\x${code.toString(16).padStart(2, "0")}` : char;
  }
  return out;
}
