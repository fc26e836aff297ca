// `sealpost lint` and `sealpost schema`, and the command's general behaviour.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { examplePolicy, fixture, runCli } from "./run-cli.js";

describe("sealpost lint", () => {
  it("accepts the example policy with exit 0", async () => {
    const result = await runCli("lint", examplePolicy);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /valid \(4 rules, 6 protected domains, 1 pinned key\)/);
  });

  it("reports all three mistakes of a policy, each with its place and path, and exits 2", async () => {
    const path = fixture("cli-three-mistakes.json");
    const result = await runCli("lint", path);
    assert.equal(result.code, 2);
    const lines = result.stderr.trim().split("\n");
    assert.deepEqual(lines.slice(0, 3), [
      `${path}:6:38: rules[0].domains[1]: "bank..com" is not a domain name (it has an empty label)`,
      `${path}:8:7: rules[0].acton: unknown field "acton" (did you mean "action"?)`,
      `${path}:13:34: rules[1].require.submission: must be one of "tls" (found "ssl")`,
    ]);
    assert.equal(lines.length, 4, "the three errors and the count line");
    assert.match(lines[3] ?? "", /3 errors/);
  });

  it("shows line and column for a policy that is not JSON", async () => {
    const path = fixture("cli-bad-json.json");
    const result = await runCli("lint", path);
    assert.equal(result.code, 2);
    assert.equal(result.stderr.split("\n")[0], `${path}:4:18: invalid JSON: expected a property name in double quotes`);
  });

  it("prints errors as JSON with --json", async () => {
    const result = await runCli("lint", "--json", fixture("cli-three-mistakes.json"));
    assert.equal(result.code, 2);
    const output = JSON.parse(result.stdout) as { valid: boolean; errors: { path: string; line: number }[] };
    assert.equal(output.valid, false);
    assert.ok(output.errors.some((error) => error.path === "rules[0].domains[1]" && error.line === 6));
  });

  it("needs exactly one file", async () => {
    const result = await runCli("lint");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /lint takes one policy file/);
  });
});

describe("sealpost schema", () => {
  it("prints a JSON Schema that refuses unknown fields", async () => {
    const result = await runCli("schema");
    assert.equal(result.code, 0);
    const schema = JSON.parse(result.stdout) as { title: string; additionalProperties: boolean; required: string[] };
    assert.equal(schema.title, "Sealpost policy");
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.required, ["version", "rules"]);
  });
});

describe("sealpost", () => {
  it("prints usage with --help and exits 0", async () => {
    const result = await runCli("--help");
    assert.equal(result.code, 0);
    assert.match(result.stdout, /sealpost check --policy POLICY/);
  });

  it("exits 2 with usage when given no command", async () => {
    const result = await runCli();
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Usage:/);
  });

  it("names an unknown command", async () => {
    const result = await runCli("chek");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command "chek"/);
  });
});
