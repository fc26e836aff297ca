// `sealpost schema`: prints the policy's JSON Schema, generated from the validating definition.
import { policyJsonSchema } from "@sealpost/core/json-schema";
import { parseArgs } from "node:util";
import type { CliIo } from "./io.js";
import { EXIT, UsageError } from "./io.js";

export function schemaCommand(args: string[], io: CliIo): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  if (positionals.length > 0) throw new UsageError("schema takes no arguments");
  io.stdout(JSON.stringify(policyJsonSchema(), null, 2) + "\n");
  return EXIT.allow;
}
