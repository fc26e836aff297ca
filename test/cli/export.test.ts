// `sealpost export postfix|exim|exchange`: what each exporter writes for the relay levels, the
// command's files, output and exit codes, and the security regressions of the server hop.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { relayLevels } from "@sealpost/core";
import { exportExchange } from "../../packages/cli/src/export/exchange-export.js";
import { exportExim } from "../../packages/cli/src/export/exim-export.js";
import { exportPostfix } from "../../packages/cli/src/export/postfix-export.js";
import { compilePolicy, compilePolicyFixture } from "../core/fixtures.js";
import { examplePolicy, fixture, root, runCli } from "./run-cli.js";

const NESTED = relayLevels(compilePolicyFixture("relay-nested.json"));

function entriesOf(...rules: Record<string, unknown>[]) {
  return relayLevels(compilePolicy({ version: 1, rules: rules.map((rule) => ({ action: "block", ...rule })) }));
}

function file(exported: { files: readonly { path: string; text: string }[] }, path: string): string {
  const found = exported.files.find((candidate) => candidate.path === path);
  assert.ok(found, `no ${path} among ${exported.files.map((candidate) => candidate.path).join(", ")}`);
  return found.text;
}

/** The table's entries as [key, value] pairs, comments and blank lines left out. */
function tableRows(table: string): [string, string][] {
  return table
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [key = "", ...value] = line.split(/\s+/);
      return [key, value.join(" ")];
    });
}

function eximList(main: string, level: string): string[] {
  const match = new RegExp(`^domainlist sealpost_relay_${level} = ((?:.*\\\\\\n)*.*)$`, "m").exec(main);
  assert.ok(match?.[1] !== undefined, `no list for ${level}`);
  return match[1].split(/\s*:\s*(?:\\\n\s*)?/).map((item) => item.trim());
}

