// The compose-action popup: what Sealpost would decide if the message being written were sent
// now (verdict, policy, recipients, connection, encryption) and the one action that fixes each problem.
import {
  type EncryptionState,
  groupFindings,
  type Reason,
  type RecipientReport,
  type RuleRef,
  type SmtpSecurity,
  type Transport,
} from "@sealpost/core";
import browser from "webextension-polyfill";
import type { ComposeStatus } from "../shared/protocol.js";
import { ask, describe } from "./background-client.js";
import { localizePage, type MessageKey, t } from "./i18n.js";
import { addressLabel, asciiAddresses, byId, h, policyStatusText, reasonItem } from "./render.js";

type Technology = "OpenPGP" | "S/MIME";
type Tone = "allow" | "confirm" | "block" | "none" | "checking" | "error";

const VERDICT_KEYS: Readonly<Record<Tone, MessageKey>> = {
  allow: "popupVerdictAllow",
  confirm: "popupVerdictConfirm",
  block: "popupVerdictBlock",
  none: "popupVerdictNoPolicy",
  checking: "popupChecking",
  error: "popupError",
};

const KIND_KEYS: Readonly<Record<"to" | "cc" | "bcc", MessageKey>> = { to: "kindTo", cc: "kindCc", bcc: "kindBcc" };

const SECURITY_KEYS: Readonly<Record<SmtpSecurity, MessageKey>> = {
  plain: "securityPlain",
  "opportunistic-starttls": "securityOpportunistic",
  starttls: "securityStarttls",
  tls: "securityTls",
};

const main = byId("main", HTMLElement);
const verdict = byId("verdict", HTMLHeadingElement);
const verdictBox = byId("verdict-box", HTMLElement);
const summary = byId("summary", HTMLParagraphElement);
const refreshButton = byId("refresh", HTMLButtonElement);
const announcer = byId("announce", HTMLParagraphElement);

let tabId: number | undefined;

localizePage();
refreshButton.addEventListener("click", () => void refresh(t("popupRefreshed")));
void start();

async function start(): Promise<void> {
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true }).catch(() => []);
  // Thunderbird's tabs carry a type; only a compose tab has a message to check.
  const type = tab !== undefined && "type" in tab ? tab.type : "messageCompose";
  if (tab?.id === undefined || type !== "messageCompose") {
    showOnly("error", t("popupNoCompose"), "");
    refreshButton.hidden = true;
    return;
  }
  tabId = tab.id;
  await refresh();
}

async function refresh(announcement?: string): Promise<void> {
  if (tabId === undefined) return;
  main.setAttribute("aria-busy", "true");
  refreshButton.disabled = true;
  try {
    const status = await ask({ type: "compose-status", tabId });
    render(status);
    if (announcement !== undefined) announce(`${announcement} ${verdict.textContent}`);
  } catch (error) {
    showOnly("error", t("popupError"), describe(error));
    if (announcement !== undefined) announce(t("popupError"));
  } finally {
    main.removeAttribute("aria-busy");
    refreshButton.disabled = false;
  }
}

