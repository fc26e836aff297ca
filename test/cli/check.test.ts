// `sealpost check`: the decision for people and as JSON, and its exit codes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { examplePolicy, fixture, runCli } from "./run-cli.js";

const alice = "Alice <alice@ExampleBank.com>";

describe("sealpost check", () => {
  it("blocks plain submission of an unencrypted message to a bank and names both unmet requirements", async () => {
    const result = await runCli("check", "--policy", examplePolicy, "--to", alice, "--transport", "plain", "--encryption", "none");
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^BLOCK/);
    assert.match(result.stdout, /outgoing server is not encrypted/);
    assert.match(result.stdout, /The message is not encrypted/);
    assert.match(result.stdout, /Turn on encryption \(OpenPGP or S\/MIME\)/);
    assert.match(result.stdout, /set the outgoing \(SMTP\) server's connection security to SSL\/TLS/);
    assert.match(result.stdout, /protected by banks \(examplebank\.com\)/);
  });

  it("allows the same recipient over TLS with OpenPGP", async () => {
    const result = await runCli("check", "--policy", examplePolicy, "--to", alice, "--transport", "tls", "--encryption", "openpgp");
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^ALLOW/);
  });

  it("exits 3 when only a confirm rule is unmet", async () => {
    const result = await runCli(
      "check",
      "--policy",
      examplePolicy,
      "--to",
      "hr@payroll.example.net",
      "--transport",
      "plain",
      "--encryption",
      "none",
    );
    assert.equal(result.code, 3);
    assert.match(result.stdout, /^CONFIRM/);
  });

  it("treats opportunistic STARTTLS as not TLS and required STARTTLS as TLS", async () => {
    const base = ["check", "--policy", examplePolicy, "--to", "hr@payroll.example.net", "--encryption", "none"];
    assert.equal((await runCli(...base, "--transport", "opportunistic")).code, 3);
    assert.equal((await runCli(...base, "--transport", "starttls")).code, 0);
    assert.equal((await runCli(...base, "--transport", "https")).code, 0);
    assert.equal((await runCli(...base, "--transport", "unknown")).code, 3);
  });

  it("prints the decision as JSON with each recipient's address, normalized domain, protection and rules", async () => {
    const result = await runCli(
      "check",
      "--policy",
      examplePolicy,
      "--to",
      alice,
      "--cc",
      "x@BÄNK.example.",
      "--bcc",
      "friend@example.org",
      "--transport",
      "plain",
      "--encryption",
      "none",
      "--json",
    );
    assert.equal(result.code, 1);
    const output = JSON.parse(result.stdout) as {
      verdict: string;
      recipients: { address: string; domain: string; kind: string; protected: boolean; rules: { id: string }[] }[];
      findings: { code: string; rule: string; recipient: { address: string } }[];
    };
    assert.equal(output.verdict, "block");
    assert.deepEqual(
      output.recipients.map((r) => [r.kind, r.address, r.domain, r.protected, r.rules.map((rule) => rule.id)]),
      [
        ["to", "alice@examplebank.com", "examplebank.com", true, ["banks"]],
        ["cc", "x@xn--bnk-qla.example", "xn--bnk-qla.example", true, ["banks"]],
        ["bcc", "friend@example.org", "example.org", false, []],
      ],
    );
    assert.deepEqual(output.findings.map((f) => [f.code, f.recipient.address]).sort(), [
      ["not-encrypted", "alice@examplebank.com"],
      ["not-encrypted", "x@xn--bnk-qla.example"],
      ["submission-not-tls", "alice@examplebank.com"],
      ["submission-not-tls", "x@xn--bnk-qla.example"],
    ]);
  });

  it("speaks German with --locale de, including the policy's own message", async () => {
    const result = await runCli(
      "check",
      "--policy",
      examplePolicy,
      "--to",
      alice,
      "--transport",
      "tls",
      "--encryption",
      "none",
      "--locale",
      "de",
    );
    assert.equal(result.code, 1);
    assert.match(result.stdout, /Die Nachricht ist nicht verschlüsselt/);
    assert.match(result.stdout, /Unsere Banken nehmen nur verschlüsselte E-Mails an/);
  });

  it("accepts an encrypting sensitivity label the policy lists, for the auditor", async () => {
    const base = ["check", "--policy", examplePolicy, "--to", "p@audit-partners.example", "--transport", "https"];
    assert.equal((await runCli(...base, "--encryption", "label:9f3b2c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f")).code, 0);
    assert.equal((await runCli(...base, "--encryption", "label:00000000-0000-0000-0000-000000000000")).code, 1);
  });

  it("refuses a message not encrypted to the pinned key", async () => {
    const base = ["check", "--policy", examplePolicy, "--to", "payments@examplebank.com", "--transport", "tls", "--encryption", "openpgp"];
    const wrong = await runCli(...base, "--encrypted-to", "1111222233334444");
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /6A1C8A4F5B2E9D037E41C2B60F9D1E3A7B442C91/);
    assert.equal((await runCli(...base, "--encrypted-to", "0F9D1E3A7B442C91")).code, 0);
  });

  it("reports an address it cannot parse in one line with exit 2", async () => {
    const result = await runCli(
      "check",
      "--policy",
      examplePolicy,
      "--to",
      "alice at examplebank",
      "--transport",
      "tls",
      "--encryption",
      "none",
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^sealpost: --to "alice at examplebank" is not an email address/);
    assert.equal(result.stdout, "");
  });

  it("rejects an invalid policy with exit 2 and its errors", async () => {
    const result = await runCli(
      "check",
      "--policy",
      fixture("cli-three-mistakes.json"),
      "--to",
      alice,
      "--transport",
      "tls",
      "--encryption",
      "none",
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /the policy is invalid/);
  });

  for (const [name, args, message] of [
    ["a missing --policy", ["--to", alice, "--transport", "tls", "--encryption", "none"], /needs --policy/],
    ["no recipient", ["--policy", examplePolicy, "--transport", "tls", "--encryption", "none"], /at least one recipient/],
    [
      "an unknown transport",
      ["--policy", examplePolicy, "--to", alice, "--transport", "ssl", "--encryption", "none"],
      /--transport "ssl" is not one of/,
    ],
    [
      "an unknown encryption",
      ["--policy", examplePolicy, "--to", alice, "--transport", "tls", "--encryption", "pgp"],
      /--encryption "pgp" is not one of/,
    ],
    ["an unknown flag", ["--policy", examplePolicy, "--too", alice], /unknown option "--too"/],
    [
      "a missing policy file",
      ["--policy", "/nonexistent/policy.json", "--to", alice, "--transport", "tls", "--encryption", "none"],
      /cannot read policy \/nonexistent\/policy.json: no such file/,
    ],
    [
      "a bad key id",
      ["--policy", examplePolicy, "--to", alice, "--transport", "tls", "--encryption", "openpgp", "--encrypted-to", "xyz"],
      /is not a key id/,
    ],
  ] as const) {
    it(`gives a one-line usage error for ${name}`, async () => {
      const result = await runCli("check", ...args);
      assert.equal(result.code, 2);
      assert.match(result.stderr.split("\n")[0] ?? "", message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    });
  }
});
