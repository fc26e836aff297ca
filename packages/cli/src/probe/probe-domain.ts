// Everything the probe learns about one recipient domain: its MX hosts (or the implicit MX),
// each host's STARTTLS, certificate and TLSA records, its MTA-STS and TLS-RPT records, and the
// relay level that follows. Lookups fan out in parallel under the shared limit.
import type * as dnsPacket from "dns-packet";
import type { SecureContext } from "node:tls";
import type { Limit } from "./concurrency.js";
import { describeTlsa, isUsableTlsa, matchTlsa, type TlsaRecord } from "./dane.js";
import { type DnsClient, DnsError, type QueryType } from "./dns-client.js";
import { fetchStsPolicy } from "./mta-sts-fetch.js";
import { parseStsPolicy, parseStsRecord, type StsPolicy, unmatchedMx } from "./mta-sts-policy.js";
import { type MxCapability, type Recommendation, recommendRelayLevel } from "./relay-level.js";
import { type CertificateReport, probeSmtp } from "./smtp-starttls.js";
import { parseTlsRptRecord } from "./tls-rpt.js";

export interface ProbeContext {
  readonly dns: DnsClient;
  readonly limit: Limit;
  readonly smtpPort: number;
  readonly httpsPort: number;
  readonly timeoutMs: number;
  /** The trusted roots (the system's and any --ca-file), parsed once for every connection. */
  readonly trust: SecureContext;
  readonly ehloName: string;
}

export interface SmtpReport {
  readonly address?: string;
  readonly port: number;
  /** tls: STARTTLS offered and the handshake done; no-starttls: not offered; failed: see stage and error. */
  readonly outcome: "tls" | "no-starttls" | "failed" | "not-probed";
  readonly banner?: string;
  readonly tlsVersion?: string;
  readonly cipher?: string;
  readonly certificate?: CertificateReport;
  readonly stage?: string;
  readonly error?: string;
}

export interface TlsaReport {
  readonly name: string;
  readonly records: readonly TlsaRecord[];
  /** The resolver set AD on the answer (for "no records", on the denial). */
  readonly validated: boolean;
  readonly usable: number;
  /** The record the presented certificate matched, or null. */
  readonly matched: string | null;
  readonly error?: string;
}

export interface MxReport {
  readonly host: string;
  readonly preference: number;
  readonly addresses: readonly string[];
  /** The resolver set AD on the host's address records (RFC 7672 §2.2.2 needs them secure for DANE). */
  readonly addressesValidated: boolean;
  readonly addressError?: string;
  readonly smtp: SmtpReport;
  readonly tlsa: TlsaReport;
  /** What this host lacks for each relay level; absent where it meets it. */
  readonly lacks: { readonly encrypt?: string; readonly verify?: string; readonly dane?: string };
}

export interface MtaStsReport {
  /** The _mta-sts TXT record senders would use, or null. */
  readonly record: { readonly txt: string; readonly id: string } | null;
  readonly recordError?: string;
  readonly policyUrl?: string;
  readonly policy?: StsPolicy;
  readonly policyError?: string;
  /** MX hosts that no mx pattern matches: an enforcing sender would not deliver to them. */
  readonly mxNotMatching: readonly string[];
}

export interface TlsRptReport {
  readonly record: string | null;
  readonly rua: readonly string[];
  readonly error?: string;
}

export interface DomainReport {
  readonly domain: string;
  /** mx: MX records; implicit: none, so the domain's own A/AAAA (RFC 5321 §5.1); null-mx: RFC 7505. */
  readonly mxSource: "mx" | "implicit" | "null-mx" | "none";
  readonly mxValidated: boolean;
  /** Why the domain's mail hosts could not be established (DNS timeout, NXDOMAIN, …). */
  readonly error?: string;
  readonly mx: readonly MxReport[];
  readonly mtaSts: MtaStsReport;
  readonly tlsRpt: TlsRptReport;
  readonly recommendation: Recommendation;
}

type Lookup =
  | { ok: true; rcode: "NOERROR" | "NXDOMAIN"; authenticated: boolean; answers: readonly dnsPacket.Answer[] }
  | { ok: false; error: string; code: string };