function render(status: ComposeStatus): void {
  const { decision } = status;
  const lang = decision.locale;
  const tone: Tone = decision.policyActive ? decision.verdict : "none";
  // Without a policy, core's summary would only repeat the heading.
  setVerdict(tone, t(VERDICT_KEYS[tone]), decision.policyActive ? decision.summary : "", lang);

  const problem = byId("problem", HTMLParagraphElement);
  problem.hidden = status.problem === undefined;
  problem.textContent = status.problem === undefined ? "" : t("popupPartial", status.problem);

  const reasons = groupFindings(decision.findings);
  const ascii = asciiAddresses(decision.findings);
  const fixes = new FixOffer(status);
  byId("problems", HTMLUListElement).replaceChildren(...reasons.map((reason) => reasonItem(reason, lang, ascii, fixes.for(reason))));
  byId("problems-section", HTMLElement).hidden = reasons.length === 0;

  byId("policy", HTMLParagraphElement).textContent = policyStatusText(status.policy);
  const recipients = byId("recipients", HTMLUListElement);
  recipients.replaceChildren(...decision.recipients.map(recipientItem));
  if (decision.recipients.length === 0) {
    recipients.append(h("li", { class: "empty" }, decision.policyActive ? t("popupNoRecipients") : t("popupRecipientsUnchecked")));
  }

  const transport = byId("transport", HTMLDListElement);
  transport.replaceChildren(h("dt", {}, t("transportOutgoing")), transportDetails(status.transport));
  if (status.sentCopy !== undefined) transport.append(h("dt", {}, t("transportSentCopy")), transportDetails(status.sentCopy));

  const encryption = byId("encryption", HTMLParagraphElement);
  const on = status.encryption.kind !== "none";
  encryption.replaceChildren(
    h("span", { class: `state ${on ? "good" : "bad"}` }, on ? t("stateOn") : t("stateOff")),
    " ",
    encryptionText(status.encryption),
  );
  byId("details", HTMLDivElement).hidden = false;
}

function setVerdict(tone: Tone, heading: string, text: string, lang?: string): void {
  verdictBox.className = `verdict ${tone}`;
  verdict.textContent = heading;
  summary.textContent = text;
  if (lang === undefined) summary.removeAttribute("lang");
  else summary.lang = lang;
}

function showOnly(tone: Tone, heading: string, text: string): void {
  setVerdict(tone, heading, text);
  for (const id of ["problem", "problems-section", "details"]) byId(id, HTMLElement).hidden = true;
}

// The one thing that fixes a problem, where the page knows something more direct than core's
// fix text: a button that turns encryption on, or the exact place of a server setting. Rules
// that accept different methods give separate encryption reasons; one button fixes them all.
class FixOffer {
  private encryptionOffered = false;

  constructor(private readonly status: ComposeStatus) {}

  for(reason: Reason): Node | undefined {
    const { status } = this;
    switch (reason.code) {
      case "not-encrypted":
      case "encryption-not-accepted": {
        const technology = technologyToOffer(status);
        if (technology === undefined) return reason.code === "not-encrypted" ? h("span", {}, t("actionSetUpEncryption")) : undefined;
        if (this.encryptionOffered) return h("span", {}, t("actionSameButton"));
        this.encryptionOffered = true;
        return encryptButton(technology);
      }
      case "submission-not-tls":
        return status.transport.kind === "smtp" ? h("span", {}, t("actionSmtpSecurity", serverName(status.transport))) : undefined;
      case "sent-copy-not-tls":
        return status.sentCopy?.kind === "imap" ? h("span", {}, t("actionImapSecurity", serverName(status.sentCopy))) : undefined;
      default:
        return undefined;
    }
  }
}

// The background picks a technology the identity can use and every unmet rule accepts; one
// already switched on and still refused is not offered again.
function technologyToOffer(status: ComposeStatus): Technology | undefined {
  const offer = status.encryptWith;
  const current = status.encryption.kind;
  if (offer === undefined || (offer === "OpenPGP" && current === "openpgp") || (offer === "S/MIME" && current === "smime"))
    return undefined;
  return offer;
}

function encryptButton(technology: Technology): HTMLButtonElement {
  const label = technology === "OpenPGP" ? t("actionEncryptOpenpgp") : t("actionEncryptSmime");
  const button = h(
    "button",
    { type: "button", class: "primary", "data-action": "enable-encryption", "data-technology": technology },
    label,
  );
  button.addEventListener("click", () => void enableEncryption(button, technology));
  return button;
}

async function enableEncryption(button: HTMLButtonElement, technology: Technology): Promise<void> {
  if (tabId === undefined) return;
  button.disabled = true;
  try {
    await ask({ type: "enable-encryption", tabId, technology });
  } catch (error) {
    button.disabled = false;
    const item = button.closest("li");
    item?.querySelector(".encrypt-failed")?.remove();
    item?.append(h("p", { class: "notice error encrypt-failed", role: "alert" }, t("actionEncryptFailed", describe(error))));
    return;
  }
  await refresh(t("actionEncryptionOn"));
  // The button is gone with the problem it fixed; the verdict is where the news is.
  verdict.focus();
}

