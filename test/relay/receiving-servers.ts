// Local SMTP servers that stand in for the banks' MX hosts: each listens on port 25 of its own
// loopback address, with or without STARTTLS and a certificate of the test's choosing, and
// records every message with whether the session was TLS when the message arrived.
import { SMTPServer } from "smtp-server";
import type { ServerCertificate } from "../thunderbird/harness/ca.js";

export interface Delivery {
  readonly recipients: readonly string[];
  readonly secure: boolean;
  readonly raw: string;
}

export interface ReceivingServer {
  readonly address: string;
  readonly deliveries: readonly Delivery[];
  stop(): Promise<void>;
}

/**
 * A server on `address`:25; `certificate` undefined means it offers no STARTTLS at all.
 * `brokenTls` offers STARTTLS, but no TLS handshake with it succeeds.
 */
export async function startReceivingServer(
  address: string,
  certificate: ServerCertificate | undefined,
  options: { readonly brokenTls?: boolean; readonly port?: number } = {},
): Promise<ReceivingServer> {
  const deliveries: Delivery[] = [];
  const server = new SMTPServer({
    secure: false,
    ...(certificate === undefined
      ? { hideSTARTTLS: true, disabledCommands: ["STARTTLS", "AUTH"] }
      : { key: certificate.keyPem, cert: certificate.certPem, disabledCommands: ["AUTH"] }),
    // Only a cipher without encryption, which OpenSSL clients never offer (Postfix excludes
    // eNULL): the handshake fails at every level, as with a broken or tampered-with server.
    ...(options.brokenTls === true
      ? { minVersion: "TLSv1" as const, maxVersion: "TLSv1.2" as const, ciphers: "ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0" }
      : {}),
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    banner: `Sealpost test MX ${address}`,
    closeTimeout: 1_000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (error: Error) => callback(error));
      stream.on("end", () => {
        deliveries.push({
          recipients: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          secure: session.secure,
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  // Postfix hangs up on purpose when a certificate fails its checks; that is what the tests provoke.
  server.on("error", () => undefined);
  const port = options.port ?? 25;
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", (error: NodeJS.ErrnoException) => {
      // Linux refuses the address when anything listens on that port of every address, as a
      // system Postfix or Exim with inet_interfaces = all does.
      const hint =
        error.code === "EADDRINUSE"
          ? ` (something listens on port ${String(port)} of that address or of every address, such as a running system Postfix or Exim: find it with "ss -ltnp sport = :${String(port)}" and stop it or have it listen on 127.0.0.1 only)`
          : "";
      reject(new Error(`cannot listen on ${address}:${String(port)}: ${error.message}${hint}`, { cause: error }));
    });
    server.listen(port, address, () => resolve());
  });
  let stopped: Promise<void> | undefined;
  return {
    address,
    deliveries,
    stop() {
      stopped ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return stopped;
    },
  };
}
