// The few web-platform globals this entry needs (timers, AbortController), typed without the DOM
// library: core type-checks against plain ECMAScript, and every host it runs in has them.
import type { AbortSignalLike } from "./key-source.js";

interface Controller {
  readonly signal: AbortSignalLike;
  abort(reason?: unknown): void;
}

interface WebPlatform {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  AbortController: new () => Controller;
}

const platform = globalThis as unknown as WebPlatform;

export function newAbortController(): Controller {
  return new platform.AbortController();
}

/** Runs `callback` after `ms`; the returned function cancels it. */
export function after(ms: number, callback: () => void): () => void {
  const handle = platform.setTimeout(callback, ms);
  return () => platform.clearTimeout(handle);
}
