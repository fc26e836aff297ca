// Writes a fresh Thunderbird profile for one end-to-end run: accounts and outgoing servers from
// user.js, add-ons installed as files, and the test CA trusted in the profile's NSS database.
import { execFile } from "node:child_process";
import { access, copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { constants } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { type TestCa } from "./ca.js";

const run = promisify(execFile);

export type PrefValue = string | number | boolean;

/**
 * Connection security of an outgoing server, as the pref `try_ssl` (socketType in code):
 * 0 plain, 1 STARTTLS if the server offers it, 2 STARTTLS required, 3 implicit TLS. Thunderbird
 * 153 no longer upgrades for 1 (its SmtpClient sends STARTTLS only for 2): 1 submits in the clear.
 */
export type SmtpSecurity = "plain" | "starttls-if-available" | "starttls" | "tls";

const TRY_SSL: Record<SmtpSecurity, number> = { plain: 0, "starttls-if-available": 1, starttls: 2, tls: 3 };

export interface OutgoingServerOptions {
  readonly port: number;
  readonly security: SmtpSecurity;
  /** Defaults to 127.0.0.1, which the test certificate names. */
  readonly host?: string;
  readonly description?: string;
}

/** Where Thunderbird files a copy of each sent message (the identity's "Place a copy in"). */
export type FccOptions =
  | { readonly kind: "off" }
  /**
   * Local Folders/Sent. The folder exists already, as in any profile that has sent mail, unless
   * `sentFolderExists` is false: a fresh profile, where Thunderbird creates it at the first send.
   */
  | { readonly kind: "local"; readonly sentFolderExists?: boolean }
  /**
   * The Sent folder of an IMAP account on host:port, socketType as the IMAP pref (0 plain,
   * 2 STARTTLS, 3 TLS). The server is configuration only: Thunderbird is told not to connect at
   * startup, but an actual send with this fcc tries to copy the message there.
   */
  | { readonly kind: "imap"; readonly host: string; readonly port: number; readonly socketType: 0 | 1 | 2 | 3 };

export interface IdentityOptions {
  /** Thunderbird's identity key; the first identity defaults to id1, the next to id2, ... */
  readonly id?: string;
  readonly email: string;
  readonly fullName?: string;
  readonly smtp: OutgoingServerOptions;
  /** Defaults to off: no copy, so a send touches nothing but the SMTP server. */
  readonly fcc?: FccOptions;
  /** More mail.identity.<id>.* prefs, e.g. { openpgp_key_id: "…", e2etechpref: 1 }. */
  readonly prefs?: Readonly<Record<string, PrefValue>>;
}

export interface ProfileOptions {
  /** The default identity, alice@example.org (id1), sends through this server. */
  readonly smtp: OutgoingServerOptions;
  readonly fcc?: FccOptions;
  /** More identities, each with its own outgoing server; keys id2, id3, ... unless given. */
  readonly extraIdentities?: readonly IdentityOptions[];
  /** Outgoing servers that no identity uses (they show in the account settings' list). */
  readonly extraSmtpServers?: readonly OutgoingServerOptions[];
  /** .xpi files to install, each under extensions/<id>.xpi. */
  readonly extensions?: readonly { readonly id: string; readonly path: string }[];
  /** The CA whose certificates the profile trusts (the local TLS servers' issuer). */
  readonly ca?: TestCa;
  /** S/MIME material for the profile's certificate store: own certificates with their keys (PKCS #12), others' certificates. */
  readonly smime?: {
    readonly own?: readonly string[];
    readonly others?: readonly { readonly nickname: string; readonly certPath: string }[];
  };
  /** Extra prefs, written last so they override the defaults here. */
  readonly prefs?: Readonly<Record<string, PrefValue>>;
  /** Where to write the profile; by default a new directory under os.tmpdir(). */
  readonly dir?: string;
}

export interface ProfileIdentity {
  readonly id: string;
  readonly email: string;
  readonly accountKey: string;
  readonly smtpServerKey: string;
}

export interface Profile {
  readonly dir: string;
  readonly identities: readonly ProfileIdentity[];
  readonly smtpServerKeys: readonly string[];
  /** Deletes the profile directory. */
  remove(): Promise<void>;
}

export const DEFAULT_IDENTITY = { id: "id1", email: "alice@example.org", fullName: "Alice Example" } as const;

// First-run screens, update checks and anything else that would talk to the network or wait for a
// user; values from the facts in /work/shared/notes/thunderbird-harness.md and Thunderbird's prefs.
const QUIET_PREFS: Readonly<Record<string, PrefValue>> = {
  "mail.provider.enabled": false,
  "mail.shell.checkDefaultClient": false,
  "mailnews.start_page.enabled": false,
  "mailnews.start_page_override.mstone": "ignore",
  "mail.rights.version": 1,
  "app.update.enabled": false,
  "app.update.auto": false,
  "app.update.checkInstallTime": false,
  "app.donation.eoy.version.viewed": 999,
  "mail.inappnotifications.enabled": false,
  "datareporting.policy.dataSubmissionEnabled": false,
  "datareporting.policy.dataSubmissionPolicyBypassNotification": true,
  "datareporting.healthreport.uploadEnabled": false,
  "toolkit.telemetry.enabled": false,
  "toolkit.startup.max_resumed_crashes": -1,
  "browser.shell.checkDefaultBrowser": false,
  "calendar.integration.notify": false,
  "extensions.update.enabled": false,
  "extensions.getAddons.cache.enabled": false,
  "extensions.autoDisableScopes": 0,
  "extensions.enabledScopes": 15,
  "xpinstall.signatures.required": false,
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
  "network.dns.disablePrefetch": true,
  "network.prefetch-next": false,
  "browser.region.network.url": "",
  "browser.region.update.enabled": false,
  "network.trr.mode": 5,
  // Whatever still tries the web meets a proxy on the discard port; loopback is never proxied
  // (network.proxy.allow_hijacking_localhost is false), so the local servers stay reachable.
  "network.proxy.type": 1,
  "network.proxy.http": "127.0.0.1",
  "network.proxy.http_port": 9,
  "network.proxy.ssl": "127.0.0.1",
  "network.proxy.ssl_port": 9,
  "network.proxy.allow_hijacking_localhost": false,
  "browser.safebrowsing.malware.enabled": false,
  "browser.safebrowsing.phishing.enabled": false,
  "mail.biff.play_sound": false,
  "mail.biff.show_alert": false,
  "mail.biff.show_tray_icon": false,
  "mail.biff.use_system_alert": false,
  "intl.locale.requested": "en-US",
  // Thunderbird's console on stdout, so failures can show what Thunderbird said.
  "devtools.console.stdout.chrome": true,
  "devtools.console.stdout.content": true,
  "browser.dom.window.dump.enabled": true,
};

function userPref(name: string, value: PrefValue): string {
  // JSON string literals are valid in the pref file's JavaScript-like syntax.
  return `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});`;
}

async function findOnPath(command: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Creates the profile's NSS database and trusts `ca` there for TLS servers and S/MIME certificates. */
export async function trustCaInProfile(dir: string, ca: TestCa, smime: ProfileOptions["smime"] = {}): Promise<void> {
  const certutil = await findOnPath("certutil");
  if (certutil === undefined) throw new Error("certutil not found: install libnss3-tools (apt-get install libnss3-tools)");
  const db = `sql:${dir}`;
  await run(certutil, ["-N", "--empty-password", "-d", db], { timeout: 30_000 });
  // "C,C," : a CA trusted to issue server and e-mail certificates, and nothing else.
  await run(certutil, ["-A", "-n", ca.caName, "-t", "C,C,", "-i", ca.caCertPath, "-d", db], { timeout: 30_000 });
  for (const p12 of smime.own ?? []) {
    const pk12util = await findOnPath("pk12util");
    if (pk12util === undefined) throw new Error("pk12util not found: install libnss3-tools (apt-get install libnss3-tools)");
    await run(pk12util, ["-i", p12, "-d", db, "-W", ""], { timeout: 30_000 });
  }
  for (const other of smime.others ?? []) {
    await run(certutil, ["-A", "-n", other.nickname, "-t", ",,", "-i", other.certPath, "-d", db], { timeout: 30_000 });
  }
}

function fccPrefs(fcc: FccOptions, email: string): Record<string, PrefValue> {
  switch (fcc.kind) {
    case "off":
      return { fcc: false };
    case "local":
      return { fcc: true, fcc_folder_picker_mode: "1", fcc_folder: "mailbox://nobody@Local%20Folders/Sent" };
    case "imap":
      // An IMAP server's folder URIs are imap://<escaped user name>@<host>/<path>, without the port.
      return {
        fcc: true,
        fcc_folder_picker_mode: "1",
        fcc_folder: `imap://${encodeURIComponent(email)}@${fcc.host}/Sent`,
      };
  }
}

/** Writes a new profile and returns where it is. */
export async function createProfile(options: ProfileOptions): Promise<Profile> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "sealpost-tb-profile-")));
  await mkdir(dir, { recursive: true });
  try {
    return await writeProfile(dir, options);
  } catch (error) {
    if (options.dir === undefined) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function writeProfile(dir: string, options: ProfileOptions): Promise<Profile> {
  const prefs: Record<string, PrefValue> = { ...QUIET_PREFS };

  const identityOptions: IdentityOptions[] = [
    { ...DEFAULT_IDENTITY, smtp: options.smtp, ...(options.fcc === undefined ? {} : { fcc: options.fcc }) },
    ...(options.extraIdentities ?? []),
  ];

  const smtpKeys: string[] = [];
  const addSmtpServer = (server: OutgoingServerOptions): string => {
    const key = `smtp${String(smtpKeys.length + 1)}`;
    smtpKeys.push(key);
    const prefix = `mail.smtpserver.${key}.`;
    prefs[`${prefix}hostname`] = server.host ?? "127.0.0.1";
    prefs[`${prefix}port`] = server.port;
    prefs[`${prefix}try_ssl`] = TRY_SSL[server.security];
    prefs[`${prefix}authMethod`] = 1; // no authentication
    prefs[`${prefix}username`] = "";
    prefs[`${prefix}description`] = server.description ?? `test ${server.security} ${String(server.port)}`;
    return key;
  };

  // Each identity gets an account of its own: a POP3 account that never connects and files into
  // Local Folders, or, when its copies go to IMAP, an IMAP account on that server.
  const identities: ProfileIdentity[] = [];
  const accountKeys: string[] = [];
  const localAccountKey = `account${String(identityOptions.length + 1)}`;
  const localServerKey = `server${String(identityOptions.length + 1)}`;
  const usedIds = new Set<string>();
  identityOptions.forEach((identity, index) => {
    const n = index + 1;
    const id = identity.id ?? `id${String(n)}`;
    if (usedIds.has(id)) throw new Error(`createProfile: identity id ${id} is used twice`);
    usedIds.add(id);
    const accountKey = `account${String(n)}`;
    const serverKey = `server${String(n)}`;
    accountKeys.push(accountKey);
    const smtpServerKey = addSmtpServer(identity.smtp);
    const fcc = identity.fcc ?? { kind: "off" };

    prefs[`mail.account.${accountKey}.server`] = serverKey;
    prefs[`mail.account.${accountKey}.identities`] = id;
    const server = `mail.server.${serverKey}.`;
    if (fcc.kind === "imap") {
      prefs[`${server}type`] = "imap";
      prefs[`${server}hostname`] = fcc.host;
      prefs[`${server}port`] = fcc.port;
      prefs[`${server}socketType`] = fcc.socketType;
      prefs[`${server}userName`] = identity.email;
      prefs[`${server}authMethod`] = 3; // password, never asked for: nothing connects
      prefs[`${server}autosync_offline_stores`] = false;
      prefs[`${server}offline_download`] = false;
    } else {
      prefs[`${server}type`] = "pop3";
      // Thunderbird refuses a second server with the same type, host and user name, so each
      // identity's never-used POP3 server gets a loopback address of its own.
      prefs[`${server}hostname`] = `127.0.0.${String(n)}`;
      prefs[`${server}port`] = 9; // discard: nothing listens, and nothing should connect
      prefs[`${server}userName`] = identity.email;
      prefs[`${server}deferred_to_account`] = localAccountKey;
    }
    prefs[`${server}name`] = identity.email;
    prefs[`${server}login_at_startup`] = false;
    prefs[`${server}check_new_mail`] = false;
    prefs[`${server}download_on_biff`] = false;

    const prefix = `mail.identity.${id}.`;
    prefs[`${prefix}useremail`] = identity.email;
    prefs[`${prefix}fullName`] = identity.fullName ?? identity.email;
    prefs[`${prefix}smtpServer`] = smtpServerKey;
    prefs[`${prefix}valid`] = true;
    for (const [name, value] of Object.entries(fccPrefs(fcc, identity.email))) prefs[`${prefix}${name}`] = value;
    for (const [name, value] of Object.entries(identity.prefs ?? {})) prefs[`${prefix}${name}`] = value;
    identities.push({ id, email: identity.email, accountKey, smtpServerKey });
  });
  for (const server of options.extraSmtpServers ?? []) addSmtpServer(server);

  // Local Folders: the account type "none" that Thunderbird needs for its local store.
  prefs[`mail.account.${localAccountKey}.server`] = localServerKey;
  prefs[`mail.server.${localServerKey}.type`] = "none";
  prefs[`mail.server.${localServerKey}.hostname`] = "Local Folders";
  prefs[`mail.server.${localServerKey}.userName`] = "nobody";
  prefs[`mail.server.${localServerKey}.name`] = "Local Folders";
  prefs["mail.accountmanager.localfoldersserver"] = localServerKey;
  // Thunderbird finds folders by scanning the server's directory at startup; naming the directory
  // keeps it from choosing a fresh unique name next to the one written here.
  const localDir = join(dir, "Mail", "Local Folders");
  prefs[`mail.server.${localServerKey}.directory-rel`] = "[ProfD]Mail/Local Folders";
  await mkdir(localDir, { recursive: true });
  if (identityOptions.some(({ fcc }) => fcc?.kind === "local" && fcc.sentFolderExists !== false)) {
    await writeFile(join(localDir, "Sent"), ""); // an empty mbox
  }
  prefs["mail.accountmanager.accounts"] = [...accountKeys, localAccountKey].join(",");
  prefs["mail.accountmanager.defaultaccount"] = "account1";
  prefs["mail.smtpservers"] = smtpKeys.join(",");
  prefs["mail.smtp.defaultserver"] = "smtp1";

  Object.assign(prefs, options.prefs ?? {});
  const lines = ["// Written by the Sealpost end-to-end harness (test/thunderbird/harness/profile.ts).", ""];
  for (const [name, value] of Object.entries(prefs)) lines.push(userPref(name, value));
  await writeFile(join(dir, "user.js"), `${lines.join("\n")}\n`);

  if ((options.extensions ?? []).length > 0) {
    const extensionsDir = join(dir, "extensions");
    await mkdir(extensionsDir, { recursive: true });
    for (const extension of options.extensions ?? []) await copyFile(extension.path, join(extensionsDir, `${extension.id}.xpi`));
  }

  if (options.ca !== undefined) await trustCaInProfile(dir, options.ca, options.smime);

  return {
    dir,
    identities,
    smtpServerKeys: smtpKeys,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
