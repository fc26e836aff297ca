// Builds page elements from data with createElement and textContent, never innerHTML: policy
// texts and addresses are untrusted. Also the pieces that more than one page shows.
import type { Finding, Reason } from "@sealpost/core";
import type { PolicyStatus } from "../shared/protocol.js";
import { t } from "./i18n.js";

type Child = Node | string | false | null | undefined;
type Attributes = Readonly<Record<string, string | boolean | undefined>>;

/** An element with attributes (`true` sets an empty one, `false`/`undefined` leaves it out) and text or element children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) {
    if (child !== false && child !== null && child !== undefined) element.append(child);
  }
  return element;
}

/** A page element the HTML must contain; its absence is a bug in the page, not a state to render. */
export function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the page has no ${type.name} #${id}`);
  return element;
}

/**
 * An address as people read it (Unicode domain), isolated from the surrounding text's direction,
 * and followed by its ASCII form when that differs, so a look-alike domain (`bаnk.com` with a
 * Cyrillic а) cannot pass for the real one.
 */
export function addressLabel(display: string, ascii: string | undefined): DocumentFragment {
  const fragment = document.createDocumentFragment();
  fragment.append(h("bdi", { class: "address" }, display));
  if (ascii !== undefined && ascii.toLowerCase() !== display.toLowerCase()) {
    fragment.append(" ", h("span", { class: "ascii" }, "(", h("bdi", {}, ascii), ")"));
  }
  return fragment;
}

/** The ASCII address behind each display form that core's grouped reasons name. */
export function asciiAddresses(findings: readonly Finding[]): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const finding of findings) {
    const { display, address } = finding.recipient ?? {};
    if (display !== undefined && address !== undefined) map.set(display, address);
  }
  return map;
}

/**
 * One reason from `groupFindings`: the problem, the recipients it concerns, and what to do,
 * which is core's fix unless the page has a more direct `action` for it. Core's texts are in the
 * decision's language, `lang`.
 */
export function reasonItem(reason: Reason, lang: string, ascii: ReadonlyMap<string, string>, action?: Node): HTMLLIElement {
  const item = h("li", { class: `reason ${reason.action}`, "data-code": reason.code });
  item.append(h("p", { class: "problem", lang }, reason.problem));
  if (reason.recipients.length > 0) {
    const who = h("p", { class: "concerns" }, h("span", { class: "label" }, t("reasonRecipients")), " ");
    reason.recipients.forEach((recipient, index) => {
      if (index > 0) who.append(", ");
      who.append(addressLabel(recipient, ascii.get(recipient)));
    });
    item.append(who);
  }
  const fix = h("div", { class: "fix" }, h("span", { class: "label" }, t("reasonFix")), " ");
  fix.append(action ?? h("span", { lang }, reason.fix));
  item.append(fix);
  return item;
}

/** The policy's state in one sentence: none, active (and from where), or invalid with the reason. */
export function policyStatusText(status: PolicyStatus): string {
  switch (status.state) {
    case "none":
      return t("policyNone");
    case "active":
      return status.source === "managed"
        ? t("policyActiveManaged", String(status.rules), String(status.domains))
        : t("policyActiveLocal", String(status.rules), String(status.domains));
    case "invalid":
      return status.source === "managed" ? t("policyInvalidManaged", status.reason) : t("policyInvalidLocal", status.reason);
  }
}
