// The task pane: what Sealpost decides for the message being composed and why, each recipient's
// key, Seal and Unseal, and key import. DOM glue only: the work is in seal-flow.ts, key-rows.ts and
// key-store.ts, and every Outlook call goes through host/office-compose.ts.
import { createKeyFinder, type KeyFinder, type KeyLookup, readPublicKeys, sealMessage } from "@sealpost/core/openpgp";
import {
  createOfficeEditor,
  createOfficeHost,
  officeLanguage,
  officeReady,
  officeRoamingSettings,
  onRecipientsChanged,
} from "../host/office-compose.js";
import { say } from "../launch/messages.js";
import { createPolicySource, type FetchText, POLICY_TIMINGS, type SealpostConfig } from "../launch/policy-source.js";
import { type CheckResult, checkMessage, SEND_DEADLINE_MS } from "../launch/send-check.js";
import { describeError } from "../shared/errors.js";
import { createImportedKeyStore, type ImportResult } from "./key-store.js";
import { paneKeySources } from "./key-sources.js";
import { groupFingerprint, keyLine, lookupAddresses, type RecipientRow, recipientRows, sealPlan } from "./key-rows.js";
import { type PaneMessageKey, sayPane } from "./pane-messages.js";
import { type PaneModel, paneModel } from "./pane-model.js";
import { restoreKeys } from "./restore-keys.js";
import { type FlowResult, readRecord, sealItem, unsealItem } from "./seal-flow.js";

const config: SealpostConfig = typeof __SEALPOST_CONFIG__ === "object" ? __SEALPOST_CONFIG__ : { baseUrl: "", builtInPolicy: null };
const fetchText: FetchText = (url) => fetch(url, { cache: "no-cache" });
// The task pane has no OfficeRuntime.storage in Outlook: the policy is kept in memory.
const policy = createPolicySource({ config, fetch: fetchText, storage: () => undefined, now: () => Date.now(), ...POLICY_TIMINGS });
const fetchBytes = (url: string, init: { signal: AbortSignal; headers?: Record<string, string> }) =>
  fetch(url, {
    signal: init.signal,
    ...(init.headers === undefined ? {} : { headers: init.headers }),
    cache: "no-cache",
    credentials: "omit",
  });

interface PaneState {
  locale: string;
  result?: CheckResult;
  rows: RecipientRow[];
  sealed: boolean;
  busy: boolean;
  lookupProblem?: string;
}

const state: PaneState = { locale: "en", rows: [], sealed: false, busy: false };
let running = 0;
let finder: { policy: unknown; finder: KeyFinder } | undefined;

const store = () => createImportedKeyStore(officeRoamingSettings(Office), (input) => readPublicKeys(input));

function keyFinder(result: CheckResult): KeyFinder {
  const compiled = result.policy?.kind === "active" ? result.policy.policy : null;
  if (finder?.policy === compiled) return finder.finder;
  // Without roaming settings (an Outlook that offers none here) there are no imported keys to ask.
  let imported: ReturnType<typeof store> | undefined;
  try {
    imported = store();
  } catch {
    imported = undefined;
  }
  const sources = paneKeySources(fetchBytes, imported);
  finder = { policy: compiled, finder: createKeyFinder({ policy: compiled, sources }) };
  return finder.finder;
}

async function refresh(): Promise<void> {
  const run = ++running;
  state.locale = officeLanguage(Office);
  show(element("status"), say(state.locale, "pane.checking"));
  try {
    const result = await checkMessage(createOfficeHost(Office), { policy, deadlineMs: SEND_DEADLINE_MS * 3, alwaysReadEncryption: true });
    if (run !== running) return;
    state.result = result;
    state.locale = result.decision.locale;
    state.rows = recipientRows(result, []);
    state.sealed = (await readRecord(createOfficeEditor(Office)).catch(() => undefined)) !== undefined;
    render(paneModel(result));
    let lookups: KeyLookup[] = [];
    try {
      lookups = await keyFinder(result).find(lookupAddresses(result));
      delete state.lookupProblem;
    } catch (error) {
      state.lookupProblem = describeError(error);
    }
    if (run !== running) return;
    state.rows = recipientRows(result, lookups);
    renderRecipients(paneModel(result));
    renderActions();
  } catch (error) {
    if (run === running) show(element("status"), say(state.locale, "pane.error", { reason: describeError(error) }));
  }
}

