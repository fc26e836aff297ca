// openpgp.js (and what only sealing needs) stays out of the bundles that must stay small or run
// where it cannot: core's evaluate path and Outlook's launch-event handler.
import assert from "node:assert/strict";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const OPENPGP_ONLY = /node_modules\/(openpgp|html-to-text)\//;

async function inputsOf(contents: string): Promise<string[]> {
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: "entry.ts", loader: "ts" },
    absWorkingDir: root,
    bundle: true,
    write: false,
    metafile: true,
    platform: "browser",
    format: "esm",
    define: { __SEALPOST_CONFIG__: "null" },
    logLevel: "silent",
  });
  return Object.keys(result.metafile.inputs);
}

describe("entry points", () => {
  it("@sealpost/core (evaluate) pulls in no openpgp.js", async () => {
    const inputs = await inputsOf('export { evaluate, parsePolicyText } from "@sealpost/core";');
    assert.deepEqual(
      inputs.filter((input) => OPENPGP_ONLY.test(input) || input.includes("src/openpgp/")),
      [],
    );
  });

  it("@sealpost/core/openpgp/reader pulls in no openpgp.js", async () => {
    const inputs = await inputsOf('export * from "@sealpost/core/openpgp/reader";');
    assert.deepEqual(
      inputs.filter((input) => OPENPGP_ONLY.test(input)),
      [],
    );
  });

  it("Outlook's launch-event handler pulls in no openpgp.js, only the packet reader", async () => {
    const inputs = await inputsOf('import "./packages/outlook/src/launch/launch-events.ts";');
    assert.deepEqual(
      inputs.filter((input) => OPENPGP_ONLY.test(input)),
      [],
    );
    assert.ok(
      inputs.some((input) => input.endsWith("packages/core/src/openpgp/reader/message.ts")),
      "the send check no longer reads sealed content",
    );
  });

  it("@sealpost/core/openpgp carries openpgp.js, and no HTML renderer", async () => {
    const inputs = await inputsOf('export * from "@sealpost/core/openpgp";');
    assert.ok(inputs.some((input) => /node_modules\/openpgp\//.test(input)));
    assert.deepEqual(
      inputs.filter((input) => /node_modules\/(html-to-text|htmlparser2|entities)\//.test(input)),
      [],
    );
  });
});
