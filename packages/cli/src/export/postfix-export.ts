// `sealpost export postfix`: the smtp_tls_policy_maps table and the main.cf lines that use it.
// Semantics from postconf(5) of Postfix 3.7 (Debian 12): smtp_tls_policy_maps, smtp_tls_CAfile,
// smtp_tls_verify_cert_match, smtp_dns_support_level; the levels as TLS_README describes them.
import { RELAY_LEVELS, type RelayEntry, type RelayLevel } from "@sealpost/core";
import { comment, type Export, GENERATED, reason, shownDomain, spellings } from "./exported-file.js";

export const POSTFIX_TABLE = "sealpost_tls_policy";
export const POSTFIX_MAIN_CF = "main.cf.sealpost";
export const POSTFIX_SPELLINGS = "sealpost_tls_spellings";

// Postfix looks the table up by the next hop exactly as the recipient wrote it, but resolves an
// internationalized one through UTS #46, which maps it first: a decomposed "ba\u0308nk", an
// ideographic or fullwidth dot, a fullwidth letter, a soft hyphen all reach the bank's MX while
// no hash entry matches, and the suite saw such mail leave in plaintext. A regexp table (no
// postmap, no postfix-pcre package) after the hash table catches next hops with a non-ASCII
// character whose ASCII letters, dots and boundaries are a protected domain's with non-ASCII
// characters standing in for, or added to, any of them.
const NON_ASCII = "[^!-~]";
const strength = (level: RelayLevel | "none") => (level === "none" ? -1 : RELAY_LEVELS.indexOf(level));

function spellingPattern(entry: RelayEntry): string {
  const units = [...entry.unicodeDomain].map((char) => {
    if (char === ".") return `(\\.|${NON_ASCII})${NON_ASCII}*`;
    if (/^[a-z0-9-]$/.test(char)) return `(${char}|${NON_ASCII})${NON_ASCII}*`;
    return `[a-z0-9]?${NON_ASCII}+`;
  });
  return `/(^|\\.|${NON_ASCII})${units.join("")}$/`;
}

// "verify" checks the name the MX lookup returned (match=hostname, also the main.cf default,
// pinned here so a site's own smtp_tls_verify_cert_match cannot loosen it). Postfix's "dane"
// falls back to "may" — cleartext — when a domain publishes no TLSA records, and no Postfix level
// means "DANE, else mandatory TLS"; "dane-only" is the one that never sends in the clear.
// An exception gets "may", Debian's smtp_tls_security_level for every other destination.
const LEVEL: Record<RelayLevel | "none", string> = {
  encrypt: "encrypt",
  verify: "verify match=hostname",
  dane: "dane-only",
  none: "may",
};

