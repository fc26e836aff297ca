// `sealpost export exchange`: an Exchange Online PowerShell script with one outbound (Partner)
// connector per TLS level, created or updated in place so that it can be run again.
import { RELAY_LEVELS, type RelayEntry, type RelayLevel } from "@sealpost/core";
import { comment, type Export, GENERATED, shownDomain } from "./exported-file.js";

export const EXCHANGE_SCRIPT = "sealpost-connectors.ps1";

// TlsSettings of New-OutboundConnector: EncryptionOnly (TLS, any certificate),
// CertificateValidation (TLS, the chain and revocation checked, the name not), DomainValidation
// (also the name, against TlsDomain). An MX host name is not known here, so "verify" uses
// CertificateValidation and says how to tighten it once the name is known (sealpost probe).
const TLS_SETTINGS: Record<RelayLevel, string> = {
  encrypt: "EncryptionOnly",
  verify: "CertificateValidation",
  dane: "CertificateValidation",
};

const NOTES: Record<RelayLevel | "none", readonly string[]> = {
  encrypt: ["encrypt: TLS or no delivery; any certificate is accepted."],
  verify: [
    "verify: TLS with a certificate that chains to a trusted CA and is not revoked. Exchange",
    "Online does not compare it with the MX host name at this setting. To have the name checked,",
    "use -TlsSettings DomainValidation -TlsDomain <the name on the bank's MX certificate, e.g.",
    "*.examplebank.com> (sealpost probe shows it); without TlsDomain Exchange compares the",
    "certificate with the recipient domain, which most MX certificates do not name. Running",
    "this script again resets that change: make it again after each run.",
  ],
  dane: [
    "dane: Exchange Online validates outbound DANE for every tenant (since 2022): where the",
    "recipient's MX hosts publish DNSSEC-signed TLSA records, a certificate that does not match",
    "them blocks delivery. A connector cannot require that TLSA records exist; where they do not,",
    "this connector still demands TLS with a valid certificate, as verify does. Newer tenants",
    "have been reported to offer -SmtpDaneMode Mandatory on outbound connectors (no delivery",
    "without DANE, like Postfix dane-only); check Get-Help New-OutboundConnector before using it.",
  ],
  none: [
    "Exceptions: connectors cannot exclude a subdomain, so the exceptions get a connector of their",
    "own without TLS settings (Exchange's usual opportunistic TLS). Where two connectors match,",
    "the exception's more specific entry should win; were Exchange to pick the other, the",
    "exception would be forced too — a protected domain is never left unforced.",
  ],
};

const connectorName = (level: RelayLevel | "none") => (level === "none" ? "Sealpost relay exceptions" : `Sealpost relay ${level}`);
const CONNECTORS = [...RELAY_LEVELS, "none" as const].map((level) => ({ level, name: connectorName(level) }));

const psString = (value: string) => `'${value.replaceAll("'", "''")}'`;

export function exportExchange(entries: readonly RelayEntry[]): Export {
  const groups = [...RELAY_LEVELS, "none" as const].flatMap((level) => {
    const members = entries.filter((entry) => entry.level === level);
    return members.length === 0 ? [] : [{ level, members }];
  });
  const stale = CONNECTORS.filter(({ level }) => !groups.some((group) => group.level === level));
  const script = [
    ...comment([
      "Sealpost: outbound connectors that force TLS from Exchange Online to the protected domains.",
      GENERATED,
      "Run in Exchange Online PowerShell (Connect-ExchangeOnline as an Exchange administrator).",
      "Running it again updates the connectors in place.",
      "",
      "Each connector is a Partner connector used for its RecipientDomains only, delivering",
      "through the domains' MX records. RecipientDomains lists each domain and *.domain, so",
      "subdomains are covered; internationalized domains are written in their A-label form",
      "(whether Exchange Online matches mail addressed in Unicode, EAI, to that form is not",
      "verified by Sealpost).",
      "Exchange Online has no setting for the server hop of on-premises Exchange Server: use",
      "send connectors there.",
    ]),
    "",
    "$ErrorActionPreference = 'Stop'",
    "",
    // A filter rather than Get-OutboundConnector -Identity: under $ErrorActionPreference = 'Stop'
    // a missing identity can surface as a terminating error despite -ErrorAction SilentlyContinue.
    "function Get-SealpostConnector([string] $Name) {",
    "  Get-OutboundConnector | Where-Object { $_.Name -eq $Name }",
    "}",
    "",
    "function Set-SealpostConnector([string] $Name, [hashtable] $Settings) {",
    "  if (Get-SealpostConnector $Name) {",
    "    Set-OutboundConnector -Identity $Name @Settings",
    '    Write-Host "updated outbound connector $Name"',
    "  } else {",
    "    New-OutboundConnector -Name $Name @Settings | Out-Null",
    '    Write-Host "created outbound connector $Name"',
    "  }",
    "}",
    "",
    ...groups.flatMap(({ level, members }) => {
      const name = connectorName(level);
      const domains = members.flatMap((entry) => [entry.domain, `*.${entry.domain}`]);
      return [
        ...comment(NOTES[level]),
        ...comment(members.map((entry) => `  ${shownDomain(entry)} (${entry.rules.join(", ")})`)),
        `Set-SealpostConnector ${psString(name)} @{`,
        "  ConnectorType = 'Partner'",
        `  RecipientDomains = @(${domains.map(psString).join(", ")})`,
        "  UseMXRecord = $true",
        // The exceptions' connector names no TLS setting: Exchange's default, opportunistic TLS.
        ...(level === "none" ? [] : [`  TlsSettings = ${psString(TLS_SETTINGS[level])}`]),
        "  IsTransportRuleScoped = $false",
        "  Enabled = $true",
        `  Comment = ${psString(`${GENERATED} Level: ${level === "none" ? "exceptions, no forced TLS" : level}.`)}`,
        "}",
        "",
      ];
    }),
    // A level the policy no longer uses leaves its connector behind from an earlier run; a stale
    // exceptions connector would keep its more specific domains out of forced TLS even once
    // the policy protects them again.
    ...stale.flatMap(({ name }, index) => [
      ...(index === 0 ? comment(["Connectors of levels this policy no longer uses, left by an earlier run."]) : []),
      `if (Get-SealpostConnector ${psString(name)}) {`,
      `  Remove-OutboundConnector -Identity ${psString(name)} -Confirm:$false`,
      `  Write-Host ${psString(`removed outbound connector ${name}: no domain is at that level now`)}`,
      "}",
      ...(index === stale.length - 1 ? [""] : []),
    ]),
  ].join("\n");
  return {
    files: [{ path: EXCHANGE_SCRIPT, text: script }],
    next: [`Connect-ExchangeOnline; then run ./${EXCHANGE_SCRIPT} in the same PowerShell session`],
  };
}
