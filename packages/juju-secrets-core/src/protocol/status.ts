/**
 * Relation statuses (protocol §4.7): the provider app key `status`, a JSON array of
 * `{"code", "message", "resolution"}` sorted by code; requirers diff the codes against their snapshot.
 */

import { jsonType } from "./codecs.js";
import { type ParseJsonLimits, ProtocolEncodeError, parseJson, pyDumps } from "./json.js";

/** The databag key. */
export const STATUS_KEY = "status";

export interface RelationStatus {
  readonly code: number;
  readonly message: string;
  readonly resolution: string;
}

export type StatusSeverity = "informational" | "transitory" | "fatal" | "unknown";

/** 1xxx informational, 4xxx transitory, 5xxx fatal (Python's `code // 1000`). */
export function statusSeverity(code: number): StatusSeverity {
  if (!Number.isInteger(code)) return "unknown";
  switch (Math.floor(code / 1000)) {
    case 1:
      return "informational";
    case 4:
      return "transitory";
    case 5:
      return "fatal";
    default:
      return "unknown";
  }
}

/**
 * Dedupe by code (the last one wins, as Python's `raise_status` replaces a raised code) and sort by
 * code. Throws `ProtocolEncodeError` for a non-integer code or non-string texts.
 */
export function normalizeStatuses(list: readonly RelationStatus[]): RelationStatus[] {
  const byCode = new Map<number, RelationStatus>();
  for (const [i, status] of list.entries()) {
    if (!Number.isSafeInteger(status?.code))
      throw new ProtocolEncodeError(`status[${i}].code`, "must be an integer");
    if (typeof status.message !== "string") {
      throw new ProtocolEncodeError(`status[${i}].message`, "must be a string");
    }
    if (typeof status.resolution !== "string") {
      throw new ProtocolEncodeError(`status[${i}].resolution`, "must be a string");
    }
    byCode.set(status.code, { code: status.code, message: status.message, resolution: status.resolution });
  }
  return [...byCode.values()].sort((a, b) => a.code - b.code);
}

/** The `status` value: sorted by code, keys `code`, `message`, `resolution`, Python JSON. `[]` when empty. */
export function formatStatuses(list: readonly RelationStatus[]): string {
  return pyDumps(
    normalizeStatuses(list).map((s) => ({ code: s.code, message: s.message, resolution: s.resolution })),
  );
}

/**
 * The v1 snapshot's `status` entry: `{"<code>": {code, message, resolution}}` in code order
 * (a Map, so pyDumps keeps that order).
 */
export function statusMap(list: readonly RelationStatus[]): Map<string, RelationStatus> {
  return new Map(normalizeStatuses(list).map((s) => [String(s.code), s]));
}

export type ParseStatusesResult =
  | { readonly ok: true; readonly statuses: RelationStatus[] }
  | { readonly ok: false; readonly error: string; readonly statuses: RelationStatus[] };

export interface ParseStatusesOptions {
  /**
   * Remote data (Python's `RelationStatus` model): an integer `code` and string `message` and
   * `resolution` in every entry. Without it (our own snapshots), string codes and missing texts pass.
   */
  readonly strict?: boolean;
  /** Size and depth limits of the JSON text (remote data). */
  readonly limits?: ParseJsonLimits;
}

/** A status entry as the protocol defines it: integer code, string message and resolution. */
export function isRelationStatus(item: unknown): item is RelationStatus {
  if (item === null || typeof item !== "object" || Array.isArray(item)) return false;
  const o = item as Record<string, unknown>;
  return Number.isSafeInteger(o.code) && typeof o.message === "string" && typeof o.resolution === "string";
}

function toStatus(item: unknown, where: string, strict: boolean): RelationStatus | string {
  if (item === null || typeof item !== "object" || Array.isArray(item)) {
    return `${where}: expected an object, got ${jsonType(item)}`;
  }
  if (strict) {
    if (isRelationStatus(item))
      return { code: item.code, message: item.message, resolution: item.resolution };
    return `${where}: expected {code: integer, message: string, resolution: string}`;
  }
  const rec = item as Record<string, unknown>;
  const rawCode = rec["code"];
  const code =
    typeof rawCode === "number"
      ? rawCode
      : typeof rawCode === "string" && /^\d+$/.test(rawCode.trim())
        ? Number(rawCode)
        : NaN;
  if (!Number.isSafeInteger(code)) return `${where}.code: expected an integer, got ${jsonType(rawCode)}`;
  const message = rec["message"];
  const resolution = rec["resolution"];
  return {
    code,
    message: typeof message === "string" ? message : "",
    resolution: typeof resolution === "string" ? resolution : "",
  };
}

/**
 * Read statuses (leniently, unless `strict`). Accepts the databag string (a JSON array), an already parsed array, or the
 * v1 snapshot form `{"<code>": {...}}`. Missing or `""` means none. Entries without an integer code
 * make the result `ok: false`, with the valid entries still returned. A missing message or
 * resolution reads as `""`.
 */
export function parseStatuses(raw: unknown, options: ParseStatusesOptions = {}): ParseStatusesResult {
  if (raw === undefined || raw === null || raw === "") return { ok: true, statuses: [] };
  let value: unknown = raw;
  if (typeof raw === "string") {
    const parsed = parseJson(raw, options.limits);
    if (!parsed.ok) return { ok: false, error: parsed.error, statuses: [] };
    value = parsed.value;
  }
  let items: [string, unknown][];
  if (Array.isArray(value)) items = value.map((item, i) => [`status[${i}]`, item]);
  else if (value !== null && typeof value === "object" && options.strict !== true) {
    items = Object.entries(value).map(([code, item]) => [`status.${code}`, item]);
  } else
    return { ok: false, error: `expected a JSON array of statuses, got ${jsonType(value)}`, statuses: [] };

  const statuses: RelationStatus[] = [];
  const errors: string[] = [];
  for (const [where, item] of items) {
    const status = toStatus(item, where, options.strict === true);
    if (typeof status === "string") errors.push(status);
    else statuses.push(status);
  }
  statuses.sort((a, b) => a.code - b.code);
  return errors.length === 0 ? { ok: true, statuses } : { ok: false, error: errors.join("; "), statuses };
}

export interface StatusDiff {
  /** Codes present now and not before (new entries). */
  readonly raised: RelationStatus[];
  /** Codes present before and gone now (old entries). */
  readonly resolved: RelationStatus[];
}

/** Compare by code only, like Python: a changed message for the same code is neither. */
export function diffStatuses(old: readonly RelationStatus[], current: readonly RelationStatus[]): StatusDiff {
  const oldCodes = new Set(old.map((s) => s.code));
  const newCodes = new Set(current.map((s) => s.code));
  const seen = new Set<number>();
  const raised = current.filter((s) => !oldCodes.has(s.code) && !seen.has(s.code) && seen.add(s.code));
  seen.clear();
  const resolved = old.filter((s) => !newCodes.has(s.code) && !seen.has(s.code) && seen.add(s.code));
  const byCode = (a: RelationStatus, b: RelationStatus) => a.code - b.code;
  return { raised: raised.sort(byCode), resolved: resolved.sort(byCode) };
}
