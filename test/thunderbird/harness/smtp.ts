// Three local SMTP servers that record what Thunderbird submits and whether the session was
// encrypted at the time: plain (no TLS at all), STARTTLS required, and implicit TLS.
import { type AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { type TestCa } from "./ca.js";

export type SmtpServerKind = "plain" | "starttls" | "tls";

export interface ReceivedMessage {
  /** The message as submitted (DATA), decoded as UTF-8; parse it with mailparser's simpleParser. */
  readonly raw: string;
  /** Whether the session was TLS when DATA arrived. */
  readonly secure: boolean;
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  readonly receivedAt: Date;
}

/** A transaction the server refused, e.g. MAIL FROM before STARTTLS on the `starttls` server. */
export interface RefusedTransaction {
  readonly command: "MAIL FROM";
  readonly reason: string;
  readonly secure: boolean;
  readonly at: Date;
}

export interface RecordingSmtpServer {
  readonly kind: SmtpServerKind;
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly messages: readonly ReceivedMessage[];
  readonly refused: readonly RefusedTransaction[];
  /** Forgets what was recorded so far. */
  clear(): void;
  stop(): Promise<void>;
}

export interface SmtpServers {
  readonly plain: RecordingSmtpServer;
  readonly starttls: RecordingSmtpServer;
  readonly tls: RecordingSmtpServer;
  clear(): void;
  stop(): Promise<void>;
}

interface Recorder {
  messages: ReceivedMessage[];
  refused: RefusedTransaction[];
  waiters: Set<() => void>;
}

// What each server recorded, and who waits for more (waitForMessages).
const recorders = new WeakMap<RecordingSmtpServer, Recorder>();

async function startOne(kind: SmtpServerKind, ca: TestCa): Promise<RecordingSmtpServer> {
  const recorder: Recorder = { messages: [], refused: [], waiters: new Set() };
  const notify = () => {
    for (const waiter of recorder.waiters) waiter();
  };
  const server = new SMTPServer({
    secure: kind === "tls",
    key: kind === "plain" ? undefined : ca.keyPem,
    cert: kind === "plain" ? undefined : ca.certPem,
    // The plain server must not even offer STARTTLS: it stands for a server without TLS.
    disabledCommands: kind === "plain" ? ["STARTTLS", "AUTH"] : ["AUTH"],
    hideSTARTTLS: kind === "plain",
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    banner: `Sealpost test ${kind} server`,
    size: 50 * 1024 * 1024,
    // stop() must not wait out a client that keeps its connection (the default is 30 s).
    closeTimeout: 1_000,
    onMailFrom(_address, session, callback) {
      if (kind === "starttls" && !session.secure) {
        const reason = "Must issue a STARTTLS command first";
        recorder.refused.push({ command: "MAIL FROM", reason, secure: false, at: new Date() });
        notify();
        // 530 5.7.0 is what RFC 3207 section 4 prescribes for a server that requires TLS.
        callback(Object.assign(new Error(reason), { responseCode: 530 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (error: Error) => callback(error));
      stream.on("end", () => {
        const mailFrom = session.envelope.mailFrom;
        recorder.messages.push({
          raw: Buffer.concat(chunks).toString("utf8"),
          secure: session.secure,
          envelope: {
            from: mailFrom === false ? "" : mailFrom.address,
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          },
          receivedAt: new Date(),
        });
        notify();
        callback();
      });
    },
  });
  // Clients that give up mid-session (a refused STARTTLS-less session, a killed Thunderbird)
  // surface here; they are part of what the tests provoke, not harness failures.
  server.on("error", () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;

  let stopped: Promise<void> | undefined;
  const handle: RecordingSmtpServer = {
    kind,
    host: "127.0.0.1",
    port,
    get messages() {
      return recorder.messages;
    },
    get refused() {
      return recorder.refused;
    },
    clear() {
      recorder.messages = [];
      recorder.refused = [];
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return stopped;
    },
  };
  recorders.set(handle, recorder);
  return handle;
}

/** Starts the three servers on 127.0.0.1 with ephemeral ports. */
export async function startSmtpServers(ca: TestCa): Promise<SmtpServers> {
  const started: RecordingSmtpServer[] = [];
  try {
    for (const kind of ["plain", "starttls", "tls"] as const) started.push(await startOne(kind, ca));
  } catch (error) {
    await Promise.all(started.map((server) => server.stop()));
    throw error;
  }
  const [plain, starttls, tls] = started as [RecordingSmtpServer, RecordingSmtpServer, RecordingSmtpServer];
  return {
    plain,
    starttls,
    tls,
    clear() {
      for (const server of started) server.clear();
    },
    async stop() {
      await Promise.all(started.map((server) => server.stop()));
    },
  };
}

/** Resolves with the recorded messages once there are at least `n`; rejects after `timeoutMs`. */
export function waitForMessages(server: RecordingSmtpServer, n: number, timeoutMs: number): Promise<readonly ReceivedMessage[]> {
  const recorder = recorders.get(server);
  if (recorder === undefined) return Promise.reject(new Error("waitForMessages needs a server from startSmtpServers"));
  return new Promise((resolve, reject) => {
    const check = () => {
      if (recorder.messages.length < n) return;
      done();
      resolve(recorder.messages);
    };
    const timer = setTimeout(() => {
      done();
      const refused = recorder.refused.map((entry) => `${entry.command}: ${entry.reason}`).join("; ");
      reject(
        new Error(
          `the ${server.kind} SMTP server received ${String(recorder.messages.length)} message(s) within ${String(timeoutMs)} ms, ` +
            `expected ${String(n)}${refused === "" ? "" : ` (refused: ${refused})`}`,
        ),
      );
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      recorder.waiters.delete(check);
    };
    recorder.waiters.add(check);
    check();
  });
}
