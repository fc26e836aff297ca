// Takes docs/thunderbird-refusal.png for the README: a real Thunderbird, shown on a private Xvfb
// display, where Sealpost refuses a message to a protected bank over plain SMTP and explains why.
// Run as root (the policy is a machine-wide policies.json): node --import tsx scripts/screenshot-thunderbird.ts
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Driver } from "../test/thunderbird/harness/control.js";
import { packDriver } from "../test/thunderbird/harness/driver.js";
import { installEnterprisePolicies, removeEnterprisePolicies } from "../test/thunderbird/harness/managed-policy.js";
import { createProfile } from "../test/thunderbird/harness/profile.js";
import { requireThunderbird, startThunderbird } from "../test/thunderbird/harness/thunderbird.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const xpiPath = join(root, "dist/thunderbird/sealpost.xpi");
const output = join(root, "docs/thunderbird-refusal.png");
const SEALPOST_ID = "sealpost@sealpost.dev";
const SMTP_HOST = "smtp.example.org";
// Small enough that the compose window around the dialog is not mostly empty space.
const SCREEN = { width: 1024, height: 680 };
// The dialog's drop shadow (Xvfb has no window manager to draw a frame): blur and downward offset.
const SHADOW = { sigma: 10, offsetY: 5 };

// The bank rule of test/thunderbird/sealpost.test.ts's E2E_POLICY. Not imported: importing a test
// file runs its suites (node:test starts them when describe() is called outside the test runner).
const POLICY = {
  version: 1,
  rules: [
    {
      id: "banks",
      domains: ["bank.example"],
      require: { submission: "tls", encryption: ["openpgp", "smime"] },
      action: "block",
      message: { en: "Our bank accepts only encrypted mail.", de: "Unsere Bank nimmt nur verschlüsselte E-Mails an." },
    },
  ],
};

const MESSAGE = {
  to: ["Payments Desk <pay@bank.example>"],
  subject: "Payment instruction: invoice 2025-0412",
  body: [
    "Hello,",
    "",
    "please transfer EUR 18,450.00 for invoice 2025-0412 to our account:",
    "",
    "  IBAN DE89 3704 0044 0532 0130 00",
    "  BIC  COBADEFFXXX",
    "",
    "Value date: 14 March. The signed invoice is in our supplier portal.",
    "",
    "Kind regards,",
    "Alice Example",
    "Accounts Payable, Example Org",
  ].join("\n"),
};

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

async function xdotool(env: Readonly<Record<string, string>>, args: readonly string[]): Promise<void> {
  await run("xdotool", args, { env: { ...process.env, ...env }, timeout: 10_000 });
}

