// Messages between Sealpost's pages (popup, options, dialog) and its background, and the
// views it answers with. Errors cross the boundary as `{ error: { code, message } }`.
import type { Decision, EncryptionState, PolicyError, Transport } from "@sealpost/core";

export type PolicySource = "managed" | "local" | "none";

export type PolicyStatus =
  | { readonly state: "none"; readonly source: "none"; readonly locked: false }
  | {
      readonly state: "active";
      readonly source: "managed" | "local";
      readonly locked: boolean;
      readonly rules: number;
      readonly domains: number;
      readonly text?: string;
    }
  | {
      readonly state: "invalid";
      readonly source: "managed" | "local";
      readonly locked: boolean;
      readonly errors: readonly PolicyError[];
      readonly reason: string;
      /** The policy\'s text, where there is one, so its errors can be shown in place. */
      readonly text?: string;
    };

export interface ComposeStatus {
  readonly policy: PolicyStatus;
  readonly decision: Decision;
  readonly transport: Transport;
  readonly sentCopy?: Transport;
  readonly encryption: EncryptionState;
  /** Whether the sending identity has an OpenPGP key or S/MIME certificate configured. */
  readonly canEncrypt: { readonly openpgp: boolean; readonly smime: boolean };
  /** The encryption to switch on that the identity can use and every unmet rule accepts, if any. */
  readonly encryptWith?: "OpenPGP" | "S/MIME";
  /** Set when part of the status could not be gathered; the decision then fails closed. */
  readonly problem?: string;
}

export interface PromptView {
  /** "encrypted": Sealpost switched encryption on and let the message go; the dialog only tells. */
  readonly kind: "block" | "confirm" | "encrypted";
  readonly subject: string;
  readonly decision: Decision;
  /** The compose tab the message is in, so the dialog can offer to fix it there. */
  readonly tabId: number;
  /** The encryption to offer to switch on, when the identity can satisfy the policy with it. */
  readonly encryptWith?: "OpenPGP" | "S/MIME";
  /** For "encrypted": protected recipients without a key, for whom Thunderbird's Key Assistant opens. */
  readonly missingKeys?: readonly string[];
}

export type Request =
  | { readonly type: "compose-status"; readonly tabId: number }
  | { readonly type: "enable-encryption"; readonly tabId: number; readonly technology: "OpenPGP" | "S/MIME" }
  | { readonly type: "prompt-view"; readonly promptId: string }
  | { readonly type: "prompt-answer"; readonly promptId: string; readonly answer: "send" | "cancel" }
  | { readonly type: "policy-status" }
  | { readonly type: "save-policy"; readonly text: string }
  | { readonly type: "clear-policy" };

export interface ErrorReply {
  readonly error: { readonly code: string; readonly message: string };
}

export type SavePolicyReply =
  | { readonly ok: true; readonly status: PolicyStatus }
  | { readonly ok: false; readonly locked?: boolean; readonly errors: readonly PolicyError[] };

/** What the background answers to each request. */
export interface Replies {
  readonly "compose-status": ComposeStatus;
  readonly "enable-encryption": { readonly ok: true };
  readonly "prompt-view": PromptView;
  readonly "prompt-answer": { readonly ok: boolean };
  readonly "policy-status": PolicyStatus;
  readonly "save-policy": SavePolicyReply;
  readonly "clear-policy": { readonly ok: boolean; readonly locked: boolean };
}

export function isErrorReply(value: unknown): value is ErrorReply {
  return typeof value === "object" && value !== null && "error" in value;
}
