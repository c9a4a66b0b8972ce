/**
 * Reading what the user gave `validate`: a file or stdin, parsed as JSON, then recognised as either a
 * bare databag (an object of strings) or the output of `juju show-unit <unit> --format=json`.
 *
 * Error messages describe where and what kind of problem, never the content: the input is relation
 * data and may hold credentials (V8's own JSON errors quote the text, so they are not passed on).
 */

import { constants, type Stats } from "node:fs";
import { type FileHandle, open, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { shown } from "./escape.js";
import type { Io } from "./output.js";
import { isUnitName, looksLikeYamlDump } from "./patterns.js";

/** The input cannot be read or understood (exit code 2). */
export class InputError extends Error {
  override name = "InputError";
}

export interface RawInput {
  /** `stdin` or the path as given. */
  readonly source: string;
  readonly text: string;
}

/**
 * The most `validate` reads from a file or from stdin. A `juju show-unit` dump of a unit with many
 * relations is a few hundred kilobytes; Juju stores each settings document in MongoDB (16 MiB at
 * most), so 64 MiB holds several of the largest possible bags and still parses in well under a second.
 */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

const MiB = 1024 * 1024;
const tooLarge = (source: string, max: number) =>
  new InputError(
    `${source} is larger than the input limit (${max % MiB === 0 ? `${max / MiB} MiB` : `${max} bytes`})`,
  );

function errnoText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  if (code === "ELOOP") return "too many levels of symbolic links";
  return code ?? "unreadable";
}

/** Why a path cannot be read as input, or `undefined` for a regular file (`stat` follows symlinks). */
function notRegular(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return "is a directory";
  const what = st.isFIFO()
    ? "a FIFO"
    : st.isCharacterDevice()
      ? "a character device"
      : st.isBlockDevice()
        ? "a block device"
        : st.isSocket()
          ? "a socket"
          : "not a file";
  return `not a regular file (${what}); pipe the data on stdin instead (-)`;
}

