// The `sealpost` command: dispatch to a subcommand and map every failure to a one-line
// message and an exit code; no stack trace reaches the user.
import { checkCommand } from "./check-command.js";
import { exportCommand } from "./export-command.js";
import { type CliIo, EXIT, UsageError } from "./io.js";
import { lintCommand } from "./lint-command.js";
import { probeCommand } from "./probe-command.js";
import { schemaCommand } from "./schema-command.js";

export const VERSION = "0.1.0";

export const USAGE = `sealpost — keep mail to protected domains from leaving in the clear

Usage:
  sealpost lint POLICY [--json]
      Validate a policy. Exit 0 when valid, 2 with every error and where it is.
  sealpost check --policy POLICY --to ADDR [--to ADDR…] [--cc ADDR…] [--bcc ADDR…]
                 --transport plain|opportunistic|starttls|tls|https|unknown [--host HOST[:PORT]]
                 --encryption none|openpgp|smime|label:ID [--encrypted-to KEYID…]
                 [--sender ADDR] [--locale en|de] [--json]
      What Sealpost decides for such a message. Exit 0 allow, 1 block, 3 confirm, 2 error.
      An ADDR may hold several addresses ("A <a@x.com>, b@y.org") or a group.
  sealpost export postfix|exim|exchange POLICY [--out DIR]
      Mail-server configuration that forces TLS to the domains whose rules set require.relay.
      Without --out, every file goes to standard output after a "# ==> NAME <==" line.
      postfix:  sealpost_tls_policy (smtp_tls_policy_maps table), sealpost_tls_spellings,
                main.cf.sealpost
      exim:     main/05_sealpost_relay_tls, router/190_sealpost_relay_tls,
                transport/30_sealpost_relay_tls (Debian's /etc/exim4/conf.d layout)
      exchange: sealpost-connectors.ps1 (Exchange Online outbound connectors)
      Exit 0 written, 2 usage error, invalid policy or no relay requirement.
  sealpost schema
      Print the policy's JSON Schema.
  sealpost probe DOMAIN… | --policy POLICY [--json] [--progress]
                 [--resolver IP:PORT] [--timeout MS] [--concurrency N] [--ca-file FILE…]
                 [--smtp-port N] [--https-port N] [--ehlo NAME]
      What the server hop to each domain supports today: MX hosts, STARTTLS, certificates,
      MTA-STS, TLS-RPT, DANE, and the strongest relay level a rule can require. Exit 0 done,
      1 when the policy requires more than some domain supports, 2 error (also when the
      resolver answers no query at all).

Options:
  -h, --help     show this help
  -v, --version  show the version
`;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case "-h":
      case "--help":
      case "help":
        (command === undefined ? io.stderr : io.stdout)(USAGE);
        return command === undefined ? EXIT.usage : EXIT.allow;
      case "-v":
      case "--version":
        io.stdout(`sealpost ${VERSION}\n`);
        return EXIT.allow;
      case "lint":
        return await lintCommand(rest, io);
      case "check":
        return await checkCommand(rest, io);
      case "export":
        return await exportCommand(rest, io);
      case "schema":
        return schemaCommand(rest, io);
      case "probe":
        return await probeCommand(rest, io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    io.stderr(`sealpost: ${describe(error)}\n`);
    if (error instanceof UsageError || isParseArgsError(error)) io.stderr(`Run "sealpost --help" for usage.\n`);
    return EXIT.usage;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && error instanceof Error) {
    const option = /'([^']+)'/.exec(error.message)?.[1];
    if (option !== undefined) return `unknown option "${option}"`;
  }
  if (error instanceof Error) return error.message.split("\n")[0] ?? error.name;
  return String(error);
}
