// `sealpost check`: what Sealpost would decide for a message, for IT to try a policy before
// rolling it out. Exit codes: 0 allow, 1 block, 3 confirm, 2 usage error or invalid policy.
import {
  type ComposeSnapshot,
  type Decision,
  type EncryptionState,
  evaluate,
  groupFindings,
  parseRecipients,
  type RecipientInput,
  type RecipientKind,
  type Transport,
} from "@sealpost/core";
import { parseArgs } from "node:util";
import { type CliIo, EXIT, UsageError } from "./io.js";
import { formatPolicyError, loadPolicy } from "./load-policy.js";
import { style } from "./style.js";

const TRANSPORTS = ["plain", "opportunistic", "starttls", "tls", "https", "unknown"] as const;

export async function checkCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      policy: { type: "string" },
      to: { type: "string", multiple: true },
      cc: { type: "string", multiple: true },
      bcc: { type: "string", multiple: true },
      transport: { type: "string" },
      host: { type: "string" },
      encryption: { type: "string" },
      "encrypted-to": { type: "string", multiple: true },
      sender: { type: "string" },
      locale: { type: "string" },
      json: { type: "boolean" },
    },
  });
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0] ?? ""}" (recipients go after --to, --cc or --bcc)`);
  if (values.policy === undefined) throw new UsageError("check needs --policy POLICY");
  const recipients = [...recipientInputs("to", values.to), ...recipientInputs("cc", values.cc), ...recipientInputs("bcc", values.bcc)];
  if (recipients.length === 0) throw new UsageError("check needs at least one recipient: --to, --cc or --bcc");
  const transport = parseTransport(values.transport, values.host);
  const encryption = parseEncryption(values.encryption, values["encrypted-to"]);

  const loaded = await loadPolicy(io, values.policy);
  if (!loaded.ok) {
    for (const error of loaded.errors) io.stderr(`${formatPolicyError(values.policy, error)}\n`);
    io.stderr(`sealpost: the policy is invalid; run "sealpost lint ${values.policy}"\n`);
    return EXIT.usage;
  }

  const snapshot: ComposeSnapshot = {
    recipients,
    transport,
    encryption,
    ...(values.sender === undefined ? {} : { sender: values.sender }),
    locale: values.locale ?? "en",
  };
  const decision = evaluate(loaded.policy, snapshot);
  if (values.json === true) {
    io.stdout(JSON.stringify({ ...decision, transport, encryption }, null, 2) + "\n");
  } else {
    io.stdout(renderDecision(decision, transport, encryption, io.color));
  }
  return decision.verdict === "allow" ? EXIT.allow : decision.verdict === "confirm" ? EXIT.confirm : EXIT.block;
}

function recipientInputs(kind: RecipientKind, texts: string[] | undefined): RecipientInput[] {
  return (texts ?? []).map((text) => {
    const parsed = parseRecipients(text);
    const failure = parsed.find((result) => !result.ok);
    if (failure !== undefined && !failure.ok) throw new UsageError(`--${kind} "${failure.input}" ${failure.reason}`);
    if (parsed.length === 0) throw new UsageError(`--${kind} "${text}" names no recipient`);
    return { text, kind };
  });
}

function parseTransport(value: string | undefined, host: string | undefined): Transport {
  if (value === undefined) throw new UsageError(`check needs --transport ${TRANSPORTS.join("|")}`);
  const [name, port] = host === undefined ? [undefined, undefined] : splitHost(host);
  const where = { ...(name === undefined ? {} : { host: name }), ...(port === undefined ? {} : { port }) };
  switch (value) {
    case "plain":
      return { kind: "smtp", security: "plain", ...where };
    case "opportunistic":
      return { kind: "smtp", security: "opportunistic-starttls", ...where };
    case "starttls":
      return { kind: "smtp", security: "starttls", ...where };
    case "tls":
      return { kind: "smtp", security: "tls", ...where };
    case "https":
      return { kind: "https", ...(name === undefined ? {} : { host: name }) };
    case "unknown":
      return { kind: "unknown", reason: "given as unknown on the command line" };
    default:
      throw new UsageError(`--transport "${value}" is not one of ${TRANSPORTS.join(", ")}`);
  }
}

function splitHost(value: string): [string, number | undefined] {
  const match = /^(.+?)(?::(\d{1,5}))?$/.exec(value);
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  if (match === null || match[1] === undefined || (port !== undefined && (port < 1 || port > 65535))) {
    throw new UsageError(`--host "${value}" is not HOST or HOST:PORT`);
  }
  return [match[1], port];
}

