// Packs the test-driver extension (test/thunderbird/driver/) into an .xpi at test time, so the
// tests always run the driver source they sit next to.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { zipSync, type Zippable } from "fflate";

export const DRIVER_ID = "sealpost-test-driver@sealpost.dev";
export const driverSourceDir = fileURLToPath(new URL("../driver/", import.meta.url));

export interface PackedExtension {
  /** The gecko id: profiles install the file as extensions/<id>.xpi. */
  readonly id: string;
  readonly path: string;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** Zips a directory holding a manifest.json into `xpiPath`; the manifest's gecko id names it. */
export async function packExtension(sourceDir: string, xpiPath: string): Promise<PackedExtension> {
  const files: Zippable = {};
  for (const file of await filesUnder(sourceDir)) {
    // Zip entry names use forward slashes whatever the platform.
    files[relative(sourceDir, file).split(sep).join("/")] = new Uint8Array(await readFile(file));
  }
  const manifestBytes = files["manifest.json"];
  if (!(manifestBytes instanceof Uint8Array)) throw new Error(`${sourceDir} has no manifest.json`);
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as {
    browser_specific_settings?: { gecko?: { id?: unknown } };
  };
  const id = manifest.browser_specific_settings?.gecko?.id;
  if (typeof id !== "string") throw new Error(`${sourceDir}/manifest.json has no browser_specific_settings.gecko.id`);
  await writeFile(xpiPath, zipSync(files, { level: 6 }));
  return { id, path: xpiPath };
}

/** Packs the Sealpost test driver into `dir`/sealpost-test-driver.xpi. */
export function packDriver(dir: string): Promise<PackedExtension> {
  return packExtension(driverSourceDir, join(dir, "sealpost-test-driver.xpi"));
}
