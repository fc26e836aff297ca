// The interop suites must fail, not skip, when GnuPG or RNP is missing, and say what to install.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { run } from "./tools.js";

const NO_TOOLS = { PATH: "/nonexistent" };

describe("a missing OpenPGP tool", () => {
  for (const [command, pkg] of [
    ["gpg", "gnupg"],
    ["rnp", "rnp"],
    ["rnpkeys", "rnp"],
  ] as const) {
    it(`${command}: fails naming the Debian package ${pkg}`, async () => {
      await assert.rejects(
        run(command, ["--version"], { env: NO_TOOLS }),
        new RegExp(`${command} could not run: install it with apt-get install ${pkg}`),
      );
    });
  }
});
