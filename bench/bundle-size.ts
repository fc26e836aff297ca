// What core's send check costs a browser host in bytes: the evaluate path bundled as the task
// pane and popup would bundle it, minified and gzipped, with the bytes attributed to packages.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export const BUNDLE_ENTRY = 'export { evaluate, parsePolicyText } from "@sealpost/core";';

export interface PackageBytes {
  /** npm package name, `@sealpost/core`, or `(esbuild runtime)` for the glue esbuild adds. */
  readonly name: string;
  /** Bytes of the minified bundle that come from this package. */
  readonly bytes: number;
  readonly share: number;
}

export interface BundleReport {
  readonly entry: string;
  readonly target: string;
  readonly minifiedBytes: number;
  readonly gzipBytes: number;
  readonly packages: readonly PackageBytes[];
}

function packageOf(input: string): string {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match?.[1] !== undefined) return match[1];
  if (input.startsWith("packages/core/")) return "@sealpost/core";
  return "(entry)";
}

/** Bundles {@link BUNDLE_ENTRY} from `root`, the repository root, without writing anything. */
export async function measureBundle(root: string): Promise<BundleReport> {
  const target = "es2020";
  const result = await build({
    stdin: { contents: BUNDLE_ENTRY, resolveDir: root, sourcefile: "bench-entry.js", loader: "js" },
    absWorkingDir: root,
    platform: "browser",
    format: "esm",
    target,
    bundle: true,
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  const meta = Object.values(result.metafile.outputs)[0];
  if (output === undefined || meta === undefined) throw new Error("esbuild produced no output for the bench entry");

  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) {
    const name = packageOf(input);
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  byPackage.delete("(entry)");
  // esbuild's CommonJS wrappers and export glue belong to no input; shown so the rows add up.
  const attributed = [...byPackage.values()].reduce((sum, bytes) => sum + bytes, 0);
  if (output.contents.length > attributed) byPackage.set("(esbuild runtime)", output.contents.length - attributed);

  const minifiedBytes = output.contents.length;
  return {
    entry: BUNDLE_ENTRY,
    target,
    minifiedBytes,
    gzipBytes: gzipSync(output.contents, { level: 9 }).length,
    packages: [...byPackage].map(([name, bytes]) => ({ name, bytes, share: bytes / minifiedBytes })).sort((a, b) => b.bytes - a.bytes),
  };
}
