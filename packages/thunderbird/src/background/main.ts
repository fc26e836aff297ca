// Sealpost's background: registers the send gate and answers the popup, options and dialog pages.
import { browser, onBeforeSend, onDelivery, thunderbirdHost } from "../host/thunderbird-api.js";
import type { Request } from "../shared/protocol.js";
import { composeStatus, switchEncryptionOn } from "./compose-status.js";
import { Approvals, checkDelivery } from "./delivery-gate.js";
import { PolicyStore, policyStatus } from "./policy-store.js";
import { Prompts } from "./prompts.js";
import { sendGate, withDeadline } from "./send-gate.js";

const POLICY_KEY = "policy";
const LOCAL_POLICY_KEY = "policyText";
// Well under the time after which a user wonders whether Send worked; the Experiment and
// address-book lookups normally answer in milliseconds.
const GATE_DEADLINE_MS = 5000;

const store = new PolicyStore({
  async readManaged() {
    try {
      const values = await browser.storage.managed.get(POLICY_KEY);
      return values[POLICY_KEY];
    } catch (error) {
      // Gecko rejects when no enterprise policy names this add-on; that is "no managed policy".
      if (/managed storage manifest not found/i.test(String(error))) return undefined;
      throw error;
    }
  },
  async readLocal() {
    const values = await browser.storage.local.get(LOCAL_POLICY_KEY);
    const text: unknown = values[LOCAL_POLICY_KEY];
    return typeof text === "string" ? text : undefined;
  },
  writeLocal: (text) => browser.storage.local.set({ [LOCAL_POLICY_KEY]: text }),
  clearLocal: () => browser.storage.local.remove(LOCAL_POLICY_KEY),
});
browser.storage.onChanged.addListener((_changes, area) => {
  if (area === "local" || area === "managed") store.invalidate();
});

const prompts = new Prompts({
  open: async (url, width, height) => {
    const created = await browser.windows.create({ type: "popup", url, width, height, allowScriptsToClose: true });
    return created.id ?? -1;
  },
  close: async (windowId) => {
    await browser.windows.remove(windowId);
  },
  onRemoved: (listener) => browser.windows.onRemoved.addListener(listener),
  pageUrl: (path) => browser.runtime.getURL(path),
});

// "Send anyway" answers from the compose window, so the delivery gate does not ask twice.
const approvals = new Approvals();

onBeforeSend(
  sendGate({
    host: thunderbirdHost,
    policy: () => store.current(),
    prompt: (request) => prompts.show(request),
    onConfirmed: (decision, identityId, subject) => approvals.record(decision, identityId, subject),
    deadlineMs: GATE_DEADLINE_MS,
    onDecision: (decision, elapsedMs) => {
      console.info(`Sealpost: ${decision.verdict} in ${String(elapsedMs)} ms (${String(decision.findings.length)} findings)`);
    },
  }),
);

// The lower line: every message Thunderbird hands to an outgoing server, whatever started it.
onDelivery((delivery) =>
  checkDelivery(
    {
      host: thunderbirdHost,
      policy: () => store.current(),
      prompt: (request) => prompts.show(request),
      approvals,
      refusalIntro: browser.i18n.getMessage("deliveryRefused"),
      onDecision: (decision) => {
        console.info(`Sealpost delivery check (${delivery.mode}): ${decision.verdict} (${String(decision.findings.length)} findings)`);
      },
    },
    delivery,
  ),
);

async function handle(request: Request): Promise<unknown> {
  switch (request.type) {
    case "compose-status":
      return composeStatus(
        thunderbirdHost,
        await withDeadline(store.current(), GATE_DEADLINE_MS, "reading the policy"),
        request.tabId,
        GATE_DEADLINE_MS,
      );
    case "enable-encryption":
      await switchEncryptionOn(thunderbirdHost, await store.current(), request.tabId, request.technology, GATE_DEADLINE_MS);
      return { ok: true };
    case "prompt-view":
      return prompts.view(request.promptId) ?? { error: { code: "prompt-gone", message: "This question has already been answered." } };
    case "prompt-answer":
      return { ok: prompts.answer(request.promptId, request.answer) };
    case "policy-status":
      return policyStatus(await store.current());
    case "save-policy": {
      const result = await store.save(request.text);
      return result.ok ? { ok: true, status: policyStatus(result.state) } : { ok: false, locked: result.locked, errors: result.errors };
    }
    case "clear-policy":
      return store.clear();
  }
}

browser.runtime.onMessage.addListener((message: unknown) => {
  return handle(message as Request).catch((error: unknown) => ({
    error: { code: "internal", message: error instanceof Error ? error.message : String(error) },
  }));
});
