// A one-line progress bar for `sealpost probe`, drawn on stderr and erased when done, so that
// stdout holds only the report.
export interface ProgressBar {
  /** One more domain finished. */
  tick(label: string): void;
  /** Erases the bar. */
  done(): void;
}

const WIDTH = 24;

export function createProgressBar(write: (text: string) => void, total: number, enabled: boolean): ProgressBar {
  if (!enabled) return { tick: () => undefined, done: () => undefined };
  let finished = 0;
  const draw = (label: string) => {
    const filled = total === 0 ? WIDTH : Math.round((finished / total) * WIDTH);
    // \r and "erase line" redraw in place; nothing here ever ends a line.
    write(
      `\r\u001b[K[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${String(finished)}/${String(total)} domains${label === "" ? "" : `  ${label}`}`,
    );
  };
  draw("");
  return {
    tick(label) {
      finished++;
      draw(label);
    },
    done() {
      write("\r\u001b[K");
    },
  };
}