describe("export postfix", () => {
  it("writes each domain and its .domain entry with the level's Postfix name", () => {
    const rows = tableRows(file(exportPostfix(NESTED), "sealpost_tls_policy"));
    assert.deepEqual(rows, [
      ["bank.example", "verify match=hostname"],
      [".bank.example", "verify match=hostname"],
      ["news.bank.example", "encrypt"],
      [".news.bank.example", "encrypt"],
      ["old.bank.example", "may"],
      [".old.bank.example", "may"],
      ["pay.bank.example", "dane-only"],
      [".pay.bank.example", "dane-only"],
      ["legacy.pay.bank.example", "verify match=hostname"],
      [".legacy.pay.bank.example", "verify match=hostname"],
      ["xn--bnk-qla.example", "encrypt"],
      [".xn--bnk-qla.example", "encrypt"],
      ["bänk.example", "encrypt"],
      [".bänk.example", "encrypt"],
    ]);
  });

  it("points main.cf at the table and at Debian's CA bundle", () => {
    const mainCf = file(exportPostfix(NESTED), "main.cf.sealpost");
    assert.match(
      mainCf,
      /^smtp_tls_policy_maps = hash:\$\{config_directory\}\/sealpost_tls_policy, regexp:\$\{config_directory\}\/sealpost_tls_spellings$/m,
    );
    assert.match(mainCf, /^smtp_tls_CAfile = \/etc\/ssl\/certs\/ca-certificates\.crt$/m);
  });

  // Appended to a main.cf with smtp_tls_security_level = dane, a "may" line lowered every
  // destination outside the policy from DANE to opportunistic TLS.
  it("leaves smtp_tls_security_level to the site and names every parameter it replaces", () => {
    for (const entries of [NESTED, entriesOf({ id: "a", domains: ["bank.example"], require: { relay: "verify" } })]) {
      const mainCf = file(exportPostfix(entries), "main.cf.sealpost");
      assert.doesNotMatch(mainCf, /^smtp_tls_security_level\s*=/m);
      const set = [...mainCf.matchAll(/^([a-z_A-Z]+) = /gm)].map((match) => match[1] ?? "");
      const header = /each line below replaces any\n# setting of the same name already in main\.cf: ([^.]+)\./.exec(mainCf);
      assert.ok(header?.[1] !== undefined, "the header does not list the parameters it replaces");
      assert.deepEqual(header[1].split(", "), set);
    }
  });

  // The patterns are proven in a real Postfix (test/relay/postfix.test.ts); here, their order and
  // what they match, read as POSIX-like regular expressions.
  it("holds non-ASCII spellings of forced domains to their level, deepest and strongest first, exceptions left out", () => {
    const rowsOf = (table: string) =>
      table
        .split("\n")
        .filter((line) => line.startsWith("/"))
        .map((line) => {
          const [pattern = "", ...value] = line.split(" ");
          return { pattern: new RegExp(pattern.slice(1, -1), "iu"), value: value.join(" ") };
        });
    const table = file(exportPostfix(NESTED), "sealpost_tls_spellings");
    assert.match(table, /^if \/\[\^!-~\]\/\n(?:.*\n)*endif\n$/m);
    const rows = rowsOf(table);
    const levelOf = (domain: string) => rows.find((row) => row.pattern.test(domain))?.value;
    // Both bank.example's and bänk.example's patterns take it: the stronger level comes first.
    assert.equal(levelOf("ba\u0308nk.example"), "verify match=hostname");
    const idnOnly = rowsOf(
      file(exportPostfix(entriesOf({ id: "idn", domains: ["bänk.example"], require: { relay: "encrypt" } })), "sealpost_tls_spellings"),
    );
    assert.equal(idnOnly.find((row) => row.pattern.test("ba\u0308nk.example"))?.value, "encrypt");
    assert.equal(levelOf("x.bank\u3002example"), "verify match=hostname");
    assert.equal(levelOf("legacy.p\u00e4y.bank.example"), "verify match=hostname");
    assert.equal(levelOf("\uff50ay.bank.example"), "dane-only");
    assert.equal(levelOf("bank.example.evil\u00e9"), undefined);
    assert.equal(levelOf("partn\u00e9r.example"), undefined);
    assert.doesNotMatch(table, / may$/m);
  });

  it("asks for DNSSEC lookups only when a domain is at dane", () => {
    assert.match(file(exportPostfix(NESTED), "main.cf.sealpost"), /^smtp_dns_support_level = dnssec$/m);
    const noDane = exportPostfix(entriesOf({ id: "a", domains: ["bank.example"], require: { relay: "verify" } }));
    assert.doesNotMatch(file(noDane, "main.cf.sealpost"), /smtp_dns_support_level/);
  });

  it("says in comments what each level does and does not guarantee", () => {
    const table = file(exportPostfix(NESTED), "sealpost_tls_policy");
    assert.match(table, /encrypt {4}TLS or no delivery/);
    assert.match(table, /certificate is not checked/);
    assert.match(table, /forges the MX answer/);
    assert.match(table, /plain 'dane' would send in the clear/);
  });
});

