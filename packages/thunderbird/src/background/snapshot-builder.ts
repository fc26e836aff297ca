// Builds core's ComposeSnapshot from what Thunderbird reports about the message being sent:
// recipients (mailing lists expanded, since Thunderbird expands them only after onBeforeSend),
// the identity's outgoing server and Sent-copy server (from the Experiment), and encryption.
import {
  type ComposeSnapshot,
  type EncryptionState,
  parseRecipients,
  type RecipientInput,
  type SmtpSecurity,
  type Transport,
} from "@sealpost/core";
import type { Host } from "../host/thunderbird-api.js";
import type { ComposeDetails, ComposeRecipient, ComposeRecipientList, ServerInfo } from "../host/thunderbird-types.js";

type FieldKind = "to" | "cc" | "bcc";

// nsMsgSocketType (mailnews/base/public/MailNewsTypes2.idl).
const SOCKET_SECURITY: Readonly<Record<number, SmtpSecurity>> = { 0: "plain", 1: "opportunistic-starttls", 2: "starttls", 3: "tls" };

export async function buildSnapshot(host: Host, details: ComposeDetails): Promise<ComposeSnapshot> {
  const identityId = details.identityId;
  const [recipients, route, identity] = await Promise.all([
    gatherRecipients(host, details),
    identityId === undefined ? Promise.resolve(undefined) : host.getSendingRoute(identityId),
    identityId === undefined ? Promise.resolve(null) : host.getIdentity(identityId),
  ]);
  const transport: Transport =
    route === undefined
      ? { kind: "unknown", reason: "the message has no sending identity" }
      : route.outgoing === undefined
        ? { kind: "unknown", reason: route.outgoingProblem ?? "no outgoing server is configured for this identity" }
        : outgoingTransport(route.outgoing);
  const sentCopy = route === undefined ? undefined : await sentCopyTransport(host, details, route);
  const recipientKeys = await openPgpKeys(host, recipients);
  return {
    recipients,
    transport,
    ...(sentCopy === undefined ? {} : { sentCopy }),
    ...(recipientKeys === undefined ? {} : { recipientKeys }),
    encryption: encryptionState(details),
    ...(identity?.email ? { sender: identity.email } : {}),
    locale: host.uiLanguage(),
  };
}

// The keys Thunderbird would encrypt to, so that core can hold them to the policy's pinned keys.
// Where the key ring cannot be read the answer is "unknown", which fails closed for pinned
// recipients only, rather than failing the whole check.
async function openPgpKeys(host: Host, recipients: readonly RecipientInput[]): Promise<Record<string, string[]> | undefined> {
  const addresses = [
    ...new Set(recipients.flatMap((recipient) => parseRecipients(recipient.text).flatMap((parsed) => (parsed.ok ? [parsed.address] : [])))),
  ];
  if (addresses.length === 0) return {};
  try {
    return await host.getRecipientKeys(addresses);
  } catch {
    return undefined;
  }
}

/** Recipients straight from the compose fields, without asking Thunderbird anything: the fallback when gathering fails. */
export function plainRecipients(details: ComposeDetails): RecipientInput[] {
  return (["to", "cc", "bcc"] as const).flatMap((kind) =>
    asList(details[kind]).map((entry) => ({ text: typeof entry === "string" ? entry : describeNode(entry), kind })),
  );
}

async function gatherRecipients(host: Host, details: ComposeDetails): Promise<RecipientInput[]> {
  const fields = await Promise.all(
    (["to", "cc", "bcc"] as const).map(async (kind) =>
      (await Promise.all(asList(details[kind]).map((entry) => expandEntry(host, entry, kind)))).flat(),
    ),
  );
  return fields.flat();
}

// An address-book mailing list appears in a field as "Name <Name>", which is no address. Only an
// entry that core cannot parse is offered to Thunderbird for expansion; what comes back is judged
// by core again, and an entry that neither can read stays as it is and blocks as unparseable.
async function expandEntry(host: Host, entry: ComposeRecipient, kind: FieldKind): Promise<RecipientInput[]> {
  if (typeof entry !== "string") {
    if (entry.type === "mailingList" && entry.nodeId !== undefined) {
      const name = await host.mailingListName(entry.nodeId);
      return expandList(host, `${name} <${name}>`, [name], kind);
    }
    return [{ text: describeNode(entry), kind }];
  }
  // Thunderbird expands an entry whose name equals its address (how a list pill is written), so
  // a list named like an address ("team@corp.example <team@corp.example>") is offered too.
  const parsed = parseRecipients(entry);
  const plainAddresses = parsed.every(
    (result) =>
      result.ok &&
      result.name.toLowerCase() !== `${result.local}@${result.unicodeDomain}`.toLowerCase() &&
      result.name.toLowerCase() !== result.address.toLowerCase(),
  );
  if (plainAddresses) return [{ text: entry, kind }];
  return expandList(host, entry, [listName(entry)], kind);
}

// "Treasury <Treasury>" or "\"Treasury\" <Treasury>" names the list Treasury.
function listName(entry: string): string {
  return entry
    .replace(/\s*<[^>]*>\s*$/, "")
    .trim()
    .replace(/^"(.*)"$/, "$1");
}

// Lists inside lists: Thunderbird expands them all at send time, but messengerUtilities only one
// level, where a nested list comes back as a member whose address is its name.
const MAX_LIST_DEPTH = 8;

