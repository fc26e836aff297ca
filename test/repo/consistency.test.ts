// Consistency checks for what drifts silently: the published schema, the lint boundaries, the
// example policy, and the README's promises.
import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { parsePolicyText, validatePolicy } from "@sealpost/core";
import { policyJsonSchema } from "@sealpost/core/json-schema";
import { ESLint } from "eslint";
import { root } from "../cli/run-cli.js";
import { E2E_POLICY } from "../thunderbird/sealpost-fixtures.js";

describe("the published JSON Schema", () => {
  it("is the one generated from the validating definition (run npm run build to refresh it)", async () => {
    const committed = JSON.parse(await readFile(`${root}schema/policy-v1.schema.json`, "utf8")) as unknown;
    assert.deepEqual(committed, policyJsonSchema());
  });
});

describe("the example policies", () => {
  it("examples/banks-policy.json is valid", async () => {
    const result = parsePolicyText(await readFile(`${root}examples/banks-policy.json`, "utf8"));
    assert.equal(result.ok, true, JSON.stringify(result.ok ? [] : result.errors));
  });

  it("examples/thunderbird/policies.json hands Sealpost a valid policy", async () => {
    const document = JSON.parse(await readFile(`${root}examples/thunderbird/policies.json`, "utf8")) as {
      policies: {
        "3rdparty": { Extensions: Record<string, { policy: unknown }> };
        ExtensionSettings: Record<string, { installation_mode: string }>;
      };
    };
    const entry = document.policies["3rdparty"].Extensions["sealpost@sealpost.dev"];
    assert.ok(entry, "the policy is keyed by Sealpost's add-on id");
    const result = validatePolicy(entry.policy);
    assert.equal(result.ok, true, JSON.stringify(result.ok ? [] : result.errors));
    assert.equal(document.policies.ExtensionSettings["sealpost@sealpost.dev"]?.installation_mode, "force_installed");
  });

  it("the end-to-end policy is valid, so the scenarios test the policy and not a broken fixture", () => {
    assert.equal(validatePolicy(E2E_POLICY).ok, true);
  });
});

describe("core's boundaries, held by lint", () => {
  // Type-aware lint needs the file on disk, inside the package's tsconfig.
  const lintProbe = async (pkg: string, code: string, index: number) => {
    const path = `${root}packages/${pkg}/src/lint-probe-${String(process.pid)}-${String(index)}.ts`;
    await writeFile(path, code);
    try {
      const [result] = await new ESLint({ cwd: root }).lintFiles([path]);
      const messages = result?.messages ?? [];
      assert.ok(!messages.some((message) => message.fatal === true), JSON.stringify(messages));
      return messages.map((message) => message.ruleId);
    } finally {
      await rm(path, { force: true });
    }
  };
  let probes = 0;
  const lintCore = (code: string) => lintProbe("core", code, probes++);

  it("forbids Node built-ins in core", async () => {
    assert.ok(
      (await lintCore('import { readFileSync } from "node:fs";\nexport const read = readFileSync;\n')).includes("no-restricted-imports"),
    );
  });

  it("forbids host packages in core", async () => {
    assert.ok(
      (await lintCore('import browser from "webextension-polyfill";\nexport const b: unknown = browser;\n')).includes(
        "no-restricted-imports",
      ),
    );
  });

  for (const global of ["Office", "browser", "messenger", "window", "document"]) {
    it(`forbids the ${global} global in core`, async () => {
      assert.ok((await lintCore(`export const probe = (): unknown => ${global};\n`)).includes("no-restricted-globals"));
    });
  }

  it("lets the CLI use Node", async () => {
    assert.deepEqual(await lintProbe("cli", 'import { readFileSync } from "node:fs";\nexport const read = readFileSync;\n', probes++), []);
  });
});

describe("the README", () => {
  it("gives the install-and-build command and the test command that .ci/run uses", async () => {
    const readme = await readFile(`${root}README.md`, "utf8");
    const ci = await readFile(`${root}.ci/run`, "utf8");
    assert.match(readme, /npm ci && npm run build && npm run demo/);
    assert.match(readme, /npm test/);
    assert.match(ci, /npm test/);
  });
});
