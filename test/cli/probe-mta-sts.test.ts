// MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) parsing and mx pattern matching, without a network.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mxMatchesPattern, parseStsPolicy, parseStsRecord, unmatchedMx } from "../../packages/cli/src/probe/mta-sts-policy.js";
import { parseTlsRptRecord } from "../../packages/cli/src/probe/tls-rpt.js";

const policy = (...lines: string[]) => lines.join("\r\n") + "\r\n";

describe("the _mta-sts TXT record (RFC 8461 §3.1)", () => {
  it("reads the id, with or without a trailing semicolon and spaces", () => {
    assert.deepEqual(parseStsRecord(["v=STSv1; id=20160831085700Z;"]), { ok: true, value: { id: "20160831085700Z" } });
    assert.deepEqual(parseStsRecord(["v=STSv1;id=abc"]), { ok: true, value: { id: "abc" } });
  });

  it("ignores records that are not MTA-STS, and extensions it does not know", () => {
    assert.deepEqual(parseStsRecord(["v=spf1 -all", "v=STSv1; id=1; ext_1=x"]), { ok: true, value: { id: "1" } });
  });

  it("treats two MTA-STS records as none, as senders must", () => {
    const result = parseStsRecord(["v=STSv1; id=1", "v=STSv1; id=2"]);
    assert.deepEqual(result, { ok: false, error: '2 records start with "v=STSv1": senders ignore them all' });
  });

  it("refuses a record without id, with an id that is not 1–32 letters and digits, or with a field that is not NAME=VALUE", () => {
    assert.deepEqual(parseStsRecord(["v=STSv1;"]), { ok: false, error: 'the record has no "id=" field' });
    assert.deepEqual(parseStsRecord(["v=STSv1; id=2026-12-03"]), { ok: false, error: 'id "2026-12-03" is not 1 to 32 letters and digits' });
    assert.deepEqual(parseStsRecord([`v=STSv1; id=${"a".repeat(33)}`]), {
      ok: false,
      error: `id "${"a".repeat(33)}" is not 1 to 32 letters and digits`,
    });
    assert.deepEqual(parseStsRecord(["v=STSv1; id"]), { ok: false, error: 'field 2 "id" is not NAME=VALUE' });
  });

  it("says there is no record when there is none, and what it found otherwise", () => {
    assert.deepEqual(parseStsRecord([]), { ok: false, error: "no TXT record" });
    assert.deepEqual(parseStsRecord(["v=STSv2; id=1"]), {
      ok: false,
      error: 'no TXT record starts with "v=STSv1;" (found "v=STSv2; id=1")',
    });
  });
});

describe("the MTA-STS policy file (RFC 8461 §3.2)", () => {
  it("reads mode, max_age and every mx pattern, in any order, ignoring unknown keys", () => {
    const text = policy("version: STSv1", "mx: mail.example.com", "mode: enforce", "future_key: 1", "mx: *.Example.NET.", "max_age: 86400");
    assert.deepEqual(parseStsPolicy(text), {
      ok: true,
      value: { mode: "enforce", maxAge: 86400, mx: ["mail.example.com", "*.example.net"] },
    });
  });

  it("accepts bare LF line ends and mode none without mx", () => {
    assert.deepEqual(parseStsPolicy("version: STSv1\nmode: none\nmax_age: 0\n"), { ok: true, value: { mode: "none", maxAge: 0, mx: [] } });
  });

  it("names the line and the problem for malformed input", () => {
    const cases: [string, string][] = [
      [policy("version: STSv2", "mode: enforce", "mx: a.example", "max_age: 1"), 'line 1: version is "STSv2", not "STSv1"'],
      [policy("version: STSv1", "mode: strict", "mx: a.example", "max_age: 1"), 'line 2: mode is "strict", not enforce, testing or none'],
      [
        policy("version: STSv1", "mode: enforce", "mx: a.example", "max_age: 31557601"),
        'line 4: max_age "31557601" is not a number of seconds from 0 to 31557600',
      ],
      [
        policy("version: STSv1", "mode: enforce", "mx: a.example", "max_age: -5"),
        'line 4: max_age "-5" is not a number of seconds from 0 to 31557600',
      ],
      [
        policy("version: STSv1", "mode: enforce", "mx: *.*.example", "max_age: 1"),
        'line 3: mx "*.*.example" is not a host name or "*." followed by a domain',
      ],
      [policy("version: STSv1", "mode: enforce", "mode: testing", "mx: a.example", "max_age: 1"), "line 3: mode appears twice"],
      [policy("<html>", "mode: enforce"), 'line 1: "<html>" is not "key: value"'],
      [policy("mode: enforce", "mx: a.example", "max_age: 1"), 'the policy has no "version: STSv1" line'],
      [policy("version: STSv1", "mx: a.example", "max_age: 1"), 'the policy has no "mode:" line'],
      [policy("version: STSv1", "mode: enforce", "mx: a.example"), 'the policy has no "max_age:" line'],
      [policy("version: STSv1", "mode: testing", "max_age: 1"), 'mode testing needs at least one "mx:" line'],
    ];
    for (const [text, error] of cases) assert.deepEqual(parseStsPolicy(text), { ok: false, error }, text);
  });
});

describe("mx patterns (RFC 8461 §4.1)", () => {
  it("matches a host name exactly, ignoring case and a trailing dot", () => {
    assert.equal(mxMatchesPattern("MX1.Example.com.", "mx1.example.com"), true);
    assert.equal(mxMatchesPattern("mx1.example.com", "mx2.example.com"), false);
  });

  it("lets a wildcard stand for exactly one leftmost label", () => {
    assert.equal(mxMatchesPattern("mx1.example.com", "*.example.com"), true);
    assert.equal(mxMatchesPattern("example.com", "*.example.com"), false);
    assert.equal(mxMatchesPattern("a.mx.example.com", "*.example.com"), false);
    assert.equal(mxMatchesPattern("mx1.badexample.com", "*.example.com"), false);
  });

  it("lists the hosts no pattern matches", () => {
    assert.deepEqual(unmatchedMx(["mx1.example.com", "backup.other.net"], ["*.example.com", "mx.other.net"]), ["backup.other.net"]);
  });
});

describe("the _smtp._tls TXT record (RFC 8460 §3)", () => {
  it("reads every rua address", () => {
    assert.deepEqual(parseTlsRptRecord(["v=TLSRPTv1; rua=mailto:tls@example.com, https://reports.example.com/tls"]), {
      ok: true,
      value: { rua: ["mailto:tls@example.com", "https://reports.example.com/tls"] },
    });
  });

  it("refuses a record without rua, with an address that is neither mailto: nor https:, or two records", () => {
    assert.deepEqual(parseTlsRptRecord(["v=TLSRPTv1;"]), { ok: false, error: 'the record has no "rua=" field' });
    assert.deepEqual(parseTlsRptRecord(["v=TLSRPTv1; rua=http://example.com/"]), {
      ok: false,
      error: 'rua "http://example.com/" is not a mailto: or https: address',
    });
    assert.deepEqual(parseTlsRptRecord(["v=TLSRPTv1; rua=mailto:a@b.c", "v=TLSRPTv1; rua=mailto:d@e.f"]), {
      ok: false,
      error: '2 records start with "v=TLSRPTv1": senders ignore them all',
    });
    assert.deepEqual(parseTlsRptRecord(["v=spf1 -all"]), { ok: false, error: 'no TXT record starts with "v=TLSRPTv1;"' });
  });
});
