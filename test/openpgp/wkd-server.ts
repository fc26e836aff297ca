// A Web Key Directory served over HTTPS on loopback, with a certificate from the test CA, and the
// fetch that reaches it: undici's own fetch, trusting that CA, with each request's host moved into
// the path of https://127.0.0.1:PORT/HOST/… so one server can stand for many domains.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, fetch as undiciFetch } from "undici";
import type { FetchLike } from "@sealpost/core/openpgp";
import { createTestCa } from "../thunderbird/harness/ca.js";

export interface WkdServer {
  /** The loopback port and the CA that signed its certificate, for a fetch in another process. */
  readonly port: number;
  readonly caCertPem: string;
  /** Serves `body` at https://HOST/PATH (query ignored), after `delayMs`. */
  serve(url: string, body: string | Uint8Array, delayMs?: number): void;
  /** Forgets every served key. */
  clear(): void;
  /** Makes every request take `delayMs` before it is answered. */
  setDelay(delayMs: number): void;
  /** Requests the server received, as https://HOST/PATH?QUERY. */
  readonly requests: string[];
  /** A fetch for wkdSource: trusts the test CA; hosts in `unreachable` meet a closed port; hosts in `untrusted` a server whose certificate no one trusts. */
  fetchFor(routing?: { unreachable?: readonly string[]; untrusted?: readonly string[] }): FetchLike;
  close(): Promise<void>;
}

export async function startWkdServer(): Promise<WkdServer> {
  const dir = await mkdtemp(join(tmpdir(), "sealpost-wkd-"));
  const ca = await createTestCa(join(dir, "ca"));
  // A second CA that nothing trusts: its server stands for a wrong or self-made certificate.
  const stranger = await createTestCa(join(dir, "stranger"));
  const routes = new Map<string, { body: Uint8Array; delayMs: number }>();
  const requests: string[] = [];
  let delayAll = 0;

  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "https://127.0.0.1");
    const [, host = "", ...rest] = url.pathname.split("/");
    const path = `/${rest.join("/")}`;
    requests.push(`https://${host}${path}${url.search}`);
    const route = routes.get(`${host}${path}`);
    setTimeout(
      () => {
        if (route === undefined) {
          response.writeHead(404, { "content-type": "text/plain" }).end("no key\n");
          return;
        }
        response.writeHead(200, { "content-type": "application/octet-stream" }).end(route.body);
      },
      Math.max(delayAll, route?.delayMs ?? 0),
    );
  };
  const server = createServer({ key: ca.keyPem, cert: ca.certPem }, handler);
  const untrustedServer = createServer({ key: stranger.keyPem, cert: stranger.certPem }, handler);
  // A port that was bound and released: connecting to it is refused, like a host that is not there.
  const closed = createServer();
  const listen = (s: Server) =>
    new Promise<number>((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as AddressInfo).port)));
  const port = await listen(server);
  const untrustedPort = await listen(untrustedServer);
  const closedPort = await listen(closed);
  await new Promise<void>((resolve) => closed.close(() => resolve()));

  const agent = trustingAgent(ca.caCertPem);
  return {
    serve(url, body, delayMs = 0) {
      const parsed = new URL(url);
      routes.set(`${parsed.host}${parsed.pathname}`, { body: typeof body === "string" ? new TextEncoder().encode(body) : body, delayMs });
    },
    clear() {
      routes.clear();
    },
    setDelay(delayMs) {
      delayAll = delayMs;
    },
    requests,
    port,
    caCertPem: ca.caCertPem,
    fetchFor(routing = {}) {
      return loopbackFetch(agent, (host) =>
        routing.unreachable?.includes(host) ? closedPort : routing.untrusted?.includes(host) ? untrustedPort : port,
      );
    },
    async close() {
      await agent.close();
      server.closeAllConnections();
      untrustedServer.closeAllConnections();
      await Promise.all([new Promise((resolve) => server.close(resolve)), new Promise((resolve) => untrustedServer.close(resolve))]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An undici dispatcher that trusts `caCertPem` (and nothing else) for the loopback servers. */
export function trustingAgent(caCertPem: string): Agent {
  return new Agent({ connect: { ca: caCertPem } });
}

/** A fetch that sends https://HOST/PATH to https://127.0.0.1:PORT/HOST/PATH, PORT chosen by host. */
export function loopbackFetch(agent: Agent, portFor: (host: string) => number): FetchLike {
  return async (url, init) => {
    const parsed = new URL(url);
    const local = `https://127.0.0.1:${String(portFor(parsed.host))}/${parsed.host}${parsed.pathname}${parsed.search}`;
    return undiciFetch(local, { signal: init.signal as AbortSignal, headers: init.headers, dispatcher: agent });
  };
}
