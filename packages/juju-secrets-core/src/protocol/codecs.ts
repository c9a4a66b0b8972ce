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
  /** The value as the hook tools get it: `raw` without surrounding blanks. */
  readonly uri: string;
}

// Python's `str.strip()` whitespace: ops strips secret ids with it (`Secret._canonicalize_id`).
const PY_BLANKS = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002,
  0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/**
 * The one normalisation of a secret URI from a databag, for validation and for the hook tools alike:
 * surrounding blanks removed the way ops removes them, nothing else changed.
 */
export function trimSecretUri(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && PY_BLANKS.has(s.charCodeAt(start))) start++;
  while (end > start && PY_BLANKS.has(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

/**
 * Parse any of the three forms Juju accepts: bare `<xid>`, `secret:<xid>` and
 * `secret://<model-uuid>/<xid>`, after `trimSecretUri`. Returns `undefined` for anything else.
 */
export function parseSecretUri(s: string): ParsedSecretUri | undefined {
  if (typeof s !== "string" || s.length > 200) return undefined;
  const text = trimSecretUri(s);
  if (SECRET_XID_RE.test(text)) return { xid: text, raw: s, uri: text };
  if (text.startsWith("secret://")) {
    const rest = text.slice("secret://".length);
    const slash = rest.indexOf("/");
    if (slash < 0) return undefined;
    const uuid = rest.slice(0, slash);
    const xid = rest.slice(slash + 1);
    if (!UUID_RE.test(uuid) || !SECRET_XID_RE.test(xid)) return undefined;
    return { xid, modelUuid: uuid, raw: s, uri: text };
  }
  if (text.startsWith("secret:")) {
    const xid = text.slice("secret:".length);
    return SECRET_XID_RE.test(xid) ? { xid, raw: s, uri: text } : undefined;
  }
  return undefined;
}

/** What to hand a hook tool for a secret URI read from a databag: `trimSecretUri`, if it parses. */
export function secretIdArg(s: string): string {
  return parseSecretUri(s)?.uri ?? s;
}

/** The bare xid of a secret URI in any form (a value that does not parse: its last path part). */
export function xidOf(uri: string): string {
  const parsed = parseSecretUri(uri);
  if (parsed) return parsed.xid;
  const i = uri.lastIndexOf("/");
  const tail = i >= 0 ? uri.slice(i + 1) : uri;
  return tail.startsWith("secret:") ? tail.slice("secret:".length) : tail;
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

// ---------------------------------------------------------------------------------------------
// Linear-time checks of remote text (DESIGN.md principle 8): split, then test each part with an
// anchored pattern that cannot backtrack, instead of one pattern over the whole value.

/** Remove every trailing `ch` (what `/ch+$/` does, without its quadratic search). */
export function trimTrailing(s: string, ch: string): string {
  let end = s.length;
  while (end > 0 && s[end - 1] === ch) end--;
  return s.slice(0, end);
}

const HOST_NAME_RE = /^[A-Za-z0-9_.-]+$/;
const HOST_IP6_RE = /^\[[0-9a-fA-F:.]+\]$/;
const PORT_RE = /^\d{1,5}$/;

/** `host:port` without a scheme (`[v6]:port` too); with `portRange`, the port must be 0–65535. */
export function isHostPort(item: string, options: { portRange?: boolean } = {}): boolean {
  const colon = item.lastIndexOf(":");
  if (colon < 1) return false;
  const host = item.slice(0, colon);
  const port = item.slice(colon + 1);
  if (!PORT_RE.test(port) || (options.portRange && Number(port) > 65535)) return false;
  return host.startsWith("[") ? HOST_IP6_RE.test(host) : HOST_NAME_RE.test(host);
}

/** A PEM block's label: `CERTIFICATE`, `PRIVATE KEY`, `RSA PRIVATE KEY`, … */
export const PEM_CERTIFICATE = ["CERTIFICATE"] as const;
export const PEM_PRIVATE_KEY = [
  "PRIVATE KEY",
  "RSA PRIVATE KEY",
  "EC PRIVATE KEY",
  "ENCRYPTED PRIVATE KEY",
] as const;

/**
 * The `-----BEGIN <label>-----` … `-----END <label>-----` blocks of a text, in order (each with at
 * least one character between the markers, as `/BEGIN[\s\S]+?END/g` finds them), for the given labels.
 * One forward pass: once a BEGIN has no END after it, no later one has either.
 */
export function pemBlocks(text: string, labels: readonly string[] = PEM_CERTIFICATE): string[] {
  const blocks: string[] = [];
  if (typeof text !== "string") return blocks;
  // Labels whose END marker is nowhere after some point: none of their later BEGINs can close.
  const unclosed = new Set<string>();
  let from = 0;
  for (;;) {
    const begin = text.indexOf("-----BEGIN ", from);
    if (begin < 0) return blocks;
    const labelEnd = text.indexOf("-----", begin + 11);
    if (labelEnd < 0) return blocks;
    const label = text.slice(begin + 11, labelEnd);
    if (!labels.includes(label) || unclosed.has(label)) {
      from = begin + 11;
      continue;
    }
    const footer = `-----END ${label}-----`;
    const end = text.indexOf(footer, labelEnd + 6);
    if (end < 0) {
      unclosed.add(label);
      if (unclosed.size === labels.length) return blocks;
      from = labelEnd + 5;
      continue;
    }
    blocks.push(text.slice(begin, end + footer.length));
    from = end + footer.length;
  }
}
