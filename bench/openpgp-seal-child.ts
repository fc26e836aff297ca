// One sealMessage run in a process of its own, so that /usr/bin/time's peak RSS is this run's:
// seals the file given as one attachment to the key given and prints the time it took as JSON.
// Usage: node --import tsx bench/openpgp-seal-child.ts KEY.asc DATA OUT, or KEY.asc --floor to
// load openpgp.js and read the key but seal nothing (the memory floor of such a process).
import { readFileSync, writeFileSync } from "node:fs";
import { encryptedTo, readPublicKeys, sealMessage } from "@sealpost/core/openpgp";

const [keyFile, dataFile, outFile] = process.argv.slice(2);
if (keyFile === undefined || dataFile === undefined) throw new Error("usage: openpgp-seal-child.ts KEY.asc (DATA OUT | --floor)");
const [read] = await readPublicKeys(readFileSync(keyFile, "utf8"));
if (read?.ok !== true) throw new Error(`the bench key was refused: ${read?.problem.message ?? "nothing read"}`);
if (dataFile === "--floor") {
  process.stdout.write(`${JSON.stringify({ ms: 0, outBytes: 0 })}\n`);
  process.exit(0);
}
if (outFile === undefined) throw new Error("usage: openpgp-seal-child.ts KEY.asc DATA OUT");
// A Buffer is a Uint8Array: used as it is, so the harness adds no copy of its own to the peak.
const content = readFileSync(dataFile);
const started = performance.now();
const sealed = await sealMessage({
  subject: "bench",
  body: { type: "text", content: "see the attachment" },
  attachments: [{ name: "data.bin", contentType: "application/octet-stream", content }],
  keys: [read.key],
});
const ms = performance.now() - started;
const attachment = sealed.attachments[0];
if (attachment === undefined || encryptedTo(attachment.content).length !== 1)
  throw new Error("the sealed attachment is not encrypted to the key");
writeFileSync(outFile, attachment.content);
process.stdout.write(`${JSON.stringify({ ms, outBytes: attachment.content.length })}\n`);
