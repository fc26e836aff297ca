// The built `sealpost` binary, run as a user runs it: the acceptance checks.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { examplePolicy, runBinary } from "./run-cli.js";

describe("the built sealpost binary", () => {
  it("exits 1 and names both unmet requirements for plain, unencrypted mail to a bank", () => {
    const result = runBinary(
      "check",
      "--policy",
      examplePolicy,
      "--to",
      "Alice <alice@ExampleBank.com>",
      "--transport",
      "plain",
      "--encryption",
      "none",
    );
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /outgoing server is not encrypted/);
    assert.match(result.stdout, /The message is not encrypted/);
  });

  it("exits 0 for the same recipient over TLS with OpenPGP", () => {
    const result = runBinary(
      "check",
      "--policy",
      examplePolicy,
      "--to",
      "Alice <alice@ExampleBank.com>",
      "--transport",
      "tls",
      "--encryption",
      "openpgp",
    );
    assert.equal(result.code, 0, result.stderr);
  });

  it("reports a bad invocation without a stack trace", () => {
    const result = runBinary("check", "--policy");
    assert.equal(result.code, 2);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    assert.match(result.stderr, /^sealpost: /);
  });

  it("runs probe from the bundle, reporting an unreachable resolver in one line (loopback only)", () => {
    const result = runBinary("probe", "--resolver", "127.0.0.1:9", "--timeout", "300", "--json", "nothing.test");
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^sealpost: the resolver 127\.0\.0\.1:9 answered none of \d+ DNS queries \(300 ms each\)/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});
