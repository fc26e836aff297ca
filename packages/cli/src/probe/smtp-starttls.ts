// Asks one MX host what a sending server would meet: the greeting, EHLO, STARTTLS (RFC 3207),
// and the TLS session and certificate that follow, then QUIT. It sends no mail.
import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls, createSecureContext, type DetailedPeerCertificate, type SecureContext, type TLSSocket } from "node:tls";

export interface SmtpTarget {
  /** The MX host name: what the certificate must be valid for (and the TLS SNI). */
  readonly host: string;
  readonly address: string;
  readonly port: number;
}

export interface CertificateReport {
  /** Chains to a trusted root and is valid for the MX host name. */
  readonly verified: boolean;
  /** Why not, when it does not verify (OpenSSL's or Node's reason). */
  readonly reason?: string;
  readonly subject: string;
  readonly issuer: string;
  readonly validTo: string;
  readonly subjectAltNames: string;
}

export type SmtpProbeResult =
  | { readonly outcome: "no-starttls"; readonly banner: string }
  | {
      readonly outcome: "tls";
      readonly banner: string;
      readonly tlsVersion: string;
      readonly cipher: string;
      readonly certificate: CertificateReport;
      /** The certificates the server sent, leaf first, DER: what TLSA records are matched against. */
      readonly chain: readonly Buffer[];
    }
  | { readonly outcome: "failed"; readonly stage: "connect" | "greeting" | "ehlo" | "starttls" | "tls"; readonly error: string };

export interface SmtpProbeOptions {
  readonly timeoutMs: number;
  /** Trusted roots (Node's plus any --ca-file) and the TLS 1.2 floor: see createTrust. */
  readonly trust: SecureContext;
  /** The name we give in EHLO. */
  readonly ehloName: string;
}

interface Reply {
  readonly code: number;
  readonly lines: readonly string[];
}

class Stage extends Error {
  constructor(
    readonly stage: "connect" | "greeting" | "ehlo" | "starttls" | "tls",
    message: string,
  ) {
    super(message);
  }
}

/** Never throws: every way the session can go wrong is a result naming the step it failed at. */
export async function probeSmtp(target: SmtpTarget, options: SmtpProbeOptions): Promise<SmtpProbeResult> {
  let plainSocket: Socket | undefined;
  let secureSocket: TLSSocket | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stage: Stage["stage"] = "connect";
  let observed: SmtpProbeResult | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Stage(stage, `no answer within ${String(options.timeoutMs)} ms`)), options.timeoutMs);
  });
  try {
    return await Promise.race([
      (async (): Promise<SmtpProbeResult> => {
        // Held before it connects, so that a timeout also ends a connection attempt still pending.
        const plain = connectTcp({ host: target.address, port: target.port });
        plainSocket = plain;
        await connected(plain, target);
        const replies = new ReplyReader(plain);
        stage = "greeting";
        const greeting = await replies.next();
        if (greeting.code !== 220) throw new Stage("greeting", `the server greeted with ${describeReply(greeting)}`);
        const banner = greeting.lines[0] ?? "";
        stage = "ehlo";
        const ehlo = await command(plain, replies, `EHLO ${options.ehloName}`);
        if (ehlo.code !== 250) throw new Stage("ehlo", `EHLO was answered ${describeReply(ehlo)}`);
        // RFC 5321 §4.1.1.1: the first line is the greeting, each further line one extension keyword.
        const offersStartTls = ehlo.lines.slice(1).some((line) => /^STARTTLS(\s|$)/i.test(line));
        if (!offersStartTls) {
          await quit(plain, replies);
          return { outcome: "no-starttls", banner };
        }
        stage = "starttls";
        const ready = await command(plain, replies, "STARTTLS");
        if (ready.code !== 220) throw new Stage("starttls", `STARTTLS was answered ${describeReply(ready)}`);
        replies.detach();
        // From here TLS owns the socket; an error on it surfaces there (or as the timeout).
        plain.on("error", () => undefined);
        stage = "tls";
        const secure = await startTls(plain, target, options.trust);
        secureSocket = secure;
        observed = describeSession(secure, banner, target.host);
        // Politeness only: a server that stalls or errs after the handshake changes nothing we
        // report (the catch below returns what was observed even if the deadline strikes now).
        const afterTls = new ReplyReader(secure);
        await command(secure, afterTls, `EHLO ${options.ehloName}`).then(
          () => quit(secure, afterTls),
          () => undefined,
        );
        return observed;
      })(),
      deadline,
    ]);
  } catch (error) {
    if (observed !== undefined) return observed;
    const failed = error instanceof Stage ? error : new Stage(stage, error instanceof Error ? error.message : String(error));
    return { outcome: "failed", stage: failed.stage, error: failed.message };
  } finally {
    clearTimeout(timer);
    secureSocket?.destroy();
    plainSocket?.destroy();
  }
}

function connected(socket: Socket, target: SmtpTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(new Stage("connect", `cannot connect to ${target.address}:${String(target.port)}: ${error.code ?? error.message}`));
    socket.once("error", onError);
    socket.once("connect", () => {
      socket.off("error", onError);
      resolve();
    });
  });
}

