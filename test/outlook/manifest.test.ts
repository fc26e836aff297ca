// Consistency of Sealpost for Outlook as shipped: both manifests against Microsoft's documented rules and against
// each other, the names they share with the add-in's code, and the static site that scripts/build-outlook.mjs writes.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { AppManifestUtils, type TeamsManifest } from "@microsoft/app-manifest";
import { DOMParser, onWarningStopParsing, type Document as XmlDocument, type Element as XmlElement } from "@xmldom/xmldom";
import { parse } from "acorn";
import { unzipSync } from "fflate";
import { OfficeAddinManifest } from "office-addin-manifest";

// The build script is plain JavaScript; this is the part of its API the tests use.
interface BuildOptions {
  baseUrl?: string;
  policyFile?: string;
  builtInPolicy?: boolean;
  officeJs?: "cdn" | "local";
  outDir?: string;
}
interface RenderedManifests {
  baseUrl: string;
  xml: string;
  json: string;
  localizations: Record<string, string>;
}
interface BuildModule {
  buildOutlook: (root: string, options?: BuildOptions) => Promise<{ out: string; baseUrl: string }>;
  renderOutlookManifests: (root: string, options?: { baseUrl?: string }) => Promise<RenderedManifests>;
  normalizeBaseUrl: (url: string) => string;
  OFFICE_JS_CDN: string;
  OFFICE_JS_LOCAL: string;
  APP_PACKAGE: string;
}
const buildScript = new URL("../../scripts/build-outlook.mjs", import.meta.url).href;
const { buildOutlook, renderOutlookManifests, normalizeBaseUrl, OFFICE_JS_CDN, OFFICE_JS_LOCAL, APP_PACKAGE } = (await import(
  buildScript
)) as BuildModule;

interface ManifestIds {
  sendFunction: string;
  recipientsFunction: string;
  taskPaneCommandId: string;
  notificationIcon: string;
}
interface UnifiedAction {
  id: string;
  type: string;
}
interface UnifiedRuntime {
  id: string;
  code: { page: string; script?: string };
  lifetime?: string;
  actions: UnifiedAction[];
}
interface UnifiedControl {
  id: string;
  label: string;
  actionId: string;
  icons: { size: number; url: string }[];
  supertip: { title: string; description: string };
}
interface Requirements {
  scopes?: string[];
  capabilities?: { name: string; minVersion?: string }[];
}
interface UnifiedManifest {
  $schema: string;
  id: string;
  version: string;
  localizationInfo: { defaultLanguageTag: string; additionalLanguages?: { languageTag: string; file: string }[] };
  name: { short: string; full?: string };
  description: { short: string; full: string };
  icons: { color: string; outline: string };
  authorization: { permissions: { resourceSpecific: { name: string; type: string }[] } };
  extensions: {
    requirements: Requirements;
    runtimes: UnifiedRuntime[];
    ribbons: {
      contexts: string[];
      tabs: { builtInTabId?: string; groups: { id: string; label: string; controls: UnifiedControl[] }[] }[];
    }[];
    autoRunEvents: { requirements: Requirements; events: { type: string; actionId: string; options?: { sendMode?: string } }[] }[];
    alternates?: { hide?: { customOfficeAddin?: { officeAddinId: string } } }[];
  }[];
}
interface LocalizationSchema {
  properties: Record<string, { maxLength?: number }>;
  patternProperties: Record<string, { maxLength?: number }>;
}

const root = fileURLToPath(new URL("../../", import.meta.url));
const BASE = "https://addins.example.test/sealpost/";
const ids = JSON.parse(readFileSync(join(root, "packages/outlook/manifest-ids.json"), "utf8")) as ManifestIds;
const rendered = await renderOutlookManifests(root, { baseUrl: BASE });
const unified = JSON.parse(rendered.json) as UnifiedManifest;
const extension = one(unified.extensions, "extension");

const OFFICE = "http://schemas.microsoft.com/office/appforoffice/1.1";
const BT = "http://schemas.microsoft.com/office/officeappbasictypes/1.0";
const MAIL_1_0 = "http://schemas.microsoft.com/office/mailappversionoverrides";
const MAIL_1_1 = "http://schemas.microsoft.com/office/mailappversionoverrides/1.1";
const XSI = "http://www.w3.org/2001/XMLSchema-instance";