export async function probeDomain(domain: string, context: ProbeContext): Promise<DomainReport> {
  const [hosts, mtaStsTxt, tlsRptTxt] = await Promise.all([
    mailHosts(domain, context),
    lookup(context, `_mta-sts.${domain}`, "TXT"),
    lookup(context, `_smtp._tls.${domain}`, "TXT"),
  ]);
  const mx = await Promise.all(hosts.hosts.map((host) => probeMx(host.host, host.preference, hosts.validated, context)));
  const mtaSts = await probeMtaSts(
    domain,
    mtaStsTxt,
    mx.map((host) => host.host),
    context,
  );
  const tlsRpt = readTlsRpt(tlsRptTxt);
  const capabilities: MxCapability[] = mx.map((host) => ({
    host: host.host,
    encrypt: host.lacks.encrypt,
    verify: host.lacks.verify,
    dane: host.lacks.dane,
  }));
  return {
    domain,
    mxSource: hosts.source,
    mxValidated: hosts.validated,
    ...(hosts.error === undefined ? {} : { error: hosts.error }),
    mx,
    mtaSts,
    tlsRpt,
    recommendation: recommendRelayLevel(capabilities, hosts.error),
  };
}

async function lookup(context: ProbeContext, name: string, type: QueryType): Promise<Lookup> {
  try {
    const response = await context.limit(() => context.dns.query(name, type));
    return { ok: true, ...response };
  } catch (error) {
    if (error instanceof DnsError) return { ok: false, error: error.message, code: error.code };
    return { ok: false, error: error instanceof Error ? error.message : String(error), code: "network" };
  }
}

interface MailHosts {
  readonly source: DomainReport["mxSource"];
  readonly validated: boolean;
  readonly hosts: readonly { host: string; preference: number }[];
  readonly error?: string;
}

async function mailHosts(domain: string, context: ProbeContext): Promise<MailHosts> {
  const answer = await lookup(context, domain, "MX");
  if (!answer.ok) return { source: "none", validated: false, hosts: [], error: `MX lookup failed: ${answer.error}` };
  if (answer.rcode === "NXDOMAIN")
    return { source: "none", validated: answer.authenticated, hosts: [], error: `${domain} does not exist (NXDOMAIN)` };
  const records = answer.answers.flatMap((record) =>
    record.type === "MX" ? [{ host: record.data.exchange.replace(/\.$/, "").toLowerCase(), preference: record.data.preference ?? 0 }] : [],
  );
  // RFC 7505: one MX whose exchange is the root says the domain accepts no mail at all.
  if (records.length === 1 && records[0]?.host === "") {
    return {
      source: "null-mx",
      validated: answer.authenticated,
      hosts: [],
      error: `${domain} publishes a null MX (RFC 7505): it accepts no mail`,
    };
  }
  if (records.length > 0) {
    return {
      source: "mx",
      validated: answer.authenticated,
      hosts: [...records].sort((a, b) => a.preference - b.preference || a.host.localeCompare(b.host)),
    };
  }
  // RFC 5321 §5.1: without MX records, the domain itself is the mail host, at preference 0.
  const [a, aaaa] = await Promise.all([lookup(context, domain, "A"), lookup(context, domain, "AAAA")]);
  const hasAddress = [a, aaaa].some((result) => result.ok && result.answers.length > 0);
  if (hasAddress) return { source: "implicit", validated: answer.authenticated, hosts: [{ host: domain, preference: 0 }] };
  const failed = [a, aaaa].find((result) => !result.ok);
  return {
    source: "none",
    validated: answer.authenticated,
    hosts: [],
    error:
      failed !== undefined && !failed.ok
        ? `no MX records, and the A/AAAA lookup failed: ${failed.error}`
        : `${domain} has no MX and no A/AAAA records: it receives no mail`,
  };
}

