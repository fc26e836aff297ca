// The Outlook tests' fixtures: GnuPG- and OpenPGP.js-made keys and sealed messages from
// test/fixtures/outlook (see its README), the test policy that pins those keys, and the
// recipients, labels and attachments the scenarios are made of.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FakeAttachment } from "./office-helpers.js";

const folder = fileURLToPath(new URL("../fixtures/outlook/", import.meta.url));

export function fixtureText(name: string): string {
  return readFileSync(folder + name, "utf8");
}

export function fixtureBytes(name: string): Buffer {
  return readFileSync(folder + name);
}

/** A fixture file as Outlook hands an attachment over: base64. */
export function fixtureBase64(name: string): string {
  return fixtureBytes(name).toString("base64");
}

/** The primary fingerprint, then each subkey's, as GnuPG (or OpenPGP.js) listed them. */
export function fingerprints(who: "pay" | "audit" | "m" | "p"): string[] {
  return fixtureText(`key-${who}.fingerprints`).trim().split("\n");
}

export function primaryOf(who: "pay" | "audit" | "m" | "p"): string {
  return fingerprints(who)[0] ?? "";
}

export const BANK = "pay@bank.example";
export const AUDITOR = "audit@auditor.example";
export const PARTNER = "p@partner.example";
export const COLLEAGUE = "bob@corp.example";
export const STRANGER = "someone@elsewhere.example";

export const ENCRYPTING_LABEL = "9f3b2c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
export const PLAIN_LABEL = "11111111-2222-3333-4444-555555555555";

/**
 * Banks need TLS and encryption (OpenPGP or an encrypting label) or the message is blocked;
 * auditors need OpenPGP, with a confirmation; partners need OpenPGP. The bank's and the
 * partner's keys are pinned armored, the auditor's as `auditorPin` says.
 */
export function testPolicy(auditorPin: "armored" | "primary-fingerprint" | "subkey-fingerprint" = "armored"): Record<string, unknown> {
  const auditor =
    auditorPin === "armored"
      ? fixtureText("key-audit.asc")
      : auditorPin === "primary-fingerprint"
        ? primaryOf("audit")
        : (fingerprints("audit")[1] ?? "");
  return {
    version: 1,
    rules: [
      {
        id: "banks",
        domains: ["bank.example"],
        require: { submission: "tls", encryption: ["openpgp", "label"] },
        action: "block",
        message: { en: "Our bank accepts only encrypted mail.", de: "Unsere Bank nimmt nur verschlüsselte E-Mails an." },
      },
      { id: "auditors", domains: ["auditor.example"], require: { encryption: ["openpgp"] }, action: "confirm" },
      { id: "partners", domains: ["partner.example"], require: { encryption: ["openpgp"] }, action: "block" },
    ],
    encryptingLabels: [{ id: ENCRYPTING_LABEL, name: "Confidential \\ Encrypted" }],
    keys: {
      [BANK]: fixtureText("key-pay.asc"),
      [AUDITOR]: auditor,
      [PARTNER]: fixtureText("key-p.asc"),
    },
  };
}

export function policyText(document: Record<string, unknown> = testPolicy()): string {
  return JSON.stringify(document, null, 2);
}

/** A binary sealed attachment, as Outlook lists it. */
export function sealedAttachment(file = "attachment-bank.pdf.pgp", name = "payment.pdf.pgp"): FakeAttachment {
  return { name, content: fixtureBase64(file) };
}

export function plainAttachment(name = "payment.pdf"): FakeAttachment {
  return { name, content: fixtureBase64("payment.pdf") };
}
