// The Outlook handler as classic Outlook would load it: the size of the built launchevent.js and
// the send-check time through it in the bare JavaScript-only-runtime harness.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type SendTimings, timeSends } from "../test/outlook/runtime-helpers.js";

export interface OutlookReport {
  readonly handler: { readonly file: string; readonly minifiedBytes: number; readonly gzipBytes: number };
  readonly sends: SendTimings;
}

export async function measureOutlook(root: string): Promise<OutlookReport> {
  const file = join(root, "dist/outlook/launchevent.js");
  if (!existsSync(file)) {
    // The bench measures what the build ships, so it builds the site when it is missing.
    const built = spawnSync(process.execPath, [join(root, "scripts/build-outlook.mjs")], { cwd: root, encoding: "utf8" });
    if (built.status !== 0) throw new Error(`building the Outlook site failed:\n${built.stderr}`);
  }
  const code = readFileSync(file, "utf8");
  const sends = await timeSends({ sends: 200, recipients: 50, code });
  return {
    handler: {
      file: "dist/outlook/launchevent.js",
      minifiedBytes: Buffer.byteLength(code),
      gzipBytes: gzipSync(code, { level: 9 }).length,
    },
    sends,
  };
}