// Orders from Microsoft's "How to find the proper order of manifest elements" (manifest-element-ordering.md).
const MAIL_APP_ORDER = [
  "Id",
  "AlternateId",
  "Version",
  "ProviderName",
  "DefaultLocale",
  "DisplayName",
  "Description",
  "IconUrl",
  "HighResolutionIconUrl",
  "SupportUrl",
  "AppDomains",
  "Hosts",
  "Requirements",
  "FormSettings",
  "Permissions",
  "Rule",
  "DisableEntityHighlighting",
  "VersionOverrides",
];
const VERSION_OVERRIDES_1_1_ORDER = [
  "Description",
  "Requirements",
  "Hosts",
  "Resources",
  "WebApplicationInfo",
  "EquivalentAddins",
  "ConnectedServiceControls",
  "ExtendedPermissions",
];
const RESOURCES_ORDER = ["Images", "Urls", "ShortStrings", "LongStrings"];
// The ordering page predates Runtimes; every event-based manifest in Microsoft's docs and samples puts it first.
const MAIL_HOST_ORDER = ["Runtimes", "DesktopFormFactor", "MobileFormFactor"];
const CONTROL_ORDER = ["Label", "Supertip", "Icon", "Action"];
const EVENT_NAMES: Record<string, string> = { OnMessageSend: "messageSending", OnMessageRecipientsChanged: "messageRecipientsChanged" };

function one<T>(items: readonly T[], what: string): T {
  assert.equal(items.length, 1, `exactly one ${what}`);
  return items[0] as T;
}

function parseXml(text: string): XmlDocument {
  // Any warning stops the parse: a manifest Office might read differently from us is a failure.
  return new DOMParser({ onError: onWarningStopParsing }).parseFromString(text, "text/xml");
}

const xml = parseXml(rendered.xml);
const officeApp = xml.documentElement as XmlElement;

function children(parent: XmlElement, name?: string): XmlElement[] {
  return [...parent.children].filter((element) => name === undefined || element.localName === name);
}

function child(parent: XmlElement, name: string): XmlElement {
  return one(children(parent, name), `<${name}> in <${parent.localName ?? ""}>`);
}

function assertOrder(parent: XmlElement, order: readonly string[]): void {
  const names = children(parent).map((element) => element.localName ?? "");
  let last = -1;
  for (const name of names) {
    const position = order.indexOf(name);
    assert.ok(position >= 0, `<${name}> may appear in <${parent.localName ?? ""}>`);
    assert.ok(position >= last, `<${name}> comes after ${order[last] ?? "nothing"} in <${parent.localName ?? ""}>: ${names.join(", ")}`);
    last = position;
  }
}