async function expandList(host: Host, text: string, path: readonly string[], kind: FieldKind | "list-member"): Promise<RecipientInput[]> {
  const unexpanded: RecipientInput[] = [
    { text, kind, ...(kind === "list-member" && path.length > 1 ? { list: path.slice(0, -1).join(" › ") } : {}) },
  ];
  const name = path.at(-1) ?? text;
  const members = await host.expandMailingLists(text);
  // Thunderbird hands back an entry that names no list as it was.
  const isItself = members.length === 1 && sameName(members[0]?.email, name) && sameName(members[0]?.name, name);
  if (members.length === 0 || isItself) return unexpanded;
  // An empty address counts as none: a member Thunderbird cannot address must not vanish.
  if (!members.every((member) => member.email !== undefined && member.email !== "")) return unexpanded;
  const expanded = await Promise.all(
    members.map(async (member): Promise<RecipientInput[]> => {
      const email = member.email ?? "";
      if (!sameName(email, member.name)) return [{ text: email, kind: "list-member", list: path.join(" › ") }];
      // A list that contains itself, or nesting without end, stays as written and blocks.
      if (path.length >= MAX_LIST_DEPTH || path.some((outer) => sameName(outer, email)))
        return [{ text: `${email} <${email}>`, kind: "list-member", list: path.join(" › ") }];
      return expandList(host, `${email} <${email}>`, [...path, email], "list-member");
    }),
  );
  return expanded.flat();
}

function sameName(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

function asList(value: ComposeRecipientList | undefined): readonly ComposeRecipient[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly ComposeRecipient[]) : [value as ComposeRecipient];
}

function describeNode(entry: Exclude<ComposeRecipient, string>): string {
  return `address-book ${entry.type} ${entry.nodeId ?? entry.id ?? "?"}`;
}

export function outgoingTransport(server: ServerInfo): Transport {
  const where = {
    ...(server.host === undefined ? {} : { host: server.host }),
    ...(server.port === undefined ? {} : { port: server.port }),
  };
  if (server.type === "smtp") {
    const security = server.socketType === undefined ? undefined : SOCKET_SECURITY[server.socketType];
    if (security === undefined)
      return { kind: "unknown", reason: `the outgoing server has an unknown connection security (${String(server.socketType)})` };
    return { kind: "smtp", security, ...where };
  }
  if (server.type === "ews") return httpsTransport(server, "outgoing");
  return { kind: "unknown", reason: `the outgoing server's type "${server.type}" is not one Sealpost can check` };
}

// Where a server account stores the Sent copy, the message crosses the network again.
export function incomingTransport(server: ServerInfo): Transport | undefined {
  if (server.type === "none" || server.type === "pop3" || server.type === "rss") return undefined;
  const where = {
    ...(server.host === undefined ? {} : { host: server.host }),
    ...(server.port === undefined ? {} : { port: server.port }),
  };
  if (server.type === "imap") {
    const security = server.socketType === undefined ? undefined : SOCKET_SECURITY[server.socketType];
    if (security === undefined)
      return { kind: "unknown", reason: `the Sent folder's server has an unknown connection security (${String(server.socketType)})` };
    return { kind: "imap", security, ...where };
  }
  if (server.type === "ews") return httpsTransport(server, "Sent folder's");
  return { kind: "unknown", reason: `the Sent folder's server type "${server.type}" is not one Sealpost can check` };
}

function httpsTransport(server: ServerInfo, which: string): Transport {
  let url: URL | undefined;
  try {
    url = server.url === undefined ? undefined : new URL(server.url);
  } catch {
    url = undefined;
  }
  if (url?.protocol === "https:") return { kind: "https", host: url.host };
  return { kind: "unknown", reason: `the ${which} Exchange server's URL is not https (${server.url ?? "none"})` };
}

async function sentCopyTransport(
  host: Host,
  details: ComposeDetails,
  route: Awaited<ReturnType<Host["getSendingRoute"]>>,
): Promise<Transport | undefined> {
  const copies: (Transport | undefined)[] = [];
  if (details.overrideDefaultFccFolderId !== undefined) {
    copies.push(await folderTransport(host, details.overrideDefaultFccFolderId));
  } else if (route.savesSentCopy) {
    copies.push(
      route.sentCopy === undefined
        ? { kind: "unknown", reason: route.sentCopyProblem ?? "the Sent folder's server is unknown" }
        : incomingTransport(route.sentCopy),
    );
  }
  copies.push(await folderTransport(host, details.additionalFccFolderId));
  return weakestCopy(copies);
}

/** Core checks one Sent-copy leg; of several copies, the weakest one is the one that matters. */
export function weakestCopy(copies: readonly (Transport | undefined)[]): Transport | undefined {
  const network = copies.filter((copy): copy is Transport => copy !== undefined);
  const insecure = (copy: Transport) =>
    copy.kind === "unknown" || (copy.kind !== "https" && copy.security !== "tls" && copy.security !== "starttls");
  return network.find(insecure) ?? network[0];
}

// A MailFolder id is "<accountId>:/<path>" (ExtensionAccounts.sys.mjs); the account says which
// server stores the copy.
async function folderTransport(host: Host, folderId: string | undefined): Promise<Transport | undefined> {
  if (folderId === undefined || folderId === "") return undefined;
  const separator = folderId.indexOf(":/");
  if (separator <= 0) return { kind: "unknown", reason: `the Sent copy goes to folder ${folderId}, whose account Sealpost cannot tell` };
  const server = await host.getIncomingServer(folderId.slice(0, separator)).catch((error: unknown) => error);
  if (server instanceof Error || server === null || typeof server !== "object")
    return { kind: "unknown", reason: `the Sent copy's account for folder ${folderId} could not be read` };
  return incomingTransport(server as ServerInfo);
}

export function encryptionState(details: ComposeDetails): EncryptionState {
  const technology = details.selectedEncryptionTechnology;
  if (technology?.encryptBody !== true) return { kind: "none" };
  if (technology.name === "OpenPGP") return { kind: "openpgp", subject: technology.encryptSubject === true };
  if (technology.name === "S/MIME") return { kind: "smime" };
  return { kind: "none" };
}
