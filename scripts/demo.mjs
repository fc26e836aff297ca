// Shows Sealpost at work after a build: the example policy linted, the send decision for a few
// messages a user might write, and the server-hop export, through the real `sealpost` binary.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = `${root}packages/cli/bin/sealpost.mjs`;
const policy = "examples/banks-policy.json";

const scenes = [
  ["Is the example policy valid?", ["lint", policy]],
  [
    "Alice writes to her bank from an account that submits mail without TLS, unencrypted:",
    [
      "check",
      "--policy",
      policy,
      "--to",
      "Alice <alice@ExampleBank.com>",
      "--transport",
      "plain",
      "--host",
      "mail.example.org:25",
      "--encryption",
      "none",
    ],
  ],
  [
    "The same message over SSL/TLS, encrypted with OpenPGP:",
    ["check", "--policy", policy, "--to", "Alice <alice@ExampleBank.com>", "--transport", "tls", "--encryption", "openpgp"],
  ],
  [
    "A bank address hidden in a group, in German:",
    [
      "check",
      "--policy",
      policy,
      "--to",
      "Team: bob@example.org, zahlungen@BÄNK.example;",
      "--transport",
      "starttls",
      "--encryption",
      "none",
      "--locale",
      "de",
    ],
  ],
  ["The server hop: the same policy as Postfix's per-domain TLS table and main.cf lines:", ["export", "postfix", policy]],
];

const built = ["dist/thunderbird/sealpost.xpi", "dist/outlook/manifest.xml"];
for (const [title, args] of scenes) {
  console.log(`\n\u001b[1m$ sealpost ${args.map((arg) => (/[\s<>;"]/.test(arg) ? `'${arg}'` : arg)).join(" ")}\u001b[0m`);
  console.log(`# ${title}`);
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8" });
  process.stdout.write(result.stdout + result.stderr);
  console.log(`(exit ${String(result.status)})`);
}

// What `npm run build` made for installing, so a newcomer knows where to look next.
console.log("\n\u001b[1mInstallable add-ins\u001b[0m");
for (const file of built) console.log(`  ${existsSync(root + file) ? "✓" : "✗ missing (run npm run build):"} ${file}`);
