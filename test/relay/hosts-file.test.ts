// The relay suite's /etc/hosts helper, on a scratch copy: it adds and removes only its own lines,
// and clears the lines a killed run left behind, which would otherwise shadow the new ones.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { addHostsEntries } from "./hosts-file.js";

describe("the relay suite's hosts entries", () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "sealpost-hosts-"));
    file = join(dir, "hosts");
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("adds its lines after the file's own and removes exactly those", async () => {
    await writeFile(file, "127.0.0.1\tlocalhost\n");
    const entries = addHostsEntries([["127.25.1.11", "plainbank.test"]], file);
    assert.match(await readFile(file, "utf8"), /^127\.0\.0\.1\tlocalhost\n127\.25\.1\.11\tplainbank\.test\t# sealpost-relay-test \d+\n$/);
    entries.remove();
    assert.equal(await readFile(file, "utf8"), "127.0.0.1\tlocalhost\n");
  });

  // Seen as: after a run killed by SIGKILL, plainbank.test resolved to the dead run's address
  // (its own loopback network), and every later run saw mail go to no server at all.
  it("drops the lines of a run that no longer exists, keeps those of a live one", async () => {
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    const live = String(process.ppid);
    await writeFile(
      file,
      `127.0.0.1\tlocalhost\n127.25.9.11\tplainbank.test\t# sealpost-relay-test ${dead}\n127.25.8.11\tother.test\t# sealpost-relay-test ${live}\n`,
    );
    const entries = addHostsEntries([["127.25.1.11", "plainbank.test"]], file);
    const lines = (await readFile(file, "utf8")).split("\n");
    assert.deepEqual(
      lines.filter((line) => line.includes("plainbank.test")),
      [`127.25.1.11\tplainbank.test\t# sealpost-relay-test ${String(process.pid)}`],
    );
    assert.ok(lines.includes(`127.25.8.11\tother.test\t# sealpost-relay-test ${live}`));
    entries.remove();
  });
});