async function addresses(host: string, context: ProbeContext): Promise<{ addresses: string[]; validated: boolean; error?: string }> {
  const [a, aaaa] = await Promise.all([lookup(context, host, "A"), lookup(context, host, "AAAA")]);
  const found = [a, aaaa].flatMap((result) =>
    result.ok ? result.answers.flatMap((record) => (record.type === "A" || record.type === "AAAA" ? [record.data] : [])) : [],
  );
  const validated = [a, aaaa].every((result) => result.ok && result.authenticated);
  if (found.length > 0) return { addresses: found, validated };
  const failed = [a, aaaa].find((result) => !result.ok);
  return { addresses: [], validated, error: failed !== undefined && !failed.ok ? failed.error : `${host} has no A/AAAA records` };
}

async function probeMx(host: string, preference: number, mxValidated: boolean, context: ProbeContext): Promise<MxReport> {
  const tlsaName = `_25._tcp.${host}`;
  const [resolved, tlsaAnswer] = await Promise.all([addresses(host, context), lookup(context, tlsaName, "TLSA")]);
  const smtp: SmtpReport & { chain?: readonly Buffer[] } =
    resolved.error !== undefined
      ? { port: context.smtpPort, outcome: "not-probed", error: resolved.error }
      : await probeAddresses(host, resolved.addresses, context);
  const { chain, ...smtpReport } = smtp;
  const tlsa = readTlsa(tlsaName, tlsaAnswer, chain ?? []);
  return {
    host,
    preference,
    addresses: resolved.addresses,
    addressesValidated: resolved.validated,
    ...(resolved.error === undefined ? {} : { addressError: resolved.error }),
    smtp: smtpReport,
    tlsa,
    lacks: lacks(smtpReport, tlsa, { mx: mxValidated, addresses: resolved.validated }),
  };
}

async function probeAddresses(
  host: string,
  list: readonly string[],
  context: ProbeContext,
): Promise<SmtpReport & { chain?: readonly Buffer[] }> {
  let last: SmtpReport | undefined;
  for (const address of list) {
    const result = await context.limit(() =>
      probeSmtp(
        { host, address, port: context.smtpPort },
        { timeoutMs: context.timeoutMs, trust: context.trust, ehloName: context.ehloName },
      ),
    );
    const base = { address, port: context.smtpPort };
    if (result.outcome === "tls") {
      const { outcome, banner, tlsVersion, cipher, certificate, chain } = result;
      return { ...base, outcome, banner, tlsVersion, cipher, certificate, chain };
    }
    if (result.outcome === "no-starttls") return { ...base, outcome: "no-starttls", banner: result.banner };
    last = { ...base, outcome: "failed", stage: result.stage, error: result.error };
    // Like a sending MTA, try the host's next address only when this one cannot be reached.
    if (result.stage !== "connect") return last;
  }
  return last ?? { port: context.smtpPort, outcome: "not-probed", error: `${host} has no address` };
}

function readTlsa(name: string, answer: Lookup, chain: readonly Buffer[]): TlsaReport {
  if (!answer.ok) return { name, records: [], validated: false, usable: 0, matched: null, error: answer.error };
  const records = answer.answers.flatMap((record): TlsaRecord[] =>
    record.type === "TLSA"
      ? [
          {
            usage: record.data.usage,
            selector: record.data.selector,
            matchingType: record.data.matchingType,
            data: record.data.certificate.toString("hex"),
          },
        ]
      : [],
  );
  const usable = records.filter(isUsableTlsa).length;
  const match = chain.length > 0 ? matchTlsa(records, chain) : undefined;
  return { name, records, validated: answer.authenticated, usable, matched: match === undefined ? null : describeTlsa(match) };
}

function lacks(smtp: SmtpReport, tlsa: TlsaReport, validated: { mx: boolean; addresses: boolean }): MxReport["lacks"] {
  let transport: string | undefined;
  if (smtp.outcome === "not-probed") transport = `cannot be reached: ${smtp.error ?? "no address"}`;
  else if (smtp.outcome === "no-starttls") transport = "offers no STARTTLS";
  else if (smtp.outcome === "failed")
    transport =
      smtp.stage === "tls"
        ? `offers STARTTLS but the ${smtp.error ?? "TLS handshake failed"}`
        : `could not be probed (${smtp.stage ?? "?"}): ${smtp.error ?? ""}`;
  if (transport !== undefined) return { encrypt: transport, verify: transport, dane: transport };
  const certificate = smtp.certificate;
  const verify =
    certificate === undefined || certificate.verified
      ? undefined
      : `has a certificate that does not verify: ${certificate.reason ?? "unknown reason"}`;
  return { ...(verify === undefined ? {} : { verify }), ...daneLack(tlsa, validated) };
}

