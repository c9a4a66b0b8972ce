#!/usr/bin/env node
/**
 * The hook-tool fakes: what each Juju hook tool does, run per call by the fake server behind the bash
 * clients of `createHookToolBin` (`fake-server.ts`), or as an executable itself (a symlink to this file
 * named like the tool, or `node hook-tool-cli.js <tool> …`). Each call loads the state file
 * named by `CHARM_RELATIONS_FAKE_STATE`, parses argv the way Juju does (flags anywhere, `-r x`,
 * `--relation=x`, `--format json`, `--`, `key=value`, `key#file=`, `key#base64=`, `--file -`), runs the
 * same `MemoryBackend` code the in-memory harness uses, prints Juju's output (JSON as Go encodes it,
 * with a trailing newline), reports failures as `ERROR <message>` with exit 2 for argument errors and
 * 1 at run time, and saves the state.
 */

import { readFileSync, realpathSync } from "node:fs";
import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import { HOOK_TOOLS, type LogLevel, type RelationRef, type StatusName } from "../backend/types.js";
import { HookToolError } from "../errors.js";
import type { HookKind } from "../hook/types.js";
import { trimTrailing } from "../protocol/codecs.js";
import { JujuYamlError, unmarshalStringMap } from "./juju-yaml.js";
import { MemoryBackend, type SessionState } from "./memory-backend.js";
import { appOfUnit, isAppName, isUnitName, type JujuModel } from "./model.js";
import { FAKE_STATE_ENV, FAKE_STATE_FILES, type FakeStateStore } from "./state-file.js";

export interface HookToolIO {
  /**
   * Standard input (read only when a tool is given `--file -`): bytes, as Juju reads them, or text;
   * may throw `StdinRequired`.
   */
  readonly stdin?: () => string | Uint8Array;
  readonly readFile?: (path: string) => string;
}

/**
 * Thrown by a `HookToolIO.stdin` that has no input yet (Juju's `ErrNoStdin`): `hookToolMain` then
 * saves nothing and rethrows, and the caller runs the call again with the input.
 */
export class StdinRequired extends Error {}

export interface HookToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Flag or argument error: Juju prints it and exits 2. */
class UsageError extends Error {}
/** Run-time error raised by the fake itself (not by the backend): exit 1. */
class RunError extends Error {}
/** The tool does not exist on this Juju version. */
class MissingTool extends Error {}

type FlagKind = "bool" | "string";
type FlagDefs = Record<string, { kind: FlagKind; key: string }>;

interface Parsed {
  values: Map<string, { value: string | boolean; spelled: string }[]>;
  args: string[];
}

const FORMAT = { format: { kind: "string", key: "format" } } as const;
const RELATION = {
  r: { kind: "string", key: "relation" },
  relation: { kind: "string", key: "relation" },
} as const;
const SECRET_KEY_RE = /^([a-z](?:-?[a-z0-9]){2,})$/;

