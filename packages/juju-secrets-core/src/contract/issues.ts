/**
 * Reading remote wire values into `RemoteDataError` issues: one collector per remote databag, so a
 * hook reports every problem of a relation at once (key and rule, never the value).
 */

import { describeShape, type RemoteDataIssue } from "../errors.js";
import { DEFAULT_REMOTE_LIMITS, type RemoteLimits, utf8Length } from "../limits.js";
import { parseJson } from "../protocol/json.js";
import { parseStatuses, type RelationStatus } from "../protocol/status.js";
import type { BagKind, RelationRef, Side } from "../types.js";

/** The remote limits in force: the defaults, overridden by an engine's options. */
export function remoteLimits(overrides: Partial<RemoteLimits> | undefined): RemoteLimits {
  return overrides ? { ...DEFAULT_REMOTE_LIMITS, ...overrides } : DEFAULT_REMOTE_LIMITS;
}

/** `obj[key]` when `key` is an own key of `obj` (a remote name never reaches an inherited member). */
export function ownValue<T>(obj: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Canonical (v1) field name for a v0 flat key, given an interface's spelling overrides. */
export function canonicalKey(key: string, v0Keys: Readonly<Record<string, string>> | undefined): string {
  // Own entries only: remote keys such as `constructor` are looked up here.
  if (!v0Keys) return key;
  for (const [canonical, flat] of Object.entries(v0Keys)) if (flat === key) return canonical;
  return key;
}

/** The v0 flat spelling of a canonical field. */
export function flatKey(field: string, v0Keys: Readonly<Record<string, string>> | undefined): string {
  return ownValue(v0Keys, field) ?? field;
}

const STATUS_RULE = "expected a JSON array of {code, message, resolution}";

/** Collects issues about one remote databag so a whole hook can report them at once. */
export class IssueCollector {
  readonly issues: RemoteDataIssue[] = [];
  constructor(
    readonly relation: RelationRef,
    readonly side: Side,
    readonly bag: BagKind,
    readonly limits: RemoteLimits = DEFAULT_REMOTE_LIMITS,
  ) {}

  get ok(): boolean {
    return this.issues.length === 0;
  }

  add(key: string, rule: string, value?: unknown, limit?: keyof RemoteLimits): void {
    this.issues.push({
      relation: this.relation,
      side: this.side,
      bag: this.bag,
      key,
      rule,
      ...(value !== undefined ? { shape: describeShape(value) } : {}),
      ...(limit ? { limit } : {}),
    });
  }

  /** Every value within `maxValueBytes`; an issue per value over it. Returns whether all were. */
  withinLimits(bag: Readonly<Record<string, string>>): boolean {
    const max = this.limits.maxValueBytes;
    const before = this.issues.length;
    for (const [key, value] of Object.entries(bag)) {
      if (typeof value === "string" && value.length * 3 > max && utf8Length(value) > max) {
        this.add(key, `larger than ${max} bytes (the limit on a remote value)`, value, "maxValueBytes");
      }
    }
    return this.issues.length === before;
  }

  /** Remote JSON text, parsed as JSON within the limits; an issue naming the rule otherwise. */
  json(key: string, raw: string, expected: string): { ok: true; value: unknown } | { ok: false } {
    const parsed = parseJson(raw, {
      maxBytes: this.limits.maxValueBytes,
      maxDepth: this.limits.maxJsonDepth,
    });
    if (parsed.ok) return parsed;
    this.#jsonIssue(key, raw, expected, parsed.error);
    return { ok: false };
  }

  #jsonIssue(key: string, raw: string, expected: string, error: string): void {
    const limit = error.startsWith("JSON nested")
      ? "maxJsonDepth"
      : error.startsWith("JSON larger")
        ? "maxValueBytes"
        : undefined;
    this.add(key, limit ? `${expected}: ${error}` : expected, raw, limit);
  }

  /** A JSON array of strings (`requested-secrets`), or undefined (issue recorded) when malformed. */
  stringArray(key: string, raw: string | undefined): string[] | undefined {
    const list = this.array(key, raw, "expected a JSON array of strings");
    if (list === undefined) return undefined;
    if (!list.every((v) => typeof v === "string")) {
      this.add(key, "expected a JSON array of strings", raw);
      return undefined;
    }
    return list as string[];
  }

  /** A JSON array, or undefined (issue recorded). */
  array(key: string, raw: string | undefined, expected = "expected a JSON array"): unknown[] | undefined {
    if (raw === undefined) return undefined;
    const parsed = this.json(key, raw, expected);
    if (!parsed.ok) return undefined;
    if (!Array.isArray(parsed.value)) {
      this.add(key, expected, raw);
      return undefined;
    }
    return parsed.value;
  }

  /** The remote `status` list (strict: Python's `RelationStatus` model); `[]` with an issue when malformed. */
  statuses(key: string, raw: string | undefined): RelationStatus[] {
    const parsed = parseStatuses(raw, {
      strict: true,
      limits: { maxBytes: this.limits.maxValueBytes, maxDepth: this.limits.maxJsonDepth },
    });
    if (parsed.ok) return parsed.statuses;
    this.#jsonIssue(key, raw ?? "", STATUS_RULE, parsed.error);
    return [];
  }

  /** At most `maxRequests` v1 objects (the list's length is checked before anything is done per item). */
  requestCount(key: string, list: readonly unknown[], max = this.limits.maxRequests): boolean {
    if (list.length <= max) return true;
    this.add(key, `more than ${max} requests (the limit per relation)`, list, "maxRequests");
    return false;
  }
}
