// Runs the CLI in-process with captured output, and the built binary as a user would.
import { spawnSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../../packages/cli/src/cli.js";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const examplePolicy = `${root}examples/banks-policy.json`;
export const fixture = (name: string): string => `${root}test/fixtures/policies/${name}`;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(...argv: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readFile: (path) => readFile(path, "utf8"),
    writeFile: async (path, text) => {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
    },
    color: false,
  });
  return { code, stdout, stderr };
}

/** The built `sealpost` binary (npm run build writes it). */
export function runBinary(...argv: string[]): CliResult {
  const result = spawnSync(process.execPath, [`${root}packages/cli/bin/sealpost.mjs`, ...argv], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
