// The loopback WKD server of the discovery bench, in a process of its own so that its TLS and
// key-serving work does not run on the event loop being measured. Serves a fresh Curve25519 key
// for recipient0..N-1@bank.example, answers after DELAY ms, prints {port, caCertPem}, and stops
// when its standard input closes. Usage: node --import tsx bench/wkd-server-child.ts N DELAY
import * as openpgp from "openpgp";
import { wkdUrls } from "@sealpost/core/openpgp";
import { startWkdServer } from "../test/openpgp/wkd-server.js";

const count = Number(process.argv[2]);
const delayMs = Number(process.argv[3]);
if (!(count > 0) || !(delayMs >= 0)) throw new Error("usage: wkd-server-child.ts RECIPIENTS DELAY_MS");
const server = await startWkdServer();
for (let i = 0; i < count; i++) {
  const email = `recipient${String(i)}@bank.example`;
  const { publicKey } = await openpgp.generateKey({ type: "curve25519", userIDs: [{ email }], format: "armored" });
  server.serve(wkdUrls(email).advanced, publicKey);
}
server.setDelay(delayMs);
process.stdout.write(`${JSON.stringify({ port: server.port, caCertPem: server.caCertPem })}\n`);
process.stdin.resume();
process.stdin.on("end", () => {
  void server.close().then(() => process.exit(0));
});
