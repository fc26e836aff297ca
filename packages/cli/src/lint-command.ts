// `sealpost lint POLICY`: exit 0 when the policy is valid, 2 with every error and its place otherwise.
import { parseArgs } from "node:util";
import { type CliIo, EXIT, UsageError } from "./io.js";
import { formatPolicyError, loadPolicy } from "./load-policy.js";
import { style } from "./style.js";

export async function lintCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, strict: true, options: { json: { type: "boolean" } } });
  if (positionals.length !== 1) throw new UsageError("lint takes one policy file: sealpost lint POLICY");
  const path = positionals[0] ?? "";
  const loaded = await loadPolicy(io, path);
  const s = style(io.color);
  if (values.json === true) {
    io.stdout(JSON.stringify(loaded.ok ? { valid: true, errors: [] } : { valid: false, errors: loaded.errors }, null, 2) + "\n");
    return loaded.ok ? EXIT.allow : EXIT.usage;
  }
  if (loaded.ok) {
    const rules = loaded.policy.rules.length;
    const domains = loaded.policy.rules.reduce((sum, rule) => sum + rule.domains.length, 0);
    io.stdout(
      `${s.green("✓")} ${path}: valid (${plural(rules, "rule")}, ${plural(domains, "protected domain")}, ${plural(loaded.policy.keys.size, "pinned key")})\n`,
    );
    return EXIT.allow;
  }
  for (const error of loaded.errors) io.stderr(`${formatPolicyError(path, error)}\n`);
  io.stderr(s.red(`✗ ${path}: ${plural(loaded.errors.length, "error")}\n`));
  return EXIT.usage;
}

export function plural(count: number, word: string): string {
  return `${String(count)} ${word}${count === 1 ? "" : "s"}`;
}
