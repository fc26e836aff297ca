// How the add-on turns Thunderbird's compose details and account settings into core's snapshot.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildSnapshot, incomingTransport, outgoingTransport } from "../../packages/thunderbird/src/background/snapshot-builder.js";
import { fakeHost, smtp } from "./fake-host.js";

describe("the snapshot builder", () => {
  it("takes To, Cc and Bcc with their kinds", async () => {
    const snapshot = await buildSnapshot(fakeHost(), {
      identityId: "id1",
      to: ["A <a@x.org>"],
      cc: ["b@y.org"],
      bcc: ["c@examplebank.com"],
    });
    assert.deepEqual(snapshot.recipients, [
      { text: "A <a@x.org>", kind: "to" },
      { text: "b@y.org", kind: "cc" },
      { text: "c@examplebank.com", kind: "bcc" },
    ]);
  });

  it("expands an address-book mailing list into its members", async () => {
    const host = fakeHost({
      lists: {
        Treasury: [
          { name: "Pay", email: "pay@examplebank.com" },
          { name: "Bob", email: "bob@example.org" },
        ],
      },
    });
    const snapshot = await buildSnapshot(host, { identityId: "id1", to: ["Treasury <Treasury>"] });
    assert.deepEqual(snapshot.recipients, [
      { text: "pay@examplebank.com", kind: "list-member", list: "Treasury" },
      { text: "bob@example.org", kind: "list-member", list: "Treasury" },
    ]);
  });

  it("keeps an entry that is neither an address nor a known list, so that core refuses it", async () => {
    const snapshot = await buildSnapshot(fakeHost(), { identityId: "id1", to: ["Nobody <Nobody>"] });
    assert.deepEqual(snapshot.recipients, [{ text: "Nobody <Nobody>", kind: "to" }]);
  });

  for (const [socketType, security] of [
    [0, "plain"],
    [1, "opportunistic-starttls"],
    [2, "starttls"],
    [3, "tls"],
  ] as const) {
    it(`reads SMTP socketType ${String(socketType)} as ${security}`, () => {
      assert.deepEqual(outgoingTransport(smtp(socketType)), { kind: "smtp", security, host: "smtp.example.org", port: 587 });
    });
  }

  it("fails closed on an unknown socketType, a missing one, and an unknown server type", () => {
    assert.equal(outgoingTransport(smtp(7)).kind, "unknown");
    assert.equal(outgoingTransport({ type: "smtp" }).kind, "unknown");
    assert.equal(outgoingTransport({ type: "carrier-pigeon", socketType: 3 }).kind, "unknown");
  });

  it("counts an EWS outgoing server as HTTPS only when its URL is https:", () => {
    assert.deepEqual(outgoingTransport({ type: "ews", url: "https://outlook.office365.com/EWS/Exchange.asmx" }), {
      kind: "https",
      host: "outlook.office365.com",
    });
    assert.equal(outgoingTransport({ type: "ews", url: "http://exchange.local/EWS/Exchange.asmx" }).kind, "unknown");
    assert.equal(outgoingTransport({ type: "ews" }).kind, "unknown");
  });

  it("reports a missing outgoing server as unknown with the Experiment's reason", async () => {
    const snapshot = await buildSnapshot(
      fakeHost({ route: { outgoingProblem: "no outgoing server is configured", savesSentCopy: false } }),
      { identityId: "id1" },
    );
    assert.deepEqual(snapshot.transport, { kind: "unknown", reason: "no outgoing server is configured" });
  });

  it("includes the IMAP server that stores the Sent copy", async () => {
    const route = {
      outgoing: smtp(3, 465),
      savesSentCopy: true,
      sentCopy: { type: "imap", host: "imap.example.org", port: 143, socketType: 0 },
    };
    const snapshot = await buildSnapshot(fakeHost({ route }), { identityId: "id1" });
    assert.deepEqual(snapshot.sentCopy, { kind: "imap", security: "plain", host: "imap.example.org", port: 143 });
  });

  it("leaves out a Sent copy kept in Local Folders", () => {
    assert.equal(incomingTransport({ type: "none" }), undefined);
    assert.equal(incomingTransport({ type: "pop3", socketType: 0 }), undefined);
  });

  it("uses the folder the user picked for this message's Sent copy", async () => {
    const host = fakeHost({
      route: { outgoing: smtp(3, 465), savesSentCopy: true, sentCopy: { type: "none" } },
      incoming: { account9: { type: "imap", socketType: 1, host: "imap.other.org" } },
    });
    // Regression: the MV2 field names were read, which Thunderbird does not give an MV3 add-on,
    // so this message's own Sent folder went unchecked.
    const snapshot = await buildSnapshot(host, { identityId: "id1", overrideDefaultFccFolderId: "account9:/Sent" });
    assert.deepEqual(snapshot.sentCopy, { kind: "imap", security: "opportunistic-starttls", host: "imap.other.org" });
  });

  it("checks a second copy of this message on another account, and the weakest copy counts", async () => {
    const host = fakeHost({
      route: { outgoing: smtp(3, 465), savesSentCopy: true, sentCopy: { type: "imap", socketType: 3, host: "imap.example.org" } },
      incoming: { account7: { type: "imap", socketType: 0, host: "imap.plain.example", port: 143 } },
    });
    const snapshot = await buildSnapshot(host, { identityId: "id1", additionalFccFolderId: "account7:/Archive/2026" });
    assert.deepEqual(snapshot.sentCopy, { kind: "imap", security: "plain", host: "imap.plain.example", port: 143 });
  });

  it("fails closed on a Sent folder whose account cannot be read", async () => {
    const host = fakeHost({ route: { outgoing: smtp(3, 465), savesSentCopy: false } });
    assert.equal((await buildSnapshot(host, { identityId: "id1", overrideDefaultFccFolderId: "gone:/Sent" })).sentCopy?.kind, "unknown");
    assert.equal((await buildSnapshot(host, { identityId: "id1", overrideDefaultFccFolderId: "no-account" })).sentCopy?.kind, "unknown");
  });

  it("has no Sent copy when the user turned it off for this message", async () => {
    const host = fakeHost({ route: { outgoing: smtp(3, 465), savesSentCopy: true, sentCopy: { type: "imap", socketType: 0 } } });
    const snapshot = await buildSnapshot(host, { identityId: "id1", overrideDefaultFccFolderId: "" });
    assert.equal(snapshot.sentCopy, undefined);
  });

  it("reads OpenPGP, S/MIME and no encryption from selectedEncryptionTechnology", async () => {
    const read = async (selectedEncryptionTechnology: object) =>
      (await buildSnapshot(fakeHost(), { identityId: "id1", selectedEncryptionTechnology } as never)).encryption;
    assert.deepEqual(await read({ name: "OpenPGP", encryptBody: true, encryptSubject: true }), { kind: "openpgp", subject: true });
    assert.deepEqual(await read({ name: "S/MIME", encryptBody: true }), { kind: "smime" });
    assert.deepEqual(await read({ name: "OpenPGP", encryptBody: false, signMessage: true }), { kind: "none" });
  });

  it("passes the sender and the user's language", async () => {
    const snapshot = await buildSnapshot(fakeHost({ language: "de" }), { identityId: "id1" });
    assert.equal(snapshot.sender, "alice@example.org");
    assert.equal(snapshot.locale, "de");
  });
});

