/**
 * What Juju checks in a secret call before it looks at any secret: the URI, key names, content sizes
 * (on the base64 form), rotate policies and expiry times (RFC 3339 or a Go duration); and the argv the
 * calls are logged with (content values never in it).
 */

import type { SecretAddOptions, SecretSetOptions } from "../backend/types.js";
import { describeShape, SecretContentError } from "../errors.js";
import { fail } from "./memory-session.js";
import { isModelUuid, secretXid } from "./model-names.js";

const ROTATE_POLICIES: readonly string[] = [
  "never",
  "hourly",
  "daily",
  "weekly",
  "monthly",
  "quarterly",
  "yearly",
];
export const SECRET_KEY_RE = /^([a-z](?:-?[a-z0-9]){2,})$/;
const MAX_SECRET_BYTES = 1_000_000;
const REDACTED = "<redacted>";

/** The xid of a secret id in any of Juju's forms; a usage error naming what is wrong otherwise. */
export function xidOf(id: string, forGet: boolean): string {
  const xid = secretXid(id);
  if (xid !== undefined) return xid;
  if (!forGet && id.startsWith("secret://")) {
    const host = id.slice("secret://".length).split("/")[0] ?? "";
    if (!isModelUuid(host)) fail(2, `host controller UUID "${host}" not valid`);
  }
  return fail(2, `secret URI "${id}" not valid`);
}

const base64Length = (value: string): number => 4 * Math.ceil(Buffer.byteLength(value, "utf8") / 3);

export function checkContent(content: Readonly<Record<string, string>>): void {
  let total = 0;
  for (const [key, value] of Object.entries(content)) {
    if (typeof value !== "string") {
      throw new SecretContentError(
        `secret content for key "${key}" must be a string, got ${describeShape(value)}`,
        key,
      );
    }
    if (!SECRET_KEY_RE.test(key)) fail(2, `key "${key}" not valid`);
  }
  for (const [key, value] of Object.entries(content)) {
    const size = base64Length(value);
    if (size > MAX_SECRET_BYTES)
      fail(1, `base64 encoded secret content for key "${key}" too large: ${size} bytes`);
    total += size;
  }
  if (total > MAX_SECRET_BYTES) fail(1, `base64 encoded secret content too large: ${total} bytes`);
}

/** Check `--rotate` and `--expire`; returns the expiry as stored (RFC 3339, UTC). */
export function checkMetadata(options: {
  readonly rotate?: string;
  readonly expire?: string;
}): string | undefined {
  if (options.rotate !== undefined && !ROTATE_POLICIES.includes(options.rotate)) {
    fail(2, `rotate policy "${options.rotate}" not valid`);
  }
  return options.expire !== undefined ? parseExpire(options.expire) : undefined;
}

/** Parse `--expire`: RFC 3339, `YYYY-MM-DDTHH:MM:SS` (UTC), or a positive Go duration. */
function parseExpire(spec: string, now: Date = new Date()): string {
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(spec)) {
    const t = new Date(spec);
    if (!Number.isNaN(t.getTime())) return t.toISOString().replace(".000Z", "Z");
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(spec)) {
    const t = new Date(`${spec}Z`);
    if (!Number.isNaN(t.getTime())) return t.toISOString().replace(".000Z", "Z");
  }
  const ms = goDurationMs(spec);
  if (ms === undefined) return fail(2, `expire time or duration "${spec}" not valid`);
  if (ms <= 0) return fail(2, `negative expire duration "${spec}" not valid`);
  return new Date(now.getTime() + ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const DURATION_UNITS: readonly [string, number][] = [
  ["ns", 1e-6],
  ["us", 1e-3],
  ["µs", 1e-3],
  ["ms", 1],
  ["s", 1e3],
  ["m", 60e3],
  ["h", 3600e3],
];

/** A Go duration (`90m`, `1h30m`, `1.5h`) in milliseconds, read left to right; `-` gives ≤ 0. */
function goDurationMs(spec: string): number | undefined {
  let i = spec[0] === "+" || spec[0] === "-" ? 1 : 0;
  const sign = spec[0] === "-" ? -1 : 1;
  let total = 0;
  let parts = 0;
  const digits = (from: number) => {
    let j = from;
    while (j < spec.length && spec[j]! >= "0" && spec[j]! <= "9") j++;
    return j;
  };
  while (i < spec.length) {
    let j = digits(i);
    if (j === i) return undefined;
    if (spec[j] === ".") j = digits(j + 1);
    const unit = DURATION_UNITS.filter(([u]) => spec.startsWith(u, j)).sort(
      (a, b) => b[0].length - a[0].length,
    )[0];
    if (!unit) return undefined;
    total += Number.parseFloat(spec.slice(i, j)) * unit[1];
    i = j + unit[0].length;
    parts++;
  }
  return parts === 0 ? undefined : sign * total;
}

/** Content as logged: `key#file=<redacted>` (the way `ProcessBackend` passes it, never the value). */
export function contentArgs(content: Readonly<Record<string, string>> | undefined): string[] {
  return Object.keys(content ?? {}).map((k) => `${k}#file=${REDACTED}`);
}

export function metadataArgs(options: SecretAddOptions | SecretSetOptions): string[] {
  return [
    ...(options.label !== undefined ? ["--label", options.label] : []),
    ...(options.description !== undefined ? ["--description", options.description] : []),
    ...(options.expire !== undefined ? ["--expire", options.expire] : []),
    ...(options.rotate !== undefined ? ["--rotate", options.rotate] : []),
  ];
}
