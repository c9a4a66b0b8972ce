/**
 * Databag value codecs (protocol §2.3–§2.5): booleans, comma lists, secret URIs, JSON string
 * arrays. Readers are lenient, writers use one exact spelling.
 */

import { compareUtf8, ProtocolEncodeError, parseJson } from "./json.js";

const TRUE_WORDS = new Set(["true", "enabled", "yes", "on", "1"]);
const FALSE_WORDS = new Set(["false", "disabled", "no", "off", "0", ""]);

/**
 * Lenient boolean reader: `true`/`enabled`/`yes`/`on`/`1` and `false`/`disabled`/`no`/`off`/`0`/`""`,
 * trimmed and case-insensitive; a missing key is false. Anything else returns `undefined`, which the
 * caller turns into a typed error naming the key.
 */
export function parseBool(raw: string | undefined): boolean | undefined {
  if (raw === undefined) return false;
  if (typeof raw !== "string") return undefined;
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

/** The spellings real charms write (interfaces.md §7): valkey/protocol, PostgreSQL/etcd, Kafka Connect. */
export type BoolSpelling = "true" | "True" | "enabled";

export function formatBool(value: boolean, spelling: BoolSpelling): string {
  switch (spelling) {
    case "true":
      return value ? "true" : "false";
    case "True":
      return value ? "True" : "False";
    case "enabled":
      return value ? "enabled" : "disabled";
  }
}

/** Split on `,`, trim, drop empty items. Missing means no items. */
export function parseCommaList(raw?: string): string[] {
  if (typeof raw !== "string") return [];
  return raw
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

export interface FormatCommaListOptions {
  /** Sort by code point (Python's `sorted`), as for `prefix-databases`. */
  readonly sort?: boolean;
  /** The databag key, for error messages. */
  readonly field?: string;
}

/**
 * Join with `,` and no spaces. Items are trimmed and empty ones dropped, mirroring the reader; an
 * item containing a comma cannot round-trip and throws `ProtocolEncodeError`.
 */
export function formatCommaList(items: readonly string[], options: FormatCommaListOptions = {}): string {
  const field = options.field ?? "comma list";
  const cleaned: string[] = [];
  for (const [i, item] of items.entries()) {
    if (typeof item !== "string") throw new ProtocolEncodeError(`${field}[${i}]`, "items must be strings");
    if (item.includes(",")) throw new ProtocolEncodeError(`${field}[${i}]`, "items must not contain ','");
    const trimmed = item.trim();
    if (trimmed !== "") cleaned.push(trimmed);
  }
  if (options.sort) cleaned.sort(compareUtf8);
  return cleaned.join(",");
}

// ---------------------------------------------------------------------------------------------
// Secret URIs (juju-hook-tools.md §7.1)

/** Juju's xid pattern (`[0-9a-z]{20}`; real ids use base32hex `[0-9a-v]`). */
export const SECRET_XID_RE = /^[0-9a-z]{20}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ParsedSecretUri {
  /** The bare 20-character id; compare secrets by this. */
  readonly xid: string;
  /** The model UUID of `secret://<uuid>/<xid>`. */
  readonly modelUuid?: string;
  /** The value exactly as given (publish this, never the bare xid). */
  readonly raw: string;
}

/**
 * Parse any of the three forms Juju accepts: bare `<xid>`, `secret:<xid>` and
 * `secret://<model-uuid>/<xid>`. Returns `undefined` for anything else.
 */
export function parseSecretUri(s: string): ParsedSecretUri | undefined {
  if (typeof s !== "string") return undefined;
  const text = s.trim();
  if (SECRET_XID_RE.test(text)) return { xid: text, raw: s };
  if (text.startsWith("secret://")) {
    const rest = text.slice("secret://".length);
    const slash = rest.indexOf("/");
    if (slash < 0) return undefined;
    const uuid = rest.slice(0, slash);
    const xid = rest.slice(slash + 1);
    if (!UUID_RE.test(uuid) || !SECRET_XID_RE.test(xid)) return undefined;
    return { xid, modelUuid: uuid, raw: s };
  }
  if (text.startsWith("secret:")) {
    const xid = text.slice("secret:".length);
    return SECRET_XID_RE.test(xid) ? { xid, raw: s } : undefined;
  }
  return undefined;
}

/** True when both name the same secret (same xid), whatever their URI forms. */
export function sameSecret(
  a: string | ParsedSecretUri | undefined | null,
  b: string | ParsedSecretUri | undefined | null,
): boolean {
  const pa = typeof a === "string" ? parseSecretUri(a) : (a ?? undefined);
  const pb = typeof b === "string" ? parseSecretUri(b) : (b ?? undefined);
  return pa !== undefined && pb !== undefined && pa.xid === pb.xid;
}

/** A `tls-ca` value meaning "no CA": missing, `""` or `disabled` (Kafka Connect's spelling). */
export function isNoneCa(value: string | undefined | null): boolean {
  if (value === undefined || value === null) return true;
  const v = value.trim();
  return v === "" || v.toLowerCase() === "disabled";
}

export type ParseStringArrayResult = { ok: true; value: string[] } | { ok: false; error: string };

/**
 * Read a JSON array of strings such as `requested-secrets`. A missing or empty value is `[]`
 * (protocol §4.3); anything else that is not an array of strings is an error describing the rule.
 */
export function parseJsonArrayOfStrings(raw: string | undefined | null): ParseStringArrayResult {
  if (raw === undefined || raw === null || raw === "") return { ok: true, value: [] };
  const parsed = parseJson(raw);
  if (!parsed.ok) return parsed;
  if (!Array.isArray(parsed.value)) return { ok: false, error: "expected a JSON array of strings" };
  for (const [i, item] of parsed.value.entries()) {
    if (typeof item !== "string") {
      return { ok: false, error: `expected a JSON array of strings (item ${i} is ${jsonType(item)})` };
    }
  }
  return { ok: true, value: parsed.value as string[] };
}

/** The JSON type name of a parsed value, for error messages that must not quote it. */
export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}
