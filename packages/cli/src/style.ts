// Terminal emphasis, only when writing to a terminal (and NO_COLOR is unset).
export interface Style {
  readonly bold: (text: string) => string;
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly green: (text: string) => string;
  readonly dim: (text: string) => string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${String(open)}m${text}\u001b[${String(close)}m`;
const plain = (text: string) => text;

export function style(color: boolean): Style {
  if (!color) return { bold: plain, red: plain, yellow: plain, green: plain, dim: plain };
  return { bold: wrap(1, 22), red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), dim: wrap(2, 22) };
}
