// The launch-event handlers' entry point, bundled into launchevent.js: one self-contained file
// that classic Outlook runs in its JavaScript-only runtime and other clients load from commands.html.
import "./runtime-shims.js";
// The names both manifests give the handlers, the task pane button and the info bar icon.
import ids from "../../manifest-ids.json";
import { createOfficeHost, officeRuntimeStorage } from "../host/office-compose.js";
import { createPolicySource, type FetchText, POLICY_TIMINGS, type SealpostConfig } from "./policy-source.js";
import { onRecipientsChanged } from "./recipients-changed.js";
import { onMessageSend, SEND_DEADLINE_MS } from "./send-check.js";

const config: SealpostConfig = typeof __SEALPOST_CONFIG__ === "object" ? __SEALPOST_CONFIG__ : { baseUrl: "", builtInPolicy: null };

// Office and OfficeRuntime are looked up when an event arrives: the item is the one being sent then.
const runtime = (): typeof OfficeRuntime | undefined => (typeof OfficeRuntime === "undefined" ? undefined : OfficeRuntime);
const host = () => createOfficeHost(Office);
const fetchText: FetchText | undefined = typeof fetch === "function" ? (url) => fetch(url) : undefined;
const log = (line: string) => console.log(`[Sealpost] ${line}`);

// Module state lives as long as the runtime: for one event in classic Outlook, longer elsewhere.
const policy = createPolicySource({
  config,
  fetch: fetchText,
  storage: () => officeRuntimeStorage(runtime()),
  now: () => Date.now(),
  ...POLICY_TIMINGS,
});

function onMessageSendHandler(event: Office.AddinCommands.Event): void {
  void onMessageSend({ host, policy, deadlineMs: SEND_DEADLINE_MS, taskPaneCommandId: ids.taskPaneCommandId, log }, event);
}

function onMessageRecipientsChangedHandler(event: Office.AddinCommands.Event): void {
  void onRecipientsChanged({ host, policy, deadlineMs: SEND_DEADLINE_MS, icon: ids.notificationIcon, log }, event);
}

Office.actions.associate(ids.sendFunction, onMessageSendHandler);
Office.actions.associate(ids.recipientsFunction, onMessageRecipientsChangedHandler);
