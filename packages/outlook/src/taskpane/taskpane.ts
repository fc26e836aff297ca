// The task pane: what Sealpost decides for the message being composed and why, refreshed when
// the recipients change or on request. Sealing the message is not done here yet.
import { createOfficeHost } from "../host/office-compose.js";
import { say } from "../launch/messages.js";
import { describeError } from "../shared/errors.js";
import { createPolicySource, type FetchText, POLICY_TIMINGS, type SealpostConfig } from "../launch/policy-source.js";
import { checkMessage, SEND_DEADLINE_MS } from "../launch/send-check.js";
import { type PaneModel, paneModel } from "./pane-model.js";

const config: SealpostConfig = typeof __SEALPOST_CONFIG__ === "object" ? __SEALPOST_CONFIG__ : { baseUrl: "", builtInPolicy: null };
const fetchText: FetchText = (url) => fetch(url, { cache: "no-cache" });
// The task pane has no OfficeRuntime.storage in Outlook: the policy is kept in memory.
const policy = createPolicySource({ config, fetch: fetchText, storage: () => undefined, now: () => Date.now(), ...POLICY_TIMINGS });

let running = 0;

async function refresh(): Promise<void> {
  const run = ++running;
  const locale = Office.context.displayLanguage || "en";
  show(element("status"), say(locale, "pane.checking"));
  try {
    const result = await checkMessage(createOfficeHost(Office), { policy, deadlineMs: SEND_DEADLINE_MS * 3, alwaysReadEncryption: true });
    // A newer check started meanwhile; its answer wins.
    if (run === running) render(paneModel(result), result.decision.locale);
  } catch (error) {
    if (run === running) show(element("status"), say(locale, "pane.error", { reason: describeError(error) }));
  }
}

function render(model: PaneModel, locale: string): void {
  document.documentElement.lang = locale;
  element("status").className = `verdict ${model.verdict}`;
  show(element("status"), model.summary);
  heading("policy-title", locale, "pane.policy");
  show(element("policy"), model.policy);
  heading("recipients-title", locale, "pane.recipients");
  fill(
    element("recipients"),
    model.recipients.map((recipient) => {
      const item = document.createElement("li");
      item.className = recipient.protected ? "protected" : "unprotected";
      item.appendChild(span("address", recipient.address));
      item.appendChild(span("status", recipient.status));
      return item;
    }),
  );
  heading("account-title", locale, "pane.account");
  show(element("account"), model.account);
  heading("encryption-title", locale, "pane.encryption");
  show(element("encryption"), model.encryption);
  heading("todo-title", locale, "pane.todo");
  fill(
    element("todo"),
    model.todo.map((line) => {
      const item = document.createElement("li");
      item.textContent = line;
      return item;
    }),
  );
  element("refresh").textContent = say(locale, "pane.refresh");
}

// appendChild rather than replaceChildren: older Outlook builds show task panes in older webviews.
function fill(list: HTMLElement, items: readonly HTMLElement[]): void {
  list.textContent = "";
  for (const item of items) list.appendChild(item);
}

function span(className: string, text: string): HTMLElement {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  return element;
}

function heading(id: string, locale: string, key: Parameters<typeof say>[1]): void {
  show(element(id), say(locale, key));
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

void Office.onReady(() => {
  element("refresh").addEventListener("click", () => void refresh());
  const item = Office.context.mailbox.item as Office.MessageCompose | undefined;
  // Mailbox 1.7: the pane follows the recipients as they change.
  item?.addHandlerAsync(Office.EventType.RecipientsChanged, () => void refresh());
  void refresh();
});
