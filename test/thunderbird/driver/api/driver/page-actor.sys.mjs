// Child half of the test driver's JSWindowActor: runs in the process that shows an extension page
// and clicks, reads, fills or inspects an element there for the parent-side Experiment.
/* global JSWindowActorChild */

export class SealpostTestDriverPageChild extends JSWindowActorChild {
  receiveMessage({ name, data }) {
    if (name !== "query") return { found: false, error: `unknown message ${name}` };
    const document = this.document;
    const element = document?.querySelector(data.selector) ?? null;
    if (element === null) return { found: false, readyState: document?.readyState ?? "none" };
    const text = element.textContent ?? "";
    if (data.action === "click") {
      element.focus?.();
      // A click from chrome code is a trusted event, as a user's click would be.
      element.click();
    } else if (data.action === "fill") {
      // A user cannot type into a read-only or disabled field, so neither may a test: a page
      // that locks a field must not be reported as changed.
      if (!("value" in element)) return { found: true, text, error: `${data.selector} is not a form field` };
      if (element.readOnly === true || element.disabled === true) {
        return { found: true, text, error: `${data.selector} is ${element.readOnly === true ? "read-only" : "disabled"}` };
      }
      element.focus?.();
      element.value = data.value;
      // Pages react to typing through input events; setting .value alone fires none.
      element.dispatchEvent(new this.contentWindow.Event("input", { bubbles: true }));
    } else if (data.action === "inspect") {
      return { found: true, text, state: stateOf(element) };
    }
    return { found: true, text };
  }
}

// What a test asserts about a control beyond its text. `visible` is layout's answer (a [hidden]
// ancestor or display: none hides it), which is what decides whether a user can reach it.
function stateOf(element) {
  return {
    tagName: element.localName,
    visible: element.checkVisibility?.() ?? element.getClientRects().length > 0,
    value: typeof element.value === "string" ? element.value : null,
    readOnly: element.readOnly === true,
    disabled: element.disabled === true,
  };
}
