#!/usr/bin/env node
// Installed as `sealpost`; runs the bundle that `npm run build` writes.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundle = new URL("../dist/sealpost.mjs", import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('sealpost: not built yet; run "npm run build" in the Sealpost checkout first\n');
  process.exit(2);
}
await import(bundle.href);
