// Error text for users and logs. Duck-typed rather than `instanceof Error`: an error may come
// from another realm (Office.js, the runtime's fetch), where `instanceof` does not hold.

export function describeError(error: unknown): string {
  if (typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string") {
    return (error as { message: string }).message;
  }
  return String(error);
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(describeError(error));
}
