// The probe's report for people: security regression for text that servers control.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ProbeReport, renderReport } from "../../packages/cli/src/probe/render-report.js";
import { recommendRelayLevel } from "../../packages/cli/src/probe/relay-level.js";

const hostile = "mx.evil.test offers no STARTTLS\u001b]0;pwned\u0007\u001b[2J\r";

function report(): ProbeReport {
  return {
    resolver: "127.0.0.1:53",
    resolverIsLocal: true,
    domains: [
      {
        domain: "evil.test",
        mxSource: "mx",
        mxValidated: false,
        mx: [
          {
            host: "mx.evil.test",
            preference: 10,
            addresses: ["127.0.0.9"],
            addressesValidated: false,
            smtp: { address: "127.0.0.9", port: 25, outcome: "failed", stage: "greeting", error: `the server greeted with 554 ${hostile}` },
            tlsa: { name: "_25._tcp.mx.evil.test", records: [], validated: false, usable: 0, matched: null },
            lacks: { encrypt: hostile, verify: hostile, dane: hostile },
          },
        ],
        mtaSts: { record: null, recordError: "no TXT record", mxNotMatching: [] },
        tlsRpt: { record: null, rua: [], error: "no TXT record" },
        recommendation: recommendRelayLevel([{ host: "mx.evil.test", encrypt: hostile, verify: hostile, dane: hostile }]),
        requirements: [],
        overRequired: false,
      },
    ],
  };
}

describe("the probe's report", () => {
  it("shows control characters from servers as \\xNN, so a banner cannot drive the terminal", () => {
    const text = renderReport(report(), false);
    assert.ok(!text.includes("\u001b") && !text.includes("\u0007") && !text.includes("\r"), "no control character reaches the terminal");
    assert.match(
      text,
      /failed at greeting: the server greeted with 554 mx\.evil\.test offers no STARTTLS\\x1b\]0;pwned\\x07\\x1b\[2J\\x0d/,
    );
  });

  it("warns when the resolver is not on this machine, since its AD bit could be forged on the way", () => {
    assert.match(renderReport({ ...report(), resolverIsLocal: false }, false), /The resolver is not on this machine/);
    assert.doesNotMatch(renderReport(report(), false), /not on this machine/);
  });
});
