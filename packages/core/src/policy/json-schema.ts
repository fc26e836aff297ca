// The policy's JSON Schema, generated from the same valibot definition that validates it, so
// the two cannot drift. Kept out of the evaluate path: only the CLI and the build load it.
import { toJsonSchema } from "@valibot/to-json-schema";
import { PolicySchema } from "./policy-schema.js";

export const POLICY_SCHEMA_ID = "https://sealpost.dev/schema/policy-v1.json";

export function policyJsonSchema(): Record<string, unknown> {
  // Checks that JSON Schema cannot express (IDNA normalization, cross-field rules) are left to
  // `sealpost lint`; "ignore" keeps them out of the schema instead of failing the conversion.
  const schema = toJsonSchema(PolicySchema, { errorMode: "ignore", target: "draft-07" }) as Record<string, unknown>;
  return { ...schema, $id: POLICY_SCHEMA_ID, title: "Sealpost policy" };
}
