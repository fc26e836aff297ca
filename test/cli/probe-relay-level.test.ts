// The relay level a domain supports, from what each MX lacks; and what a rule's requirement needs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkRequirement, type MxCapability, recommendRelayLevel } from "../../packages/cli/src/probe/relay-level.js";

const host = (name: string, lacks: Partial<Omit<MxCapability, "host">> = {}): MxCapability => ({
  host: name,
  encrypt: lacks.encrypt,
  verify: lacks.verify,
  dane: lacks.dane,
});

describe("recommendRelayLevel", () => {
  it("is dane when every MX meets every level", () => {
    const result = recommendRelayLevel([host("mx1.example"), host("mx2.example")]);
    assert.equal(result.level, "dane");
    assert.deepEqual(result.why, { encrypt: [], verify: [], dane: [] });
  });

  it("is held to the weakest MX, and names it", () => {
    const result = recommendRelayLevel([host("mx1.example"), host("mx2.example", { dane: "has no TLSA records" })]);
    assert.equal(result.level, "verify");
    assert.deepEqual(result.why.dane, ["mx2.example has no TLSA records"]);
  });

  it("is none when an MX offers no STARTTLS, with the host named", () => {
    const plain = "offers no STARTTLS";
    const result = recommendRelayLevel([host("mx1.example"), host("mx2.example", { encrypt: plain, verify: plain, dane: plain })]);
    assert.equal(result.level, "none");
    assert.deepEqual(result.why.encrypt, ["mx2.example offers no STARTTLS"]);
  });

  it("judges each level on its own: DANE with self-signed certificates is dane but not verify", () => {
    const result = recommendRelayLevel([host("mx.example", { verify: "has a certificate that does not verify: self-signed certificate" })]);
    assert.equal(result.level, "dane");
    assert.deepEqual(result.supports, { encrypt: true, verify: false, dane: true });
  });

  it("supports nothing when the domain itself could not be judged, or has no mail host", () => {
    const failed = recommendRelayLevel([], "MX lookup failed: timeout");
    assert.equal(failed.level, "none");
    assert.deepEqual(failed.why.encrypt, ["MX lookup failed: timeout"]);
    assert.deepEqual(recommendRelayLevel([]).why.verify, ["the domain has no mail host"]);
  });
});

describe("checkRequirement", () => {
  it("is met only when the domain supports that very level", () => {
    const daneOnly = recommendRelayLevel([host("mx.example", { verify: "has a self-signed certificate" })]);
    assert.equal(checkRequirement(["banks"], "dane", daneOnly).met, true);
    assert.deepEqual(checkRequirement(["banks"], "verify", daneOnly), {
      rules: ["banks"],
      required: "verify",
      met: false,
      reasons: ["mx.example has a self-signed certificate"],
    });
    assert.equal(checkRequirement(["banks"], "encrypt", daneOnly).met, true);
  });
});