function startTls(plain: Socket, target: SmtpTarget, trust: SecureContext): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    // rejectUnauthorized is off so that a bad certificate is reported, not just refused: a
    // sender at "encrypt" level would still deliver over this session.
    const secure = connectTls({ socket: plain, servername: target.host, secureContext: trust, rejectUnauthorized: false });
    secure.once("secureConnect", () => {
      secure.off("error", onError);
      resolve(secure);
    });
    const onError = (error: NodeJS.ErrnoException) =>
      reject(new Stage("tls", `TLS handshake failed (TLS 1.2 or later required): ${error.code ?? ""} ${error.message}`.trim()));
    secure.once("error", onError);
  });
}

function describeSession(secure: TLSSocket, banner: string, host: string): SmtpProbeResult {
  const peer = secure.getPeerCertificate(true);
  const chain: Buffer[] = [];
  const seen = new Set<string>();
  for (let cert: DetailedPeerCertificate | undefined = peer; cert?.raw !== undefined; cert = cert.issuerCertificate) {
    // Node links a self-signed root to itself: stop when a certificate repeats.
    if (seen.has(cert.fingerprint256)) break;
    seen.add(cert.fingerprint256);
    chain.push(cert.raw);
  }
  // With rejectUnauthorized off Node still runs the chain check and checkServerIdentity and
  // records the first failure here, name mismatches included.
  const reason = secure.authorized ? undefined : String(secure.authorizationError ?? "not verified");
  return {
    outcome: "tls",
    banner,
    tlsVersion: secure.getProtocol() ?? "unknown",
    cipher: secure.getCipher().name,
    certificate: {
      verified: secure.authorized,
      ...(reason === undefined ? {} : { reason: explainCertificateError(reason, host) }),
      subject:
        peer.subject === undefined
          ? ""
          : Object.entries(peer.subject)
              .map(([key, value]) => `${key}=${String(value)}`)
              .join(", "),
      issuer:
        peer.issuer === undefined
          ? ""
          : Object.entries(peer.issuer)
              .map(([key, value]) => `${key}=${String(value)}`)
              .join(", "),
      validTo: peer.valid_to ?? "",
      subjectAltNames: peer.subjectaltname ?? "",
    },
    chain,
  };
}

const CERTIFICATE_ERRORS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed certificate",
  SELF_SIGNED_CERT_IN_CHAIN: "self-signed certificate in the chain",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the issuer is not trusted (or the server does not send the intermediate certificate)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the issuer is not trusted (or the server does not send the intermediate certificate)",
  CERT_HAS_EXPIRED: "the certificate has expired",
  CERT_NOT_YET_VALID: "the certificate is not yet valid",
};

function explainCertificateError(code: string, host: string): string {
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return `the certificate is not valid for ${host}`;
  const known = CERTIFICATE_ERRORS[code];
  return known === undefined ? code : `${known} (${code})`;
}

async function command(socket: Socket | TLSSocket, replies: ReplyReader, line: string): Promise<Reply> {
  socket.write(`${line}\r\n`);
  return replies.next();
}

async function quit(socket: Socket | TLSSocket, replies: ReplyReader): Promise<void> {
  socket.write("QUIT\r\n");
  await replies.next().catch(() => undefined);
}

function describeReply(reply: Reply): string {
  return `${String(reply.code)} ${reply.lines.join(" / ")}`.trim();
}

/** Reads SMTP replies (RFC 5321 §4.2: "250-" continues, "250 " ends) off a socket. */
class ReplyReader {
  private buffer = "";
  private lines: string[] = [];
  private readonly waiting: { resolve: (reply: Reply) => void; reject: (error: Error) => void }[] = [];
  private readonly ready: Reply[] = [];
  private failure: Error | undefined;
  private readonly onData = (chunk: Buffer) => this.feed(chunk.toString("latin1"));
  private readonly onEnd = () => this.fail(new Error("the server closed the connection"));
  private readonly onError = (error: Error) => this.fail(error);

  constructor(private readonly socket: Socket | TLSSocket) {
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("error", this.onError);
  }

  next(): Promise<Reply> {
    const reply = this.ready.shift();
    if (reply !== undefined) return Promise.resolve(reply);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Stops reading, before the socket is handed to TLS. */
  detach(): void {
    this.socket.off("data", this.onData);
    this.socket.off("end", this.onEnd);
    this.socket.off("error", this.onError);
  }

  private feed(text: string): void {
    this.buffer += text;
    let end: number;
    while ((end = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, end).replace(/\r$/, "");
      this.buffer = this.buffer.slice(end + 1);
      const match = /^(\d{3})([ -]?)(.*)$/.exec(line);
      if (match === null) {
        this.fail(new Error(`not an SMTP reply: ${JSON.stringify(line.slice(0, 80))}`));
        return;
      }
      this.lines.push(match[3] ?? "");
      if (this.lines.length > 512) {
        this.fail(new Error("an SMTP reply has more than 512 lines"));
        return;
      }
      if (match[2] !== "-") {
        const reply = { code: Number(match[1]), lines: this.lines };
        this.lines = [];
        const waiter = this.waiting.shift();
        if (waiter === undefined) this.ready.push(reply);
        else waiter.resolve(reply);
      }
    }
    if (this.buffer.length > 8192) this.fail(new Error("an SMTP reply line is longer than 8 KiB"));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
  }
}

/**
 * One TLS context for every connection of a run (parsing some 140 roots per connection would
 * dominate a loopback probe): the given roots, and TLS 1.2 at least, as the exported server
 * settings demand (RFC 8996 retired 1.0 and 1.1).
 */
export function createTrust(ca: readonly string[]): SecureContext {
  return createSecureContext({ ca: [...ca], minVersion: "TLSv1.2" });
}