function render(model: PaneModel): void {
  const locale = state.locale;
  document.documentElement.lang = locale;
  element("status").className = `verdict ${model.verdict}`;
  show(element("status"), model.summary);
  heading("policy-title", "pane.policy");
  show(element("policy"), model.policy);
  heading("recipients-title", "pane.recipients");
  renderRecipients(model);
  heading("account-title", "pane.account");
  show(element("account"), model.account);
  heading("encryption-title", "pane.encryption");
  show(element("encryption"), model.encryption);
  heading("todo-title", "pane.todo");
  fill(
    element("todo"),
    model.todo.map((line) => {
      const item = document.createElement("li");
      item.textContent = line;
      return item;
    }),
  );
  element("refresh").textContent = say(locale, "pane.refresh");
  element("seal").textContent = sayPane(locale, "seal.button");
  element("unseal").textContent = sayPane(locale, "unseal.button");
  show(element("seal-hint"), sayPane(locale, "seal.hint"));
  paneHeading("import-title", "import.title");
  paneHeading("import-text-label", "import.paste");
  paneHeading("import-file-label", "import.file");
  element("import").textContent = sayPane(locale, "import.button");
  paneHeading("imported-title", "imported.title");
  renderActions();
  void renderImported();
}

function renderRecipients(model: PaneModel): void {
  const locale = state.locale;
  fill(
    element("recipients"),
    model.recipients.map((recipient, index) => {
      const row = state.rows[index];
      const item = document.createElement("li");
      item.className = recipient.protected ? "protected" : "unprotected";
      item.appendChild(span("address", recipient.address));
      item.appendChild(span("status", recipient.status));
      if (row !== undefined) {
        const key = span(
          "key",
          state.lookupProblem === undefined ? keyLine(locale, row) : sayPane(locale, "keys.unavailable", { reason: state.lookupProblem }),
        );
        key.dataset.status = state.lookupProblem !== undefined ? "unavailable" : (row.lookup?.status ?? "pending");
        item.appendChild(key);
      }
      return item;
    }),
  );
}

/** Seal and Unseal stay focusable when unavailable (aria-disabled), and say why beside them. */
function renderActions(): void {
  const locale = state.locale;
  const editor = createOfficeEditor(Office);
  let sealWhy: string | undefined;
  let unsealWhy: string | undefined;
  const plan = sealPlan(state.rows);
  if (state.busy) sealWhy = unsealWhy = sayPane(locale, "seal.why-busy");
  else if (!editor.supports("1.11")) sealWhy = unsealWhy = sayPane(locale, "seal.why-no-support");
  else if (state.sealed) {
    sealWhy = sayPane(locale, "seal.why-sealed");
  } else {
    unsealWhy = sayPane(locale, "unseal.why-not-sealed");
    if (state.rows.length === 0) sealWhy = sayPane(locale, "seal.why-no-recipients");
    else if (!plan.ok) sealWhy = sayPane(locale, "seal.why-missing", { addresses: plan.missing.join(", ") });
    else if (state.rows.some((row) => row.lookup === undefined)) sealWhy = sayPane(locale, "keys.looking");
  }
  setAvailable("seal", "seal-why", sealWhy);
  setAvailable("unseal", "unseal-why", unsealWhy);
}

function setAvailable(button: string, why: string, reason: string | undefined): void {
  const target = element(button);
  target.setAttribute("aria-disabled", reason === undefined ? "false" : "true");
  target.setAttribute("aria-describedby", why);
  const note = element(why);
  note.hidden = reason === undefined;
  show(note, reason ?? "");
}