describe("export exim", () => {
  it("defines one domain list, router and transport per level in use", () => {
    const exported = exportExim(entriesOf({ id: "a", domains: ["bank.example"], require: { relay: "encrypt" } }));
    assert.deepEqual(
      exported.files.map((candidate) => candidate.path),
      ["main/05_sealpost_relay_tls", "router/190_sealpost_relay_tls", "transport/30_sealpost_relay_tls"],
    );
    assert.deepEqual(eximList(file(exported, "main/05_sealpost_relay_tls"), "encrypt"), ["bank.example", "*.bank.example"]);
    assert.doesNotMatch(file(exported, "main/05_sealpost_relay_tls"), /sealpost_relay_verify|sealpost_relay_dane/);
    assert.match(
      file(exported, "router/190_sealpost_relay_tls"),
      /domains = ! \+local_domains\n {2}condition = .*\{\+sealpost_relay_encrypt\}\}/,
    );
    assert.match(
      file(exported, "transport/30_sealpost_relay_tls"),
      /sealpost_smtp_encrypt:\n(?: {2}.*\n)*? {2}tls_tempfail_tryclear = false/,
    );
  });

  it("puts a more specific entry of another level before the entry it lies below, negated", () => {
    assert.deepEqual(eximList(file(exportExim(NESTED), "main/05_sealpost_relay_tls"), "verify"), [
      "legacy.pay.bank.example",
      "*.legacy.pay.bank.example",
      "! news.bank.example",
      "! *.news.bank.example",
      "! old.bank.example",
      "! *.old.bank.example",
      "! pay.bank.example",
      "! *.pay.bank.example",
      "bank.example",
      "*.bank.example",
    ]);
  });

  // Debian's hubbed_hosts router sorts before the exported ones and sends through remote_smtp:
  // a bank listed there left unforced, and nothing said so.
  it("warns that a domain in hubbed_hosts bypasses the routers", () => {
    assert.match(
      file(exportExim(NESTED), "router/190_sealpost_relay_tls"),
      /hubbed_hosts is routed before these[^\n]*\n# through remote_smtp with opportunistic TLS/,
    );
  });

  it("uses opportunistic DANE with required, verified TLS and DNSSEC lookups for dane", () => {
    const exported = exportExim(NESTED);
    const transport = file(exported, "transport/30_sealpost_relay_tls");
    const dane = transport.slice(transport.indexOf("sealpost_smtp_dane:"));
    for (const option of ["hosts_try_dane = *", "hosts_require_tls = *", "tls_verify_hosts = *", "tls_tempfail_tryclear = false"]) {
      assert.ok(dane.includes(`  ${option}\n`), option);
    }
    assert.match(file(exported, "router/190_sealpost_relay_tls"), /sealpost_relay_dane:\n(?: {2}.*\n)*? {2}dnssec_request_domains = \*/);
  });
});

describe("export exchange", () => {
  const script = file(exportExchange(NESTED), "sealpost-connectors.ps1");
  const connector = (name: string): string => {
    const start = script.indexOf(`Set-SealpostConnector '${name}' @{`);
    assert.ok(start >= 0, `no connector ${name}`);
    return script.slice(start, script.indexOf("\n}", start));
  };

  it("creates one connector per level with its TLS setting", () => {
    assert.match(connector("Sealpost relay encrypt"), /TlsSettings = 'EncryptionOnly'/);
    assert.match(connector("Sealpost relay verify"), /TlsSettings = 'CertificateValidation'/);
    assert.match(connector("Sealpost relay dane"), /TlsSettings = 'CertificateValidation'/);
    assert.doesNotMatch(connector("Sealpost relay exceptions"), /TlsSettings/);
  });

  // Run again after the policy dropped its exceptions, the script left the old exceptions
  // connector in place: its news.bank.example entry, more specific than *.bank.example, kept
  // that subdomain on opportunistic TLS although the policy now protects it.
  it("removes the connectors of levels the policy no longer uses, and only those", () => {
    const encryptOnly = file(
      exportExchange(entriesOf({ id: "a", domains: ["bank.example"], require: { relay: "encrypt" } })),
      "sealpost-connectors.ps1",
    );
    const removed = [...encryptOnly.matchAll(/^ {2}Remove-OutboundConnector -Identity '([^']+)' -Confirm:\$false$/gm)].map(
      (match) => match[1],
    );
    assert.deepEqual(removed, ["Sealpost relay verify", "Sealpost relay dane", "Sealpost relay exceptions"]);
    assert.doesNotMatch(script, /Remove-OutboundConnector/);
  });

  it("finds existing connectors without -Identity, which can throw under ErrorActionPreference Stop", () => {
    assert.doesNotMatch(script, /Get-OutboundConnector -Identity/);
    assert.match(script, /Get-OutboundConnector \| Where-Object \{ \$_\.Name -eq \$Name \}/);
  });

  it("lists each domain and its wildcard for subdomains, delivering by MX", () => {
    assert.match(
      connector("Sealpost relay encrypt"),
      /RecipientDomains = @\('news\.bank\.example', '\*\.news\.bank\.example', 'xn--bnk-qla\.example', '\*\.xn--bnk-qla\.example'\)/,
    );
    assert.match(connector("Sealpost relay verify"), /UseMXRecord = \$true/);
    assert.match(connector("Sealpost relay verify"), /ConnectorType = 'Partner'/);
  });

  it("says what Exchange Online cannot express for DANE", () => {
    assert.match(script, /A connector cannot require that TLSA records exist/);
  });
});

