// A stub-resolver client for the probe: one question per query to a chosen resolver, over UDP
// with a TCP retry when the answer is truncated, reporting the resolver's AD bit (RFC 4035 §3.2.3).
// Node's dns module can ask neither for TLSA nor for AD; dns-packet does the wire format.
import { randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { isIPv6 } from "node:net";
import { connect } from "node:net";
import * as dnsPacket from "dns-packet";

export type QueryType = "A" | "AAAA" | "MX" | "TXT" | "TLSA";

export interface ResolverAddress {
  readonly host: string;
  readonly port: number;
}

export interface DnsResponse {
  /** NOERROR or NXDOMAIN; every other code is thrown as a DnsError. */
  readonly rcode: "NOERROR" | "NXDOMAIN";
  /** The resolver's AD bit: it validated the answer with DNSSEC. */
  readonly authenticated: boolean;
  readonly answers: readonly dnsPacket.Answer[];
}

export type DnsErrorCode = "timeout" | "servfail" | "refused" | "rcode" | "network" | "malformed";

export class DnsError extends Error {
  override readonly name = "DnsError";
  constructor(
    readonly code: DnsErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface DnsClient {
  readonly resolver: ResolverAddress;
  query(name: string, type: QueryType): Promise<DnsResponse>;
}

/** The classic UDP limit without EDNS is 512; 1232 is the DNS Flag Day 2020 size that avoids fragmentation. */
const UDP_PAYLOAD = 1232;

export function createDnsClient(resolver: ResolverAddress, timeoutMs: number): DnsClient {
  return {
    resolver,
    async query(name, type) {
      const deadline = Date.now() + timeoutMs;
      const id = randomInt(0, 65536);
      const question = { name, type, class: "IN" as const };
      const query: dnsPacket.Packet = {
        type: "query",
        id,
        // AD in a query asks the resolver to report whether it validated (RFC 6840 §5.7); DO asks
        // for the DNSSEC records too, which some resolvers need before they set AD.
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA,
        questions: [question],
        additionals: [
          {
            type: "OPT",
            name: ".",
            udpPayloadSize: UDP_PAYLOAD,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: dnsPacket.DNSSEC_OK,
            flag_do: true,
            options: [],
          },
        ],
      };
      const where = `${name} ${type} from ${formatResolver(resolver)}`;
      let response = await overUdp(resolver, dnsPacket.encode(query), id, deadline, where, timeoutMs);
      if (response.flag_tc) response = await overTcp(resolver, dnsPacket.streamEncode(query), id, deadline, where);
      checkQuestion(response, name, type, where);
      const rcode = (response as { rcode?: unknown }).rcode;
      if (rcode === "NOERROR" || rcode === "NXDOMAIN") {
        return { rcode, authenticated: response.flag_ad, answers: (response.answers ?? []).filter((answer) => answer.type === type) };
      }
      if (rcode === "SERVFAIL") {
        // A validating resolver answers SERVFAIL for a DNSSEC-bogus answer too (RFC 4035 §5.5).
        throw new DnsError("servfail", `${where}: SERVFAIL (the resolver could not answer; a failed DNSSEC validation looks the same)`);
      }
      if (rcode === "REFUSED") throw new DnsError("refused", `${where}: the resolver refused the query`);
      throw new DnsError("rcode", `${where}: the resolver answered ${String(rcode)}`);
    },
  };
}

export function formatResolver(resolver: ResolverAddress): string {
  return isIPv6(resolver.host) ? `[${resolver.host}]:${String(resolver.port)}` : `${resolver.host}:${String(resolver.port)}`;
}

function checkQuestion(response: dnsPacket.DecodedPacket, name: string, type: QueryType, where: string): void {
  const echoed = response.questions?.[0];
  // A resolver echoes the question; an answer to another question is not ours (or is spoofed).
  if (echoed === undefined || echoed.name.toLowerCase() !== name.toLowerCase().replace(/\.$/, "") || echoed.type !== type) {
    throw new DnsError("malformed", `${where}: the answer is for another question`);
  }
}

function remaining(deadline: number): number {
  return Math.max(0, deadline - Date.now());
}

function overUdp(
  resolver: ResolverAddress,
  message: Buffer,
  id: number,
  deadline: number,
  where: string,
  timeoutMs: number,
): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(resolver.host) ? "udp6" : "udp4");
    let settled = false;
    const finish = (error: Error | undefined, packet?: dnsPacket.DecodedPacket) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(retry);
      socket.close();
      if (error !== undefined) reject(error);
      else if (packet !== undefined) resolve(packet);
    };
    const timer = setTimeout(
      () => finish(new DnsError("timeout", `${where}: no answer within ${String(timeoutMs)} ms`)),
      remaining(deadline),
    );
    // One retransmission halfway: a lost datagram should not cost the whole timeout.
    const retry = setTimeout(
      () => {
        if (!settled) socket.send(message, resolver.port, resolver.host);
      },
      remaining(deadline) / 2,
    );
    socket.on("error", (error) => finish(new DnsError("network", `${where}: ${error.message}`, { cause: error })));
    socket.on("message", (data, from) => {
      // Only the resolver's own address and port may answer (RFC 5452 §9.1).
      if (from.port !== resolver.port || from.address !== resolver.host) return;
      let packet: dnsPacket.DecodedPacket;
      try {
        packet = dnsPacket.decode(data);
      } catch (error) {
        finish(new DnsError("malformed", `${where}: the answer cannot be decoded`, { cause: error }));
        return;
      }
      // Datagrams with another id are strays or spoofing attempts: keep waiting for ours.
      if (packet.id === id && packet.type === "response") finish(undefined, packet);
    });
    socket.send(message, resolver.port, resolver.host, (error) => {
      if (error) finish(new DnsError("network", `${where}: ${error.message}`, { cause: error }));
    });
  });
}

function overTcp(
  resolver: ResolverAddress,
  message: Buffer,
  id: number,
  deadline: number,
  where: string,
): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: resolver.host, port: resolver.port });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (error: Error | undefined, packet?: dnsPacket.DecodedPacket) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error !== undefined) reject(error);
      else if (packet !== undefined) resolve(packet);
    };
    const timer = setTimeout(() => finish(new DnsError("timeout", `${where}: no answer over TCP within the timeout`)), remaining(deadline));
    socket.on("error", (error) => finish(new DnsError("network", `${where} over TCP: ${error.message}`, { cause: error })));
    socket.on("connect", () => socket.write(message));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // RFC 1035 §4.2.2: over TCP each message is preceded by its two-byte length.
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      try {
        const packet = dnsPacket.decode(received.subarray(2, 2 + received.readUInt16BE(0)));
        if (packet.id !== id) finish(new DnsError("malformed", `${where}: the TCP answer has another id`));
        else finish(undefined, packet);
      } catch (error) {
        finish(new DnsError("malformed", `${where}: the TCP answer cannot be decoded`, { cause: error }));
      }
    });
    socket.on("end", () => finish(new DnsError("network", `${where}: the resolver closed the TCP connection before answering`)));
  });
}
