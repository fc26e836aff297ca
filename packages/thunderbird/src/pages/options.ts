// Sealpost's options page: shows the policy in force; unless the organisation has set (and
// locked) it, loads a policy from a file or pasted text, checks it in the background, saves or removes it.
import type { PolicyError } from "@sealpost/core";
import type { PolicyStatus } from "../shared/protocol.js";
import { ask, describe } from "./background-client.js";
import { localizePage, t } from "./i18n.js";
import { byId, h, policyStatusText } from "./render.js";

const main = byId("main", HTMLElement);
const status = byId("status", HTMLParagraphElement);
const text = byId("policy-text", HTMLTextAreaElement);
const fileInput = byId("policy-file", HTMLInputElement);
const loadFile = byId("load-file", HTMLButtonElement);
const save = byId("save", HTMLButtonElement);
const clear = byId("clear", HTMLButtonElement);
const editActions = byId("edit-actions", HTMLDivElement);
const errorsSection = byId("errors-section", HTMLElement);
const errorList = byId("errors", HTMLUListElement);

/** The policy as the background last reported it. */
let current: PolicyStatus | undefined;

localizePage();
loadFile.addEventListener("click", () => fileInput.click());
fileInput.addEventListener("change", () => void readFile());
save.addEventListener("click", () => void savePolicy());
clear.addEventListener("click", () => void removePolicy());
text.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !text.readOnly) {
    event.preventDefault();
    void savePolicy();
  }
});
void load();

async function load(): Promise<void> {
  await busy(async () => {
    try {
      show(await ask({ type: "policy-status" }));
    } catch (error) {
      setStatus(t("optionsRequestFailed", describe(error)));
    }
  });
}

function show(policy: PolicyStatus, outcome?: string): void {
  current = policy;
  setStatus(outcome === undefined ? policyStatusText(policy) : `${outcome} ${policyStatusText(policy)}`);
  const locked = policy.locked;
  byId("locked-note", HTMLParagraphElement).hidden = !locked;
  // Locked: the organisation's policy is shown, never editable, and nothing here offers a change.
  text.readOnly = locked;
  byId("policy-text-hint", HTMLParagraphElement).hidden = locked;
  text.setAttribute("aria-describedby", locked ? "locked-note" : "policy-text-hint");
  editActions.hidden = locked;
  clear.disabled = policy.source !== "local";
  if (policy.state === "active" && policy.text !== undefined && (locked || text.value.trim() === "")) text.value = policy.text;
  // A locked policy that could not be read has no text to show, and an empty read-only box says nothing.
  byId("policy-field", HTMLDivElement).hidden = locked && text.value === "";
  showErrors(policy.state === "invalid" ? policy.errors : [], !locked && policy.state !== "invalid");
}

async function readFile(): Promise<void> {
  const file = fileInput.files?.[0];
  if (file === undefined) return;
  try {
    text.value = await file.text();
  } catch (error) {
    setStatus(t("optionsFileFailed", file.name, describe(error)));
    return;
  } finally {
    // Choosing the same file again after editing it must fire `change` again.
    fileInput.value = "";
  }
  await savePolicy();
}

async function savePolicy(): Promise<void> {
  if (current?.locked === true) return;
  if (text.value.trim() === "") {
    setStatus(t("optionsEmpty"));
    text.focus();
    return;
  }
  await busy(async () => {
    try {
      const reply = await ask({ type: "save-policy", text: text.value });
      if (reply.ok) {
        show(reply.status, t("optionsSaved"));
        return;
      }
      if (reply.locked === true) {
        // The organisation's policy arrived since the page was opened.
        show(await ask({ type: "policy-status" }));
        return;
      }
      setStatus(t("optionsNotSaved"));
      showErrors(reply.errors, true);
      errorList.querySelector("button")?.focus();
    } catch (error) {
      setStatus(t("optionsRequestFailed", describe(error)));
    }
  });
}

async function removePolicy(): Promise<void> {
  await busy(async () => {
    try {
      const reply = await ask({ type: "clear-policy" });
      if (reply.ok) text.value = "";
      show(await ask({ type: "policy-status" }), reply.ok ? t("optionsRemoved") : undefined);
    } catch (error) {
      setStatus(t("optionsRequestFailed", describe(error)));
    }
  });
}

/** Lists the errors; `inText` says their line:column refer to the text in the box, so each can take the caret there. */
function showErrors(errors: readonly PolicyError[], inText: boolean): void {
  errorList.replaceChildren(...errors.map((error, index) => errorItem(error, index, inText)));
  errorsSection.hidden = errors.length === 0;
}

function errorItem(error: PolicyError, index: number, inText: boolean): HTMLLIElement {
  // Core's validation messages are English, like the CLI's `lint` that IT reads.
  const message = h("span", { class: "message", id: `error-${String(index)}`, lang: "en" }, error.message);
  const item = h("li", {}, h("code", { class: "path" }, error.path === "" ? t("optionsErrorDocument") : error.path));
  const { line, column } = error;
  if (line !== undefined && column !== undefined) {
    const where = t("optionsErrorAt", String(line), String(column));
    if (inText) {
      const go = h(
        "button",
        {
          type: "button",
          class: "link",
          "aria-label": t("optionsErrorGoTo", String(line), String(column)),
          "aria-describedby": message.id,
        },
        where,
      );
      go.addEventListener("click", () => selectPosition(line, column));
      item.append(" ", go);
    } else {
      item.append(" ", h("span", { class: "where" }, where));
    }
  }
  item.append(" ", message);
  return item;
}

function selectPosition(line: number, column: number): void {
  const lines = text.value.split("\n");
  let offset = 0;
  for (const before of lines.slice(0, line - 1)) offset += before.length + 1;
  offset = Math.min(offset + column - 1, text.value.length);
  text.focus();
  text.setSelectionRange(offset, offset);
}

async function busy(work: () => Promise<void>): Promise<void> {
  main.setAttribute("aria-busy", "true");
  save.disabled = loadFile.disabled = clear.disabled = true;
  try {
    await work();
  } finally {
    main.removeAttribute("aria-busy");
    save.disabled = loadFile.disabled = false;
    clear.disabled = current?.source !== "local";
  }
}

function setStatus(message: string): void {
  status.textContent = message;
}
