// What the Sealpost end-to-end suites share: the built add-on, the policy IT would deploy for
// them, and the policies.json that carries it. Not a test file: importing it runs nothing.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PackedExtension } from "./harness/driver.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const xpiPath = join(root, "dist/thunderbird/sealpost.xpi");
export const SEALPOST_ID = "sealpost@sealpost.dev";

export const E2E_POLICY = {
  version: 1,
  rules: [
    {
      id: "banks",
      domains: ["bank.example"],
      require: { submission: "tls", encryption: ["openpgp", "smime"] },
      action: "block",
      message: { en: "Our bank accepts only encrypted mail.", de: "Unsere Bank nimmt nur verschlüsselte E-Mails an." },
    },
    { id: "tls-partner", domains: ["partner.example"], require: { submission: "tls" }, action: "block" },
    { id: "payroll", domains: ["payroll.example"], require: { submission: "tls" }, action: "confirm" },
  ],
};

export function sealpostXpi(): PackedExtension {
  assert.ok(existsSync(xpiPath), `${xpiPath} is missing: run "npm run build" first`);
  return { id: SEALPOST_ID, path: xpiPath };
}

export function enterprisePolicies(policy: unknown) {
  return { policies: { "3rdparty": { Extensions: { [SEALPOST_ID]: { policy } } } } };
}
