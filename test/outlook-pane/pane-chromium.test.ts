// The built task pane in headless Chromium over the fake compose item: Seal then the built send
// handler allows; Unseal then it blocks and the original is back byte for byte; a missing key is
// explained with what was tried; a key from a Web Key Directory on loopback HTTPS is found; an
// imported key is used and GnuPG and RNP decrypt what was sealed to it; a seal that fails half-way leaves
// the original intact; German.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { encryptedTo, readPublicKeys, wkdUrls } from "@sealpost/core/openpgp";
import { readKey } from "openpgp";
import type { MailboxScenario } from "../outlook/office-helpers.js";
import { fixtureBase64, fixtureText } from "../outlook/fixture-helpers.js";
import type { ComposeScenario, ComposeState } from "../outlook/compose-fake.js";
import { builtBundle, loadHandlers } from "../outlook/runtime-helpers.js";
import { createGpg, createRnp } from "../openpgp/tools.js";
import { focusedId, launchPaneBrowser, openPane, type PaneBrowser, waitForText } from "./pane-harness.js";

const BANK = "pay@bank.example";
const PARTNER = "p@partner.example";
const AUDITOR = "audit@auditor.example";
const NOKEY = "treasury@nokey.example";

const POLICY = JSON.stringify({
  version: 1,
  rules: [
    { id: "banks", domains: ["bank.example"], require: { encryption: ["openpgp"] }, action: "block" },
    { id: "partners", domains: ["partner.example"], require: { encryption: ["openpgp"] }, action: "block" },
    { id: "auditors", domains: ["auditor.example"], require: { encryption: ["openpgp"] }, action: "block" },
    { id: "treasury", domains: ["nokey.example"], require: { encryption: ["openpgp"] }, action: "block" },
  ],
  keys: { [BANK]: fixtureText("key-pay.asc") },
});

// keys.openpgp.org answers too (404 for every address): nothing the pane asks for leaves the machine.
const KEY_HOSTS = [
  "keys.openpgp.org",
  ...["bank.example", "partner.example", "auditor.example", "nokey.example", "corp.example"].flatMap((domain) => [
    domain,
    `openpgpkey.${domain}`,
  ]),
];

const PDF = fixtureBase64("payment.pdf");
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3]).toString("base64");
const ORIGINAL = {
  subject: "Payment run 42",
  body: { type: "html" as const, content: '<p>Hello,</p><p>the figures for <b>run 42</b>: <img src="cid:chart.png"></p>' },
  attachments: [
    { name: "payment.pdf", content: PDF },
    { name: "chart.png", content: PNG, isInline: true, contentId: "chart.png" },
  ],
};

function scenario(to: readonly string[], more: Partial<ComposeScenario> = {}): ComposeScenario {
  return { to, ...ORIGINAL, ...more };
}

/** The item's state as the send handler's fake reads it. */
function sendScenario(to: readonly string[], state: ComposeState): MailboxScenario {
  return {
    to,
    subject: state.subject,
    sessionData: { ...state.sessionData },
    body: state.body.type === "text" ? state.body.content : state.body.content.replace(/<[^>]*>/g, ""),
    attachments: state.attachments.map((attachment) => ({
      name: attachment.name,
      content: attachment.content,
      isInline: attachment.isInline,
    })),
  };
}

async function sendCheck(to: readonly string[], state: ComposeState) {
  return sendCheckWith(POLICY, to, state);
}

async function sendCheckWith(policy: string, to: readonly string[], state: ComposeState) {
  const code = builtBundle();
  assert.ok(code !== undefined, "dist/outlook/launchevent.js is missing: run npm run build");
  const runtime = loadHandlers(code, { fetch: () => Promise.resolve({ ok: true, status: 200, text: () => Promise.resolve(policy) }) });
  return (await runtime.send(sendScenario(to, state))).options;
}

function visible(state: ComposeState) {
  return {
    subject: state.subject,
    body: state.body,
    attachments: state.attachments.map(({ name, isInline, contentId, content, attachmentType }) => ({
      name,
      isInline,
      contentId,
      content,
      attachmentType,
    })),
  };
}

