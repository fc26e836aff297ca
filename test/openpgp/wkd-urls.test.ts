// WKD request URLs (draft-koch-openpgp-webkey-service §3.1): z-base-32 of SHA-1 of the lower-cased
// local part, checked against the draft's example and against GnuPG's own gpg-wks-client.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { wkdUrls, zBase32 } from "@sealpost/core/openpgp";
import { run } from "./tools.js";

const WKS_CLIENT = "/usr/lib/gnupg/gpg-wks-client";

describe("zBase32", () => {
  it("encodes the empty input as nothing", () => {
    assert.equal(zBase32(new Uint8Array()), "");
  });

  it("writes the bits most significant first and pads the last group with zero bits", () => {
    // 0xff = 11111 111(00): indexes 31 and 28 of "ybndrfg8ejkmcpqxot1uwisza345h769".
    assert.equal(zBase32(new Uint8Array([0xff])), "9h");
    assert.equal(zBase32(new Uint8Array([0x00])), "yy");
    // 40 bits make eight whole groups: no padding at all.
    assert.equal(zBase32(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff])), "99999999");
  });
});

describe("wkdUrls", () => {
  it("gives the draft's example hash for Joe.Doe@Example.ORG, the advanced URL first", () => {
    assert.deepEqual(wkdUrls("Joe.Doe@Example.ORG"), {
      advanced: "https://openpgpkey.example.org/.well-known/openpgpkey/example.org/hu/iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe",
      direct: "https://example.org/.well-known/openpgpkey/hu/iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe",
    });
  });

  it("builds the same advanced URL as GnuPG's gpg-wks-client --print-wkd-url", async () => {
    for (const address of ["pay@bank.example", "joe.doe@example.org", "o'brien@bank.example"]) {
      const gnupg = (await run(WKS_CLIENT, ["--print-wkd-url", address])).toString("utf8").trim();
      assert.equal(wkdUrls(address).advanced, gnupg, address);
    }
  });

  it("hashes like GnuPG where it escapes the query differently: '+' is percent-encoded, not left to read as a space", async () => {
    const address = "first.last+tag@sub.bank.example";
    const gnupg = new URL((await run(WKS_CLIENT, ["--print-wkd-url", address])).toString("utf8").trim());
    const ours = new URL(wkdUrls(address).advanced);
    assert.equal(`${ours.host}${ours.pathname}`, `${gnupg.host}${gnupg.pathname}`);
    assert.equal(ours.search, "?l=first.last%2Btag");
    assert.equal(ours.searchParams.get("l"), "first.last+tag");
  });

  it("hashes the local part with only ASCII upper case lowered, as the draft says", () => {
    const upper = new URL(wkdUrls("PAY@bank.example").direct);
    const lower = new URL(wkdUrls("pay@bank.example").direct);
    assert.equal(upper.pathname, lower.pathname);
    assert.equal(upper.searchParams.get("l"), "PAY", "the l= parameter carries the local part as given");
  });

  it("puts an internationalized domain in its A-label form", () => {
    assert.match(
      wkdUrls("zahlung@bänk.de").advanced,
      /^https:\/\/openpgpkey\.xn--bnk-qla\.de\/\.well-known\/openpgpkey\/xn--bnk-qla\.de\/hu\//,
    );
  });

  it("percent-encodes the local part in the query", () => {
    assert.match(wkdUrls("a&b=c@bank.example").direct, /\?l=a%26b%3Dc$/);
  });

  it("refuses what is not an address, saying so", () => {
    assert.throws(() => wkdUrls("bank.example"), /not an email address/);
    assert.throws(() => wkdUrls("pay@"), /not an email address/);
    assert.throws(() => wkdUrls("pay@bad..domain"), /has a domain that/);
  });
});
