// `sealpost export exim`: domain lists, routers placed before Debian's dnslookup router, and one
// smtp transport per level, laid out as Debian's split configuration (/etc/exim4/conf.d) wants.
// Option semantics from the Exim 4.96 specification, chapters on the smtp transport and DANE.
import { RELAY_LEVELS, type RelayEntry, type RelayLevel } from "@sealpost/core";
import { comment, type Export, GENERATED, shownDomain } from "./exported-file.js";

export const EXIM_MAIN = "main/05_sealpost_relay_tls";
export const EXIM_ROUTER = "router/190_sealpost_relay_tls";
export const EXIM_TRANSPORT = "transport/30_sealpost_relay_tls";

const listName = (level: RelayLevel) => `sealpost_relay_${level}`;
const transportName = (level: RelayLevel) => `sealpost_smtp_${level}`;

// Every transport refuses to fall back to cleartext: hosts_require_tls = * fails (defers) the
// delivery when STARTTLS is missing or fails, and tls_tempfail_tryclear = false stops Exim's
// default retry in the clear after a failed handshake.
const TRANSPORT_OPTIONS: Record<RelayLevel, readonly string[]> = {
  encrypt: ["hosts_require_tls = *", "tls_tempfail_tryclear = false"],
  verify: [
    "hosts_require_tls = *",
    "tls_verify_hosts = *",
    "tls_verify_certificates = system",
    "tls_verify_cert_hostnames = *",
    "tls_tempfail_tryclear = false",
  ],
  // hosts_try_dane: DANE wherever the MX host has DNSSEC-signed TLSA records, and then a
  // certificate that does not match them is never accepted; where there are none, the
  // verify options apply. hosts_require_dane would instead refuse every host without TLSA.
  dane: [
    "hosts_try_dane = *",
    "hosts_require_tls = *",
    "tls_verify_hosts = *",
    "tls_verify_certificates = system",
    "tls_verify_cert_hostnames = *",
    "tls_tempfail_tryclear = false",
  ],
};

const GUARANTEE: Record<RelayLevel, readonly string[]> = {
  encrypt: [
    "encrypt: TLS or no delivery; the certificate is not checked (stops eavesdropping",
    "and STARTTLS stripping, not an attacker who intercepts the connection).",
  ],
  verify: [
    "verify: TLS with a certificate from a system-trusted CA that names the MX host. The MX host",
    "comes from DNS; without DNSSEC a forged MX answer pointing at a host with a valid certificate",
    "is not detected.",
  ],
  dane: [
    "dane: where the MX host publishes DNSSEC-signed TLSA records, the certificate must match them",
    "(RFC 7672); elsewhere as verify. Never cleartext.",
  ],
};

/**
 * Exim's domain lists stop at the first item that matches, so each level's list runs from the
 * most specific entry to the least: the level's own entries as matches, and, negated before
 * them, every other entry below one of them (another level, or an exception). A subdomain
 * thus gets the level of its nearest listed parent. Only those negations are listed: Exim
 * treats a list whose last item is negated as matching every domain no item names (its
 * specification, chapter "Domain, host, address, and local part lists"; seen in
 * test/relay/exim.test.ts), which would force TLS on all mail.
 */
function domainList(entries: readonly RelayEntry[], level: RelayLevel): string {
  const own = entries.filter((entry) => entry.level === level);
  const below = entries.filter((entry) => entry.level !== level && own.some((parent) => entry.domain.endsWith(`.${parent.domain}`)));
  const items = [...own, ...below]
    .sort((a, b) => depth(b.domain) - depth(a.domain) || (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0))
    .flatMap((entry) => {
      const not = entry.level === level ? "" : "! ";
      return [`${not}${entry.domain}`, `${not}*.${entry.domain}`];
    });
  return items.join(" : \\\n    ");
}

function depth(domain: string): number {
  return domain.split(".").length;
}

