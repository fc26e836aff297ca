// The stand-in MX servers' own failure: when port 25 is taken on every address (a system MTA
// left running on a CI machine), the suite must say so in one line rather than fail obscurely.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { startReceivingServer } from "./receiving-servers.js";

describe("the stand-in MX servers", () => {
  it("name a listener on every address, such as a system Postfix, when their port is taken", async () => {
    const squatter = createServer();
    const port = await new Promise<number>((resolve) => {
      squatter.listen(0, "0.0.0.0", () => {
        const address = squatter.address();
        resolve(typeof address === "object" && address !== null ? address.port : 0);
      });
    });
    try {
      await assert.rejects(startReceivingServer("127.25.250.11", undefined, { port }), (error: Error) => {
        assert.match(
          error.message,
          new RegExp(`^cannot listen on 127\\.25\\.250\\.11:${String(port)}: .*EADDRINUSE.*system Postfix or Exim`),
        );
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
