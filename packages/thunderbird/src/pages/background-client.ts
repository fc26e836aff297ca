// The pages' side of the message protocol: requests to the background with typed replies, and
// its `{ error: { code, message } }` answers turned into errors that keep their stable code.
import browser from "webextension-polyfill";
import { isErrorReply, type Replies, type Request } from "../shared/protocol.js";

export type { Replies };

/** A request the background refused or could not answer; `code` is stable (`prompt-gone`, `internal`, `unreachable`). */
export class BackgroundError extends Error {
  override readonly name = "BackgroundError";

  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export async function ask<R extends Request>(request: R): Promise<Replies[R["type"]]> {
  let reply: unknown;
  try {
    reply = await browser.runtime.sendMessage(request);
  } catch (error) {
    throw new BackgroundError("unreachable", `Sealpost's background did not answer (${describe(error)})`, { cause: error });
  }
  if (isErrorReply(reply)) throw new BackgroundError(reply.error.code, reply.error.message);
  // A listener that returns nothing answers `undefined`; every request here expects an object.
  if (typeof reply !== "object" || reply === null)
    throw new BackgroundError("no-reply", `Sealpost's background gave no answer to "${request.type}"`);
  return reply as Replies[R["type"]];
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