async function onSeal(): Promise<void> {
  if (element("seal").getAttribute("aria-disabled") === "true" || state.result === undefined) return;
  const locale = state.locale;
  const plan = sealPlan(state.rows);
  if (!plan.ok) return;
  await act(sayPane(locale, "seal.working"), async () => {
    const result = await sealItem(
      { editor: createOfficeEditor(Office), seal: sealMessage, restore: restoreKeys },
      {
        keys: plan.keys,
        recipients: plan.recipients,
        ...(plan.protectSubject ? { neutralSubject: sayPane(locale, "subject.neutral") } : {}),
      },
    );
    if (!result.ok) return { text: flowText(locale, result), focus: "action-status" };
    const keys = plan.keys.map((key) => groupFingerprint(key.fingerprint)).join(", ");
    let text = sayPane(locale, "seal.done", { count: String(result.parts - 1), keys });
    if (plan.protectSubject) text += ` ${sayPane(locale, "seal.subject-protected", { subject: sayPane(locale, "subject.neutral") })}`;
    return { text, focus: "unseal" };
  });
}

async function onUnseal(): Promise<void> {
  if (element("unseal").getAttribute("aria-disabled") === "true") return;
  const locale = state.locale;
  await act(sayPane(locale, "unseal.working"), async () => {
    const result = await unsealItem({ editor: createOfficeEditor(Office), restore: restoreKeys });
    if (!result.ok) return { text: flowText(locale, result), focus: "action-status" };
    return { text: sayPane(locale, "unseal.done"), focus: "seal" };
  });
}

/** Runs Seal or Unseal: announces it, keeps both buttons unavailable meanwhile, then moves focus. */
async function act(working: string, run: () => Promise<{ text: string; focus: string }>): Promise<void> {
  state.busy = true;
  renderActions();
  announce(working);
  let outcome: { text: string; focus: string };
  try {
    outcome = await run();
  } catch (error) {
    outcome = { text: describeError(error), focus: "action-status" };
  }
  state.busy = false;
  await refresh();
  announce(outcome.text);
  element(outcome.focus).focus();
}

function flowText(locale: string, result: FlowResult): string {
  if (result.ok) return "";
  const problem = result.problem;
  switch (problem.code) {
    case "already-sealed":
      return sayPane(locale, "flow.already-sealed");
    case "not-sealed":
      return sayPane(locale, "flow.not-sealed");
    case "not-a-file":
      return sayPane(locale, "flow.not-a-file", { name: problem.name });
    case "too-big":
      return sayPane(locale, "flow.too-big", {
        part: problem.part === "body" ? sayPane(locale, "flow.body") : `“${problem.part}”`,
        limit: problem.limit,
      });
    case "record-too-big":
      return sayPane(locale, "flow.record-too-big", {
        size: problem.size.toLocaleString(locale),
        limit: problem.limit.toLocaleString(locale),
      });
    case "changed":
      return sayPane(locale, "flow.changed", { part: problem.part, reason: problem.reason });
    case "failed":
      return problem.rollback.length === 0
        ? sayPane(locale, "flow.failed", { step: problem.step, reason: problem.reason })
        : sayPane(locale, "flow.failed-leftover", { step: problem.step, reason: problem.reason, left: problem.rollback.join("; ") });
  }
}

async function onImport(): Promise<void> {
  const locale = state.locale;
  const text = (element("import-text") as HTMLTextAreaElement).value.trim();
  const file = (element("import-file") as HTMLInputElement).files?.[0];
  if (text === "" && file === undefined) {
    importStatus(sayPane(locale, "import.why-empty"));
    return;
  }
  let result: ImportResult;
  try {
    const input = text !== "" ? text : keyFileContent(new Uint8Array(await (file as File).arrayBuffer()));
    result = await store().add(input);
  } catch (error) {
    result = { ok: false, code: "failed", reason: describeError(error) };
  }
  importStatus(importText(locale, result));
  if (result.ok) {
    (element("import-text") as HTMLTextAreaElement).value = "";
    (element("import-file") as HTMLInputElement).value = "";
    // The finder caches answers; imported keys must count at once.
    finder = undefined;
    await refresh();
  }
}

