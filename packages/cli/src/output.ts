/**
 * Terminal output: the IO seam (so tests drive `main` in-process with fake streams), colour only where
 * a human looks at a TTY, and a one-line progress indicator on stderr for long runs.
 */

/** The part of a writable stream the CLI uses. */
export interface OutStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Where the CLI reads and writes; `process` in production, fakes in tests. */
export interface Io {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/**
 * Colour on or off for a stream: an explicit `--color`/`--no-color` wins, then `NO_COLOR`
 * (no-color.org), then `FORCE_COLOR`, then "is it a TTY that is not `TERM=dumb`".
 */
export function colorEnabled(
  stream: OutStream,
  env: Readonly<Record<string, string | undefined>>,
  flag?: boolean,
): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

const SGR = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
} as const;

export type StyleName = keyof typeof SGR;

/** ANSI styling that turns into the identity when colour is off. */
export class Style {
  readonly enabled: boolean;
  constructor(enabled: boolean) {
    this.enabled = enabled;
  }
  paint(name: StyleName, text: string): string {
    if (!this.enabled || text === "") return text;
    const [on, off] = SGR[name];
    return `\u001b[${on}m${text}\u001b[${off}m`;
  }
  bold = (t: string): string => this.paint("bold", t);
  dim = (t: string): string => this.paint("dim", t);
  red = (t: string): string => this.paint("red", t);
  green = (t: string): string => this.paint("green", t);
  yellow = (t: string): string => this.paint("yellow", t);
  blue = (t: string): string => this.paint("blue", t);
  magenta = (t: string): string => this.paint("magenta", t);
  cyan = (t: string): string => this.paint("cyan", t);
  gray = (t: string): string => this.paint("gray", t);
  /** ✔ / ✘ with colour, or plain `ok` / `FAIL` words a log file can grep. */
  mark(ok: boolean): string {
    if (!this.enabled) return ok ? "ok  " : "FAIL";
    return ok ? this.green("✔") : this.red("✘");
  }
}

/** Remove ANSI escapes (width computations, tests). */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * One self-overwriting status line on stderr (`\r` + erase line), shown only on a TTY so that logs
 * and pipes never see it. Updates are throttled; `clear()` erases it before real output is printed.
 */
export class Progress {
  readonly #stream: OutStream;
  readonly #enabled: boolean;
  readonly #intervalMs: number;
  #last = 0;
  #frame = 0;
  #visible = false;

  constructor(stream: OutStream, options: { enabled?: boolean; intervalMs?: number } = {}) {
    this.#stream = stream;
    this.#enabled = options.enabled ?? stream.isTTY === true;
    this.#intervalMs = options.intervalMs ?? 80;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  update(text: string, options: { force?: boolean } = {}): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (!options.force && this.#visible && now - this.#last < this.#intervalMs) return;
    this.#last = now;
    this.#frame = (this.#frame + 1) % FRAMES.length;
    const width = Math.max(20, (this.#stream.columns ?? 80) - 1);
    const line = `${FRAMES[this.#frame]} ${text}`;
    this.#stream.write(`\r\u001b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
    this.#visible = true;
  }

  clear(): void {
    if (!this.#enabled || !this.#visible) return;
    this.#stream.write("\r\u001b[2K");
    this.#visible = false;
  }
}

/** Pad a (possibly coloured) cell to `width` visible characters. */
export function pad(text: string, width: number): string {
  const visible = stripAnsi(text).length;
  return visible >= width ? text : text + " ".repeat(width - visible);
}

/** A simple left-aligned table, columns sized to their widest cell. */
export function table(rows: readonly (readonly string[])[], gap = 2): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, stripAnsi(cell).length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : pad(cell, (widths[i] ?? 0) + gap)))
        .join("")
        .trimEnd(),
    )
    .join("\n");
}