function parseFlags(argv: readonly string[], defs: FlagDefs): Parsed {
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

const last = (p: Parsed, key: string) => p.values.get(key)?.at(-1);
const str = (p: Parsed, key: string): string | undefined => {
  const v = last(p, key)?.value;
  return typeof v === "string" ? v : undefined;
};
const bool = (p: Parsed, key: string): boolean => last(p, key)?.value === true;

/** `cmd.CheckEmpty`. */
function checkEmpty(args: readonly string[]): void {
  if (args.length > 0)
    throw new UsageError(`unrecognized args: [${args.map((a) => JSON.stringify(a)).join(" ")}]`);
}

/** `-r`/`--relation`: parsed like Juju's relationIdValue (integer after the last `:`), default the hook's. */
function relationOption(p: Parsed, backend: MemoryBackend): RelationRef | undefined {
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

function requireRelation(p: Parsed, backend: MemoryBackend): RelationRef {
  const ref = relationOption(p, backend);
  if (!ref) throw new UsageError("no relation id specified");
  return ref;
}

// ---------------------------------------------------------------------------------------------
// Output formats (juju/cmd: json, yaml, smart)

/** Go's `json.Marshal`: map keys sorted, `<>&` escaped; a `Map` stands for a struct (field order kept). */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return goString(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(goJson).join(",")}]`;
  if (value instanceof Map) {
    return `{${[...value].map(([k, v]) => `${goString(String(k))}:${goJson(v)}`).join(",")}}`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${goString(k)}:${goJson(v)}`).join(",")}}`;
}

function goString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function yamlScalar(s: string): string {
  const plain =
    s !== "" &&
    !/^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(s) &&
    !/\s$/.test(s) &&
    !/: |\s#|:$/.test(s) &&
    !/[\u0000-\u001f\u007f]/.test(s) &&
    !/^(true|false|yes|no|on|off|null|~|y|n)$/i.test(s) &&
    !/^[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(s);
  return plain ? s : JSON.stringify(s);
}

function yaml(value: unknown, indent = ""): string {
  if (value instanceof Map) value = Object.fromEntries(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return `${indent}[]\n`;
    return value
      .map((v) => {
        const inner = yaml(v, `${indent}  `);
        return `${indent}- ${inner.slice(indent.length + 2)}`;
      })
      .join("");
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    if (entries.length === 0) return `${indent}{}\n`;
    return entries
      .map(([k, v]) => {
        const isBlock = v !== null && typeof v === "object" && Object.keys(v as object).length > 0;
        return isBlock
          ? `${indent}${yamlScalar(k)}:\n${yaml(v, `${indent}  `)}`
          : `${indent}${yamlScalar(k)}: ${yaml(v).trimEnd()}\n`;
      })
      .join("");
  }
  if (value === null || value === undefined) return `${indent}null\n`;
  if (typeof value === "string") return `${indent}${yamlScalar(value)}\n`;
  return `${indent}${String(value)}\n`;
}

function formatOutput(value: unknown, format: string): string {
  let out: string;
  if (format === "json") out = goJson(value);
  else if (format === "yaml") out = value === null || value === undefined ? "" : yaml(value);
  else {
    // smart
    if (value === null || value === undefined) out = "";
    else if (typeof value === "string") out = value;
    else if (typeof value === "boolean") out = value ? "True" : "False";
    else if (typeof value === "number") out = String(value);
    else if (Array.isArray(value)) out = value.map(String).join("\n");
    else out = yaml(value);
  }
  return out !== "" && !out.endsWith("\n") ? `${out}\n` : out;
}

function outputFormat(p: Parsed, formats: readonly string[], fallback: string): string {
  const entry = last(p, "format");
  if (!entry) return fallback;
  const f = String(entry.value);
  if (!formats.includes(f))
    throw new UsageError(`invalid value "${f}" for option ${entry.spelled}: unknown format "${f}"`);
  return f;
}

const ALL_FORMATS = ["json", "yaml", "smart"] as const;

// ---------------------------------------------------------------------------------------------
// Input files: relation settings and secret content, read as go-yaml v2 reads them (juju-yaml.ts)

/** A YAML (or JSON) map file as a map of strings; Juju's text for what it refuses. */
function mapFile(text: string | Uint8Array, what: string): Map<string, string> {
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
function secretContentArgs(args: readonly string[], io: Required<HookToolIO>): Record<string, string> {
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

function secretContentFile(path: string, io: Required<HookToolIO>): Record<string, string> {
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

// ---------------------------------------------------------------------------------------------
// The tools

interface ToolCall {
  readonly tool: string;
  readonly argv: readonly string[];
  readonly backend: MemoryBackend;
  readonly io: Required<HookToolIO>;
  stderr: string;
}

type Handler = (call: ToolCall) => string;

const SECRET_META = {
  label: { kind: "string", key: "label" },
  description: { kind: "string", key: "description" },
  expire: { kind: "string", key: "expire" },
  rotate: { kind: "string", key: "rotate" },
  owner: { kind: "string", key: "owner" },
  file: { kind: "string", key: "file" },
} as const;

function secretMetaOptions(p: Parsed) {
  const label = str(p, "label");
  const description = str(p, "description");
  const expire = str(p, "expire");
  const rotate = str(p, "rotate");
  return {
    ...(label ? { label } : {}),
    ...(description ? { description } : {}),
    ...(expire ? { expire } : {}),
    ...(rotate ? { rotate: rotate as never } : {}),
  };
}

const HANDLERS: Record<string, Handler> = {
  "relation-ids": ({ argv, backend }) => {
    const p = parseFlags(argv, { ...FORMAT });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    let name = p.args[0];
    if (name === undefined) {
      name = backend.options.relation?.endpoint;
      if (name === undefined) throw new UsageError("no endpoint name specified");
    }
    checkEmpty(p.args.slice(1));
    return formatOutput(
      backend.relationIds(name).map((id) => `${name}:${id}`),
      format,
    );
  },

  "relation-list": ({ argv, backend }) => {
    const p = parseFlags(argv, { ...FORMAT, ...RELATION, app: { kind: "bool", key: "app" } });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    const rel = requireRelation(p, backend);
    checkEmpty(p.args);
    return formatOutput(bool(p, "app") ? backend.relationRemoteApp(rel) : backend.relationList(rel), format);
  },

  "relation-get": ({ argv, backend }) => {
    const p = parseFlags(argv, { ...FORMAT, ...RELATION, app: { kind: "bool", key: "app" } });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    const rel = requireRelation(p, backend);
    const args = [...p.args];
    let key = args.shift() ?? "";
    if (key === "-") key = "";
    let isApp = bool(p, "app");
    let name: string;
    const supplied = args.shift();
    if (supplied !== undefined) {
      if (isApp) {
        if (isAppName(supplied)) name = supplied;
        else if (isUnitName(supplied)) name = appOfUnit(supplied);
        else throw new UsageError(`invalid application name "${supplied}"`);
      } else if (!isUnitName(supplied)) {
        throw new UsageError(
          isAppName(supplied)
            ? `expected unit name, got application name "${supplied}"`
            : `invalid unit name "${supplied}"`,
        );
      } else name = supplied;
    } else if (isApp) {
      if (!backend.options.remoteApp) throw new UsageError("no unit or application specified");
      name = backend.options.remoteApp;
    } else if (backend.options.remoteUnit) {
      name = backend.options.remoteUnit;
    } else if (backend.options.remoteApp) {
      name = backend.options.remoteApp;
      isApp = true;
    } else throw new UsageError("no unit or application specified");
    checkEmpty(args);
    const bag = backend.relationGet(rel, name, isApp);
    return formatOutput(key === "" ? bag : (bag[key] ?? null), format);
  },

  "relation-set": (call) => {
    const { argv, backend, io } = call;
    const p = parseFlags(argv, {
      ...FORMAT,
      ...RELATION,
      app: { kind: "bool", key: "app" },
      file: { kind: "string", key: "file" },
    });
    const rel = requireRelation(p, backend);
    const overrides = new Map<string, string>();
    for (const a of p.args) {
      const i = a.indexOf("=");
      if (i < 1) throw new UsageError(`expected "key=value", got "${a}"`);
      const k = a.slice(0, i);
      if (overrides.has(k)) throw new UsageError(`key "${k}" specified more than once`);
      overrides.set(k, a.slice(i + 1));
    }
    if (last(p, "format")) call.stderr += `--format flag deprecated for command "relation-set"`;
    const file = str(p, "file");
    let settings = new Map<string, string>();
    if (file !== undefined) {
      let text: string | Uint8Array;
      try {
        text = file === "-" ? io.stdin() : io.readFile(file);
      } catch {
        throw new RunError(`open ${file}: no such file or directory`);
      }
      settings = mapFile(text, "map[string]string");
    }
    // CLI pairs override file entries; entries, so a `__proto__` key is a key.
    backend.relationSet(rel, Object.fromEntries([...settings, ...overrides]), bool(p, "app"));
    return "";
  },

  "relation-model-get": ({ argv, backend }) => {
    const p = parseFlags(argv, { ...FORMAT, ...RELATION });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    const rel = requireRelation(p, backend);
    checkEmpty(p.args);
    const uuid = backend.relationModelGet(rel);
    if (uuid === null) throw new MissingTool();
    return formatOutput({ uuid }, format);
  },

  "is-leader": ({ argv, backend }) => {
    const p = parseFlags(argv, { ...FORMAT });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    checkEmpty(p.args);
    return formatOutput(backend.isLeader(), format);
  },

  "config-get": ({ argv, backend }) => {
    const p = parseFlags(argv, {
      ...FORMAT,
      all: { kind: "bool", key: "all" },
      a: { kind: "bool", key: "all" },
    });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    const key = p.args[0];
    checkEmpty(p.args.slice(1));
    const config = backend.configGet();
    return formatOutput(key === undefined ? config : (config[key] ?? null), format);
  },

  "network-get": ({ argv, backend }) => {
    const p = parseFlags(argv, {
      ...FORMAT,
      ...RELATION,
      "bind-address": { kind: "bool", key: "bind-address" },
      "ingress-address": { kind: "bool", key: "ingress-address" },
      "egress-subnets": { kind: "bool", key: "egress-subnets" },
      "primary-address": { kind: "bool", key: "primary-address" },
    });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    const binding = p.args[0];
    if (binding === undefined) throw new UsageError("no arguments specified");
    checkEmpty(p.args.slice(1));
    const explicit = p.values.has("relation") ? relationOption(p, backend) : undefined;
    const info = backend.networkGet(binding, explicit);
    const first = (info["bind-addresses"]?.[0] as { addresses?: { value?: string }[] } | undefined)
      ?.addresses?.[0]?.value;
    if (bool(p, "primary-address") || bool(p, "bind-address")) return formatOutput(first ?? null, format);
    if (bool(p, "ingress-address")) return formatOutput(info["ingress-addresses"]?.[0] ?? null, format);
    if (bool(p, "egress-subnets")) return formatOutput((info["egress-subnets"] ?? []).join(","), format);
    return formatOutput(info, format);
  },

  "secret-add": ({ argv, backend, io }) => {
    const p = parseFlags(argv, { ...SECRET_META });
    const file = str(p, "file");
    if (p.args.length < 1 && file === undefined) throw new UsageError("missing secret value or filename");
    const owner = str(p, "owner") ?? "application";
    if (owner !== "application" && owner !== "unit")
      throw new UsageError(`secret owner "${owner}" not valid`);
    const content = {
      ...secretContentArgs(p.args, io),
      ...(file !== undefined ? secretContentFile(file, io) : {}),
    };
    const uri = backend.secretAdd(content, { ...secretMetaOptions(p), owner });
    return `${uri}\n`;
  },

  "secret-get": ({ argv, backend }) => {
    const p = parseFlags(argv, {
      ...FORMAT,
      label: { kind: "string", key: "label" },
      peek: { kind: "bool", key: "peek" },
      refresh: { kind: "bool", key: "refresh" },
    });
    const format = outputFormat(p, ["json", "yaml"], "yaml");
    const [id, key, ...rest] = p.args;
    checkEmpty(rest);
    const label = str(p, "label");
    const content = backend.secretGet({
      ...(id !== undefined ? { id } : {}),
      ...(label ? { label } : {}),
      ...(bool(p, "peek") ? { peek: true } : {}),
      ...(bool(p, "refresh") ? { refresh: true } : {}),
    });
    if (key === undefined) return formatOutput(content, format);
    const b64 = key.endsWith("#base64");
    const k = b64 ? key.slice(0, -"#base64".length) : key;
    const value = content[k];
    if (value === undefined) throw new RunError(`secret key "${k}" not found`);
    return formatOutput(b64 ? Buffer.from(value, "utf8").toString("base64") : value, format);
  },

  "secret-info-get": ({ argv, backend }) => {
    const p = parseFlags(argv, { ...FORMAT, label: { kind: "string", key: "label" } });
    const format = outputFormat(p, ["json", "yaml"], "yaml");
    const [id, ...rest] = p.args;
    const label = str(p, "label");
    if (id === undefined && !label) throw new UsageError("require either a secret URI or label");
    if (id !== undefined && label) throw new UsageError("specify either a secret URI or label but not both");
    checkEmpty(rest);
    const info = backend.secretInfoGet(id !== undefined ? { id } : { label: label! });
    // Juju's metadataDisplay struct, fields in declaration order.
    const display = new Map<string, unknown>([
      ["revision", info.revision],
      ["label", info.label ?? ""],
      ["owner", info.owner],
    ]);
    if (info.description) display.set("description", info.description);
    if (info.rotation) display.set("rotation", info.rotation);
    if (info.expiry) display.set("expiry", info.expiry);
    if (info.access?.length) {
      display.set(
        "access",
        info.access.map(
          (a) =>
            new Map([
              ["target", a.target],
              ["scope", a.scope],
              ["role", a.role],
            ]),
        ),
      );
    }
    return formatOutput({ [info.id]: display }, format);
  },

  "secret-set": ({ argv, backend, io }) => {
    const p = parseFlags(argv, { ...SECRET_META });
    const [id, ...contentArgs] = p.args;
    if (id === undefined) throw new UsageError("missing secret URI");
    const owner = str(p, "owner");
    if (owner !== undefined && owner !== "application" && owner !== "unit") {
      throw new UsageError(`secret owner "${owner}" not valid`);
    }
    const file = str(p, "file");
    const content = {
      ...secretContentArgs(contentArgs, io),
      ...(file !== undefined ? secretContentFile(file, io) : {}),
    };
    backend.secretSet(id, {
      ...secretMetaOptions(p),
      ...(Object.keys(content).length > 0 ? { content } : {}),
    });
    return "";
  },

  "secret-grant": ({ argv, backend }) => {
    const p = parseFlags(argv, { ...RELATION, unit: { kind: "string", key: "unit" } });
    const [id, ...rest] = p.args;
    if (id === undefined) throw new UsageError("missing secret URI");
    const rel = relationOption(p, backend);
    if (!rel) throw new UsageError("no relation id specified");
    checkEmpty(rest);
    backend.secretGrant(id, rel, str(p, "unit"));
    return "";
  },

  "secret-revoke": ({ argv, backend }) => {
    const p = parseFlags(argv, {
      ...RELATION,
      app: { kind: "string", key: "app" },
      application: { kind: "string", key: "app" },
      unit: { kind: "string", key: "unit" },
    });
    const [id, ...rest] = p.args;
    if (id === undefined) throw new UsageError("missing secret URI");
    const rel = relationOption(p, backend);
    const app = str(p, "app") || undefined;
    const unit = str(p, "unit") || undefined;
    checkEmpty(rest);
    backend.revokeSecret(argv, id, {
      ...(rel ? { relation: rel, relationFlag: last(p, "relation")?.spelled ?? "-r" } : {}),
      ...(app !== undefined ? { app } : {}),
      ...(unit !== undefined ? { unit } : {}),
    });
    return "";
  },

  "secret-remove": ({ argv, backend }) => {
    const p = parseFlags(argv, { revision: { kind: "string", key: "revision" } });
    const [id, ...rest] = p.args;
    if (id === undefined) throw new UsageError("missing secret URI");
    const revEntry = last(p, "revision");
    let revision: number | undefined;
    if (revEntry) {
      const text = String(revEntry.value);
      if (!/^[+-]?\d+$/.test(text))
        throw new UsageError(`invalid value "${text}" for option ${revEntry.spelled}: parse error`);
      revision = Number.parseInt(text, 10);
    }
    checkEmpty(rest);
    backend.secretRemove(id, revision !== undefined && revision > 0 ? revision : undefined);
    return "";
  },

  "secret-ids": ({ argv, backend }) => {
    const p = parseFlags(argv, { ...FORMAT });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    checkEmpty(p.args);
    const ids = backend.secretIds();
    // Juju writes a nil Go slice when the unit owns nothing: JSON `null`.
    return formatOutput(ids.length > 0 ? ids : null, format);
  },

  "juju-log": (call) => {
    const { argv, backend } = call;
    const p = parseFlags(argv, {
      l: { kind: "string", key: "level" },
      "log-level": { kind: "string", key: "level" },
      debug: { kind: "bool", key: "debug" },
      ...FORMAT,
    });
    if (p.args.length === 0) throw new UsageError("no message specified");
    let level = (str(p, "level") ?? "INFO").toUpperCase();
    if (bool(p, "debug")) level = "DEBUG";
    if (!["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"].includes(level)) {
      call.stderr += `WARNING invalid log level "${str(p, "level")}", logging at INFO\n`;
      level = "INFO";
    }
    backend.jujuLog(level as LogLevel, p.args.join(" "));
    return "";
  },

  "status-set": ({ argv, backend }) => {
    const p = parseFlags(argv, { application: { kind: "bool", key: "application" } });
    const [status, message, ...rest] = p.args;
    if (status === undefined) throw new UsageError("invalid args, require <status> [message] [data]");
    checkEmpty(rest);
    backend.statusSet(status as StatusName, message ?? "", bool(p, "application"));
    return "";
  },

  "status-get": ({ argv, backend }) => {
    const p = parseFlags(argv, {
      ...FORMAT,
      "include-data": { kind: "bool", key: "include-data" },
      application: { kind: "bool", key: "application" },
    });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    checkEmpty(p.args);
    const isApp = bool(p, "application");
    const includeData = bool(p, "include-data");
    if (!includeData && format === "smart") return formatOutput(backend.statusGet(isApp).status, format);
    const details = backend.invoke("status-get", argv, () => backend.statusDetails(isApp));
    if (!includeData) stripData(details);
    return formatOutput(details, format);
  },

  "application-version-set": ({ argv, backend }) => {
    const p = parseFlags(argv, {});
    if (p.args.length === 0) throw new UsageError("no version specified");
    checkEmpty(p.args.slice(1));
    backend.applicationVersionSet(p.args[0]!);
    return "";
  },
};

function stripData(details: Record<string, unknown>): void {
  const strip = (d: Record<string, unknown>) => {
    delete d["status-data"];
    delete d.message;
  };
  const app = details["application-status"] as Record<string, unknown> | undefined;
  if (!app) {
    strip(details);
    return;
  }
  strip(app);
  for (const u of Object.values(app.units as Record<string, Record<string, unknown>>)) strip(u);
}

/** Run one hook tool against a session, in-process. Never throws for Juju-level failures. */
export function runHookTool(
  tool: string,
  argv: readonly string[],
  backend: MemoryBackend,
  io: HookToolIO = {},
): HookToolResult {
  const call: ToolCall = {
    tool,
    argv,
    backend,
    io: {
      stdin: io.stdin ?? (() => ""),
      readFile: io.readFile ?? ((path: string) => readFileSync(path, "utf8")),
    },
    stderr: "",
  };
  const handler = HANDLERS[tool];
  if (!handler) return { stdout: "", stderr: `ERROR unknown hook tool "${tool}"\n`, exitCode: 2 };
  try {
    return { stdout: handler(call), stderr: call.stderr, exitCode: 0 };
  } catch (e) {
    if (e instanceof MissingTool)
      return { stdout: "", stderr: `${tool}: command not found\n`, exitCode: 127 };
    if (e instanceof UsageError)
      return { stdout: "", stderr: `${call.stderr}ERROR ${e.message}\n`, exitCode: 2 };
    if (e instanceof RunError)
      return { stdout: "", stderr: `${call.stderr}ERROR ${e.message}\n`, exitCode: 1 };
    if (e instanceof HookToolError)
      return { stdout: "", stderr: call.stderr + e.stderr, exitCode: e.exitCode ?? 1 };
    // Client-side validation errors of the backend (non-string values…) and bugs.
    const err = e as Error;
    return { stdout: "", stderr: `ERROR ${err.message}\n`, exitCode: 1 };
  }
}

/** Secret values given as `key=value` / `key#base64=value` never reach the call log. */
export function redactArgv(tool: string, argv: readonly string[]): string[] {
  if (tool !== "secret-add" && tool !== "secret-set") return [...argv];
  let afterDashDash = false;
  return argv.map((a) => {
    if (a === "--") afterDashDash = true;
    if (!afterDashDash && a.startsWith("-")) return a;
    const m = /^([^=]+?)=[\s\S]*$/.exec(a);
    if (!m || m[1]!.endsWith("#file")) return a;
    return `${m[1]}=<redacted>`;
  });
}

