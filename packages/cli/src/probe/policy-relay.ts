// The domains a policy protects and the relay level each rule requires (`require.relay`), for
// `sealpost probe --policy`. The field is read from the document itself so that this works
// whether or not the validator knows it yet; a value it cannot read is an error with its path.
import { normalizeDomain, parsePolicyText, type PolicyError } from "@sealpost/core";
import { type CliIo, UsageError } from "../io.js";
import { formatPolicyError } from "../load-policy.js";
import { parseRelayLevel, type RelayLevel } from "./relay-level.js";

export interface PolicyTarget {
  readonly domain: string;
  /** Each rule that lists the domain, with the relay level it requires, if any. */
  readonly rules: readonly { readonly id: string; readonly relay: RelayLevel | undefined }[];
}

export type PolicyTargets =
  { readonly ok: true; readonly targets: readonly PolicyTarget[] } | { readonly ok: false; readonly errors: readonly string[] };

const RELAY_PATH = /^rules\[(\d+)\]\.require\.relay$/;
const REQUIRE_PATH = /^rules\[(\d+)\]\.require$/;

export async function loadPolicyTargets(io: CliIo, path: string): Promise<PolicyTargets> {
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read policy ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const parsed = parsePolicyText(text);
  if (!parsed.ok && parsed.errors.some((error) => error.code === "syntax" || error.code === "duplicate-key")) {
    return { ok: false, errors: parsed.errors.map((error) => formatPolicyError(path, error)) };
  }
  // Past those checks the text is strict JSON.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const document = JSON.parse(body) as { rules?: unknown };
  const rules = Array.isArray(document.rules) ? (document.rules as unknown[]) : [];
  const remaining = parsed.ok ? [] : parsed.errors.filter((error) => !isRelayOnly(error, rules));
  if (remaining.length > 0) return { ok: false, errors: remaining.map((error) => formatPolicyError(path, error)) };

  const errors: string[] = [];
  const byDomain = new Map<string, { id: string; relay: RelayLevel | undefined }[]>();
  rules.forEach((raw, index) => {
    const rule = raw as { id?: unknown; domains?: unknown; require?: { relay?: unknown } };
    const id = typeof rule.id === "string" ? rule.id : `rules[${String(index)}]`;
    let relay: RelayLevel | undefined;
    if (rule.require?.relay !== undefined) {
      const level = parseRelayLevel(rule.require.relay, `rules[${String(index)}].require.relay`);
      if (level.ok) relay = level.level;
      else errors.push(`${path}: ${level.error}`);
    }
    for (const entry of Array.isArray(rule.domains) ? (rule.domains as unknown[]) : []) {
      const normalized = normalizeDomain(String(entry));
      if (!normalized.ok) continue; // the validator already refused such a policy
      const list = byDomain.get(normalized.ascii) ?? [];
      list.push({ id, relay });
      byDomain.set(normalized.ascii, list);
    }
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, targets: [...byDomain].map(([domain, list]) => ({ domain, rules: list })) };
}

// Until the validator knows `require.relay`, it calls the field unknown and a rule that requires
// only a relay level "names no requirement"; both are this field's own business.
function isRelayOnly(error: PolicyError, rules: readonly unknown[]): boolean {
  if (error.code === "unknown-field" && RELAY_PATH.test(error.path)) return true;
  const index = REQUIRE_PATH.exec(error.path)?.[1];
  if (index === undefined || !error.message.startsWith("names no requirement")) return false;
  const rule = rules[Number(index)] as { require?: { relay?: unknown } } | undefined;
  return rule?.require?.relay !== undefined;
}
