// Child half of the test driver's JSWindowActor: runs in the process that shows an extension page
// and clicks or reads an element there for the parent-side Experiment.
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
    }
    return { found: true, text };
  }
}