describe("export: security regressions", () => {
  it("an exception does not weaken a domain that another rule protects (Postfix, Exim, Exchange)", () => {
    const entries = entriesOf(
      { id: "banks", domains: ["bank.example"], except: ["news.bank.example"], require: { relay: "verify" } },
      { id: "vendor", domains: ["news.bank.example"], require: { relay: "encrypt" } },
    );
    assert.deepEqual(
      tableRows(file(exportPostfix(entries), "sealpost_tls_policy")).filter(([key]) => key.endsWith("news.bank.example")),
      [
        ["news.bank.example", "encrypt"],
        [".news.bank.example", "encrypt"],
      ],
    );
    assert.deepEqual(eximList(file(exportExim(entries), "main/05_sealpost_relay_tls"), "encrypt"), [
      "news.bank.example",
      "*.news.bank.example",
    ]);
    assert.doesNotMatch(file(exportExchange(entries), "sealpost-connectors.ps1"), /Set-SealpostConnector 'Sealpost relay exceptions'/);
  });

  it("covers subdomains in every format", () => {
    const entries = entriesOf({ id: "banks", domains: ["bank.example"], require: { relay: "encrypt" } });
    assert.ok(tableRows(file(exportPostfix(entries), "sealpost_tls_policy")).some(([key]) => key === ".bank.example"));
    assert.ok(eximList(file(exportExim(entries), "main/05_sealpost_relay_tls"), "encrypt").includes("*.bank.example"));
    assert.match(file(exportExchange(entries), "sealpost-connectors.ps1"), /'\*\.bank\.example'/);
  });

  it("writes IDN domains in A-label form in every format", () => {
    const entries = entriesOf({ id: "banks", domains: ["BÄNK.example."], require: { relay: "verify" } });
    assert.ok(tableRows(file(exportPostfix(entries), "sealpost_tls_policy")).some(([key]) => key === "xn--bnk-qla.example"));
    assert.ok(eximList(file(exportExim(entries), "main/05_sealpost_relay_tls"), "verify").includes("xn--bnk-qla.example"));
    assert.match(
      file(exportExchange(entries), "sealpost-connectors.ps1"),
      /RecipientDomains = @\('xn--bnk-qla\.example', '\*\.xn--bnk-qla\.example'\)/,
    );
  });

  it("also lists an IDN domain in its Unicode form for Postfix, which looks SMTPUTF8 mail up so", () => {
    const entries = entriesOf({ id: "banks", domains: ["BÄNK.example."], require: { relay: "verify" } });
    assert.deepEqual(tableRows(file(exportPostfix(entries), "sealpost_tls_policy")), [
      ["xn--bnk-qla.example", "verify match=hostname"],
      [".xn--bnk-qla.example", "verify match=hostname"],
      ["bänk.example", "verify match=hostname"],
      [".bänk.example", "verify match=hostname"],
    ]);
  });

  it("has Exim match the recipient domain in A-label form, so SMTPUTF8 mail in any case is matched", () => {
    const router = file(exportExim(NESTED), "router/190_sealpost_relay_tls");
    for (const level of ["encrypt", "verify", "dane"]) {
      assert.ok(router.includes(`  condition = \${if match_domain{\${utf8_domain_to_alabel:$domain}}{+sealpost_relay_${level}}}\n`), level);
    }
  });

  it("never ends an Exim list with a negation, which would match every other domain", () => {
    for (const level of ["encrypt", "verify", "dane"]) {
      const list = eximList(file(exportExim(NESTED), "main/05_sealpost_relay_tls"), level);
      assert.ok(!(list.at(-1) ?? "!").startsWith("!"), `${level}: ${list.join(" : ")}`);
    }
  });

  it("does not let a look-alike domain share a protected domain's entry", () => {
    const rows = tableRows(
      file(exportPostfix(entriesOf({ id: "banks", domains: ["bank.example"], require: { relay: "verify" } })), "sealpost_tls_policy"),
    );
    assert.deepEqual(
      rows.map(([key]) => key),
      ["bank.example", ".bank.example"],
    );
  });
});

