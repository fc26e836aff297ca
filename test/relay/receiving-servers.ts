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
  options: { readonly brokenTls?: boolean } = {},
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
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", (error: Error) => reject(new Error(`cannot listen on ${address}:25: ${error.message}`, { cause: error })));
    server.listen(25, address, () => resolve());
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
