/**
 * The values hostile cases put in a databag: fast-check arbitraries of text that is not JSON, JSON of
 * the wrong type, boolean spellings nobody writes, invalid secret URIs, huge and non-ASCII text, and
 * lists that are not `host:port`.
 */

import { parseSecretUri, pyDumps } from "@charm-relations/juju-secrets-core/protocol";
import fc from "fast-check";

/** Python's bytes when it can (integers only), else plain JSON (a hostile writer may send floats). */
export const dumps = (v: unknown): string => {
  try {
    return pyDumps(v);
  } catch {
    return JSON.stringify(v);
  }
};

const isJson = (s: string): boolean => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
};

/** Non-empty text that is not JSON (Juju cannot store an empty value: "" deletes the key). */
export const notJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "{",
    "[1,",
    "nope",
    "{'a': 1}",
    '["a",]',
    "NaN",
    "undefined",
    '["unterminated]',
    '{"a" 1}',
    "True",
    " ",
  ),
  fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !isJson(s)),
);

export type JsonKind = "array" | "object" | "string" | "number" | "boolean" | "null";
export const kindOf = (v: unknown): JsonKind =>
  v === null ? "null" : Array.isArray(v) ? "array" : (typeof v as "object" | "string" | "number" | "boolean");

/** JSON text of any type but `not` (and, for string arrays, arrays with a non-string item). */
export function jsonNot(not: JsonKind, options: { stringItems?: boolean } = {}): fc.Arbitrary<string> {
  const values = fc.jsonValue({ maxDepth: 2 }).filter((v) => kindOf(v) !== not);
  const badArrays = options.stringItems
    ? [
        fc
          .array(
            fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.dictionary(fc.string(), fc.string())),
            { minLength: 1, maxLength: 3 },
          )
          .map((a) => ["ok", ...a]),
      ]
    : [];
  return fc.oneof(values, ...badArrays).map((v) => dumps(v));
}

const KNOWN_BOOLS = new Set(["true", "enabled", "yes", "on", "1", "false", "disabled", "no", "off", "0", ""]);
/** Boolean spellings nobody writes: refused by lenient readers. */
export const unknownBool: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "ture",
    "TRUE!",
    "y",
    "t",
    "2",
    "-1",
    "nil",
    "None",
    "si",
    "tru e",
    "yes please",
    "oui",
    "✓",
    "0x1",
  ),
  fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !KNOWN_BOOLS.has(s.trim().toLowerCase())),
);

/** Strings that are not secret URIs in any of Juju's three forms. */
export const invalidUri: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "secret:",
    "secret://",
    "secret:ABCDEFGHIJKLMNOPQRST",
    "secret://not-a-uuid/d2fjn1fmp25004or68b0",
    "secret:d2fjn1fmp25004or68b",
    "https://example.com/secret",
    "secret:d2fjn1fmp25004or68b0/extra",
    "$SECRET",
    "../../etc/passwd",
  ),
  fc
    .string({ minLength: 1, maxLength: 40 })
    .filter((s) => s.trim() !== "" && parseSecretUri(s) === undefined),
);

/** 64 KiB – 256 KiB of text (a broken or hostile writer; Juju allows much more). */
export const huge: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 64 * 1024, max: 256 * 1024 }), fc.constantFrom("a", "é", "0", "🙂", ","))
  .map(([n, c]) => c.repeat(Math.ceil(n / c.length)));

/** Text with at least one non-ASCII character (accents, CJK, emoji, RTL, NUL). */
export const nonAscii: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("数据库", "база", "café", "🙂🙂", "\u202eevil", "a\u0000b", "\ud800"),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }).filter((s) => /[^\x20-\x7e]/.test(s)),
);

/**
 * Comma lists with at least one item that is not `host:port` (port 1–5 digits). Never a `scheme://`
 * prefix: some interfaces deliberately accept and strip one (etcd_client); see `schemeHostPorts`.
 */
export const badHostPorts: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("nope", "10.0.0.1", "a b:1", "host:", ":6379", "host:port", "host:123456", "10.0.0.1:1,x"),
  fc
    .string({ minLength: 1, maxLength: 20 })
    .filter(
      (s) =>
        !s.includes("://") &&
        s
          .split(",")
          .some((i) => i.trim() !== "" && !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}$/.test(i.trim())),
    ),
);

/** `host:port` with a scheme, for interfaces whose endpoints must not carry one. */
export const schemeHostPorts: fc.Arbitrary<string> = fc.constantFrom(
  "https://x:1",
  "http://10.0.0.1:6379",
  "redis://a:1",
);

/** Keys nobody defined (must be tolerated and ignored). */
export const unknownKey: fc.Arbitrary<string> = fc.stringMatching(/^x-[a-z][a-z0-9-]{0,14}$/);

/** A value as a case's note shows it: at most 40 characters. */
export const show = (s: unknown): string => {
  const text = typeof s === "string" ? s : JSON.stringify(s);
  return text.length > 40 ? `${text.slice(0, 40)}… (${text.length} chars)` : text;
};
