// The dialog window behind a refused or questioned send: why Sealpost stopped the message (or asks
// first), what fixes it, and the answer back to the background. Button ids are used by e2e tests.
import browser from "webextension-polyfill";
import { groupFindings } from "@sealpost/core";
import type { PromptView } from "../shared/protocol.js";
import { ask, BackgroundError, describe } from "./background-client.js";
import { localizePage, t } from "./i18n.js";
import { asciiAddresses, byId, h, reasonItem } from "./render.js";

const promptId = new URLSearchParams(location.search).get("prompt") ?? "";
const title = byId("title", HTMLHeadingElement);
const actions = byId("actions", HTMLDivElement);
const notice = byId("notice", HTMLParagraphElement);

// What Escape does: the safe answer of whatever the dialog currently shows.
let onEscape: () => void = () => window.close();

localizePage();
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || event.defaultPrevented) return;
  event.preventDefault();
  onEscape();
});
void load();

async function load(): Promise<void> {
  try {
    render(await ask({ type: "prompt-view", promptId }));
  } catch (error) {
    if (error instanceof BackgroundError && error.code === "prompt-gone") showGone();
    else showFailure(t("dialogLoadFailed", describe(error)));
  } finally {
    byId("main", HTMLElement).removeAttribute("aria-busy");
    await fitWindowToContent().catch(() => undefined);
  }
}

// The background can only guess the window's height before the page is laid out; once it is,
// the window grows to show every reason without scrolling, as far as the screen allows.
async function fitWindowToContent(): Promise<void> {
  const current = await browser.windows.getCurrent();
  if (current.id === undefined) return;
  const chrome = window.outerHeight - window.innerHeight;
  const wanted = Math.min(window.screen.availHeight - 40, document.documentElement.scrollHeight + chrome + 8);
  if (wanted > window.outerHeight) await browser.windows.update(current.id, { height: Math.ceil(wanted) });
}

function render(view: PromptView): void {
  if (view.kind === "encrypted") {
    renderEncrypted(view);
    return;
  }
  setTitle(view.kind === "block" ? t("dialogTitleBlock") : t("dialogTitleConfirm"));
  document.body.classList.add(view.kind);
  const lang = view.decision.locale;
  const summary = byId("summary", HTMLParagraphElement);
  summary.lang = lang;
  summary.textContent = view.decision.summary;
  summary.after(h("p", { class: "hint", id: "hint" }, view.kind === "block" ? t("dialogBlockHint") : t("dialogConfirmHint")));

  byId("subject", HTMLElement).textContent = view.subject.trim() === "" ? t("dialogNoSubject") : view.subject;
  byId("subject-line", HTMLParagraphElement).hidden = false;

  const reasons = groupFindings(view.decision.findings);
  const ascii = asciiAddresses(view.decision.findings);
  byId("reasons", HTMLUListElement).replaceChildren(...reasons.map((reason) => reasonItem(reason, lang, ascii)));
  byId("reasons-section", HTMLElement).hidden = reasons.length === 0;

  // The policy's own words, as its author wrote them (in the user's language where it has one).
  const ruleMessages = view.decision.ruleMessages;
  byId("rule-messages", HTMLUListElement).replaceChildren(
    ...ruleMessages.map((message) => h("li", { "data-rule": message.rule }, message.text)),
  );
  byId("rule-messages-section", HTMLElement).hidden = ruleMessages.length === 0;

  if (view.kind === "confirm") {
    const sendAnyway = h("button", { id: "send-anyway", type: "button" }, t("dialogSendAnyway"));
    const cancel = h("button", { id: "cancel", type: "button", class: "primary" }, t("dialogCancel"));
    sendAnyway.addEventListener("click", () => void answer("send"));
    cancel.addEventListener("click", () => void answer("cancel"));
    onEscape = () => void answer("cancel");
    actions.replaceChildren(sendAnyway, cancel);
    cancel.focus();
    return;
  }

  const close = closeButton();
  const technology = view.encryptWith;
  if (technology !== undefined && reasons.some((reason) => reason.code === "not-encrypted")) {
    const enable = h("button", { id: "enable-encryption", type: "button", "data-technology": technology }, t("dialogEnableEncryption"));
    enable.addEventListener("click", () => void enableEncryption(view.tabId, technology, enable, close));
    actions.replaceChildren(enable, close);
  } else {
    actions.replaceChildren(close);
  }
  onEscape = () => void closeBlocked();
  close.focus();
}