const KIND_SUFFIXES: [string, HookKind][] = [
  ["-relation-created", "relation-created"],
  ["-relation-joined", "relation-joined"],
  ["-relation-changed", "relation-changed"],
  ["-relation-departed", "relation-departed"],
  ["-relation-broken", "relation-broken"],
];

/** A session from JUJU_* variables, for a state file that holds only a model. */
function sessionFromEnv(env: NodeJS.ProcessEnv): SessionState {
  const unit = env.JUJU_UNIT_NAME;
  if (!unit) throw new RunError(`${FAKE_STATE_ENV} holds no hook session and JUJU_UNIT_NAME is not set`);
  const session: SessionState = { unit, working: { relations: {}, secrets: {} } };
  const relId = env.JUJU_RELATION_ID;
  if (relId) {
    const id = Number.parseInt(relId.slice(relId.lastIndexOf(":") + 1), 10);
    session.relation = { endpoint: env.JUJU_RELATION ?? relId.slice(0, relId.lastIndexOf(":")), id };
  }
  if (env.JUJU_REMOTE_UNIT) session.remoteUnit = env.JUJU_REMOTE_UNIT;
  if (env.JUJU_REMOTE_APP) session.remoteApp = env.JUJU_REMOTE_APP;
  if (env.JUJU_DEPARTING_UNIT) session.departingUnit = env.JUJU_DEPARTING_UNIT;
  const hook = env.JUJU_HOOK_NAME;
  if (hook) {
    session.hookName = hook;
    const kind = KIND_SUFFIXES.find(([suffix]) => hook.endsWith(suffix))?.[1];
    if (kind) session.kind = kind;
  }
  return session;
}