/** Read all of stdin, refusing more than `max` bytes. */
export async function readStream(stream: NodeJS.ReadableStream, max = MAX_INPUT_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
      size += buf.length;
      if (size > max) throw tooLarge("stdin", max);
      chunks.push(buf);
    }
  } catch (error) {
    // Leaving the loop early destroys the stream: nothing more is read.
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read stdin: ${errnoText(error)}`);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Read a regular file of at most `max` bytes. What is at the path is checked before it is opened, so a
 * FIFO without a writer or a device is refused instead of waited on or read forever; the open itself
 * is non-blocking and checked again (the path may change in between), and reading stops past `max`.
 */
export async function readFileCapped(path: string, source: string, max = MAX_INPUT_BYTES): Promise<string> {
  const fail = (why: string) => new InputError(`cannot read ${source}: ${why}`);
  let handle: FileHandle | undefined;
  try {
    const why = notRegular(await stat(path));
    if (why) throw fail(why);
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    const st = await handle.stat();
    const again = notRegular(st);
    if (again) throw fail(again);
    if (st.size > max) throw tooLarge(source, max);
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      // The size may be 0 (`/proc` files) or grow while read: read until EOF, never past max + 1.
      const { bytesRead, buffer } = await handle.read({
        buffer: Buffer.alloc(Math.min(max + 1 - size, 1 << 20)),
      });
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > max) throw tooLarge(source, max);
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks).toString("utf8");
  } catch (error) {
    throw error instanceof InputError ? error : fail(errnoText(error));
  } finally {
    await handle?.close();
  }
}

/** Read `path` (`-` or nothing: stdin). Refuses to wait on an interactive terminal. */
export async function readInput(path: string | undefined, io: Io): Promise<RawInput> {
  if (path === undefined || path === "-") {
    if (path === undefined && io.stdin.isTTY) {
      throw new InputError(
        "no input: give a file, or pipe JSON on stdin (e.g. juju show-unit myapp/0 --format=json | charm-relations validate)",
      );
    }
    return { source: "stdin", text: await readStream(io.stdin) };
  }
  return { source: path, text: await readFileCapped(resolve(io.cwd, path), shown(path)) };
}

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `line ${line}, column ${column}`;
}

/**
 * Find where JSON.parse gave up without quoting the text: V8 names a position in most messages; for
 * the others, scan for the first character that cannot start a JSON value.
 */
function jsonErrorPlace(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (m) return ` at ${lineColumn(text, Number(m[1]))}`;
  if (/end of (JSON|data) input|Unterminated/i.test(message)) return " (it ends too early)";
  const first = text.search(/\S/);
  if (first >= 0 && !/[[{"\-0-9tfn]/.test(text[first]!)) return ` at ${lineColumn(text, first)}`;
  return "";
}

/** Parse JSON, with errors that carry a place but none of the content. */
export function parseJsonInput(raw: RawInput): unknown {
  const trimmed = raw.text.trim();
  if (trimmed === "") throw new InputError(`${shown(raw.source)} is empty: expected JSON`);
  try {
    return JSON.parse(raw.text);
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    // `juju show-unit` prints YAML unless asked otherwise: say how to get JSON.
    const yamlHint = looksLikeYamlDump(trimmed)
      ? "; it looks like YAML: run juju show-unit <unit> --format=json"
      : "";
    throw new InputError(
      `${shown(raw.source)} is not valid JSON${jsonErrorPlace(raw.text, message)}${yamlHint}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Recognising the shape

/** One relation of a `juju show-unit` dump, from the dumped unit's point of view. */
export interface DumpRelation {
  /** The unit `juju show-unit` was run on. */
  readonly unit: string;
  readonly app: string;
  readonly leader: boolean;
  readonly relationId: number;
  /** The dumped unit's endpoint. */
  readonly endpoint: string;
  /** The other application's endpoint. */
  readonly relatedEndpoint: string;
  readonly crossModel: boolean;
  /** The other application's name, when a related unit shows it. */
  readonly remoteApp: string | undefined;
  /** `application-data`: the **other** application's databag. */
  readonly applicationData: Record<string, unknown>;
  /** `local-unit.data`: the dumped unit's own databag (absent with `--app`). */
  readonly localUnitData: Record<string, unknown> | undefined;
  /** `related-units.<unit>.data`: the other application's unit databags. */
  readonly relatedUnits: Readonly<Record<string, Record<string, unknown>>>;
}

export type ClassifiedInput =
  | { readonly kind: "databag"; readonly bag: Record<string, unknown> }
  | {
      readonly kind: "show-unit";
      readonly units: readonly string[];
      readonly relations: readonly DumpRelation[];
    };

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/** What the user gave: a bare databag, or a `juju show-unit` dump (one or more units). */
export function classifyInput(value: unknown, source: string): ClassifiedInput {
  if (!isObject(value)) {
    throw new InputError(
      `${shown(source)} holds ${typeName(value)}: expected a databag (a JSON object of strings) or the output of juju show-unit <unit> --format=json`,
    );
  }
  const keys = Object.keys(value);
  const unitKeys = keys.filter((k) => isUnitName(k) && isObject(value[k]));
  const looksLikeDump =
    keys.length > 0 &&
    unitKeys.length === keys.length &&
    unitKeys.some((k) => {
      const info = value[k] as Record<string, unknown>;
      return "relation-info" in info || "charm" in info || "leader" in info;
    });
  if (looksLikeDump) return { kind: "show-unit", units: unitKeys, relations: parseShowUnit(value, source) };
  // One entry of `relation-info`, copied out of a dump.
  if ("application-data" in value && "endpoint" in value) {
    return { kind: "show-unit", units: [], relations: [dumpRelation("(unit)", false, value, source, 0)] };
  }
  return { kind: "databag", bag: value };
}

function dumpRelation(
  unit: string,
  leader: boolean,
  raw: Record<string, unknown>,
  source: string,
  index: number,
): DumpRelation {
  const where = `${shown(source)}: ${shown(unit)} relation-info[${index}]`;
  const endpoint = raw.endpoint;
  if (typeof endpoint !== "string" || endpoint === "") throw new InputError(`${where} has no endpoint`);
  const app = raw["application-data"] ?? {};
  if (!isObject(app))
    throw new InputError(`${where} application-data is ${typeName(app)}, expected an object`);
  const local = raw["local-unit"];
  let localUnitData: Record<string, unknown> | undefined;
  if (local !== undefined) {
    if (!isObject(local))
      throw new InputError(`${where} local-unit is ${typeName(local)}, expected an object`);
    const data = local.data ?? {};
    if (!isObject(data))
      throw new InputError(`${where} local-unit.data is ${typeName(data)}, expected an object`);
    localUnitData = data;
  }
  const related = raw["related-units"] ?? {};
  if (!isObject(related))
    throw new InputError(`${where} related-units is ${typeName(related)}, expected an object`);
  const relatedUnits: Record<string, Record<string, unknown>> = {};
  for (const [name, entry] of Object.entries(related)) {
    if (!isObject(entry))
      throw new InputError(`${where} related-units.${shown(name)} is ${typeName(entry)}, expected an object`);
    const data = entry.data ?? {};
    if (!isObject(data))
      throw new InputError(
        `${where} related-units.${shown(name)}.data is ${typeName(data)}, expected an object`,
      );
    relatedUnits[name] = data;
  }
  const id = raw["relation-id"];
  const remoteUnit = Object.keys(relatedUnits)[0];
  return {
    unit,
    app: unit.includes("/") ? unit.slice(0, unit.lastIndexOf("/")) : unit,
    leader,
    relationId: typeof id === "number" && Number.isInteger(id) ? id : -1,
    endpoint,
    relatedEndpoint: typeof raw["related-endpoint"] === "string" ? raw["related-endpoint"] : "",
    crossModel: raw["cross-model"] === true,
    remoteApp: remoteUnit?.slice(0, remoteUnit.lastIndexOf("/")),
    applicationData: app,
    localUnitData,
    relatedUnits,
  };
}

/** Every relation of every unit of a `juju show-unit --format=json` dump. */
export function parseShowUnit(value: Record<string, unknown>, source: string): DumpRelation[] {
  const out: DumpRelation[] = [];
  for (const [unit, info] of Object.entries(value)) {
    if (!isObject(info)) continue;
    const rels = info["relation-info"] ?? [];
    if (!Array.isArray(rels))
      throw new InputError(
        `${shown(source)}: ${shown(unit)} relation-info is ${typeName(rels)}, expected an array`,
      );
    rels.forEach((rel, i) => {
      if (!isObject(rel))
        throw new InputError(
          `${shown(source)}: ${shown(unit)} relation-info[${i}] is ${typeName(rel)}, expected an object`,
        );
      out.push(dumpRelation(unit, info.leader === true, rel, source, i));
    });
  }
  return out;
}
