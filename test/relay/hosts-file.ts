// Test-only names in /etc/hosts, so that Postfix's native host lookup finds the stand-in MX
// hosts on loopback addresses. Each line carries a marker with this process's id, and removal
// takes out exactly those lines from the file as it is then (other writers' lines survive).
import { readFileSync, writeFileSync } from "node:fs";

const HOSTS = "/etc/hosts";

export interface HostsEntries {
  remove(): void;
}

export function addHostsEntries(entries: readonly (readonly [address: string, name: string])[]): HostsEntries {
  const marker = `# sealpost-relay-test ${String(process.pid)}`;
  const before = readFileSync(HOSTS, "utf8");
  const lines = entries.map(([address, name]) => `${address}\t${name}\t${marker}`);
  writeFileSync(HOSTS, `${before}${before.endsWith("\n") || before === "" ? "" : "\n"}${lines.join("\n")}\n`);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    const now = readFileSync(HOSTS, "utf8");
    writeFileSync(
      HOSTS,
      now
        .split("\n")
        .filter((line) => !line.endsWith(marker))
        .join("\n"),
    );
  };
  // A test run cut short (Ctrl-C, a crash) must not leave the names behind.
  process.once("exit", remove);
  return { remove };
}
