// Reads a policy file for a command, turning every way that can fail into a UsageError or a
// list of policy errors that says where.
import { type CompiledPolicy, parsePolicyText, type PolicyError } from "@sealpost/core";
import { type CliIo, UsageError } from "./io.js";

export type LoadedPolicy =
  { readonly ok: true; readonly policy: CompiledPolicy } | { readonly ok: false; readonly errors: readonly PolicyError[] };

export async function loadPolicy(io: CliIo, path: string): Promise<LoadedPolicy> {
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read policy ${path}: ${fileProblem(error)}`, { cause: error });
  }
  return parsePolicyText(text);
}

export function formatPolicyError(path: string, error: PolicyError): string {
  const where = error.line === undefined ? path : `${path}:${String(error.line)}:${String(error.column ?? 1)}`;
  return error.path === "" ? `${where}: ${error.message}` : `${where}: ${error.path}: ${error.message}`;
}

function fileProblem(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "it is a directory";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
