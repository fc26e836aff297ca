// The dialog that tells the user why a message was stopped (block) or asks before sending
// (confirm). It is a small window showing pages/dialog.html; its answer comes back by message.
import type { PromptView } from "../shared/protocol.js";
import type { PromptRequest } from "./send-gate.js";

export interface WindowPort {
  open(url: string, width: number, height: number): Promise<number>;
  close(windowId: number): Promise<void>;
  onRemoved(listener: (windowId: number) => void): void;
  pageUrl(path: string): string;
}

interface Pending {
  readonly view: PromptView;
  readonly resolve: (answer: "send" | "cancel") => void;
  windowId?: number;
}

export class Prompts {
  private readonly pending = new Map<string, Pending>();
  private counter = 0;

  constructor(private readonly windows: WindowPort) {
    windows.onRemoved((windowId) => {
      // Closing the dialog is never a yes.
      for (const [id, entry] of this.pending) if (entry.windowId === windowId) this.settle(id, "cancel");
    });
  }

  show(request: PromptRequest): Promise<"send" | "cancel"> {
    const id = `${String(Date.now())}-${String(++this.counter)}`;
    return new Promise((resolve, reject) => {
      const entry: Pending = { view: { ...request }, resolve };
      this.pending.set(id, entry);
      // A first guess from what the dialog will list; the page then fits the window to its content.
      const reasons = new Set(request.decision.findings.map((finding) => `${finding.code}\u0000${finding.problem}`)).size;
      const height = Math.min(720, 300 + 130 * reasons + (request.decision.ruleMessages.length > 0 ? 90 : 0));
      this.windows.open(this.windows.pageUrl(`pages/dialog.html?prompt=${encodeURIComponent(id)}`), 560, height).then(
        (windowId) => {
          entry.windowId = windowId;
        },
        (error: unknown) => {
          this.pending.delete(id);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  view(id: string): PromptView | undefined {
    return this.pending.get(id)?.view;
  }

  answer(id: string, answer: "send" | "cancel"): boolean {
    const entry = this.pending.get(id);
    if (entry === undefined) return false;
    this.settle(id, answer);
    if (entry.windowId !== undefined) this.windows.close(entry.windowId).catch(() => undefined);
    return true;
  }

  private settle(id: string, answer: "send" | "cancel"): void {
    const entry = this.pending.get(id);
    if (entry === undefined) return;
    this.pending.delete(id);
    entry.resolve(answer);
  }
}
