/**
 * Python-compatible JSON (protocol §2.2). Every JSON value the Python libraries write comes from
 * `json.dumps(x)` with default arguments; we must produce the same bytes, because peers (and our own
 * "is a write needed?" checks) compare serialized strings.
 */

import { CharmRelationsError } from "../errors.js";
import { DEFAULT_REMOTE_LIMITS, utf8Length } from "../limits.js";

/**
 * A value we were asked to write cannot be encoded on the wire. `field` is a path such as
 * `$.requests[0].code` or a databag key; the message never contains the value.
 */
export class ProtocolEncodeError extends CharmRelationsError {
  override name = "ProtocolEncodeError";
  readonly field: string;
  /** What the value breaks (never the value). */
  readonly rule: string;
  constructor(field: string, rule: string) {
    super(`cannot encode ${field}: ${rule}`);
    this.field = field;
    this.rule = rule;
  }
}

// Characters Python escapes: `"`, `\`, C0 controls, and everything outside printable ASCII.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/g;

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

function escapeChar(ch: string): string {
  const short = SHORT_ESCAPES[ch];
  if (short !== undefined) return short;
  // `ch` is one UTF-16 code unit, so astral characters come out as two surrogate escapes, like Python.
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** `json.dumps(s)` for one string (ensure_ascii, lowercase hex). */
export function pyDumpsString(s: string): string {
  return `"${s.replace(NEEDS_ESCAPE, escapeChar)}"`;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Deepest nesting the encoder walks. Remote JSON is refused deeper than `maxJsonDepth` when parsed; this
 * bound turns anything else (a caller's own cyclic-free but absurd structure) into a typed error, not
 * a `RangeError` from the call stack.
 */
const MAX_ENCODE_DEPTH = 512;

function encode(value: unknown, path: string, seen: Set<object>): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return pyDumpsString(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      // The protocol only carries integers (status codes); Python would print floats differently.
      if (!Number.isSafeInteger(value)) throw new ProtocolEncodeError(path, "only safe integers are allowed");
      return String(value);
    case "bigint":
      return value.toString();
    case "object":
      break;
    default:
      throw new ProtocolEncodeError(path, `${typeof value} is not JSON`);
  }
  const obj = value as object;
  if (seen.has(obj)) throw new ProtocolEncodeError(path, "circular reference");
  if (seen.size >= MAX_ENCODE_DEPTH) {
    throw new ProtocolEncodeError(shortPath(path), `nested deeper than ${MAX_ENCODE_DEPTH} levels`);
  }
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      const parts: string[] = [];
      for (let i = 0; i < obj.length; i++) parts.push(encode(obj[i], `${path}[${i}]`, seen));
      return `[${parts.join(", ")}]`;
    }
    // A Map keeps any key order, including integer-like keys that plain objects would reorder.
    let entries: Iterable<[unknown, unknown]>;
    if (obj instanceof Map) entries = obj.entries();
    else if (isPlainObject(obj)) entries = Object.entries(obj);
    else throw new ProtocolEncodeError(path, "only plain objects, Maps and arrays are allowed");
    const parts: string[] = [];
    for (const [key, item] of entries) {
      if (typeof key !== "string") throw new ProtocolEncodeError(path, "object keys must be strings");
      const itemPath = `${path}.${key}`;
      if (item === undefined) throw new ProtocolEncodeError(itemPath, "undefined is not JSON");
      parts.push(`${pyDumpsString(key)}: ${encode(item, itemPath, seen)}`);
    }
    return `{${parts.join(", ")}}`;
  } finally {
    seen.delete(obj);
  }
}

/** A path of a very deep value, shortened for an error message. */
function shortPath(path: string): string {
  return path.length > 120 ? `${path.slice(0, 60)}…${path.slice(-40)}` : path;
}

