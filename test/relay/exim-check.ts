// Exim's own configuration check on a complete Debian configuration: the exim4.conf.template of
// Debian's exim4-config, the macros update-exim4.conf would seed for an "internet" site, and
// the exported pieces inserted where their conf.d file names would put them.
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { root as repoRoot } from "../cli/run-cli.js";

const run = promisify(execFile);

export const EXIM_ROOT = join(process.env.SEALPOST_EXIM_ROOT ?? "/var/tmp/sealpost-exim4", "root");
const UNPACK = `${repoRoot}scripts/unpack-exim.sh`;

export interface EximResult {
  readonly ok: boolean;
  readonly output: string;
}

export interface EximPieces {
  readonly main: string;
  readonly router: string;
  readonly transport: string;
}

/** Unpacks Exim (scripts/unpack-exim.sh) unless it already is; fails saying what is missing. */
export async function ensureExim(): Promise<void> {
  if (existsSync(join(EXIM_ROOT, "usr/sbin/exim4"))) return;
  try {
    await run(UNPACK, [], { timeout: 300_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(
      `Exim is not available for the configuration check: ${UNPACK} could not unpack Debian's exim4-daemon-light, exim4-base and exim4-config ` +
        `(it runs apt-get download; exim4 conflicts with postfix, so it is unpacked, not installed): ${stderr.trim()}`,
      { cause: error },
    );
  }
}

// What update-exim4.conf seeds for dc_eximconfig_configtype='internet' (its seed_macro calls).
const MACROS = [
  "MAIN_LOCAL_INTERFACES=127.0.0.1 ; ::1",
  "MAIN_PACKAGE_VERSION=4.96",
  "MAIN_LOCAL_DOMAINS=@:localhost",
  "MAIN_RELAY_TO_DOMAINS=",
  "ETC_MAILNAME=relay-test.sealpost.invalid",
  "LOCAL_DELIVERY=mail_spool",
  "MAIN_RELAY_NETS=",
  "DCreadhost=",
  "DCsmarthost=",
  "DC_eximconfig_configtype=internet",
  "DCconfig_internet=1",
];

// Where run-parts order puts 05_…, 190_… and 30_sealpost_… among Debian's conf.d files.
const BEFORE = {
  main: "### main/90_exim4-config_log_selector",
  router: "### router/200_exim4-config_primary",
  transport: "### transport/35_exim4-config_address_directory",
} as const;

export async function completeConfiguration(pieces: EximPieces): Promise<string> {
  let template = await readFile(join(EXIM_ROOT, "etc/exim4/exim4.conf.template"), "utf8");
  for (const section of ["main", "router", "transport"] as const) {
    const marker = BEFORE[section];
    if (!template.includes(marker)) throw new Error(`Debian's exim4.conf.template has no "${marker}" line any more`);
    template = template.replace(marker, `${pieces[section]}\n${marker}`);
  }
  return `${MACROS.join("\n")}\n${template}`;
}

/** Runs the unpacked exim4 on configuration `file` with `args` (e.g. -bV). */
export async function exim(file: string, args: readonly string[], workDir: string): Promise<EximResult> {
  const libs = libraryDir();
  // Exim exits unless its compiled-in user exists; nss_wrapper supplies it to this process only.
  const passwd = join(workDir, "passwd");
  const group = join(workDir, "group");
  await writeFile(passwd, `${await readFile("/etc/passwd", "utf8")}Debian-exim:x:64999:64999::/nonexistent:/usr/sbin/nologin\n`);
  await writeFile(group, `${await readFile("/etc/group", "utf8")}Debian-exim:x:64999:\n`);
  try {
    const { stdout, stderr } = await run(join(EXIM_ROOT, "usr/sbin/exim4"), ["-C", file, ...args], {
      timeout: 30_000,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        LD_LIBRARY_PATH: libs,
        LD_PRELOAD: join(libs, "libnss_wrapper.so"),
        NSS_WRAPPER_PASSWD: passwd,
        NSS_WRAPPER_GROUP: group,
      },
    });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: (failed.stdout ?? "") + (failed.stderr ?? "") };
  }
}

function libraryDir(): string {
  for (const dir of ["usr/lib/x86_64-linux-gnu", "usr/lib/aarch64-linux-gnu", "usr/lib"]) {
    const path = join(EXIM_ROOT, dir);
    if (existsSync(path) && readdirSync(path).includes("libnss_wrapper.so")) return path;
  }
  throw new Error(`no libnss_wrapper.so under ${EXIM_ROOT}; run ${UNPACK} again`);
}
