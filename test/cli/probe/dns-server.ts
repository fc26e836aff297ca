// A loopback DNS server for the probe's tests, built on dns-packet over dgram and TCP: it
// answers from a table, sets the AD bit where the table says the answer is "validated", never
// answers names marked silent (a timeout), and truncates UDP answers that are too large.
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import * as dnsPacket from "dns-packet";

export interface ZoneEntry {
  readonly answers?: readonly dnsPacket.Answer[];
  /** Set the AD bit: the resolver claims to have validated this answer with DNSSEC. */
  readonly validated?: boolean;
  readonly rcode?: "NXDOMAIN" | "SERVFAIL";
  /** Never answer: the client's timeout is what the test observes. */
  readonly silent?: boolean;
}

/** Keyed by `${name} ${type}`, names in lower case without the trailing dot. */
export type Zone = Map<string, ZoneEntry>;

export interface TestDnsServer {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** Every question received, as `name type` (with "tcp" appended over TCP). */
  readonly questions: string[];
  stop(): Promise<void>;
}

const RCODES = { NOERROR: 0, NXDOMAIN: 3, SERVFAIL: 2 } as const;

function respond(zone: Zone, query: dnsPacket.DecodedPacket): dnsPacket.Packet | undefined {
  const question = query.questions?.[0];
  if (question === undefined) return undefined;
  const entry = zone.get(`${question.name.toLowerCase()} ${question.type}`);
  if (entry?.silent === true) return undefined;
  // Names without an entry for this type exist (NOERROR, no answers): NODATA.
  const rcode = RCODES[entry?.rcode ?? "NOERROR"];
  const flags =
    dnsPacket.RECURSION_AVAILABLE |
    ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) |
    (entry?.validated === true ? dnsPacket.AUTHENTIC_DATA : 0) |
    rcode;
  return { type: "response", id: query.id ?? 0, flags, questions: [question], answers: [...(entry?.answers ?? [])] };
}

/** `delayMs` holds every answer back, as a resolver across a network would. */
export async function startDnsServer(zone: Zone, options: { readonly delayMs?: number } = {}): Promise<TestDnsServer> {
  const later = (send: () => void) => (options.delayMs === undefined ? send() : void setTimeout(send, options.delayMs));
  const questions: string[] = [];
  const udp: UdpSocket = createSocket("udp4");
  udp.on("message", (data, from) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(data);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    questions.push(`${question?.name ?? "?"} ${question?.type ?? "?"}`);
    const response = respond(zone, query);
    if (response === undefined) return;
    const opt = query.additionals?.find((record) => record.type === "OPT");
    const limit = opt !== undefined && opt.type === "OPT" ? opt.udpPayloadSize : 512;
    let encoded = dnsPacket.encode(response);
    if (encoded.length > limit) {
      // RFC 1035 §4.2.1: what does not fit is cut and TC set; the client retries over TCP.
      encoded = dnsPacket.encode({ ...response, answers: [], flags: (response.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE });
    }
    later(() => udp.send(encoded, from.port, from.address));
  });
  await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
  const port = udp.address().port;

  const tcp: Server = createServer((socket: Socket) => {
    let received = Buffer.alloc(0);
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      const query = dnsPacket.decode(received.subarray(2, 2 + received.readUInt16BE(0)));
      const question = query.questions?.[0];
      questions.push(`${question?.name ?? "?"} ${question?.type ?? "?"} tcp`);
      const response = respond(zone, query);
      if (response !== undefined) later(() => socket.end(dnsPacket.streamEncode(response)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(port, "127.0.0.1", () => resolve());
  });

  return {
    host: "127.0.0.1",
    port,
    questions,
    async stop() {
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

/** Record builders, so zones read like zone files. */
export const rr = {
  a: (name: string, address: string): dnsPacket.Answer => ({ type: "A", name, ttl: 60, class: "IN", data: address }),
  mx: (name: string, preference: number, exchange: string): dnsPacket.Answer => ({
    type: "MX",
    name,
    ttl: 60,
    class: "IN",
    data: { preference, exchange },
  }),
  txt: (name: string, ...strings: string[]): dnsPacket.Answer => ({ type: "TXT", name, ttl: 60, class: "IN", data: strings }),
  tlsa: (name: string, usage: number, selector: number, matchingType: number, hex: string): dnsPacket.Answer => ({
    type: "TLSA",
    name,
    ttl: 60,
    class: "IN",
    data: { usage, selector, matchingType, certificate: Buffer.from(hex, "hex") },
  }),
};
