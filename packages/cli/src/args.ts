/**
 * A small, strict argument parser driven by declarative command specs, which also render the help
 * text. Strict because a typo in `--contract v1` must not silently validate against the wrong schema:
 * unknown options and bad choices are usage errors (exit 2) with a suggestion.
 */

export interface OptionSpec {
  /** Long name without dashes (`interface`). */
  readonly name: string;
  readonly type: "string" | "boolean";
  readonly short?: string;
  /** Allowed values (string options). */
  readonly choices?: readonly string[];
  /** Shown in help (`<name>`). */
  readonly valueName?: string;
  readonly description: string;
  /** Shown as `(default: …)`. */
  readonly defaultText?: string;
}

export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly description?: string;
  readonly positionals: readonly PositionalSpec[];
  readonly options: readonly OptionSpec[];
  readonly examples: readonly string[];
}

/** Bad command line: printed with the command's usage line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Record<string, string | boolean>;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: "help", short: "h", type: "boolean", description: "Show help for the command" },
  {
    name: "color",
    type: "boolean",
    description: "Force colour on (default: only on a TTY; NO_COLOR turns it off)",
  },
  { name: "no-color", type: "boolean", description: "Never use colour" },
];

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate within a small edit distance, for "did you mean …?". */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  // `valkey` → `valkey_client`: a unique candidate that starts with what was typed.
  const prefixed = candidates.filter(
    (c) => input.length >= 3 && c.toLowerCase().startsWith(input.toLowerCase()),
  );
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = levenshtein(input.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(input.length / 3)) ? best : undefined;
}

/**
 * Parse `argv` (after the command name) against `spec`: `--name value`, `--name=value`, `-x value`,
 * boolean flags, `--` to end options, `-` as a positional (stdin).
 */
export function parseArgs(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const all = [...spec.options, ...GLOBAL_OPTIONS];
  const byLong = new Map(all.map((o) => [o.name, o]));
  const byShort = new Map(all.filter((o) => o.short).map((o) => [o.short!, o]));
  const positionals: string[] = [];
  const options: Record<string, string | boolean> = {};
  let onlyPositionals = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyPositionals || arg === "-" || !arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    if (arg === "--") {
      onlyPositionals = true;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    let opt: OptionSpec | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      opt = byLong.get(name);
    } else {
      name = arg.slice(1, 2);
      inline = arg.length > 2 ? arg.slice(2) : undefined;
      opt = byShort.get(name);
    }
    if (!opt) {
      const hint = suggest(
        name,
        all.map((o) => o.name),
      );
      throw new UsageError(
        `unknown option ${arg.split("=")[0]}${hint ? ` (did you mean --${hint}?)` : ""}`,
        spec.name,
      );
    }
    if (opt.type === "boolean") {
      if (inline !== undefined) throw new UsageError(`option --${opt.name} takes no value`, spec.name);
      options[opt.name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("-") && next !== "-")) {
        throw new UsageError(`option --${opt.name} needs a value${choicesText(opt)}`, spec.name);
      }
      value = next;
      i++;
    }
    if (opt.choices && !opt.choices.includes(value)) {
      const hint = suggest(value, opt.choices);
      throw new UsageError(
        `invalid value for --${opt.name}: "${value}"${choicesText(opt)}${hint ? ` (did you mean ${hint}?)` : ""}`,
        spec.name,
      );
    }
    if (options[opt.name] !== undefined && options[opt.name] !== value) {
      throw new UsageError(`option --${opt.name} given twice with different values`, spec.name);
    }
    options[opt.name] = value;
  }
  if (options.color === true && options["no-color"] === true) {
    throw new UsageError("--color and --no-color exclude each other", spec.name);
  }
  const max = spec.positionals.length;
  if (positionals.length > max) {
    const extra = positionals.slice(max).join(" ");
    throw new UsageError(
      max === 0 ? `${spec.name} takes no arguments (got ${extra})` : `unexpected argument: ${extra}`,
      spec.name,
    );
  }
  return { positionals, options };
}

function choicesText(opt: OptionSpec): string {
  return opt.choices ? ` (one of: ${opt.choices.join(", ")})` : "";
}

/** `--color` / `--no-color` → true / false / undefined (auto). */
export function colorFlag(options: Record<string, string | boolean>): boolean | undefined {
  if (options.color === true) return true;
  if (options["no-color"] === true) return false;
  return undefined;
}

function optionLabel(o: OptionSpec): string {
  const long = `--${o.name}${o.type === "string" ? ` <${o.valueName ?? o.name}>` : ""}`;
  return o.short ? `-${o.short}, ${long}` : `    ${long}`;
}

function wrap(text: string, width: number, indent: number): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    if (line && line.length + 1 + w.length > width - indent) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.join(`\n${" ".repeat(indent)}`);
}

/** The help text of one command. */
export function commandHelp(spec: CommandSpec, width = 100): string {
  const out: string[] = [`Usage: ${spec.usage}`, "", wrap(spec.summary, width, 0)];
  if (spec.description) out.push("", wrap(spec.description, width, 0));
  if (spec.positionals.length) {
    out.push("", "Arguments:");
    const w = Math.max(...spec.positionals.map((p) => p.name.length)) + 4;
    for (const p of spec.positionals) {
      out.push(`  ${p.name.padEnd(w)}${wrap(p.description, width, w + 2)}`);
    }
  }
  const opts = [...spec.options, ...GLOBAL_OPTIONS];
  out.push("", "Options:");
  const w = Math.max(...opts.map((o) => optionLabel(o).length)) + 2;
  for (const o of opts) {
    const extra = [
      o.choices && o.type === "string" ? `one of: ${o.choices.join(", ")}` : undefined,
      o.defaultText ? `default: ${o.defaultText}` : undefined,
    ].filter(Boolean);
    const desc = extra.length ? `${o.description} (${extra.join("; ")})` : o.description;
    out.push(`  ${optionLabel(o).padEnd(w)}${wrap(desc, width, w + 2)}`);
  }
  if (spec.examples.length) {
    out.push("", "Examples:");
    for (const e of spec.examples) out.push(`  ${e}`);
  }
  return `${out.join("\n")}\n`;
}