// Sealpost switched encryption on and the message is on its way: say so, name whom the policy
// protects, and offer nothing to decide.
function renderEncrypted(view: PromptView): void {
  const missing = view.missingKeys ?? [];
  setTitle(missing.length === 0 ? t("dialogTitleEncrypted") : t("dialogTitleNeedsKeys"));
  document.body.classList.add("encrypted");
  const recipients = [
    ...new Set(view.decision.findings.flatMap((finding) => finding.recipient?.display ?? finding.recipient?.address ?? [])),
  ];
  const technology = view.encryptWith ?? "OpenPGP";
  const summary = byId("summary", HTMLParagraphElement);
  if (missing.length === 0) {
    summary.textContent = t("dialogEncryptedSummary", recipients.join(", "), technology);
    summary.after(h("p", { class: "hint", id: "hint" }, t("dialogEncryptedHint")));
  } else {
    // Thunderbird now opens its Key Assistant and sends nothing until it has every key.
    summary.textContent = t("dialogNeedsKeysSummary", recipients.join(", "), technology, missing.join(", "));
    summary.after(h("p", { class: "hint", id: "hint" }, t("dialogNeedsKeysHint")));
  }
  byId("subject", HTMLElement).textContent = view.subject.trim() === "" ? t("dialogNoSubject") : view.subject;
  byId("subject-line", HTMLParagraphElement).hidden = false;
  byId("reasons-section", HTMLElement).hidden = true;
  byId("rule-messages-section", HTMLElement).hidden = true;
  const close = h("button", { id: "close", type: "button", class: "primary" }, t("dialogClose"));
  close.addEventListener("click", () => window.close());
  onEscape = () => window.close();
  actions.replaceChildren(close);
  close.focus();
}

function closeButton(): HTMLButtonElement {
  const close = h("button", { id: "close", type: "button", class: "primary" }, t("dialogClose"));
  close.addEventListener("click", () => void closeBlocked());
  return close;
}

async function enableEncryption(
  tabId: number,
  technology: "OpenPGP" | "S/MIME",
  button: HTMLButtonElement,
  close: HTMLButtonElement,
): Promise<void> {
  button.disabled = true;
  try {
    await ask({ type: "enable-encryption", tabId, technology });
  } catch (error) {
    button.disabled = false;
    say(t("dialogEncryptionFailed", describe(error)), "error");
    button.focus();
    return;
  }
  // The button has done its job; focus goes to the one that is left rather than to the page.
  button.remove();
  close.focus();
  for (const item of document.querySelectorAll<HTMLLIElement>('#reasons li[data-code="not-encrypted"]')) {
    item.classList.add("resolved");
    item.append(h("p", { class: "resolved-note" }, t("dialogReasonResolved")));
  }
  const otherProblems = document.querySelectorAll('#reasons li:not([data-code="not-encrypted"])').length > 0;
  say(otherProblems ? t("dialogEncryptionOnMore") : t("dialogEncryptionOn"), "ok");
}

let answering = false;

async function answer(choice: "send" | "cancel"): Promise<void> {
  if (answering) return;
  answering = true;
  for (const button of actions.querySelectorAll("button")) button.disabled = true;
  try {
    const reply = await ask({ type: "prompt-answer", promptId, answer: choice });
    // The background closes this window once it has the answer (closing it here too covers a
    // window it could not close); an answer it no longer waits for means the prompt is gone.
    if (reply.ok) window.close();
    else showGone();
  } catch (error) {
    if (choice === "cancel") window.close();
    answering = false;
    for (const button of actions.querySelectorAll("button")) button.disabled = false;
    say(t("dialogAnswerFailed", describe(error)), "error");
  }
}

// A refused message has nothing to answer; telling the background anyway lets it close the
// window and forget the prompt at once, and window.close() covers a background that is gone.
async function closeBlocked(): Promise<void> {
  await ask({ type: "prompt-answer", promptId, answer: "cancel" }).catch(() => undefined);
  window.close();
}

function showGone(): void {
  setTitle(t("dialogTitleGone"));
  showOnly(t("dialogGone"));
}

function showFailure(text: string): void {
  setTitle(t("dialogTitleFailed"));
  showOnly(text);
}

function showOnly(text: string): void {
  const summary = byId("summary", HTMLParagraphElement);
  summary.removeAttribute("lang");
  summary.textContent = text;
  document.getElementById("hint")?.remove();
  say("", "ok");
  for (const id of ["subject-line", "reasons-section", "rule-messages-section"]) byId(id, HTMLElement).hidden = true;
  const close = h("button", { id: "close", type: "button", class: "primary" }, t("dialogClose"));
  close.addEventListener("click", () => window.close());
  onEscape = () => window.close();
  actions.replaceChildren(close);
  close.focus();
}

function setTitle(text: string): void {
  title.textContent = text;
  document.title = `${text} – ${t("extensionName")}`;
}

function say(text: string, tone: "ok" | "error"): void {
  notice.textContent = text;
  notice.className = `notice ${tone}`;
  notice.scrollIntoView({ block: "nearest" });
}
