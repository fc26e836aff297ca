// Builds the Thunderbird add-on: bundles the background and each page with esbuild, copies the
// manifest, the Experiment, locales and icons, and packs dist/thunderbird/sealpost.xpi.
import { build } from "esbuild";
import { zipSync } from "fflate";
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";

export const THUNDERBIRD_ID = "sealpost@sealpost.dev";

export async function buildThunderbird(root) {
  const pkg = join(root, "packages/thunderbird");
  const out = join(root, "dist/thunderbird/unpacked");
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });

  const pages = (await readdir(join(pkg, "src/pages"))).filter((name) => name.endsWith(".html")).map((name) => name.slice(0, -5));
  await build({
    entryPoints: {
      background: join(pkg, "src/background/main.ts"),
      ...Object.fromEntries(pages.map((page) => [`pages/${page}`, join(pkg, `src/pages/${page}.ts`)])),
    },
    outdir: out,
    bundle: true,
    // Thunderbird 128 ESR is the oldest supported; its Gecko takes ES2022.
    target: "firefox128",
    format: "esm",
    platform: "browser",
    minify: false,
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
  });

  await cp(join(root, "manifests/thunderbird/manifest.json"), join(out, "manifest.json"));
  await cp(join(pkg, "api"), join(out, "api"), { recursive: true });
  await cp(join(pkg, "static"), out, { recursive: true });
  for (const page of pages) await cp(join(pkg, `src/pages/${page}.html`), join(out, `pages/${page}.html`));
  const css = join(pkg, "src/pages/sealpost.css");
  if (await exists(css)) await cp(css, join(out, "pages/sealpost.css"));

  const files = {};
  for (const file of await walk(out)) {
    // A fixed date keeps the .xpi byte-identical between builds of the same sources.
    files[relative(out, file)] = [await readFile(file), { mtime: new Date("2026-01-01T00:00:00Z") }];
  }
  const xpi = join(root, "dist/thunderbird/sealpost.xpi");
  await writeFile(xpi, zipSync(files, { level: 9 }));
  return { xpi, unpacked: out, bytes: (await stat(xpi)).size };
}

async function walk(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)])));
  return nested.flat().sort();
}

async function exists(path) {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
