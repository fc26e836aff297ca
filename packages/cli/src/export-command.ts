// `sealpost export postfix|exim|exchange POLICY [--out DIR]`: the policy's relay requirements as
// mail-server configuration. Exit codes: 0 written, 2 usage error, invalid policy or nothing to export.
import { relayLevels } from "@sealpost/core";
import { parseArgs } from "node:util";
import { exportExchange } from "./export/exchange-export.js";
import { exportExim } from "./export/exim-export.js";
import type { Export } from "./export/exported-file.js";
import { exportPostfix } from "./export/postfix-export.js";
import { type CliIo, EXIT, UsageError } from "./io.js";
import { formatPolicyError, loadPolicy } from "./load-policy.js";

const EXPORTERS = { postfix: exportPostfix, exim: exportExim, exchange: exportExchange } as const;
type Target = keyof typeof EXPORTERS;

export async function exportCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, strict: true, options: { out: { type: "string" } } });
  const [target, path, ...extra] = positionals;
  if (target === undefined || path === undefined || extra.length > 0) {
    throw new UsageError("export takes a target and one policy file: sealpost export postfix|exim|exchange POLICY [--out DIR]");
  }
  if (!isTarget(target)) throw new UsageError(`export target "${target}" is not one of postfix, exim, exchange`);
  if (values.out === "") throw new UsageError("--out needs a folder");

  const loaded = await loadPolicy(io, path);
  if (!loaded.ok) {
    for (const error of loaded.errors) io.stderr(`${formatPolicyError(path, error)}\n`);
    io.stderr(`sealpost: the policy is invalid; run "sealpost lint ${path}"\n`);
    return EXIT.usage;
  }
  const entries = relayLevels(loaded.policy);
  if (entries.length === 0) {
    io.stderr(
      `sealpost: ${path} requires no TLS for the server hop: no rule sets require.relay ("encrypt", "verify" or "dane"), so there is nothing to export\n`,
    );
    return EXIT.usage;
  }
  const exported = EXPORTERS[target](entries);
  if (values.out === undefined) {
    io.stdout(concatenated(exported));
    return EXIT.allow;
  }
  for (const file of exported.files) {
    const where = `${values.out.replace(/\/+$/, "")}/${file.path}`;
    try {
      await io.writeFile(where, file.text);
    } catch (error) {
      throw new UsageError(`cannot write ${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    io.stdout(`wrote ${where}\n`);
  }
  io.stdout(`next:\n${exported.next.map((step) => `  ${step}\n`).join("")}`);
  return EXIT.allow;
}

function isTarget(value: string): value is Target {
  return Object.hasOwn(EXPORTERS, value);
}

// On stdout every file follows a header line naming it; every format here takes "#" comments.
function concatenated(exported: Export): string {
  return exported.files.map((file) => `# ==> ${file.path} <==\n${file.text}`).join("\n");
}