export function exportPostfix(entries: readonly RelayEntry[]): Export {
  const rows = entries.flatMap((entry) =>
    spellings(entry).flatMap((name, index) => [
      { key: name, value: LEVEL[entry.level], entry, first: index === 0 },
      // The table matches a bare domain only itself; subdomains are looked up as ".parent"
      // (postconf(5), smtp_tls_policy_maps), whatever parent_domain_matches_subdomains says.
      { key: `.${name}`, value: LEVEL[entry.level], entry, first: false },
    ]),
  );
  const width = Math.max(...rows.map((row) => row.key.length)) + 2;
  const body = rows.flatMap((row) => [
    ...(row.first ? ["", `# ${reason(row.entry)} — ${shownDomain(row.entry)} and its subdomains`] : []),
    `${row.key.padEnd(width)}${row.value}`,
  ]);
  const table = [
    ...comment([
      "Sealpost: the TLS level this server uses towards each protected domain (smtp_tls_policy_maps).",
      GENERATED,
      `After each change: postmap /etc/postfix/${POSTFIX_TABLE} && postfix reload`,
      "",
      "Postfix looks up the next-hop domain (the recipient's domain, unless transport_maps or",
      "relayhost send the mail elsewhere: then these entries do not apply), then its parent",
      'domains with a leading dot, nearest first. So "example.com" covers only itself,',
      '".example.com" every subdomain, and the most specific entry wins. An internationalized',
      "domain is listed in its A-label and its Unicode form: SMTPUTF8 mail names it in Unicode.",
      "",
      "What each level guarantees, and what it does not:",
      "  encrypt    TLS or no delivery (mail waits in the queue). The certificate is not checked:",
      "             it stops passive eavesdropping and STARTTLS stripping, not an attacker who",
      "             intercepts the connection and presents a certificate of their own.",
      "  verify     TLS, and the certificate must chain to a CA in smtp_tls_CAfile and name the MX",
      "             host (match=hostname). The MX host comes from DNS without DNSSEC, so an",
      "             attacker who forges the MX answer and holds a valid certificate for his own host",
      "             is not detected.",
      "  dane-only  TLS authenticated by the MX hosts' DNSSEC-signed TLSA records (RFC 7672). No",
      "             TLSA records, or none usable, or DNSSEC not validated: no delivery, the mail",
      "             waits. (Postfix's plain 'dane' would send in the clear when a domain has no",
      "             TLSA records; Sealpost's dane never does.)",
      "  may        an exception: TLS when the server offers it, else cleartext, as for any",
      "             destination not listed here.",
    ]),
    ...body,
    "",
  ].join("\n");

  const forced = entries
    .filter((entry) => entry.level !== "none")
    // Deepest first; at one depth, where a spelling could be either of two domains, the stronger.
    .sort(
      (a, b) =>
        b.domain.split(".").length - a.domain.split(".").length ||
        strength(b.level) - strength(a.level) ||
        (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0),
    );
  const spellingTable = [
    ...comment([
      "Sealpost: other spellings of the protected domains (smtp_tls_policy_maps, after the hash table).",
      GENERATED,
      "A regexp table: Postfix reads it as it is, no postmap; postfix reload after each change.",
      "",
      "Postfix looks the TLS policy up by the next hop as the recipient wrote it, but finds the",
      "mail host of an internationalized one after UTS #46 mapping. So a domain written with a",
      "decomposed accent, an ideographic or fullwidth dot, fullwidth letters or a soft hyphen",
      `reaches the bank while no entry of ${POSTFIX_TABLE} matches it. Each pattern below`,
      "takes a next hop with a non-ASCII character whose ASCII letters and dots are a protected",
      "domain's (or a subdomain's), non-ASCII characters standing in for or added to any of",
      "them, to that domain's level; the deepest domain comes first, the first match wins. A",
      "look-alike domain of that shape is forced too, as is a non-ASCII spelling of an exception.",
      "A character standing for two letters (the ligature fi) is not caught.",
    ]),
    "",
    `if /${NON_ASCII}/`,
    ...forced.flatMap((entry) => [`# ${reason(entry)} — ${shownDomain(entry)}`, `${spellingPattern(entry)} ${LEVEL[entry.level]}`]),
    "endif",
    "",
  ].join("\n");

  const dane = entries.some((entry) => entry.level === "dane");
  // Appended lines replace an admin's own settings of the same parameters, so the file sets
  // only what forcing needs and leaves smtp_tls_security_level alone: appending "may" would
  // lower a site that runs dane or encrypt for every destination (test/cli/export.test.ts).
  const replaced = [
    "smtp_tls_policy_maps",
    "smtp_tls_CAfile",
    "smtp_tls_mandatory_protocols",
    "smtp_tls_loglevel",
    ...(dane ? ["smtp_dns_support_level", "smtp_host_lookup"] : []),
  ];
  const mainCf = [
    ...comment([
      "Sealpost: TLS from this server to the protected domains. Append to /etc/postfix/main.cf",
      `and copy ${POSTFIX_TABLE} and ${POSTFIX_SPELLINGS} to /etc/postfix/.`,
      GENERATED,
      "",
      "A later setting of a parameter replaces an earlier one, so each line below replaces any",
      `setting of the same name already in main.cf: ${replaced.join(", ")}.`,
      "Compare with `postconf -n` before appending. If main.cf already has smtp_tls_policy_maps,",
      "keep its tables after Sealpost's two (smtp_tls_policy_maps = hash:... regexp:...,",
      "hash:/etc/postfix/your_table), and make sure they name no protected domain or subdomain:",
      "Postfix takes the most specific entry of any table, so such an entry would replace this",
      "table's level for it.",
    ]),
    "",
    ...comment([
      "The per-domain levels. A matching entry replaces smtp_tls_security_level for that domain.",
      `${POSTFIX_SPELLINGS} holds other spellings of the protected domains to the same levels.`,
    ]),
    `smtp_tls_policy_maps = hash:\${config_directory}/${POSTFIX_TABLE}, regexp:\${config_directory}/${POSTFIX_SPELLINGS}`,
    "",
    ...comment([
      "smtp_tls_security_level is left as it is: every destination not in the table keeps it",
      "(Debian's main.cf sets may: TLS when offered, else cleartext). The exceptions in the table",
      "are at may; if you run a stronger default (encrypt, dane), change their entries to it.",
    ]),
    "",
    ...comment([
      "The CAs that 'verify' trusts: Debian's system store. smtp(8) loads this file before it",
      "enters its chroot, so it works chrooted (smtp_tls_CApath would have to be inside the jail).",
    ]),
    "smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt",
    "",
    ...comment(["Forced TLS (encrypt and above) refuses SSL 3, TLS 1.0 and TLS 1.1 (RFC 8996 deprecates them)."]),
    "smtp_tls_mandatory_protocols = >=TLSv1.2",
    "",
    ...comment(["Log each TLS session with its level and whether the certificate was verified or trusted."]),
    "smtp_tls_loglevel = 1",
    ...(dane
      ? [
          "",
          ...comment([
            "dane-only needs DNSSEC-validated answers (MX, A/AAAA and TLSA). Postfix does not validate",
            "DNSSEC itself: /etc/resolv.conf must name only a local validating resolver (unbound",
            "or bind on 127.0.0.1) and carry 'options trust-ad', or glibc (2.31 and later) strips",
            "the AD bit and every dane-only domain waits in the queue.",
          ]),
          "smtp_dns_support_level = dnssec",
          "smtp_host_lookup = dns",
        ]
      : []),
    "",
  ].join("\n");

  return {
    files: [
      { path: POSTFIX_TABLE, text: table },
      { path: POSTFIX_SPELLINGS, text: spellingTable },
      { path: POSTFIX_MAIN_CF, text: mainCf },
    ],
    next: [
      `cp ${POSTFIX_TABLE} ${POSTFIX_SPELLINGS} /etc/postfix/ && postmap /etc/postfix/${POSTFIX_TABLE}`,
      `cat ${POSTFIX_MAIN_CF} >> /etc/postfix/main.cf && postfix check && postfix reload`,
    ],
  };
}
