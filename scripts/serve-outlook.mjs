// Development server for Sealpost for Outlook (npm run serve:outlook): builds the site with a local Office.js and
// serves it over HTTPS on the loopback interface only, with a development certificate made by the openssl CLI.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:https";
import { homedir } from "node:os";
import { extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { APP_PACKAGE, buildOutlook } from "./build-outlook.mjs";

// Outlook loads add-ins from a browser or a webview: each file needs its real type, and scripts must not be sniffed.
const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".css": "text/css; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".zip": "application/zip",
};
const HOST = "127.0.0.1";

/**
 * Returns a certificate for localhost and 127.0.0.1 signed by a development CA, both kept in `dir` and reused
 * while they stay valid, so the user trusts the CA once. Nothing is installed into any trust store.
 */
export async function devCertificate(dir) {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = (name) => join(dir, name);
  const openssl = (...args) => {
    try {
      execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
    } catch (error) {
      if (error?.code === "ENOENT") throw new Error("the development certificate needs the openssl command", { cause: error });
      throw error;
    }
  };
  // `-checkend` exits non-zero when the certificate expires within the given seconds.
  const validForADay = (cert) => {
    if (!existsSync(cert)) return false;
    try {
      openssl("x509", "-checkend", "86400", "-noout", "-in", cert);
      return true;
    } catch {
      return false;
    }
  };

  if (!validForADay(file("ca.crt")) || !existsSync(file("ca.key"))) {
    // prettier-ignore
    openssl(
      "req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "825",
      "-keyout", file("ca.key"), "-out", file("ca.crt"),
      "-subj", "/CN=Sealpost development CA (this computer only)",
      "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
      "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    );
    await rm(file("localhost.crt"), { force: true });
  }
  if (!validForADay(file("localhost.crt")) || !existsSync(file("localhost.key"))) {
    // Browsers require the name in subjectAltName and refuse server certificates valid for more than 398 days.
    await writeFile(
      file("localhost.ext"),
      "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    );
    // prettier-ignore
    openssl(
      "req", "-new", "-newkey", "rsa:2048", "-nodes",
      "-keyout", file("localhost.key"), "-out", file("localhost.csr"), "-subj", "/CN=localhost",
    );
    // prettier-ignore
    openssl(
      "x509", "-req", "-sha256", "-days", "397", "-in", file("localhost.csr"),
      "-CA", file("ca.crt"), "-CAkey", file("ca.key"), "-set_serial", `0x${randomBytes(16).toString("hex")}`,
      "-extfile", file("localhost.ext"), "-out", file("localhost.crt"),
    );
    await rm(file("localhost.csr"), { force: true });
  }
  await chmod(file("ca.key"), 0o600);
  await chmod(file("localhost.key"), 0o600);
  return {
    ca: file("ca.crt"),
    key: await readFile(file("localhost.key")),
    cert: Buffer.concat([await readFile(file("localhost.crt")), await readFile(file("ca.crt"))]),
  };
}

/** Serves `site` read-only; paths that leave it, directories and anything but GET or HEAD get no content. */
export function serveSite(site, { key, cert }) {
  const root = resolve(site);
  return createServer({ key, cert }, (request, response) => {
    void (async () => {
      if (request.method !== "GET" && request.method !== "HEAD") return send(response, 405, "method not allowed");
      let pathname;
      try {
        pathname = decodeURIComponent(new URL(request.url ?? "/", "https://localhost").pathname);
      } catch {
        return send(response, 400, "bad request");
      }
      if (pathname === "/") pathname = "/about.html";
      const path = resolve(root, `.${pathname}`);
      if (path !== root && !path.startsWith(root + sep)) return send(response, 404, "not found");
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) return send(response, 404, "not found");
      const type = CONTENT_TYPES[extname(path)] ?? "application/octet-stream";
      const headers = {
        "Content-Type": type,
        "Content-Length": info.size,
        "X-Content-Type-Options": "nosniff",
        // Outlook's runtimes apply CORS to what the handler fetches, policy.json included.
        "Access-Control-Allow-Origin": "*",
      };
      // Office replaces icons served with any Cache-Control directive by a generic one (docs: manifest Image element).
      if (!type.startsWith("image/")) headers["Cache-Control"] = "no-cache";
      response.writeHead(200, headers);
      response.end(request.method === "HEAD" ? undefined : await readFile(path));
    })().catch((error) => send(response, 500, error instanceof Error ? error.message : "server error"));
  });
}

function send(response, status, text) {
  if (response.headersSent) return void response.destroy();
  response.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  response.end(`${text}\n`);
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "3000" },
      policy: { type: "string" },
      "built-in-policy": { type: "boolean", default: false },
      "cert-dir": { type: "string", default: join(homedir(), ".sealpost-dev-certs") },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log("usage: node scripts/serve-outlook.mjs [--port 3000] [--policy FILE] [--built-in-policy] [--cert-dir DIR]");
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port must be a port number, not ${values.port}`);

  const repo = fileURLToPath(new URL("..", import.meta.url));
  const baseUrl = `https://localhost:${port}/`;
  const built = await buildOutlook(repo, {
    baseUrl,
    policyFile: values.policy,
    builtInPolicy: values["built-in-policy"],
    officeJs: "local",
  });
  const certificate = await devCertificate(resolve(values["cert-dir"]));
  const server = serveSite(built.out, certificate);
  await new Promise((done, fail) => {
    server.once("error", (error) =>
      fail(error && error.code === "EADDRINUSE" ? new Error(`port ${port} on ${HOST} is in use: pass --port`, { cause: error }) : error),
    );
    server.listen(port, HOST, done);
  });

  const here = (path) => relative(process.cwd(), path) || ".";
  console.log(`Sealpost for Outlook: ${baseUrl} (listening on ${HOST} only; Ctrl+C stops it)

  Trust once, in the browser or system that runs Outlook: ${certificate.ca}
  (a development CA made for this computer; nothing was added to any trust store)

  Add-in only manifest:  ${baseUrl}manifest.xml   file: ${here(join(built.out, "manifest.xml"))}
  Unified app package:   ${here(join(built.out, APP_PACKAGE))}
  Sideload the manifest file: Outlook on the web, https://aka.ms/olksideload, My add-ins,
    Custom Addins, Add a custom add-in, Add from File. It then appears in Outlook on Windows and Mac too.`);

  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
