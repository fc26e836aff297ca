// Entry point of the bundled `sealpost` binary: wires the CLI to the real process.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { run } from "./cli.js";

const code = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, "utf8"),
  writeFile: async (path, text) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  },
  color: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
  stderrIsTty: process.stderr.isTTY === true,
});
process.exitCode = code;
