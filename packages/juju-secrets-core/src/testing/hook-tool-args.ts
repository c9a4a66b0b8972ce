/**
 * What a hook-tool fake gets and how it reads it: the call (argv, session, stdin and files), Juju's
 * flag parsing (flags anywhere, `-r x`, `--relation=x`, `--`, Go booleans), the `-r` relation option,
 * the errors that become `ERROR …` with exit 2 or 1, and the input files (relation settings and secret
 * content) read as go-yaml v2 reads them (`juju-yaml.ts`).
 */

import type { RelationRef } from "../backend/types.js";
import { trimTrailing } from "../protocol/codecs.js";
import { JujuYamlError, unmarshalStringMap } from "./juju-yaml.js";
import type { MemoryBackend } from "./memory-backend.js";
import { SECRET_KEY_RE } from "./memory-secret-rules.js";

export interface HookToolIO {
  /**
   * Standard input (read only when a tool is given `--file -`): bytes, as Juju reads them, or text;
   * may throw `StdinRequired`.
   */
  readonly stdin?: () => string | Uint8Array;
  readonly readFile?: (path: string) => string;
}

export interface ToolCall {
  readonly tool: string;
  readonly argv: readonly string[];
  readonly backend: MemoryBackend;
  readonly io: Required<HookToolIO>;
  stderr: string;
}

export type Handler = (call: ToolCall) => string;

/** Flag or argument error: Juju prints it and exits 2. */
export class UsageError extends Error {}
/** Run-time error raised by the fake itself (not by the backend): exit 1. */
export class RunError extends Error {}
/** The tool does not exist on this Juju version. */
export class MissingTool extends Error {}

type FlagKind = "bool" | "string";
export type FlagDefs = Record<string, { kind: FlagKind; key: string }>;

export interface Parsed {
  values: Map<string, { value: string | boolean; spelled: string }[]>;
  args: string[];
}

export const FORMAT = { format: { kind: "string", key: "format" } } as const;
export const RELATION = {
  r: { kind: "string", key: "relation" },
  relation: { kind: "string", key: "relation" },
} as const;

export function parseFlags(argv: readonly string[], defs: FlagDefs): Parsed {
  const values: Parsed["values"] = new Map();
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      args.push(a);
      continue;
    }
    const m = /^(--?)([^=]+)(?:=([\s\S]*))?$/.exec(a);
    const dashes = m?.[1] ?? "-";
    const name = m?.[2] ?? a;
    const inline = m?.[3];
    const spelled = dashes + name;
    const def = defs[name];
    if (!def) throw new UsageError(`option provided but not defined: ${spelled}`);
    let value: string | boolean;
    if (def.kind === "bool") {
      if (inline === undefined) value = true;
      else {
        const b = parseGoBool(inline);
        if (b === undefined) {
          throw new UsageError(
            `invalid value "${inline}" for option ${spelled}: strconv.ParseBool: parsing "${inline}": invalid syntax`,
          );
        }
        value = b;
      }
    } else if (inline !== undefined) value = inline;
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`option needs an argument: ${spelled}`);
      value = next;
      i++;
    }
    const list = values.get(def.key) ?? [];
    list.push({ value, spelled });
    values.set(def.key, list);
  }
  return { values, args };
}

function parseGoBool(s: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return undefined;
}

export const last = (p: Parsed, key: string) => p.values.get(key)?.at(-1);
export const str = (p: Parsed, key: string): string | undefined => {
  const v = last(p, key)?.value;
  return typeof v === "string" ? v : undefined;
};
export const bool = (p: Parsed, key: string): boolean => last(p, key)?.value === true;

/** `cmd.CheckEmpty`. */
export function checkEmpty(args: readonly string[]): void {
  if (args.length > 0)
    throw new UsageError(`unrecognized args: [${args.map((a) => JSON.stringify(a)).join(" ")}]`);
}

/** `-r`/`--relation`: parsed like Juju's relationIdValue (integer after the last `:`), default the hook's. */
export function relationOption(p: Parsed, backend: MemoryBackend): RelationRef | undefined {
  const hook = backend.options.relation;
  let ref = hook ? backend.resolveRelation(hook.id) : undefined;
  for (const { value, spelled } of p.values.get("relation") ?? []) {
    const text = String(value);
    const idText = text.slice(text.lastIndexOf(":") + 1);
    if (!/^[+-]?\d+$/.test(idText))
      throw new UsageError(`invalid value "${text}" for option ${spelled}: invalid relation id`);
    ref = backend.resolveRelation(Number.parseInt(idText, 10));
    if (!ref) throw new UsageError(`invalid value "${text}" for option ${spelled}: relation not found`);
  }
  return ref;
}

export function requireRelation(p: Parsed, backend: MemoryBackend): RelationRef {
  const ref = relationOption(p, backend);
  if (!ref) throw new UsageError("no relation id specified");
  return ref;
}

// ---------------------------------------------------------------------------------------------
// Input files: relation settings and secret content

/** A YAML (or JSON) map file as a map of strings; Juju's text for what it refuses. */
export function mapFile(text: string | Uint8Array, what: string): Map<string, string> {
  try {
    return unmarshalStringMap(text, what);
  } catch (e) {
    if (e instanceof JujuYamlError) throw new RunError(e.message);
    throw e;
  }
}

function decodeBase64(key: string, value: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 === 1) {
    throw new UsageError(`illegal base64 data for key "${key}"`);
  }
  return Buffer.from(value, "base64").toString("utf8");
}

/** Juju's `CreateSecretData` (+ `#file`): `key=value`, `key#base64=…`, `key#file=path`. */
export function secretContentArgs(args: readonly string[], io: Required<HookToolIO>): Record<string, string> {
  const data: Record<string, string> = {};
  for (const val of args) {
    const stripped = trimTrailing(val, "=");
    const idx = stripped.indexOf("=");
    if (idx < 1) throw new UsageError(`key value "${val}" not valid`);
    let key = val.slice(0, idx);
    let value = val.slice(idx + 1);
    if (key.endsWith("#file")) {
      key = key.slice(0, -"#file".length);
      try {
        value = io.readFile(value);
      } catch {
        throw new UsageError(`open ${value}: no such file or directory`);
      }
    } else if (key.endsWith("#base64")) {
      key = key.slice(0, -"#base64".length);
      value = decodeBase64(key, value);
    }
    if (!SECRET_KEY_RE.test(key)) throw new UsageError(`key "${key}" not valid`);
    data[key] = value;
  }
  return data;
}

export function secretContentFile(path: string, io: Required<HookToolIO>): Record<string, string> {
  let text: string | Uint8Array;
  try {
    text = path === "-" ? io.stdin() : io.readFile(path);
  } catch {
    throw new UsageError(`open ${path}: no such file or directory`);
  }
  const out: [string, string][] = [];
  for (const [k, value] of mapFile(text, "secrets.SecretData")) {
    const key = k.endsWith("#base64") ? k.slice(0, -"#base64".length) : k;
    if (!SECRET_KEY_RE.test(key)) throw new UsageError(`key "${key}" not valid`);
    out.push([key, k.endsWith("#base64") ? decodeBase64(key, value) : value]);
  }
  return Object.fromEntries(out);
}
