// The exported Exim pieces, checked by Debian's own Exim 4.96 (unpacked, not installed): the
// complete configuration passes `exim4 -bV`, the routers sit before dnslookup, the transports
// never fall back to cleartext, and Exim itself matches each domain to the intended level.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { examplePolicy, fixture, runCli } from "../cli/run-cli.js";
import { completeConfiguration, ensureExim, exim, type EximPieces } from "./exim-check.js";

describe("the exported Exim configuration, checked by Exim", () => {
  let dir: string;
  let pieces: EximPieces;
  let config: string;
  let nestedConfig: string;

  before(async () => {
    await ensureExim();
    dir = await mkdtemp(join(tmpdir(), "sealpost-exim-"));
    pieces = await exportedPieces(examplePolicy, join(dir, "conf.d"));
    config = join(dir, "exim4.conf");
    await writeFile(config, await completeConfiguration(pieces));
    nestedConfig = join(dir, "nested.conf");
    await writeFile(nestedConfig, await completeConfiguration(await exportedPieces(fixture("relay-nested.json"), join(dir, "nested"))));
  });

  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("passes exim4 -bV on Debian's template with the exported pieces in place", async () => {
    const result = await exim(config, ["-bV"], dir);
    assert.equal(result.ok, true, result.output);
    assert.match(result.output, /Configuration file is /);
  });

  it("fails exim4 -bV when a piece is broken, so the check can fail", async () => {
    const broken = join(dir, "broken.conf");
    await writeFile(
      broken,
      await completeConfiguration({ ...pieces, transport: pieces.transport.replace("hosts_require_tls", "hosts_require_tsl") }),
    );
    const result = await exim(broken, ["-bV"], dir);
    assert.equal(result.ok, false);
    assert.match(result.output, /option "hosts_require_tsl" unknown/);
  });

  it("places the routers after hubbed_hosts and before Debian's dnslookup routers", async () => {
    const result = await exim(config, ["-bP", "router_list"], dir);
    assert.equal(result.ok, true, result.output);
    const routers = result.output.trim().split("\n");
    assert.deepEqual(routers.slice(0, 6), [
      "hubbed_hosts",
      "sealpost_relay_encrypt",
      "sealpost_relay_verify",
      "sealpost_relay_dane",
      "dnslookup_relay_to_domains",
      "dnslookup",
    ]);
  });

  for (const [transport, required] of [
    ["sealpost_smtp_encrypt", ["hosts_require_tls = *", "no_tls_tempfail_tryclear"]],
    [
      "sealpost_smtp_verify",
      ["hosts_require_tls = *", "tls_verify_hosts = *", "tls_verify_cert_hostnames = *", "no_tls_tempfail_tryclear"],
    ],
    ["sealpost_smtp_dane", ["hosts_try_dane = *", "hosts_require_tls = *", "tls_verify_hosts = *", "no_tls_tempfail_tryclear"]],
  ] as const) {
    it(`gives ${transport} the options that forbid cleartext`, async () => {
      const result = await exim(config, ["-bP", "transport", transport], dir);
      assert.equal(result.ok, true, result.output);
      const lines = result.output.split("\n").map((line) => line.trim());
      for (const option of required) assert.ok(lines.includes(option), `${transport} lacks "${option}":\n${result.output}`);
    });
  }

  // Exim's own list matching (-be, no DNS involved) decides which router takes a domain.
  for (const [domain, level] of [
    ["examplebank.com", "verify"],
    ["payments.examplebank.com", "verify"],
    ["newsletter.examplebank.com", "none"],
    ["a.newsletter.examplebank.com", "none"],
    ["sparkasse-example.de", "dane"],
    ["mx1.sparkasse-example.de", "dane"],
    ["xn--bnk-qla.example", "verify"],
    ["ExampleBank.COM", "verify"],
    // SMTPUTF8 mail names the IDN domain in Unicode, in any case.
    ["bänk.example", "verify"],
    ["BÄNK.example", "verify"],
    ["mx.bänk.example", "verify"],
    ["payroll.example.net", "encrypt"],
    ["notexamplebank.com", "none"],
    ["examplebank.com.evil.example", "none"],
  ] as const) {
    it(`routes ${domain} to ${routerName(level)}`, async () => {
      assert.equal(await levelOf(config, domain, dir), level);
    });
  }

  // Overlapping rules: an exception another rule covers, a stronger subdomain with an exception
  // of its own (test/fixtures/policies/relay-nested.json).
  for (const [domain, level] of [
    ["bank.example", "verify"],
    ["x.bank.example", "verify"],
    ["news.bank.example", "encrypt"],
    ["a.news.bank.example", "encrypt"],
    ["old.bank.example", "none"],
    ["z.old.bank.example", "none"],
    ["pay.bank.example", "dane"],
    ["m.pay.bank.example", "dane"],
    ["legacy.pay.bank.example", "verify"],
    ["q.legacy.pay.bank.example", "verify"],
    ["xn--bnk-qla.example", "encrypt"],
    ["notbank.example", "none"],
  ] as const) {
    it(`routes ${domain} of the overlapping policy to ${routerName(level)}`, async () => {
      assert.equal(await levelOf(nestedConfig, domain, dir), level);
    });
  }
});

async function exportedPieces(policy: string, out: string): Promise<EximPieces> {
  const exported = await runCli("export", "exim", policy, "--out", out);
  assert.equal(exported.code, 0, exported.stderr);
  const read = (path: string) => readFile(join(out, path), "utf8");
  return {
    main: await read("main/05_sealpost_relay_tls"),
    router: await read("router/190_sealpost_relay_tls"),
    transport: await read("transport/30_sealpost_relay_tls"),
  };
}

/**
 * The level whose router takes `domain`: each Sealpost router's own condition, as Exim parsed
 * it (-bP), evaluated by Exim for that domain (-be; no DNS involved). "none" if no router does.
 */
async function levelOf(config: string, domain: string, dir: string): Promise<string> {
  const taken: string[] = [];
  for (const level of ["encrypt", "verify", "dane"]) {
    const router = await exim(config, ["-bP", "router", `sealpost_relay_${level}`], dir);
    assert.equal(router.ok, true, router.output);
    const condition = /^condition = (.*)$/m.exec(router.output)?.[1];
    assert.ok(condition !== undefined, `sealpost_relay_${level} has no condition:\n${router.output}`);
    const result = await exim(config, ["-be", `\${if bool{${condition.replaceAll("$domain", domain)}}{yes}{no}}`], dir);
    assert.equal(result.ok, true, result.output);
    if (result.output.trim() === "yes") taken.push(level);
  }
  return taken.join(" ") || "none";
}

function routerName(level: string): string {
  return level === "none" ? "no Sealpost router" : `the ${level} router`;
}
