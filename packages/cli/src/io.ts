// What the CLI needs from its surroundings, passed in so tests run commands in-process.
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readFile: (path: string) => Promise<string>;
  /** Writes a text file, creating the folders it needs (`sealpost export --out`). */
  readonly writeFile: (path: string, text: string) => Promise<void>;
  /** Whether stdout is a terminal: enables colour. */
  readonly color: boolean;
  /** Whether stderr is a terminal: enables progress bars there. */
  readonly stderrIsTty?: boolean;
}

/** Exit codes are part of the CLI's contract; scripts branch on them. */
export const EXIT = { allow: 0, block: 1, usage: 2, confirm: 3 } as const;

/** A problem with what the user typed or pointed at: one line on stderr, exit 2, no stack trace. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