/** A key file is armored text (.asc) or binary (.gpg, .pgp); armor is told by its first line. */
function keyFileContent(bytes: Uint8Array): string | Uint8Array {
  const head = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, 64)).trimStart();
  return head.startsWith("-----BEGIN PGP") ? new TextDecoder("utf-8", { fatal: false }).decode(bytes) : bytes;
}

function importText(locale: string, result: ImportResult): string {
  if (result.ok) {
    return result.imported
      .map((key) => sayPane(locale, "import.done", { fingerprint: groupFingerprint(key.fingerprint), addresses: key.addresses.join(", ") }))
      .join(" ");
  }
  if (result.code === "none") return sayPane(locale, "import.none");
  if (result.code === "no-address") return sayPane(locale, "import.no-address");
  if (result.code === "full") return sayPane(locale, "import.full");
  if (result.code === "refused") return sayPane(locale, "import.refused", { reason: result.problem?.message ?? "?" });
  return sayPane(locale, "import.failed", { reason: result.reason ?? "?" });
}

async function renderImported(): Promise<void> {
  const locale = state.locale;
  const list = element("imported");
  let keys;
  try {
    keys = await store().keys();
  } catch (error) {
    fill(list, [listItem(sayPane(locale, "import.failed", { reason: describeError(error) }))]);
    return;
  }
  if (keys.length === 0) {
    fill(list, [listItem(sayPane(locale, "imported.none"))]);
    return;
  }
  fill(
    list,
    keys.map((read) => {
      const fingerprint = read.ok ? read.key.fingerprint : (read.fingerprint ?? "?");
      const item = listItem(
        read.ok
          ? `${groupFingerprint(fingerprint)} — ${read.key.addresses.join(", ")}`
          : `${groupFingerprint(fingerprint)} — ${read.problem.message}`,
      );
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "subtle";
      remove.textContent = "✕";
      remove.setAttribute("aria-label", sayPane(locale, "imported.remove", { fingerprint: groupFingerprint(fingerprint) }));
      remove.addEventListener("click", () => {
        void store()
          .remove(fingerprint)
          .then(() => {
            importStatus(sayPane(locale, "imported.removed", { fingerprint: groupFingerprint(fingerprint) }));
            finder = undefined;
            return refresh();
          })
          .catch((error: unknown) => importStatus(sayPane(locale, "import.failed", { reason: describeError(error) })));
      });
      item.appendChild(remove);
      return item;
    }),
  );
}

function announce(text: string): void {
  show(element("action-status"), text);
}

function importStatus(text: string): void {
  show(element("import-status"), text);
}

// appendChild rather than replaceChildren: older Outlook builds show task panes in older webviews.
function fill(list: HTMLElement, items: readonly HTMLElement[]): void {
  list.textContent = "";
  for (const item of items) list.appendChild(item);
}

function listItem(text: string): HTMLElement {
  const item = document.createElement("li");
  item.appendChild(span("text", text));
  return item;
}

function span(className: string, text: string): HTMLElement {
  const node = document.createElement("span");
  node.className = className;
  node.textContent = text;
  return node;
}

function heading(id: string, key: Parameters<typeof say>[1]): void {
  show(element(id), say(state.locale, key));
}

function paneHeading(id: string, key: PaneMessageKey): void {
  show(element(id), sayPane(state.locale, key));
}

// Text only, never markup: addresses and the policy's messages are not trusted as HTML.
function show(target: HTMLElement, text: string): void {
  target.textContent = text;
}

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`taskpane.html has no #${id}`);
  return found;
}

void officeReady(Office).then(() => {
  element("refresh").addEventListener("click", () => void refresh());
  element("seal").addEventListener("click", () => void onSeal());
  element("unseal").addEventListener("click", () => void onUnseal());
  element("import").addEventListener("click", () => void onImport());
  // The pane follows the recipients as they change; without that, "Check again" still works.
  onRecipientsChanged(Office, () => void refresh()).catch(() => undefined);
  void refresh();
});
