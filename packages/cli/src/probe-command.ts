// `sealpost probe`: what the server hop to each protected domain can be held to today (STARTTLS,
// certificates, MTA-STS, TLS-RPT, DANE), and with --policy whether the policy asks for more.
// Exit codes: 0 done, 1 a rule requires more than a domain supports (or it could not be
// probed), 2 usage error, invalid policy, or a resolver that answered no query at all.
import { normalizeDomain } from "@sealpost/core";
import { getServers } from "node:dns";
import { isIP } from "node:net";
import { hostname } from "node:os";
import { rootCertificates } from "node:tls";
import { parseArgs } from "node:util";
import { type CliIo, EXIT, UsageError } from "./io.js";
import { createLimit } from "./probe/concurrency.js";
import { createDnsClient, type DnsClient, DnsError, formatResolver, type ResolverAddress } from "./probe/dns-client.js";
import { loadPolicyTargets, type PolicyTarget } from "./probe/policy-relay.js";
import { probeDomain } from "./probe/probe-domain.js";
import { createProgressBar } from "./probe/progress-bar.js";
import { createTrust } from "./probe/smtp-starttls.js";
import { checkRequirement } from "./probe/relay-level.js";
import { type ProbedDomain, type ProbeReport, renderReport } from "./probe/render-report.js";

export const PROBE_DEFAULTS = { timeoutMs: 10_000, concurrency: 16, smtpPort: 25, httpsPort: 443 } as const;

export async function probeCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      policy: { type: "string" },
      resolver: { type: "string" },
      "smtp-port": { type: "string" },
      "https-port": { type: "string" },
      "ca-file": { type: "string", multiple: true },
      timeout: { type: "string" },
      concurrency: { type: "string" },
      ehlo: { type: "string" },
      json: { type: "boolean" },
      progress: { type: "boolean" },
    },
  });
  const timeoutMs = integerOption("--timeout", values.timeout, PROBE_DEFAULTS.timeoutMs, 1, 600_000);
  const concurrency = integerOption("--concurrency", values.concurrency, PROBE_DEFAULTS.concurrency, 1, 1024);
  const smtpPort = integerOption("--smtp-port", values["smtp-port"], PROBE_DEFAULTS.smtpPort, 1, 65535);
  const httpsPort = integerOption("--https-port", values["https-port"], PROBE_DEFAULTS.httpsPort, 1, 65535);
  const resolver = parseResolver(values.resolver);
  const ca = [...rootCertificates, ...(await readCaFiles(io, values["ca-file"] ?? []))];

  const requested = positionals.map((text) => {
    const normalized = normalizeDomain(text);
    if (!normalized.ok) throw new UsageError(`"${text}" ${normalized.reason}`);
    return normalized.ascii.replace(/\.$/, "");
  });
  let fromPolicy: readonly PolicyTarget[] = [];
  if (values.policy !== undefined) {
    const loaded = await loadPolicyTargets(io, values.policy);
    if (!loaded.ok) {
      for (const error of loaded.errors) io.stderr(`${error}\n`);
      io.stderr(`sealpost: the policy is invalid; run "sealpost lint ${values.policy}"\n`);
      return EXIT.usage;
    }
    fromPolicy = loaded.targets;
  }
  const domains = [...new Set([...fromPolicy.map((target) => target.domain), ...requested])];
  if (domains.length === 0) throw new UsageError("probe needs domains (sealpost probe DOMAIN…) or --policy POLICY");

  const dns = countingAnswers(createDnsClient(resolver, timeoutMs));
  const context = {
    dns: dns.client,
    limit: createLimit(concurrency),
    smtpPort,
    httpsPort,
    timeoutMs,
    trust: createTrust(ca),
    ehloName: values.ehlo ?? hostname(),
  };
  const progress = createProgressBar(io.stderr, domains.length, values.progress === true || io.stderrIsTty === true);
  const probed = await Promise.all(
    domains.map(async (domain) => {
      const report = await probeDomain(domain, context);
      progress.tick(domain);
      return report;
    }),
  );
  progress.done();
  // A resolver that is down, or not a resolver, made every domain "could not be probed"; one line
  // says what is wrong instead of a report of identical timeouts.
  if (dns.asked() > 0 && dns.answered() === 0) {
    io.stderr(
      `sealpost: the resolver ${formatResolver(resolver)} answered none of ${String(dns.asked())} DNS queries (${String(timeoutMs)} ms each); is it running? Name another with --resolver IP:PORT\n`,
    );
    return EXIT.usage;
  }

  const report: ProbeReport = {
    resolver: formatResolver(resolver),
    resolverIsLocal: resolver.host === "::1" || resolver.host.startsWith("127."),
    domains: probed.map((domain): ProbedDomain => {
      const requirement = fromPolicy.find((target) => target.domain === domain.domain)?.requirement;
      const requirements = requirement === undefined ? [] : [checkRequirement(requirement.rules, requirement.level, domain.recommendation)];
      return { ...domain, requirements, overRequired: requirements.some((check) => !check.met) };
    }),
  };
  if (values.json === true) io.stdout(JSON.stringify(report, null, 2) + "\n");
  else io.stdout(renderReport(report, io.color));
  return report.domains.some((domain) => domain.overRequired) ? EXIT.block : EXIT.allow;
}

function integerOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`${name} "${value}" is not a whole number from ${String(min)} to ${String(max)}`);
  }
  return Number(value);
}

function parseResolver(value: string | undefined): ResolverAddress {
  // Without --resolver, the system's first resolver (what /etc/resolv.conf names).
  const text = value ?? getServers()[0];
  if (text === undefined) throw new UsageError("no DNS resolver is configured on this machine; give --resolver HOST:PORT");
  const match =
    /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text) ?? (isIP(text) === 6 ? [text, text, undefined] : null);
  const host = match?.[1];
  const port = match?.[2] === undefined ? 53 : Number(match[2]);
  if (host === undefined || isIP(host) === 0 || port < 1 || port > 65535) {
    throw new UsageError(`--resolver "${text}" is not IP:PORT (an IPv4 address, or [IPv6]:PORT)`);
  }
  return { host, port };
}

async function readCaFiles(io: CliIo, paths: readonly string[]): Promise<string[]> {
  const pems: string[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await io.readFile(path);
    } catch (error) {
      throw new UsageError(`cannot read --ca-file ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const certificates = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
    if (certificates === null) throw new UsageError(`--ca-file ${path} holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`);
    pems.push(...certificates);
  }
  return pems;
}

/** The client, counting the queries asked and those the resolver answered (any reply, even an error code). */
function countingAnswers(client: DnsClient): { client: DnsClient; asked: () => number; answered: () => number } {
  let asked = 0;
  let answered = 0;
  return {
    client: {
      resolver: client.resolver,
      async query(name, type) {
        asked++;
        try {
          const response = await client.query(name, type);
          answered++;
          return response;
        } catch (error) {
          if (!(error instanceof DnsError) || (error.code !== "timeout" && error.code !== "network")) answered++;
          throw error;
        }
      },
    },
    asked: () => asked,
    answered: () => answered,
  };
}
