// Writes the policy's JSON Schema to schema/policy-v1.schema.json (committed, so editors can
// reference it); a test fails when the committed copy is stale.
import { mkdir, writeFile } from "node:fs/promises";
import { build } from "esbuild";

export async function buildSchemaFile(root) {
  const result = await build({
    stdin: {
      contents: 'export { policyJsonSchema } from "@sealpost/core/json-schema";',
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    platform: "node",
    format: "esm",
    write: false,
    logLevel: "warning",
  });
  const code = result.outputFiles[0].text;
  const module = await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
  const relative = "schema/policy-v1.schema.json";
  await mkdir(`${root}schema`, { recursive: true });
  await writeFile(`${root}${relative}`, JSON.stringify(module.policyJsonSchema(), null, 2) + "\n");
  return relative;
}