function parseEncryption(value: string | undefined, keyIds: string[] | undefined): EncryptionState {
  if (value === undefined) throw new UsageError("check needs --encryption none|openpgp|smime|label:ID");
  if (keyIds !== undefined && value !== "openpgp") throw new UsageError("--encrypted-to only goes with --encryption openpgp");
  for (const id of keyIds ?? []) {
    if (!/^(0x)?([0-9A-Fa-f]{16}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$/.test(id.replaceAll(" ", ""))) {
      throw new UsageError(`--encrypted-to "${id}" is not a key id (16 hex digits) or fingerprint (40 or 64)`);
    }
  }
  if (value === "none" || value === "smime") return { kind: value };
  if (value === "openpgp") return keyIds === undefined ? { kind: "openpgp" } : { kind: "openpgp", keyIds };
  if (value.startsWith("label:") && value.length > "label:".length) return { kind: "label", id: value.slice("label:".length) };
  throw new UsageError(`--encryption "${value}" is not one of none, openpgp, smime, label:ID`);
}

function describeTransport(transport: Transport): string {
  const where =
    "host" in transport && transport.host !== undefined
      ? ` to ${transport.host}${"port" in transport && transport.port !== undefined ? `:${String(transport.port)}` : ""}`
      : "";
  if (transport.kind === "https") return `HTTPS (Exchange / Microsoft 365)${where}`;
  if (transport.kind === "unknown") return `unknown (${transport.reason})`;
  const names = {
    plain: "SMTP without encryption",
    "opportunistic-starttls": "SMTP with STARTTLS if available",
    starttls: "SMTP with required STARTTLS",
    tls: "SMTP over SSL/TLS",
  };
  return `${names[transport.security]}${where}`;
}

function describeEncryption(encryption: EncryptionState): string {
  switch (encryption.kind) {
    case "none":
      return "none";
    case "openpgp":
      return encryption.keyIds === undefined ? "OpenPGP" : `OpenPGP to ${encryption.keyIds.join(", ")}`;
    case "smime":
      return "S/MIME";
    case "label":
      return `sensitivity label ${encryption.id}`;
  }
}

export function renderDecision(decision: Decision, transport: Transport, encryption: EncryptionState, color: boolean): string {
  const s = style(color);
  const out: string[] = [];
  const head = { allow: s.green(s.bold("ALLOW")), confirm: s.yellow(s.bold("CONFIRM")), block: s.red(s.bold("BLOCK")) }[decision.verdict];
  out.push(`${head}  ${decision.summary}`, "");
  out.push(s.bold("Recipients"));
  const rows = decision.recipients.map((recipient) => {
    if (!recipient.ok) return [recipient.kind, recipient.input, s.red(`invalid: ${recipient.reason}`)];
    const display = recipient.address.slice(0, recipient.address.length - recipient.domain.length) + recipient.unicodeDomain;
    const who = recipient.name === "" ? display : `${recipient.name} <${display}>`;
    const shown = recipient.unicodeDomain === recipient.domain ? who : `${who} [${recipient.domain}]`;
    const via = recipient.group === undefined ? "" : ` in group "${recipient.group}"`;
    const status = recipient.protected
      ? s.yellow(`protected by ${recipient.rules.map((rule) => `${rule.id} (${rule.domain})`).join(", ")}`)
      : recipient.excepted.length > 0
        ? `not protected: excepted by ${recipient.excepted.map((rule) => `${rule.id} (${rule.domain})`).join(", ")}`
        : s.dim("not protected");
    return [recipient.kind, shown + via, status];
  });
  const width = Math.max(...rows.map((row) => (row[1] ?? "").length), 10);
  for (const [kind, who, status] of rows) out.push(`  ${(kind ?? "").padEnd(4)} ${(who ?? "").padEnd(width)}  ${status ?? ""}`);
  out.push("", `${s.bold("Transport")}   ${describeTransport(transport)}`, `${s.bold("Encryption")}  ${describeEncryption(encryption)}`);

  const reasons = groupFindings(decision.findings);
  if (reasons.length > 0) {
    out.push("", s.bold("What stops it, and what to do"));
    reasons.forEach((reason, index) => {
      const mark = reason.action === "block" ? s.red("✗") : s.yellow("?");
      out.push(`  ${mark} ${String(index + 1)}. ${reason.problem}`);
      const rules = reason.rules.length > 0 ? ` (rule ${reason.rules.join(", ")})` : "";
      if (reason.recipients.length > 0) out.push(`       for ${reason.recipients.join(", ")}${rules}`);
      out.push(`       → ${reason.fix}`);
    });
  }
  for (const message of decision.ruleMessages) out.push("", `${s.bold(`Policy (${message.rule}):`)} ${message.text}`);
  return out.join("\n") + "\n";
}