interface Geometry {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

async function windowGeometry(env: Readonly<Record<string, string>>, title: string): Promise<Geometry> {
  const { stdout } = await run("xdotool", ["search", "--sync", "--name", `^${escapeRegExp(title)}$`, "getwindowgeometry", "--shell"], {
    env: { ...process.env, ...env },
    timeout: 10_000,
  });
  const value = (name: string) => {
    const match = new RegExp(`^${name}=(\\d+)$`, "m").exec(stdout);
    if (match?.[1] === undefined) throw new Error(`xdotool gave no ${name} for the window "${title}": ${stdout}`);
    return Number(match[1]);
  };
  return { x: value("X"), y: value("Y"), width: value("WIDTH"), height: value("HEIGHT") };
}

/**
 * ImageMagick arguments that give the dialog the edge and shadow a window manager would draw,
 * so that it stands apart from the white compose window behind it. The dialog itself is unchanged.
 */
function dialogFrame({ x, y, width, height }: Geometry): string[] {
  const { sigma, offsetY } = SHADOW;
  // -shadow widens the picture by 2 sigma on each side; with -layers merge the shadow's own
  // offset moves the merged picture's origin this far up and left of the bordered dialog.
  const left = x - 1 - 2 * sigma;
  const top = y - 1 - Math.max(0, 2 * sigma - offsetY);
  return [
    "(",
    "-clone",
    "0",
    "-crop",
    `${String(width)}x${String(height)}+${String(x)}+${String(y)}`,
    "+repage",
    "-bordercolor",
    "#a1a1aa",
    "-border",
    "1",
    "(",
    "+clone",
    "-background",
    "black",
    "-shadow",
    `40x${String(sigma)}+0+${String(offsetY)}`,
    ")",
    "+swap",
    "-background",
    "none",
    "-layers",
    "merge",
    "+repage",
    ")",
    "-geometry",
    `+${String(left)}+${String(top)}`,
    "-composite",
  ];
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts Xvfb on a display it picks itself (-displayfd), so that no other X server is in the way. */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const xvfb = spawn(
    "Xvfb",
    ["-displayfd", "3", "-screen", "0", `${String(SCREEN.width)}x${String(SCREEN.height)}x24`, "-nolisten", "tcp"],
    {
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  xvfb.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const number = await new Promise<string>((resolve, reject) => {
    let written = "";
    const timer = setTimeout(() => reject(new Error(`Xvfb did not report a display within 10 s: ${stderr}`)), 10_000);
    xvfb.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error("could not start Xvfb: apt-get install xvfb", { cause: error }));
    });
    xvfb.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (code ${String(code)}): ${stderr}`));
    });
    (xvfb.stdio[3] as NodeJS.ReadableStream).on("data", (chunk: Buffer) => {
      written += chunk.toString("utf8");
      if (written.includes("\n")) {
        clearTimeout(timer);
        resolve(written.trim());
      }
    });
  });
  return { display: `:${number}`, process: xvfb };
}

async function main(): Promise<void> {
  requireThunderbird();
  if (!existsSync(xpiPath)) throw new Error(`${xpiPath} is missing: run "npm run build" first`);

  // Undone in reverse order whatever happens, including Ctrl+C. One clean-up for both: an
  // interrupt makes the waiting steps fail too, and the process must not end before it is done.
  const cleanups: (() => Promise<unknown>)[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => console.error(error));
    })());
  const interrupted = () => void cleanUp().finally(() => process.exit(130));
  process.on("SIGINT", interrupted);
  process.on("SIGTERM", interrupted);

  try {
    const work = await mkdtemp(join(tmpdir(), "sealpost-screenshot-"));
    cleanups.push(() => rm(work, { recursive: true, force: true }));

    const xvfb = await startXvfb();
    cleanups.push(async () => {
      // A Ctrl+C in a terminal reaches Xvfb too (same process group): it may be gone already.
      if (xvfb.process.exitCode !== null || xvfb.process.signalCode !== null) return;
      const exited = new Promise((resolve) => xvfb.process.once("exit", resolve));
      xvfb.process.kill("SIGTERM");
      await exited;
    });
    const env = { DISPLAY: xvfb.display };

    cleanups.push(() => removeEnterprisePolicies());
    await installEnterprisePolicies({ policies: { "3rdparty": { Extensions: { [SEALPOST_ID]: { policy: POLICY } } } } });

    const driver = await Driver.start();
    cleanups.push(() => driver.close());
    const profile = await createProfile({
      dir: join(work, "profile"),
      // An office server as the reader would see it rather than the test's 127.0.0.1:<random>.
      // Nothing connects to it: Sealpost stops the send before Thunderbird opens a connection. A
      // send that went ahead would find no server under the reserved name, and fail the check below.
      smtp: { host: SMTP_HOST, port: 587, security: "plain", description: "Office mail server" },
      extensions: [await packDriver(work), { id: SEALPOST_ID, path: xpiPath }],
      // Red squiggles under the IBAN would only distract.
      prefs: { ...driver.prefs, "mail.spellcheck.inline": false },
    });
    const thunderbird = await startThunderbird(profile.dir, { timeoutMs: 120_000, headless: false, env });
    cleanups.push(async () => {
      if (thunderbird.running) await driver.quit(10_000).catch(() => undefined);
      await thunderbird.stop();
    });
    driver.attach(thunderbird);
    await driver.ready(30_000);

    const tabId = await driver.compose({ identityId: "id1", ...MESSAGE });
    // Xvfb has no window manager: every window sits at 0,0 without a frame, the main window's
    // start page showing around the smaller compose window. The compose window takes the screen.
    const compose = (await driver.windows()).find((window) => window.type === "messageCompose");
    if (compose === undefined) throw new Error("the compose window did not open");
    await xdotool(env, [
      "search",
      "--sync",
      "--name",
      `^${escapeRegExp(compose.title)}$`,
      "windowmove",
      "0",
      "0",
      "windowsize",
      String(SCREEN.width),
      String(SCREEN.height),
    ]);
    await delay(500);
    const sending = driver.send(tabId, { timeoutMs: 60_000 });
    const dialog = { urlPrefix: await driver.extensionUrl(SEALPOST_ID, "pages/dialog.html"), timeoutMs: 15_000 };
    // The dialog fills itself in after asking the background; its buttons appear last.
    await driver.readExtensionPage({ ...dialog, selector: "#close" });
    const reasons = await driver.readExtensionPage({ ...dialog, selector: "#reasons" });
    if (!reasons.includes(`${SMTP_HOST}:587`)) throw new Error(`Sealpost's dialog does not explain the refusal: ${reasons}`);
    // Filled in is not yet painted: give the X server a moment to show the last frame.
    await delay(1_000);
    const popup = (await driver.windows()).find((window) => window.url?.startsWith(dialog.urlPrefix) === true);
    if (popup === undefined) throw new Error("Sealpost's dialog is not among Thunderbird's windows");
    // Without a window manager nothing keeps the stacking order a user would see: put the
    // compose window above the main window and the dialog above both.
    await xdotool(env, ["search", "--sync", "--name", `^${escapeRegExp(compose.title)}$`, "windowraise"]);
    await xdotool(env, ["search", "--sync", "--name", `^${escapeRegExp(popup.title)}$`, "windowraise"]);
    await delay(500);
    const geometry = await windowGeometry(env, popup.title);

    const raw = join(work, "screen.png");
    await run("import", ["-window", "root", raw], { env: { ...process.env, ...env } });
    await mkdir(join(root, "docs"), { recursive: true });
    await run("convert", [raw, ...dialogFrame(geometry), "-strip", output]);

    await driver.clickInExtensionPage({ ...dialog, selector: "#close" });
    const result = await sending;
    if (result.outcome !== "rejected") throw new Error(`expected Sealpost to refuse the send, got ${JSON.stringify(result)}`);
    console.log(`wrote ${output}`);
  } finally {
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
    await cleanUp();
  }
}

await main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