describe("the built task pane in Chromium", () => {
  let pane: PaneBrowser;

  before(async () => {
    pane = await launchPaneBrowser(KEY_HOSTS);
    const partner = await readKey({ armoredKey: fixtureText("key-p.asc") });
    const urls = new URL(wkdUrls(PARTNER).advanced);
    pane.keys.serve(urls.hostname, urls.pathname, partner.write());
  });

  after(async () => {
    await pane?.close();
  });

  it("seals the text and every attachment to the pinned key, and the built send handler then allows the message", async () => {
    const opened = await openPane(pane, scenario([BANK]), POLICY);
    const { page } = opened;
    await opened.keysSettled();
    const before = await opened.state();
    assert.equal((await sendCheck([BANK], before))?.allowEvent, false, "the plain message must be blocked first");

    const key = page.locator("#recipients li", { hasText: BANK }).locator(".key");
    assert.match(await key.innerText(), /key [0-9A-F]{4}( [0-9A-F]{4}){9} from the policy/);
    assert.equal(await page.getAttribute("#seal", "aria-disabled"), "false");

    // From the keyboard: focus the button and press Enter.
    await page.focus("#seal");
    await page.keyboard.press("Enter");
    await waitForText(page, "#action-status", /^Sealed/);
    assert.equal(await focusedId(page), "unseal", "focus moves to Unseal");
    assert.equal(await page.getAttribute("#seal", "aria-disabled"), "true");
    assert.match(await page.innerText("#seal-why"), /sealed/i);

    const sealed = await opened.state();
    assert.match(sealed.body.content, /^-----BEGIN PGP MESSAGE-----/);
    assert.deepEqual(
      sealed.attachments.map((attachment) => attachment.name),
      ["payment.pdf.pgp", "chart.png.pgp"],
    );
    const bankKey = (await readPublicKeys(fixtureText("key-pay.asc")))[0];
    assert.ok(bankKey?.ok);
    assert.ok(encryptedTo(sealed.body.content).includes(bankKey.key.encryptionKeyIds[0] ?? "?"));
    const verdict = await sendCheck([BANK], sealed);
    assert.equal(verdict?.allowEvent, true, JSON.stringify(verdict));
    assert.deepEqual(opened.errors, []);
  });

  it("unseals back to the original byte for byte, and the send handler blocks it again", async () => {
    const opened = await openPane(pane, scenario([BANK]), POLICY);
    const { page } = opened;
    await opened.keysSettled();
    const original = await opened.state();
    await page.click("#seal");
    await waitForText(page, "#action-status", /^Sealed/);
    await page.click("#unseal");
    await waitForText(page, "#action-status", /^Unsealed/);
    assert.equal(await focusedId(page), "seal", "focus moves back to Seal");
    const restored = await opened.state();
    assert.deepEqual(visible(restored), visible(original));
    assert.deepEqual(restored.sessionData, {});
    for (const [index, attachment] of original.attachments.entries()) {
      assert.ok(Buffer.from(restored.attachments[index]?.content ?? "", "base64").equals(Buffer.from(attachment.content, "base64")));
    }
    assert.equal((await sendCheck([BANK], restored))?.allowEvent, false);
  });

  it("explains a missing key with what was tried, and says why Seal is unavailable", async () => {
    const opened = await openPane(pane, scenario([BANK, NOKEY]), POLICY);
    const { page } = opened;
    await opened.keysSettled();
    const line = await page.locator("#recipients li", { hasText: NOKEY }).locator(".key").innerText();
    assert.match(line, /^no key found \(tried: /);
    assert.match(line, /Web Key Directory: .*404/);
    assert.match(line, /keys\.openpgp\.org: .*404/);
    assert.equal(await page.getAttribute("#seal", "aria-disabled"), "true");
    assert.equal(await page.getAttribute("#seal", "aria-describedby"), "seal-why");
    assert.match(await page.innerText("#seal-why"), new RegExp(`no usable key for ${NOKEY.replace(/\./g, "\\.")}`));
    // Clicking the unavailable button (Playwright would wait for it to be enabled: forced) changes nothing.
    const before = await opened.state();
    await page.click("#seal", { force: true });
    await page.waitForTimeout(200);
    assert.deepEqual(await opened.state(), before);
    assert.ok(
      pane.keys.requests.some((request) => request.startsWith(`openpgpkey.nokey.example /.well-known/openpgpkey/nokey.example/hu/`)),
    );
  });

  it("finds a key in the recipient's Web Key Directory over HTTPS on loopback and seals to it", async () => {
    const opened = await openPane(pane, scenario([PARTNER]), POLICY);
    const { page } = opened;
    await opened.keysSettled();
    const partner = (await readPublicKeys(fixtureText("key-p.asc")))[0];
    assert.ok(partner?.ok);
    const line = await page.locator("#recipients li", { hasText: PARTNER }).locator(".key").innerText();
    assert.equal(line, `key ${partner.key.fingerprint.match(/.{4}/g)?.join(" ") ?? ""} from the recipient's Web Key Directory`);
    const advanced = new URL(wkdUrls(PARTNER).advanced);
    assert.ok(pane.keys.requests.includes(`${advanced.hostname} ${advanced.pathname}`));
    await page.click("#seal");
    await waitForText(page, "#action-status", /^Sealed/);
    const sealed = await opened.state();
    assert.ok(encryptedTo(sealed.body.content).some((id) => partner.key.encryptionKeyIds.includes(id)));
    // The policy pins no key for the partner: the send check holds the packets to the key Seal recorded.
    const verdict = await sendCheck([PARTNER], sealed);
    assert.equal(verdict?.allowEvent, true, JSON.stringify(verdict));
  });

  it("imports a pasted key, keeps it in the roaming settings and uses it for the recipient", async () => {
    const opened = await openPane(pane, scenario([AUDITOR]), POLICY);
    const { page } = opened;
    await opened.keysSettled();
    assert.match(await page.locator("#recipients li", { hasText: AUDITOR }).locator(".key").innerText(), /^no key found/);
    assert.equal(await page.getAttribute("#seal", "aria-disabled"), "true");

    await page.getByLabel("OpenPGP public key (paste it here)").fill(fixtureText("key-audit.asc"));
    await page.click("#import");
    await waitForText(page, "#import-status", /^Imported/);
    assert.match(await page.innerText("#import-status"), new RegExp(`for ${AUDITOR.replace(/\./g, "\\.")}`));
    await waitForText(page, "#recipients .key", /your imported keys/);
    const state = await opened.state();
    assert.ok((state.roaming["sealpost.importedKeys"] ?? "").includes("BEGIN PGP PUBLIC KEY BLOCK"));
    assert.equal(await page.getAttribute("#seal", "aria-disabled"), "false");
    assert.match(await page.innerText("#imported"), /audit@auditor\.example/);
  });

  it("seals so that GnuPG and RNP (Thunderbird's engine), holding the recipient's secret key, get back the text and every attachment byte for byte", async () => {
    const gpg = await createGpg();
    let rnp: Awaited<ReturnType<typeof createRnp>> | undefined;
    try {
      const fingerprint = await gpg.generate(`Audit <${AUDITOR}>`, "future-default", "default", "never");
      const opened = await openPane(
        pane,
        scenario([AUDITOR], { body: { type: "text", content: "Grüße,\r\nthe figures for run 42." } }),
        POLICY,
      );
      const { page } = opened;
      await opened.keysSettled();
      const original = await opened.state();
      await page.fill("#import-text", await gpg.exportPublic(fingerprint));
      await page.click("#import");
      await waitForText(page, "#recipients .key", /your imported keys/);
      await page.click("#seal");
      await waitForText(page, "#action-status", /^Sealed/);
      const sealed = await opened.state();
      rnp = await createRnp([await gpg.exportSecret(fingerprint)]);
      for (const [tool, decrypt] of [
        ["gpg", (data: string | Uint8Array) => gpg.run(["--decrypt"], data)],
        ["rnp", (data: string | Uint8Array) => (rnp as NonNullable<typeof rnp>).decrypt(data)],
      ] as const) {
        const text = await decrypt(sealed.body.content);
        assert.equal(text.toString("utf8"), "Grüße,\r\nthe figures for run 42.", tool);
        for (const [index, attachment] of original.attachments.entries()) {
          const part = sealed.attachments[index];
          assert.equal(part?.name, `${attachment.name}.pgp`);
          const plain = await decrypt(Buffer.from(part?.content ?? "", "base64"));
          assert.ok(plain.equals(Buffer.from(attachment.content, "base64")), `${tool}: ${attachment.name} decrypts to other bytes`);
        }
      }
    } finally {
      await rnp?.remove();
      await gpg.remove();
    }
  });

  it("imports a key chosen as a file, armored or binary", async () => {
    const opened = await openPane(pane, scenario([AUDITOR]), POLICY);
    const { page } = opened;
    await opened.keysSettled();
    const binary = (await readKey({ armoredKey: fixtureText("key-audit.asc") })).write();
    await page
      .getByLabel("Or choose a key file")
      .setInputFiles({ name: "audit.gpg", mimeType: "application/pgp-keys", buffer: Buffer.from(binary) });
    await page.click("#import");
    await waitForText(page, "#import-status", /^Imported .* for audit@auditor\.example/);
    await page.getByLabel("Or choose a key file").setInputFiles({
      name: "pay.asc",
      mimeType: "application/pgp-keys",
      buffer: Buffer.from(fixtureText("key-pay.asc")),
    });
    await page.click("#import");
    await waitForText(page, "#import-status", /^Imported .* for pay@bank\.example/);
    assert.equal((JSON.parse((await opened.state()).roaming["sealpost.importedKeys"] ?? "[]") as string[]).length, 2);
  });

  it("refuses a pasted text that holds no key, and says so", async () => {
    const opened = await openPane(pane, scenario([AUDITOR]), POLICY);
    const { page } = opened;
    await opened.keysSettled();
    await page.fill("#import-text", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----\n");
    await page.click("#import");
    await waitForText(page, "#import-status", /./);
    assert.doesNotMatch(await page.innerText("#import-status"), /^Imported/);
    assert.equal((await opened.state()).roaming["sealpost.importedKeys"], undefined);
  });

  it("leaves the original intact when Outlook fails to add the second sealed attachment", async () => {
    const opened = await openPane(pane, scenario([BANK], { failures: { addFileAttachmentFromBase64Async: [2] } }), POLICY);
    const { page } = opened;
    await opened.keysSettled();
    const original = await opened.state();
    await page.click("#seal");
    await waitForText(page, "#action-status", /stopped/);
    assert.match(await page.innerText("#action-status"), /the message is as it was/);
    assert.equal(await focusedId(page), "action-status", "focus moves to the explanation");
    const after = await opened.state();
    assert.deepEqual(visible(after), visible(original));
    assert.deepEqual(after.sessionData, {});
    assert.equal((await sendCheck([BANK], after))?.allowEvent, false);
  });

  it("follows the recipients as they change, and stops Seal once a protected one has no key", async () => {
    const opened = await openPane(pane, scenario([BANK]), POLICY);
    const { page } = opened;
    await opened.keysSettled();
    assert.equal(await page.getAttribute("#seal", "aria-disabled"), "false");
    await page.evaluate(`globalThis.__sealpostFake.changeRecipients("to", ${JSON.stringify([BANK, NOKEY])})`);
    await waitForText(page, "#seal-why", /no usable key for treasury@nokey\.example/);
    assert.equal(await page.getAttribute("#seal", "aria-disabled"), "true");
  });

  it("protects the subject when the rule asks for it, and Unseal gives the real one back", async () => {
    const policy = JSON.stringify({
      version: 1,
      rules: [{ id: "banks", domains: ["bank.example"], require: { encryption: ["openpgp"] }, protectSubject: true, action: "block" }],
      keys: { [BANK]: fixtureText("key-pay.asc") },
    });
    const opened = await openPane(pane, scenario([BANK]), policy);
    const { page } = opened;
    await opened.keysSettled();
    await page.click("#seal");
    await waitForText(page, "#action-status", /^Sealed/);
    assert.match(await page.innerText("#action-status"), /The subject now reads “Encrypted message”/);
    const sealed = await opened.state();
    assert.equal(sealed.subject, "Encrypted message");
    const allowed = await sendCheckWith(policy, [BANK], sealed);
    assert.equal(allowed?.allowEvent, true, JSON.stringify(allowed));
    const edited = await sendCheckWith(policy, [BANK], { ...sealed, subject: "Payment run 42, corrected" });
    assert.equal(edited?.allowEvent, false, "a subject typed after sealing travels readable");
    await page.click("#unseal");
    await waitForText(page, "#action-status", /^Unsealed/);
    assert.equal((await opened.state()).subject, ORIGINAL.subject);
  });

  it("speaks German when Outlook does", async () => {
    const opened = await openPane(pane, scenario([BANK, NOKEY], { displayLanguage: "de-DE" }), POLICY);
    const { page } = opened;
    await opened.keysSettled();
    assert.equal(await page.innerText("#seal"), "Versiegeln");
    assert.equal(await page.innerText("#unseal"), "Entsiegeln");
    assert.match(await page.innerText("#seal-why"), /kein nutzbarer Schlüssel für treasury@nokey\.example/);
    assert.equal(await page.getAttribute("html", "lang"), "de");
  });
});