describe("the snapshot builder, against what Thunderbird may hand over", () => {
  // Regression: a list member with an empty address vanished instead of blocking as unreadable.
  it("keeps a list member without an address as a recipient core will refuse", async () => {
    const host = fakeHost({
      lists: {
        Team: [
          { name: "Bob", email: "bob@example.org" },
          { name: "Payments", email: "" },
        ],
      },
    });
    const snapshot = await buildSnapshot(host, { identityId: "id1", to: ["Team <Team>"] });
    assert.deepEqual(snapshot.recipients, [{ text: "Team <Team>", kind: "to" }]);
  });
});

describe("mailing lists named like an address", () => {
  // Thunderbird writes a list pill as "Name <Name>"; a list named like an address looks like one.
  it("expands a list whose name is an address", async () => {
    const host = fakeHost({ lists: { "team@corp.example": [{ name: "Payments", email: "pay@examplebank.com" }] } });
    const snapshot = await buildSnapshot(host, { identityId: "id1", to: ["team@corp.example <team@corp.example>"] });
    assert.deepEqual(snapshot.recipients, [{ text: "pay@examplebank.com", kind: "list-member", list: "team@corp.example" }]);
  });

  it("keeps an ordinary address whose display name differs", async () => {
    const snapshot = await buildSnapshot(fakeHost(), { identityId: "id1", to: ["Team <team@corp.example>"] });
    assert.deepEqual(snapshot.recipients, [{ text: "Team <team@corp.example>", kind: "to" }]);
  });
});

describe("mailing lists inside mailing lists", () => {
  // Thunderbird expands nested lists when it sends, but messengerUtilities only one level: a
  // nested list comes back as a member whose address is its name. Regression: such a list was
  // kept whole and refused as unparseable, even when every member was unprotected.
  const nested = {
    Outer: [
      { name: "Inner", email: "Inner" },
      { name: "Bob", email: "bob@example.org" },
    ],
    Inner: [{ name: "Pay", email: "pay@examplebank.com" }],
  };

  it("expands a list inside a list into the inner list's members", async () => {
    const snapshot = await buildSnapshot(fakeHost({ lists: nested }), { identityId: "id1", bcc: ["Outer <Outer>"] });
    assert.deepEqual(snapshot.recipients, [
      { text: "pay@examplebank.com", kind: "list-member", list: "Outer › Inner" },
      { text: "bob@example.org", kind: "list-member", list: "Outer" },
    ]);
  });

  it("keeps a list that contains itself as written, so that core refuses it by name", async () => {
    const host = fakeHost({
      lists: {
        Loop: [
          { name: "Loop", email: "Loop" },
          { name: "Bob", email: "bob@example.org" },
        ],
      },
    });
    const snapshot = await buildSnapshot(host, { identityId: "id1", to: ["Loop <Loop>"] });
    assert.deepEqual(snapshot.recipients, [
      { text: "Loop <Loop>", kind: "list-member", list: "Loop" },
      { text: "bob@example.org", kind: "list-member", list: "Loop" },
    ]);
  });

  it("keeps a member named like a list that is none, so that core refuses it by name", async () => {
    const host = fakeHost({ lists: { Team: [{ name: "Ghost", email: "Ghost" }] } });
    const snapshot = await buildSnapshot(host, { identityId: "id1", to: ["Team <Team>"] });
    assert.deepEqual(snapshot.recipients, [{ text: "Ghost <Ghost>", kind: "list-member", list: "Team" }]);
  });
});