/**
 * Byte-identical to Python's `json.dumps(value)`: separators `", "` / `": "`, ensure_ascii with
 * lowercase `\uXXXX`, insertion key order, no trailing newline. Accepts null, booleans, safe
 * integers, bigints, strings, arrays, plain objects and Maps with string keys; anything else
 * (floats, NaN, undefined, functions, class instances) throws `ProtocolEncodeError`.
 *
 * Plain objects list integer-like keys first (a JavaScript rule); use a Map when such keys must
 * keep another order.
 */
export function pyDumps(value: unknown): string {
  return encode(value, "$", new Set());
}

export type ParseJsonResult = { ok: true; value: unknown } | { ok: false; error: string };

export interface ParseJsonLimits {
  /** Largest text, in UTF-8 bytes (default `DEFAULT_REMOTE_LIMITS.maxValueBytes`). */
  readonly maxBytes?: number;
  /** Deepest nesting of arrays and objects (default `DEFAULT_REMOTE_LIMITS.maxJsonDepth`). */
  readonly maxDepth?: number;
}

/**
 * The nesting depth of JSON text, counted in one linear pass that skips strings (so a hostile document
 * is refused before `JSON.parse` builds it, and before anything walks it recursively).
 */
export function jsonTextDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/**
 * `JSON.parse` that never throws, for remote text: bounded in size and depth (`limits`), and the error
 * text describes the problem and position only (V8's own message quotes the input, which may be a
 * secret).
 */
export function parseJson(text: string, limits: ParseJsonLimits = {}): ParseJsonResult {
  if (typeof text !== "string") return { ok: false, error: "not a string" };
  const maxBytes = limits.maxBytes ?? DEFAULT_REMOTE_LIMITS.maxValueBytes;
  const maxDepth = limits.maxDepth ?? DEFAULT_REMOTE_LIMITS.maxJsonDepth;
  if (text.length > maxBytes || utf8Length(text) > maxBytes) {
    return { ok: false, error: `JSON larger than ${maxBytes} bytes` };
  }
  if (jsonTextDepth(text) > maxDepth)
    return { ok: false, error: `JSON nested deeper than ${maxDepth} levels` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const message = e instanceof Error ? e.message : "";
    const position = /position (\d+)/.exec(message)?.[1];
    if (text.trim() === "") return { ok: false, error: "not valid JSON (empty)" };
    if (/end of (JSON )?input|Unterminated/i.test(message)) {
      return { ok: false, error: "not valid JSON (unexpected end of input)" };
    }
    return {
      ok: false,
      error: position ? `not valid JSON (error at position ${position})` : "not valid JSON",
    };
  }
}

/**
 * The objects of a JSON array value (a v1 `requests` list, ours or the remote side's); anything that
 * is not such an array, or not an object in it, is left out.
 */
export function parseJsonObjects(raw: string | undefined): Record<string, unknown>[] {
  if (raw === undefined) return [];
  const parsed = parseJson(raw);
  if (!parsed.ok || !Array.isArray(parsed.value)) return [];
  return parsed.value.filter(
    (o): o is Record<string, unknown> => !!o && typeof o === "object" && !Array.isArray(o),
  );
}

/** Order two strings by their UTF-8 bytes (= code point order), as Go sorts map keys. */
export function compareUtf8(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const na = ia.next();
    const nb = ib.next();
    if (na.done) return nb.done ? 0 : -1;
    if (nb.done) return 1;
    const ca = na.value.codePointAt(0)!;
    const cb = nb.value.codePointAt(0)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
  }
}

/**
 * A new object with the keys sorted by UTF-8 byte order (Juju returns databags that way). Plain
 * objects put integer-like keys first regardless; `sortedEntries` gives the exact order.
 */
export function sortedKeys<T>(obj: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(sortedEntries(obj));
}

/** The object's entries sorted by key in UTF-8 byte order. */
export function sortedEntries<T>(obj: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(obj).sort(([a], [b]) => compareUtf8(a, b));
}