export function exportExim(entries: readonly RelayEntry[]): Export {
  const levels = RELAY_LEVELS.filter((level) => entries.some((entry) => entry.level === level));
  const dane = levels.includes("dane");

  const main = [
    ...comment([
      "Sealpost: the protected domains, by the TLS level this server must use towards them.",
      GENERATED,
      `Debian: save as /etc/exim4/conf.d/${EXIM_MAIN}; with a single exim4.conf.template, paste`,
      "it into the main section, after the domainlist definitions. Then update-exim4.conf.",
      "",
      ...entries.map(
        (entry) => `${shownDomain(entry)}: ${entry.level === "none" ? "exception, not forced" : entry.level} (${entry.rules.join(", ")})`,
      ),
    ]),
    "",
    ...levels.flatMap((level) => [`domainlist ${listName(level)} = ${domainList(entries, level)}`, ""]),
    ...(dane
      ? [
          ...comment([
            "DANE needs DNSSEC-validated answers. Debian's main/02_exim4-config_options already sets",
            "dns_dnssec_ok = 1 (ask for them); elsewhere add it to the main section. Exim does not",
            "validate DNSSEC itself: /etc/resolv.conf must name only a local validating resolver",
            "(unbound or bind on 127.0.0.1) with 'options trust-ad', or glibc strips the AD bit.",
          ]),
          "",
        ]
      : []),
  ].join("\n");

  const router = [
    ...comment([
      "Sealpost: route mail for the protected domains to transports that force TLS. These routers",
      "are copies of Debian's dnslookup router and must come before it, so that they see those",
      "domains first; every other domain still goes through dnslookup and remote_smtp.",
      GENERATED,
      `Debian: save as /etc/exim4/conf.d/${EXIM_ROUTER} (after 150_exim4-config_hubbed_hosts,`,
      "before 200_exim4-config_primary); with a single exim4.conf.template, paste it just before",
      "the dnslookup_relay_to_domains router. Then update-exim4.conf.",
      "",
      "The lists hold A-labels; each router matches the recipient domain after",
      "utf8_domain_to_alabel, because SMTPUTF8 mail names an internationalized domain in Unicode",
      "and in any case (Exim lower-cases ASCII only). That operator needs Exim built with I18N",
      "support, as Debian's exim4-daemon-light and -heavy are (exim4 -bV lists I18N); without it",
      "the expansion fails and mail is deferred, never sent unforced.",
      "",
      "With a smarthost or satellite configuration all mail goes to the smarthost, so these",
      "routers stay off (as Debian's own dnslookup does): enforce TLS to the bank on the smarthost.",
      "A domain in /etc/exim4/hubbed_hosts is routed before these, by 150_exim4-config_hubbed_hosts",
      "through remote_smtp with opportunistic TLS: keep the protected domains out of that file.",
    ]),
    "",
    ".ifndef DCconfig_smarthost",
    ".ifndef DCconfig_satellite",
    "",
    ...levels.flatMap((level) => [
      `${listName(level)}:`,
      `  debug_print = "R: ${listName(level)} for $local_part@$domain"`,
      "  driver = dnslookup",
      "  domains = ! +local_domains",
      `  condition = \${if match_domain{\${utf8_domain_to_alabel:$domain}}{+${listName(level)}}}`,
      `  transport = ${transportName(level)}`,
      "  same_domain_copy_routing = yes",
      // DNSSEC-validated MX and address lookups are what DANE's TLSA lookup builds on.
      ...(level === "dane" ? ["  dnssec_request_domains = *"] : []),
      "  ignore_target_hosts = <; 0.0.0.0 ; 127.0.0.0/8 ; ::1/128",
      "  no_more",
      "",
    ]),
    ".endif",
    ".endif",
    "",
  ].join("\n");

  const transport = [
    ...comment([
      "Sealpost: one smtp transport per TLS level. None falls back to cleartext.",
      GENERATED,
      `Debian: save as /etc/exim4/conf.d/${EXIM_TRANSPORT}; with a single exim4.conf.template,`,
      "paste it into the transports section, after remote_smtp. Then update-exim4.conf.",
    ]),
    "",
    ...levels.flatMap((level) => [
      ...comment(GUARANTEE[level]),
      `${transportName(level)}:`,
      `  debug_print = "T: ${transportName(level)} for $local_part@$domain"`,
      "  driver = smtp",
      ...TRANSPORT_OPTIONS[level].map((option) => `  ${option}`),
      "",
    ]),
  ].join("\n");

  return {
    files: [
      { path: EXIM_MAIN, text: main },
      { path: EXIM_ROUTER, text: router },
      { path: EXIM_TRANSPORT, text: transport },
    ],
    next: [
      "copy the three files into /etc/exim4/conf.d/ (or export with --out /etc/exim4/conf.d)",
      "update-exim4.conf && exim4 -bV && systemctl reload exim4",
    ],
  };
}