/**
 * What one executable does: load the state file, run the tool, log the call (secret values
 * redacted), save. `tool` is the name it was invoked by. Throws `StdinRequired` (having saved
 * nothing) when the tool needs the standard input and `io.stdin` throws it. `store` reads and writes
 * the state file (the fake server's keeps the models it saved).
 */
export function hookToolMain(
  tool: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: HookToolIO = {},
  store: FakeStateStore = FAKE_STATE_FILES,
): HookToolResult {
  const path = env[FAKE_STATE_ENV];
  if (!path) return { stdout: "", stderr: `ERROR ${FAKE_STATE_ENV} is not set\n`, exitCode: 1 };
  if (!(HOOK_TOOLS as readonly string[]).includes(tool)) {
    return { stdout: "", stderr: `ERROR unknown hook tool "${tool}"\n`, exitCode: 2 };
  }
  let model: JujuModel;
  let backend: MemoryBackend;
  try {
    const file = store.load(path);
    model = file.model;
    if (file.session) backend = MemoryBackend.resume(model, file.session, { recordCalls: false });
    else {
      const session = sessionFromEnv(env);
      backend = new MemoryBackend(model, { ...sessionOptions(session), recordCalls: false });
    }
  } catch (e) {
    return { stdout: "", stderr: `ERROR ${(e as Error).message}\n`, exitCode: 1 };
  }
  let stdinRequired = false;
  const { stdin } = io;
  const result = runHookTool(tool, argv, backend, {
    ...io,
    ...(stdin && {
      stdin: () => {
        try {
          return stdin();
        } catch (e) {
          stdinRequired ||= e instanceof StdinRequired;
          throw e;
        }
      },
    }),
  });
  if (stdinRequired) throw new StdinRequired(`${tool} reads standard input`);
  if (result.exitCode !== 127) {
    model.recordCall({
      unit: backend.unit,
      ...(backend.options.hookName !== undefined ? { hook: backend.options.hookName } : {}),
      tool,
      argv: redactArgv(tool, argv),
      exitCode: result.exitCode,
    });
  }
  store.save(path, model, backend.exportSession());
  return result;
}

function sessionOptions(s: SessionState) {
  return {
    unit: s.unit,
    ...(s.relation ? { relation: s.relation } : {}),
    ...(s.remoteUnit !== undefined ? { remoteUnit: s.remoteUnit } : {}),
    ...(s.remoteApp !== undefined ? { remoteApp: s.remoteApp } : {}),
    ...(s.departingUnit !== undefined ? { departingUnit: s.departingUnit } : {}),
    ...(s.hookName !== undefined ? { hookName: s.hookName } : {}),
    ...(s.kind !== undefined ? { kind: s.kind } : {}),
  };
}

function main(): void {
  let tool = basename(process.argv[1] ?? "");
  let args = process.argv.slice(2);
  // `node hook-tool-cli.js <tool> …` works too.
  if (!(HOOK_TOOLS as readonly string[]).includes(tool) && args[0] !== undefined) {
    tool = args[0];
    args = args.slice(1);
  }
  const result = hookToolMain(tool, args, process.env, { stdin: () => readFileSync(0) });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) main();
