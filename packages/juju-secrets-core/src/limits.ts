/**
 * Limits on remote input (DESIGN.md principle 8). A remote application controls its databags; these
 * caps bound the work one hook does for it, so a hostile or buggy peer can block its own relation and
 * nothing else. The numbers, and why:
 *
 * - 1 MiB per databag value. Juju 3 has no relation-data limit of its own (MongoDB's 16 MB document),
 *   Juju's secret content limit is 1 MB per key; the largest values real charms write are PEM chains
 *   and v1 `requests` / `data` JSON, a few KiB each (a 100-request v1 list is ~40 KiB).
 * - JSON nested at most 32 levels. The deepest protocol document (`data` → request → permissions →
 *   privileges) has 5; unknown keys get room to spare while every walk stays far from the stack limit.
 * - 100 v1 requests per relation (configurable per provider and requirer). Each request costs its
 *   provider up to two secrets (four hook-tool calls) per hook that answers it; real requirers send one
 *   request per database, prefix or key pattern, i.e. a handful.
 * - Remote text shown in a status or a log: control characters escaped, at most 200 characters per
 *   remote name, 1,024 characters per status message (one line in `juju status`).
 */

/** Limits applied to what the other side of a relation wrote. */
export interface RemoteLimits {
  /** Largest databag value, in UTF-8 bytes. */
  readonly maxValueBytes: number;
  /** Deepest JSON nesting (arrays and objects) in a JSON-valued field. */
  readonly maxJsonDepth: number;
  /** Most v1 requests (provider side) or responses (requirer side) on one relation. */
  readonly maxRequests: number;
}

export const DEFAULT_REMOTE_LIMITS: RemoteLimits = Object.freeze({
  maxValueBytes: 1024 * 1024,
  maxJsonDepth: 32,
  maxRequests: 100,
});

/** Characters of one remote name (a key, a unit) quoted in a message. */
export const MAX_QUOTED_NAME = 200;
/** Characters of a status message. */
export const MAX_STATUS_MESSAGE = 1024;

/**
 * Remote text made safe for a status, a log line or a terminal: C0/C1 controls, DEL, line and
 * paragraph separators and bidirectional overrides become visible escapes (`\x1b`, `\u2028`), and the
 * result is cut to `max` characters with a marker. Linear, no regex backtracking.
 */
export function safeText(text: string, max = MAX_QUOTED_NAME): string {
  let out = "";
  let shown = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const piece = isUnsafe(c) ? escapeCode(c) : ch;
    if (shown + piece.length > max) {
      out += `…(${[...text].length} chars)`;
      return out;
    }
    out += piece;
    shown += piece.length;
  }
  return out;
}

function isUnsafe(c: number): boolean {
  return (
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) ||
    c === 0x2028 ||
    c === 0x2029 ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069) ||
    c === 0x200e ||
    c === 0x200f ||
    (c >= 0xd800 && c <= 0xdfff) ||
    c === 0xfeff
  );
}

function escapeCode(c: number): string {
  return c <= 0xff ? `\\x${c.toString(16).padStart(2, "0")}` : `\\u${c.toString(16).padStart(4, "0")}`;
}

/** UTF-8 length of a string without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
