// Test-only names in /etc/hosts, so that Postfix's native host lookup finds the stand-in MX
// hosts on loopback addresses. Each line carries a marker with this process's id, and removal
// takes out exactly those lines from the file as it is then (other writers' lines survive).
import { readFileSync, writeFileSync } from "node:fs";

const HOSTS = "/etc/hosts";
const MARKER = "# sealpost-relay-test";

export interface HostsEntries {
  remove(): void;
}

export function addHostsEntries(entries: readonly (readonly [address: string, name: string])[], file = HOSTS): HostsEntries {
  const marker = `${MARKER} ${String(process.pid)}`;
  // A run killed outright (SIGKILL, the CI job's timeout) never got to remove its lines, and
  // glibc answers with the first line naming a host: the dead run's addresses would shadow ours.
  const before = withoutDeadRuns(readFileSync(file, "utf8"));
  const lines = entries.map(([address, name]) => `${address}\t${name}\t${marker}`);
  writeFileSync(file, `${before}${before.endsWith("\n") || before === "" ? "" : "\n"}${lines.join("\n")}\n`);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    const now = readFileSync(file, "utf8");
    writeFileSync(
      file,
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

/** The text without the lines of test runs whose process no longer exists. */
function withoutDeadRuns(text: string): string {
  const pattern = new RegExp(`${MARKER} (\\d+)$`);
  return text
    .split("\n")
    .filter((line) => {
      const pid = pattern.exec(line)?.[1];
      return pid === undefined || alive(Number(pid));
    })
    .join("\n");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