describe("sealpost export (the command)", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "sealpost-export-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints every file after a header line naming it, with exit 0", async () => {
    const result = await runCli("export", "postfix", examplePolicy);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      [...result.stdout.matchAll(/^# ==> (.+) <==$/gm)].map((match) => match[1]),
      ["sealpost_tls_policy", "sealpost_tls_spellings", "main.cf.sealpost"],
    );
  });

  for (const [target, files] of [
    ["postfix", ["main.cf.sealpost", "sealpost_tls_policy", "sealpost_tls_spellings"]],
    ["exim", ["main/05_sealpost_relay_tls", "router/190_sealpost_relay_tls", "transport/30_sealpost_relay_tls"]],
    ["exchange", ["sealpost-connectors.ps1"]],
  ] as const) {
    it(`writes the documented files for ${target} with --out, and the same bytes when run again`, async () => {
      const first = join(dir, `${target}-1`);
      const second = join(dir, `${target}-2`);
      const result = await runCli("export", target, examplePolicy, "--out", first);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^next:$/m);
      assert.equal((await runCli("export", target, examplePolicy, "--out", second)).code, 0);
      const listed = (await readdir(first, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name).slice(first.length + 1))
        .sort();
      assert.deepEqual(listed, [...files]);
      for (const name of files) assert.equal(await readFile(join(second, name), "utf8"), await readFile(join(first, name), "utf8"), name);
    });
  }

  it("prints byte-identical output for an unchanged policy", async () => {
    for (const target of ["postfix", "exim", "exchange"]) {
      const [a, b] = [await runCli("export", target, examplePolicy), await runCli("export", target, examplePolicy)];
      assert.equal(a.stdout, b.stdout, target);
    }
  });

  it("refuses a policy without relay requirements with a clear message and writes nothing", async () => {
    const out = join(dir, "nothing");
    const result = await runCli("export", "postfix", fixture("valid-banks.json"), "--out", out);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /requires no TLS for the server hop: no rule sets require\.relay/);
    assert.equal(result.stdout, "");
    await assert.rejects(readdir(out), { code: "ENOENT" });
  });

  it("refuses an invalid policy with its errors", async () => {
    const path = join(dir, "invalid.json");
    await writeFile(
      path,
      JSON.stringify({ version: 1, rules: [{ id: "a", domains: ["bank.example"], require: { relay: "strict" }, action: "block" }] }),
    );
    const result = await runCli("export", "exim", path);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /rules\[0\]\.require\.relay: must be one of "encrypt", "verify", "dane" \(found "strict"\)/);
  });

  it("names an unknown target", async () => {
    const result = await runCli("export", "sendmail", examplePolicy);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /export target "sendmail" is not one of postfix, exim, exchange/);
  });

  it("needs a target and a policy", async () => {
    const result = await runCli("export", "postfix");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /export takes a target and one policy file/);
  });

  it("is in the help text", async () => {
    assert.match((await runCli("--help")).stdout, /sealpost export postfix\|exim\|exchange POLICY \[--out DIR\]/);
  });

  it("names every file it writes in the help text and the README", async () => {
    const help = (await runCli("--help")).stdout.replace(/\s+/g, " ");
    const readme = await readFile(join(root, "README.md"), "utf8");
    for (const exported of [exportPostfix(NESTED), exportExim(NESTED), exportExchange(NESTED)]) {
      for (const { path } of exported.files) {
        assert.ok(help.includes(path.split("/").at(-1) ?? path), `help text lacks ${path}`);
        assert.ok(readme.includes(`\`${path}\``), `README lacks ${path}`);
      }
    }
  });
});
