// Takes docs/outlook-taskpane.png for the README: the built task pane in headless Chromium over the
// fake compose item, for a message to a bank (pinned key), a partner (key from its Web Key
// Directory on loopback HTTPS) and a treasury whose key is nowhere to be found.
// Run: npm run build && node --import tsx scripts/screenshot-outlook-pane.ts
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { wkdUrls } from "@sealpost/core/openpgp";
import { readKey } from "openpgp";
import { fixtureBase64, fixtureText } from "../test/outlook/fixture-helpers.js";
import { launchPaneBrowser, openPane } from "../test/outlook-pane/pane-harness.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const output = join(root, "docs/outlook-taskpane.png");
const policy = JSON.stringify({
  version: 1,
  rules: [
    { id: "banks", domains: ["bank.example"], require: { encryption: ["openpgp"] }, action: "block" },
    { id: "partners", domains: ["partner.example"], require: { encryption: ["openpgp"] }, action: "block" },
    { id: "treasury", domains: ["nokey.example"], require: { encryption: ["openpgp"] }, action: "block" },
  ],
  keys: { "pay@bank.example": fixtureText("key-pay.asc") },
});
const hosts = [
  "keys.openpgp.org",
  ...["bank.example", "partner.example", "nokey.example"].flatMap((domain) => [domain, `openpgpkey.${domain}`]),
];

const pane = await launchPaneBrowser(hosts);
try {
  const partner = await readKey({ armoredKey: fixtureText("key-p.asc") });
  const url = new URL(wkdUrls("p@partner.example").advanced);
  pane.keys.serve(url.hostname, url.pathname, partner.write());
  const opened = await openPane(
    pane,
    {
      to: ["pay@bank.example", "p@partner.example", "treasury@nokey.example"],
      subject: "Payment run 42",
      body: { type: "html", content: "<p>Hello,</p><p>the figures are attached.</p>" },
      attachments: [{ name: "payment.pdf", content: fixtureBase64("payment.pdf") }],
    },
    policy,
  );
  await opened.page.setViewportSize({ width: 360, height: 900 });
  await opened.keysSettled();
  await mkdir(join(root, "docs"), { recursive: true });
  await opened.page.screenshot({ path: output, fullPage: true });
  console.log(`wrote ${output}`);
} finally {
  await pane.close();
}
