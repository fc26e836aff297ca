// Loopback mail servers for the probe's tests (the smtp-server package, as in the Thunderbird
// harness): each listens on its own 127.0.0.x address, all on one port, since the probe reaches
// every MX host on the same --smtp-port; and an HTTPS server that serves MTA-STS policies.
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { type AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import type { ServerCertificate } from "../../thunderbird/harness/ca.js";

export interface SmtpServerSpec {
  readonly address: string;
  /** The certificate offered after STARTTLS; none means the server offers no STARTTLS. */
  readonly certificate?: ServerCertificate;
}

export interface RunningServers {
  readonly smtpPort: number;
  stop(): Promise<void>;
}

function listen(server: SMTPServer, port: number, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(port, address, () => {
      server.server.off("error", reject);
      resolve((server.server.address() as AddressInfo).port);
    });
  });
}

function smtpServer(spec: SmtpServerSpec): SMTPServer {
  const server = new SMTPServer({
    secure: false,
    ...(spec.certificate === undefined ? {} : { key: spec.certificate.keyPem, cert: spec.certificate.certPem }),
    hideSTARTTLS: spec.certificate === undefined,
    disabledCommands: spec.certificate === undefined ? ["STARTTLS", "AUTH"] : ["AUTH"],
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    banner: `Sealpost probe test MX ${spec.address}`,
    closeTimeout: 1_000,
  });
  // The probe ends sessions abruptly after QUIT; that is expected here.
  server.on("error", () => undefined);
  return server;
}

/** Starts every server on one port (found free on the first address). */
export async function startSmtpServers(specs: readonly SmtpServerSpec[]): Promise<RunningServers> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const started: SMTPServer[] = [];
    try {
      let port = 0;
      for (const spec of specs) {
        const server = smtpServer(spec);
        port = await listen(server, port, spec.address);
        started.push(server);
      }
      return {
        smtpPort: port,
        stop: () =>
          Promise.all(started.map((server) => new Promise<void>((resolve) => server.close(() => resolve())))).then(() => undefined),
      };
    } catch (error) {
      await Promise.all(started.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
      // Another process held the port on a later address: try again with a new one.
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt === 4) throw error;
    }
  }
  throw new Error("unreachable");
}

export interface PolicySite {
  readonly body: string;
  readonly contentType?: string;
  readonly status?: number;
}

/** An HTTPS server on 127.0.0.1 serving /.well-known/mta-sts.txt per Host header. */
export async function startPolicyServer(
  certificate: ServerCertificate,
  sites: ReadonlyMap<string, PolicySite>,
): Promise<{ port: number; server: HttpsServer; stop(): Promise<void> }> {
  const server = createHttpsServer({ key: certificate.keyPem, cert: certificate.certPem }, (request, response) => {
    const site = sites.get((request.headers.host ?? "").toLowerCase());
    if (site === undefined || request.url !== "/.well-known/mta-sts.txt") {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    response.writeHead(site.status ?? 200, { "content-type": site.contentType ?? "text/plain" }).end(site.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