function recipientItem(report: RecipientReport): HTMLLIElement {
  const kind = report.kind === "list-member" ? t("kindListMember", report.list ?? "") : t(KIND_KEYS[report.kind]);
  if (!report.ok) {
    return h(
      "li",
      { class: "recipient invalid" },
      h("span", { class: "mark", "aria-hidden": "true" }),
      h(
        "div",
        {},
        h("p", { class: "who" }, h("bdi", { class: "address" }, report.input)),
        h("p", { class: "meta" }, `${kind} · ${t("recipientInvalid", report.reason)}`),
      ),
    );
  }
  const local = report.address.slice(0, report.address.lastIndexOf("@"));
  const who = h("p", { class: "who" }, addressLabel(`${local}@${report.unicodeDomain}`, report.address));
  if (report.name !== "") who.append(" ", h("bdi", { class: "name" }, report.name));
  const rules = (refs: readonly RuleRef[]) => refs.map((ref) => t("ruleRef", ref.id, ref.domain)).join(", ");
  const protection = report.protected ? t("recipientProtected", rules(report.rules)) : t("recipientUnprotected");
  const meta = h("p", { class: "meta" }, `${kind} · `, h("span", { class: "protection" }, protection));
  if (report.excepted.length > 0) meta.append(` · ${t("recipientExcepted", rules(report.excepted))}`);
  return h(
    "li",
    { class: `recipient ${report.protected ? "protected" : "unprotected"}` },
    h("span", { class: "mark", "aria-hidden": "true" }),
    h("div", {}, who, meta),
  );
}

function transportDetails(transport: Transport): HTMLElement {
  if (transport.kind === "unknown") {
    return h("dd", {}, h("span", { class: "state bad" }, t("transportNotChecked")), " ", t("transportUnknown", transport.reason));
  }
  if (transport.kind === "https") {
    return h(
      "dd",
      {},
      h("span", { class: "state good" }, t("transportSecure")),
      " ",
      [t("transportHttps"), transport.host].filter(Boolean).join(" · "),
    );
  }
  const secure = transport.security === "tls" || transport.security === "starttls";
  const where = transport.host === undefined ? undefined : hostAndPort(transport.host, transport.port);
  const words = [transport.kind === "smtp" ? "SMTP" : "IMAP", t(SECURITY_KEYS[transport.security]), where]
    .filter((part) => part !== undefined)
    .join(" · ");
  return h(
    "dd",
    {},
    h("span", { class: `state ${secure ? "good" : "bad"}` }, secure ? t("transportSecure") : t("transportInsecure")),
    " ",
    words,
  );
}

function serverName(transport: Transport & { kind: "smtp" | "imap" }): string {
  return transport.host === undefined ? t("actionThisServer") : hostAndPort(transport.host, transport.port);
}

function hostAndPort(host: string, port: number | undefined): string {
  const shown = host.includes(":") ? `[${host}]` : host;
  return port === undefined ? shown : `${shown}:${String(port)}`;
}

function encryptionText(state: EncryptionState): string {
  switch (state.kind) {
    case "none":
      return t("encryptionNone");
    case "openpgp": {
      const method = state.subject === true ? t("encryptionOpenpgpSubject") : t("encryptionOpenpgp");
      return state.keyIds === undefined || state.keyIds.length === 0 ? method : `${method} ${t("encryptionKeys", state.keyIds.join(", "))}`;
    }
    case "smime":
      return t("encryptionSmime");
    case "label":
      return t("encryptionLabel", state.name ?? state.id);
  }
}

function announce(text: string): void {
  // Emptying first makes a repeated message count as a change for screen readers.
  announcer.textContent = "";
  requestAnimationFrame(() => {
    announcer.textContent = text;
  });
}
