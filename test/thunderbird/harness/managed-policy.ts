// Installs an enterprise policies.json where the installed Thunderbird reads it, and puts back
// whatever was there before: the way administrators hand Sealpost its policy (storage.managed).
import { access, mkdir, readFile, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Debian's Thunderbird is built with MOZ_SYSTEM_POLICIES: it reads SysConfD/policies/policies.json,
 * i.e. /etc/thunderbird/policies/policies.json, and only when that file is missing the one in the
 * application's distribution directory. Measured on 153.8 ESR: each file alone reaches
 * storage.managed; with both present, the /etc one wins.
 */
export const SYSTEM_POLICIES_PATH = "/etc/thunderbird/policies/policies.json";
export const DISTRIBUTION_POLICIES_PATH = "/usr/lib/thunderbird/distribution/policies.json";

/** A policies.json document: `{ "policies": { … } }`. */
export interface EnterprisePolicies {
  readonly policies: Readonly<Record<string, unknown>>;
}

// What install changed, kept beside the file so that a run that died half-way is undone by the next.
interface InstallState {
  readonly hadOriginal: boolean;
  readonly createdDirs: readonly string[];
}

const backupPath = (path: string) => `${path}.sealpost-test-backup`;
const statePath = (path: string) => `${path}.sealpost-test-state`;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function requireRoot(path: string): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      `installing enterprise policies writes ${path}, a machine-wide file that only root may change: ` +
        "run the Thunderbird end-to-end tests as root (as CI does), e.g. sudo -E node --import tsx --test test/thunderbird/…",
    );
  }
}

function checkDocument(document: unknown): asserts document is EnterprisePolicies {
  const policies = (document as { policies?: unknown } | null)?.policies;
  if (typeof document !== "object" || document === null || typeof policies !== "object" || policies === null || Array.isArray(policies)) {
    throw new Error('installEnterprisePolicies: expected a policies.json document, { "policies": { … } }');
  }
}

/** Dirs from `dir` upwards that do not exist yet, deepest first. */
async function missingDirs(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let current = dir; !(await exists(current)); current = dirname(current)) missing.push(current);
  return missing;
}

/**
 * Writes `document` to `path` (default: the file Thunderbird on this machine reads), backing up an
 * existing file first. Thunderbird reads policies at startup: install before starting it.
 */
export async function installEnterprisePolicies(document: EnterprisePolicies, path = SYSTEM_POLICIES_PATH): Promise<void> {
  checkDocument(document);
  requireRoot(path);
  await removeEnterprisePolicies(path); // undoes a run that died before cleaning up
  const createdDirs = await missingDirs(dirname(path));
  const hadOriginal = await exists(path);
  await mkdir(dirname(path), { recursive: true });
  const state: InstallState = { hadOriginal, createdDirs };
  await writeFile(statePath(path), JSON.stringify(state));
  if (hadOriginal) await rename(path, backupPath(path));
  await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
}

/** Removes what installEnterprisePolicies wrote and restores the earlier file; a no-op when nothing is installed. */
export async function removeEnterprisePolicies(path = SYSTEM_POLICIES_PATH): Promise<void> {
  let state: InstallState;
  try {
    state = JSON.parse(await readFile(statePath(path), "utf8")) as InstallState;
  } catch {
    return; // nothing of ours is installed
  }
  requireRoot(path);
  await rm(path, { force: true });
  if (state.hadOriginal && (await exists(backupPath(path)))) await rename(backupPath(path), path);
  await rm(statePath(path), { force: true });
  for (const dir of state.createdDirs) {
    try {
      await rmdir(dir);
    } catch {
      // not empty (someone else put files there): leave it
    }
  }
}