function daneLack(tlsa: TlsaReport, validated: { mx: boolean; addresses: boolean }): { dane?: string } {
  if (tlsa.error !== undefined) return { dane: `has no usable TLSA answer (${tlsa.error})` };
  if (tlsa.records.length === 0) return { dane: `has no TLSA records at ${tlsa.name}` };
  if (!tlsa.validated) return { dane: "has TLSA records, but the resolver did not validate them with DNSSEC (no AD bit)" };
  // RFC 7672 §2.2: DANE applies only to MX hosts and addresses learnt from secure answers; an
  // insecure MX answer could name an attacker's host, whose own TLSA would then "match".
  if (!validated.mx) return { dane: "has validated TLSA records, but the domain's MX answer is not DNSSEC-validated (RFC 7672 §2.2.1)" };
  if (!validated.addresses)
    return { dane: "has validated TLSA records, but its address records are not DNSSEC-validated (RFC 7672 §2.2.2)" };
  if (tlsa.usable === 0)
    return {
      dane: "has only TLSA records SMTP cannot use (RFC 7672 §3.1.3: DANE-TA or DANE-EE with known selector and matching type are needed)",
    };
  if (tlsa.matched === null) return { dane: "presents a certificate that matches none of its TLSA records: DANE senders would defer mail" };
  return {};
}

async function probeMtaSts(domain: string, txt: Lookup, mxHosts: readonly string[], context: ProbeContext): Promise<MtaStsReport> {
  if (!txt.ok) return { record: null, recordError: `TXT lookup failed: ${txt.error}`, mxNotMatching: [] };
  const strings = txtStrings(txt);
  const record = parseStsRecord(strings);
  if (!record.ok) return { record: null, recordError: record.error, mxNotMatching: [] };
  const text = strings.find((value) => value.startsWith("v=STSv1")) ?? "";
  const host = `mta-sts.${domain}`;
  const policyUrl = `https://${host}/.well-known/mta-sts.txt`;
  const base = { record: { txt: text, id: record.value.id }, policyUrl };
  const resolved = await addresses(host, context);
  const address = resolved.addresses[0];
  if (address === undefined)
    return { ...base, policyError: `cannot resolve ${host}: ${resolved.error ?? "no address"}`, mxNotMatching: [] };
  const fetched = await context.limit(() =>
    fetchStsPolicy({ host, address, port: context.httpsPort }, { timeoutMs: context.timeoutMs, trust: context.trust }),
  );
  if (!fetched.ok) return { ...base, policyError: fetched.error, mxNotMatching: [] };
  const policy = parseStsPolicy(fetched.text);
  if (!policy.ok) return { ...base, policyError: `${policyUrl}: ${policy.error}`, mxNotMatching: [] };
  return { ...base, policy: policy.value, mxNotMatching: policy.value.mode === "none" ? [] : unmatchedMx(mxHosts, policy.value.mx) };
}

function readTlsRpt(txt: Lookup): TlsRptReport {
  if (!txt.ok) return { record: null, rua: [], error: `TXT lookup failed: ${txt.error}` };
  const strings = txtStrings(txt);
  const record = parseTlsRptRecord(strings);
  if (!record.ok) return { record: null, rua: [], error: record.error };
  return { record: strings.find((value) => value.startsWith("v=TLSRPTv1")) ?? "", rua: record.value.rua };
}

/** A TXT record may be split into strings of up to 255 bytes; they are one value (RFC 7208 §3.3 does the same). */
function txtStrings(txt: Lookup): string[] {
  if (!txt.ok) return [];
  return txt.answers.flatMap((record) => {
    if (record.type !== "TXT") return [];
    const parts = Array.isArray(record.data) ? record.data : [record.data];
    return [parts.map((part) => (typeof part === "string" ? part : part.toString("utf8"))).join("")];
  });
}