function atLeast(version: string, minimum: string): boolean {
  const [a, b] = [version, minimum].map((text) => text.split(".").map(Number));
  for (let i = 0; i < Math.max(a?.length ?? 0, b?.length ?? 0); i++) {
    const difference = (a?.[i] ?? 0) - (b?.[i] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  return true;
}

const versionOverrides = child(officeApp, "VersionOverrides");
const overrides = child(versionOverrides, "VersionOverrides");
const mailHost = child(child(overrides, "Hosts"), "Host");
const desktop = child(mailHost, "DesktopFormFactor");
const extensionPoint = (type: string): XmlElement =>
  one(
    children(desktop, "ExtensionPoint").filter((point) => point.getAttributeNS(XSI, "type") === type),
    `ExtensionPoint ${type}`,
  );
const resources = child(overrides, "Resources");
// Resources by kind: bt:Image also names the images of a button's <Icon>, so only Resources' own count here.
const resource = (list: string, kind: string): XmlElement[] => children(child(resources, list), kind);
const strings = [...resource("ShortStrings", "String"), ...resource("LongStrings", "String")];
const resourceUrl = (resid: string): string => {
  const url = resource("Urls", "Url").find((element) => element.getAttribute("id") === resid);
  assert.ok(url, `bt:Url ${resid} exists`);
  return url.getAttribute("DefaultValue") ?? "";
};
const launchEvents = children(child(extensionPoint("LaunchEvent"), "LaunchEvents"), "LaunchEvent");

function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.equal(bytes.subarray(0, 8).toString("hex"), "89504e470d0a1a0a", "a PNG file");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe("the add-in only manifest (XML)", () => {
  it("is well-formed XML: a MailApp in Office's manifest namespace", () => {
    assert.equal(officeApp.namespaceURI, OFFICE);
    assert.equal(officeApp.localName, "OfficeApp");
    assert.equal(officeApp.getAttributeNS(XSI, "type"), "MailApp");
  });

  it("keeps the base elements in the order the schema requires, with the ones a mail add-in must have", () => {
    assertOrder(officeApp, MAIL_APP_ORDER);
    const names = children(officeApp).map((element) => element.localName);
    for (const required of [
      "Id",
      "Version",
      "ProviderName",
      "DefaultLocale",
      "DisplayName",
      "Description",
      "Requirements",
      "FormSettings",
      "Permissions",
      "Rule",
    ]) {
      assert.ok(names.includes(required), `<${required}> is present`);
    }
  });

  it("nests VersionOverrides 1.1 in 1.0, with Requirements, Hosts and Resources in that order", () => {
    assert.equal(versionOverrides.namespaceURI, MAIL_1_0);
    assert.equal(versionOverrides.getAttributeNS(XSI, "type"), "VersionOverridesV1_0");
    assert.equal(overrides.namespaceURI, MAIL_1_1);
    assert.equal(overrides.getAttributeNS(XSI, "type"), "VersionOverridesV1_1");
    assertOrder(overrides, VERSION_OVERRIDES_1_1_ORDER);
    for (const name of ["Requirements", "Hosts", "Resources"]) child(overrides, name);
    assertOrder(resources, RESOURCES_ORDER);
    assertOrder(mailHost, MAIL_HOST_ORDER);
    assert.equal(mailHost.getAttributeNS(XSI, "type"), "MailHost");
  });

  it("requires Mailbox 1.12 or later, where OnMessageSend begins", () => {
    const sets = child(child(overrides, "Requirements"), "Sets");
    const mailbox = one(
      children(sets, "Set").filter((set) => set.getAttribute("Name")?.toLowerCase() === "mailbox"),
      "Mailbox set",
    );
    const version = mailbox.getAttribute("MinVersion") ?? sets.getAttribute("DefaultMinVersion") ?? "";
    assert.ok(atLeast(version, "1.12"), `Mailbox ${version} is at least 1.12`);
  });

  it("has one Runtime: the HTML page for most clients, one JavaScript override for classic Outlook", () => {
    const runtime = child(child(mailHost, "Runtimes"), "Runtime");
    const override = child(runtime, "Override");
    assert.equal(override.getAttribute("type"), "javascript");
    assert.equal(resourceUrl(runtime.getAttribute("resid") ?? ""), `${BASE}commands.html`);
    assert.equal(resourceUrl(override.getAttribute("resid") ?? ""), `${BASE}launchevent.js`);
    // The LaunchEvent extension point must name the same resource as the Runtime.
    const source = child(extensionPoint("LaunchEvent"), "SourceLocation");
    assert.equal(source.getAttribute("resid"), runtime.getAttribute("resid"));
    assertOrder(extensionPoint("LaunchEvent"), ["LaunchEvents", "SourceLocation"]);
  });

  it("gates Send with OnMessageSend in Block mode and watches recipient changes, with the handlers' shared names", () => {
    const send = one(
      launchEvents.filter((event) => event.getAttribute("Type") === "OnMessageSend"),
      "OnMessageSend",
    );
    assert.equal(send.getAttribute("FunctionName"), ids.sendFunction);
    assert.equal(send.getAttribute("SendMode"), "Block");
    const recipients = one(
      launchEvents.filter((event) => event.getAttribute("Type") === "OnMessageRecipientsChanged"),
      "OnMessageRecipientsChanged",
    );
    assert.equal(recipients.getAttribute("FunctionName"), ids.recipientsFunction);
    assert.deepEqual(launchEvents.map((event) => event.getAttribute("Type")).sort(), ["OnMessageRecipientsChanged", "OnMessageSend"]);
  });

  it("opens the task pane from a compose button whose id the Smart Alerts dialog names", () => {
    const compose = extensionPoint("MessageComposeCommandSurface");
    const group = child(child(compose, "OfficeTab"), "Group");
    const control = child(group, "Control");
    assert.equal(control.getAttribute("id"), ids.taskPaneCommandId);
    assertOrder(control, CONTROL_ORDER);
    const action = child(control, "Action");
    assert.equal(action.getAttributeNS(XSI, "type"), "ShowTaskpane");
    assert.equal(resourceUrl(child(action, "SourceLocation").getAttribute("resid") ?? ""), `${BASE}taskpane.html`);
    const sizes = children(child(control, "Icon"), "Image").map((image) => image.getAttribute("size"));
    assert.deepEqual(sizes, ["16", "32", "80"]);
  });

  it("defines the image that the recipients info bar names as its icon", () => {
    // notificationMessages takes the id of an image in the manifest's Resources; classic Outlook shows it.
    const image = resource("Images", "Image").find((element) => element.getAttribute("id") === ids.notificationIcon);
    assert.ok(image, `bt:Image ${ids.notificationIcon} exists`);
    assert.ok(image.getAttribute("DefaultValue")?.endsWith("-16.png"));
  });

  it("defines every resid it uses, by the kind of resource it needs, each at most 32 characters", () => {
    const defined = new Map<string, string>();
    for (const [list, kind] of [
      ["Images", "Image"],
      ["Urls", "Url"],
      ["ShortStrings", "String"],
      ["LongStrings", "String"],
    ] as const) {
      for (const element of resource(list, kind)) {
        const id = element.getAttribute("id") ?? "";
        assert.ok(id && !defined.has(id), `resource id ${id} is unique`);
        assert.equal(element.namespaceURI, BT);
        defined.set(id, kind === "String" ? list : kind);
      }
    }
    const expected: Record<string, string> = {
      Label: "ShortStrings",
      Title: "ShortStrings",
      Description: "LongStrings",
      Image: "Image",
      SourceLocation: "Url",
      Runtime: "Url",
      Override: "Url",
    };
    const users = [...xml.getElementsByTagName("*")].filter((element) => element.hasAttribute("resid"));
    assert.ok(users.length >= 10);
    for (const element of users) {
      const resid = element.getAttribute("resid") ?? "";
      assert.ok(resid.length <= 32, `resid ${resid} is at most 32 characters`);
      assert.equal(
        defined.get(resid),
        expected[element.localName ?? ""],
        `resid ${resid} of <${element.localName ?? ""}> is defined as it needs`,
      );
    }
    for (const id of defined.keys()) assert.ok(id.length <= 32, `resource id ${id} is at most 32 characters`);
  });

  it("gives every text users see in English and a German override, within Office's lengths", () => {
    const texts = [child(officeApp, "DisplayName"), child(officeApp, "Description"), ...strings];
    assert.equal(child(officeApp, "DefaultLocale").textContent, "en-US");
    for (const element of texts) {
      const id = element.getAttribute("id") ?? element.localName ?? "";
      const english = element.getAttribute("DefaultValue") ?? "";
      const german = one(
        children(element, "Override").filter((override) => override.getAttribute("Locale") === "de-DE"),
        `de-DE override of ${id}`,
      ).getAttribute("Value");
      const limit = (element.parentNode as XmlElement | null)?.localName === "ShortStrings" ? 125 : 250;
      for (const text of [english, german ?? ""]) {
        assert.ok(text.trim().length > 0, `${id} has text`);
        assert.ok(text.length <= limit, `${id} fits ${limit} characters: ${text}`);
      }
    }
  });

  it("names icons of 16, 32, 64, 80 and 128 pixels that ship as PNGs of those sizes", () => {
    const urls = [
      child(officeApp, "IconUrl").getAttribute("DefaultValue") ?? "",
      child(officeApp, "HighResolutionIconUrl").getAttribute("DefaultValue") ?? "",
      ...resource("Images", "Image").map((image) => image.getAttribute("DefaultValue") ?? ""),
    ];
    const sizes = urls.map((url) => {
      const file = join(root, "packages/outlook/static", url.slice(BASE.length));
      const { width, height } = pngSize(readFileSync(file));
      assert.equal(width, height, `${url} is square`);
      assert.ok(url.endsWith(`-${width}.png`), `${url} is ${width} pixels as its name says`);
      return width;
    });
    assert.deepEqual(
      [...new Set(sizes)].sort((a, b) => a - b),
      [16, 32, 64, 80, 128],
    );
  });
});

describe("the unified manifest (JSON)", () => {
  it("validates offline against the schema that @microsoft/app-manifest bundles for its $schema", async () => {
    const schema = bundledSchema(unified.$schema);
    const failures = await AppManifestUtils.validateAgainstSchema(unified as unknown as TeamsManifest, schema as ValidationSchema);
    assert.deepEqual(failures, []);
  });

  it("is really checked: the same validation rejects a send mode the schema does not know", async () => {
    const broken = structuredClone(unified);
    const sending = broken.extensions[0]?.autoRunEvents[0]?.events.find((event) => event.type === "messageSending");
    assert.ok(sending?.options);
    sending.options.sendMode = "Block";
    const failures = await AppManifestUtils.validateAgainstSchema(
      broken as unknown as TeamsManifest,
      bundledSchema(broken.$schema) as ValidationSchema,
    );
    assert.ok(
      failures.some((failure) => failure.includes("sendMode")),
      failures.join("\n"),
    );
  });

  it("runs both handlers in one short-lived runtime: the HTML page, and the script for classic Outlook", () => {
    const runtime = one(
      extension.runtimes.filter((candidate) => candidate.actions.some((action) => action.id === ids.sendFunction)),
      "event runtime",
    );
    assert.equal(runtime.code.page, `${BASE}commands.html`);
    assert.equal(runtime.code.script, `${BASE}launchevent.js`);
    assert.equal(runtime.lifetime, "short");
    const functions = runtime.actions.filter((action) => action.type === "executeFunction").map((action) => action.id);
    assert.deepEqual(functions.sort(), [ids.recipientsFunction, ids.sendFunction].sort());
  });

  it("blocks on messageSending and watches messageRecipientsChanged, from Mailbox 1.12", () => {
    const auto = one(extension.autoRunEvents, "autoRunEvents entry");
    const mailbox = auto.requirements.capabilities?.find((capability) => capability.name.toLowerCase() === "mailbox");
    assert.ok(mailbox?.minVersion && atLeast(mailbox.minVersion, "1.12"));
    const extensionMailbox = extension.requirements.capabilities?.find((capability) => capability.name.toLowerCase() === "mailbox");
    assert.ok(extensionMailbox?.minVersion && atLeast(extensionMailbox.minVersion, "1.12"));
    const sending = one(
      auto.events.filter((event) => event.type === "messageSending"),
      "messageSending",
    );
    assert.equal(sending.actionId, ids.sendFunction);
    assert.deepEqual(sending.options, { sendMode: "block" });
    const recipients = one(
      auto.events.filter((event) => event.type === "messageRecipientsChanged"),
      "messageRecipientsChanged",
    );
    assert.equal(recipients.actionId, ids.recipientsFunction);
  });

  it("opens the task pane from a compose button with the same id as the XML manifest's", () => {
    const ribbon = one(extension.ribbons, "ribbon");
    assert.deepEqual(ribbon.contexts, ["mailCompose"]);
    const control = one(
      ribbon.tabs
        .flatMap((tab) => tab.groups.flatMap((group) => group.controls))
        .filter((candidate) => candidate.id === ids.taskPaneCommandId),
      "task pane button",
    );
    const runtime = one(
      extension.runtimes.filter((candidate) => candidate.actions.some((action) => action.id === control.actionId)),
      "task pane runtime",
    );
    assert.equal(runtime.actions.find((action) => action.id === control.actionId)?.type, "openPage");
    assert.equal(runtime.code.page, `${BASE}taskpane.html`);
    // With this manifest, info bar notifications show the first icon of the first ribbon control.
    assert.equal(extension.ribbons[0]?.tabs[0]?.groups[0]?.controls[0], control);
    assert.deepEqual(
      control.icons.map((icon) => icon.size),
      [16, 32, 80],
    );
  });

  it("has a German localization for every text users see, as the bundled localization schema allows", () => {
    const languages = unified.localizationInfo.additionalLanguages ?? [];
    const german = one(
      languages.filter((language) => language.languageTag === "de-de"),
      "de-de localization",
    );
    const text = rendered.localizations[german.file];
    assert.ok(text, `${german.file} is in manifests/outlook/`);
    const strings = JSON.parse(text) as Record<string, string>;
    const seen: Record<string, string | undefined> = {
      "name.short": unified.name.short,
      "name.full": unified.name.full,
      "description.short": unified.description.short,
      "description.full": unified.description.full,
    };
    extension.ribbons.forEach((ribbon, r) =>
      ribbon.tabs.forEach((tab, t) =>
        tab.groups.forEach((group, g) => {
          const at = `extensions[0].ribbons[${r}].tabs[${t}].groups[${g}]`;
          seen[`${at}.label`] = group.label;
          group.controls.forEach((control, c) => {
            seen[`${at}.controls[${c}].label`] = control.label;
            seen[`${at}.controls[${c}].supertip.title`] = control.supertip.title;
            seen[`${at}.controls[${c}].supertip.description`] = control.supertip.description;
          });
        }),
      ),
    );
    for (const [key, english] of Object.entries(seen)) {
      if (english === undefined) continue;
      assert.ok(english.trim().length > 0, `${key} has English text`);
      assert.ok(strings[key]?.trim(), `${german.file} translates ${key}`);
    }
    // @microsoft/app-manifest's validator cannot compile this schema (one of its patterns is invalid in
    // Unicode mode), so its keys and lengths are checked here against the same schema file.
    const schema = bundledSchema(strings.$schema ?? "") as LocalizationSchema;
    for (const [key, value] of Object.entries(strings)) {
      if (key === "$schema") continue;
      const rule =
        schema.properties[key] ?? Object.entries(schema.patternProperties).find(([pattern]) => new RegExp(pattern).test(key))?.[1];
      assert.ok(rule, `${key} is a key the localization schema knows`);
      assert.ok(
        value.trim().length > 0 && value.length <= (rule.maxLength ?? Infinity),
        `${key} fits ${rule.maxLength ?? "any"} characters`,
      );
    }
  });
});

type ValidationSchema = Parameters<typeof AppManifestUtils.validateAgainstSchema>[1];

function bundledSchema(url: string): unknown {
  // The package keeps its schemas under build/json-schemas/, named as on developer.microsoft.com: reading the
  // file ourselves guarantees the validation never falls back to fetching.
  const { pathname, hostname } = new URL(url);
  assert.equal(hostname, "developer.microsoft.com");
  const build = dirname(createRequire(import.meta.url).resolve("@microsoft/app-manifest"));
  const file = join(build, pathname);
  assert.ok(existsSync(file), `@microsoft/app-manifest bundles ${pathname}`);
  return JSON.parse(readFileSync(file, "utf8"));
}

describe("the two manifests", () => {
  it("declare the same events, handlers and send modes", () => {
    const fromXml = launchEvents
      .map((event) => {
        const type = event.getAttribute("Type") ?? "";
        return `${EVENT_NAMES[type] ?? type} ${event.getAttribute("FunctionName") ?? ""} ${(event.getAttribute("SendMode") ?? "").toLowerCase()}`;
      })
      .sort();
    const fromJson = extension.autoRunEvents
      .flatMap((auto) => auto.events)
      .map((event) => `${event.type} ${event.actionId} ${(event.options?.sendMode ?? "").toLowerCase()}`)
      .sort();
    assert.deepEqual(fromJson, fromXml);
  });

  it("ask for the same item permission and hide the XML add-in where the unified one runs", () => {
    assert.equal(child(officeApp, "Permissions").textContent, "ReadWriteItem");
    assert.deepEqual(unified.authorization.permissions.resourceSpecific, [{ name: "MailboxItem.ReadWrite.User", type: "Delegated" }]);
    assert.equal(extension.alternates?.[0]?.hide?.customOfficeAddin?.officeAddinId, child(officeApp, "Id").textContent);
  });

  it("are both read by office-addin-manifest", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sealpost-manifests-"));
    try {
      await writeFile(join(dir, "manifest.xml"), rendered.xml);
      await writeFile(join(dir, "manifest.json"), rendered.json);
      const fromXml = await OfficeAddinManifest.readManifestFile(join(dir, "manifest.xml"));
      assert.equal(fromXml.officeAppType, "MailApp");
      assert.equal(fromXml.displayName, "Sealpost");
      assert.equal(fromXml.id, child(officeApp, "Id").textContent);
      assert.equal(fromXml.permissions, "ReadWriteItem");
      const fromJson = await OfficeAddinManifest.readManifestFile(join(dir, "manifest.json"));
      assert.equal(fromJson.displayName, "Sealpost");
      assert.equal(fromJson.id, unified.id);
      assert.deepEqual(fromJson.hosts, ["mail"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the base URL", () => {
  it("is https and a directory: a missing slash is added, anything else is refused", () => {
    assert.equal(normalizeBaseUrl("https://addins.example.test/sealpost"), BASE);
    assert.throws(() => normalizeBaseUrl("http://addins.example.test/"), /https/);
    assert.throws(() => normalizeBaseUrl("https://addins.example.test/?v=1"), /query/);
    assert.throws(() => normalizeBaseUrl("not a url"), /not a URL/);
  });
});

describe("the built site", () => {
  let work = "";
  let built: { out: string } | Error = new Error("not built yet");
  // Builds fail while the add-in's own code is missing; the tests that need the site then fail with that reason.
  const site = (): string => {
    if (built instanceof Error) throw built;
    return built.out;
  };
  const read = (name: string): Promise<string> => readFile(join(site(), name), "utf8");

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "sealpost-outlook-"));
    built = await buildOutlook(root, { baseUrl: BASE, outDir: join(work, "site") }).catch((error: unknown) =>
      error instanceof Error ? error : new Error(String(error)),
    );
  });
  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("associates every FunctionName of the XML manifest in launchevent.js", async () => {
    const associated = associatedNames(parse(await read("launchevent.js"), { ecmaVersion: 2016, sourceType: "script" }));
    const names = launchEvents.map((event) => event.getAttribute("FunctionName") ?? "");
    assert.deepEqual(names.sort(), [ids.recipientsFunction, ids.sendFunction].sort());
    for (const name of names) assert.ok(associated.includes(name), `Office.actions.associate("${name}", ...) in ${associated.join(", ")}`);
  });

  it("builds launchevent.js as one ES2016 script with no import or export", async () => {
    // As a script, ES2016 has neither import/export statements nor import(): acorn rejects any of them.
    const program = parse(await read("launchevent.js"), { ecmaVersion: 2016, sourceType: "script" });
    assert.ok(program.body.every((statement) => !statement.type.startsWith("Import") && !statement.type.startsWith("Export")));
  });

  it("loads Office.js from Microsoft's CDN and each page's own script", async () => {
    const commands = await read("commands.html");
    assert.ok(commands.includes(OFFICE_JS_CDN) && commands.includes("launchevent.js"));
    const taskpane = await read("taskpane.html");
    assert.ok(taskpane.includes(OFFICE_JS_CDN) && taskpane.includes("taskpane.js"));
    assert.ok((await read("taskpane.js")).length > 0);
  });

  it("points every URL in both built manifests at the base URL", async () => {
    const urls: string[] = [];
    const document = parseXml(await read("manifest.xml"));
    for (const element of [...document.getElementsByTagName("*")]) {
      for (const attribute of [...element.attributes]) {
        // Namespace names are identifiers, not addresses Office loads.
        if (attribute.name === "xmlns" || attribute.name.startsWith("xmlns:")) continue;
        if (/^https?:/i.test(attribute.value)) urls.push(attribute.value);
      }
      for (const node of [...element.childNodes]) {
        if (node.nodeType === node.TEXT_NODE && /^\s*https?:/i.test(node.nodeValue ?? "")) urls.push((node.nodeValue ?? "").trim());
      }
    }
    const walk = (value: unknown, key: string): void => {
      if (typeof value === "string" && key !== "$schema" && /^https?:/i.test(value)) urls.push(value);
      else if (Array.isArray(value)) value.forEach((item) => walk(item, key));
      else if (typeof value === "object" && value !== null) for (const [name, item] of Object.entries(value)) walk(item, name);
    };
    walk(JSON.parse(await read("manifest.json")), "");
    assert.ok(urls.length >= 15, `found ${urls.length} URLs`);
    for (const url of urls) assert.ok(url.startsWith(BASE), `${url} starts with ${BASE}`);
  });

  it("lists launchevent.js in the well-known file that lets classic Outlook's runtime fetch from the site", async () => {
    assert.deepEqual(JSON.parse(await read(".well-known/microsoft-officeaddins-allowed.json")), { allowed: [`${BASE}launchevent.js`] });
  });

  it("serves the policy, the icons and the pages the manifests link", async () => {
    assert.equal(await read("policy.json"), await readFile(join(root, "examples/banks-policy.json"), "utf8"));
    const linked = [...(await read("manifest.xml")).matchAll(/DefaultValue="([^"]+)"/g)]
      .map((match) => match[1] ?? "")
      .filter((url) => url.startsWith(BASE));
    for (const url of linked) {
      const path = new URL(url).pathname.slice(new URL(BASE).pathname.length);
      assert.ok(existsSync(join(site(), path)), `${path} is in the site`);
    }
  });

  it("packs the unified manifest with its localization and icons into the app package", async () => {
    const files = unzipSync(await readFile(join(site(), APP_PACKAGE)));
    assert.deepEqual(Object.keys(files).sort(), ["color.png", "de-de.json", "manifest.json", "outline.png"]);
    assert.equal(Buffer.from(files["manifest.json"] ?? []).toString("utf8"), await read("manifest.json"));
    assert.deepEqual(pngSize(Buffer.from(files["color.png"] ?? [])), { width: 192, height: 192 });
    assert.deepEqual(pngSize(Buffer.from(files["outline.png"] ?? [])), { width: 32, height: 32 });
  });

  it("rebuilds byte for byte from unchanged input", async () => {
    const first = site();
    const again = await buildOutlook(root, { baseUrl: BASE, outDir: join(work, "again") });
    const files = await listFiles(first);
    assert.deepEqual(await listFiles(again.out), files);
    for (const file of files)
      assert.ok((await readFile(join(first, file))).equals(await readFile(join(again.out, file))), `${file} is identical`);
  });

  it("with a local Office.js, serves the copy beside the pages and loads no CDN", async () => {
    site();
    const local = await buildOutlook(root, { baseUrl: BASE, officeJs: "local", outDir: join(work, "local") });
    for (const page of ["commands.html", "taskpane.html"]) {
      const html = await readFile(join(local.out, page), "utf8");
      assert.ok(html.includes(OFFICE_JS_LOCAL) && !html.includes(OFFICE_JS_CDN), `${page} loads ${OFFICE_JS_LOCAL}`);
    }
    assert.ok(existsSync(join(local.out, OFFICE_JS_LOCAL)));
    assert.ok(existsSync(join(local.out, "office-js/en-us/outlook_strings.js")));
  });
});

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

type AstNode = { type: string } & Record<string, unknown>;

/**
 * The names passed to `Office.actions.associate` in a bundle: string literals, or properties of an object literal
 * held in a variable (the minified form of `associate(MANIFEST_IDS.sendFunction, ...)`).
 */
function associatedNames(program: unknown): string[] {
  const nodes: AstNode[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === "object" && value !== null) {
      if (typeof (value as { type?: unknown }).type === "string") nodes.push(value as AstNode);
      Object.values(value).forEach(visit);
    }
  };
  visit(program);
  const isNamed = (node: unknown, name: string): boolean =>
    (node as AstNode | undefined)?.type === "Identifier" && (node as { name?: string }).name === name;
  const keyOf = (node: AstNode): unknown =>
    node.computed ? (node.property as { value?: unknown }).value : (node.property as { name?: unknown }).name;
  const objects = new Map<string, AstNode[]>();
  for (const node of nodes) {
    const id = node.id as AstNode | undefined;
    const init = node.init as AstNode | undefined;
    if (node.type === "VariableDeclarator" && id?.type === "Identifier" && init?.type === "ObjectExpression") {
      const name = String(id.name);
      objects.set(name, [...(objects.get(name) ?? []), init]);
    }
  }
  const resolve = (argument: AstNode | undefined): string | undefined => {
    if (argument?.type === "Literal" && typeof argument.value === "string") return argument.value;
    if (argument?.type !== "MemberExpression" || (argument.object as AstNode).type !== "Identifier") return undefined;
    const values = new Set(
      (objects.get(String((argument.object as AstNode).name)) ?? []).flatMap((object) =>
        (object.properties as AstNode[])
          .filter((property) => property.type === "Property")
          .filter((property) => {
            const key = property.key as AstNode;
            return (key.type === "Identifier" ? key.name : key.value) === keyOf(argument);
          })
          .map((property) => (property.value as AstNode).value)
          .filter((value): value is string => typeof value === "string"),
      ),
    );
    return values.size === 1 ? [...values][0] : undefined;
  };
  return nodes
    .filter((node) => node.type === "CallExpression")
    .filter((call) => {
      const callee = call.callee as AstNode;
      const object = callee.object as AstNode | undefined;
      return (
        callee.type === "MemberExpression" &&
        isNamed(callee.property, "associate") &&
        object?.type === "MemberExpression" &&
        isNamed(object.object, "Office") &&
        isNamed(object.property, "actions")
      );
    })
    .map((call) => resolve((call.arguments as AstNode[])[0]))
    .filter((name): name is string => name !== undefined);
}
