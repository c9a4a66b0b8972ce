/** Pieces both engines share: wire-value readers that produce `RemoteDataError` issues, and cleanup. */

import type { RelationRef } from "../backend/types.js";
import { type BagKind, describeShape, type RemoteDataIssue, type Side } from "../errors.js";
import { DEFAULT_REMOTE_LIMITS, type RemoteLimits, utf8Length } from "../limits.js";
import type { DepartureMarker } from "../model/departure.js";
import type { Model } from "../model/model.js";
import { parseJson } from "../protocol/json.js";
import { encryptionSecretLabel, parseSecretLabel, requestedEntityLabel } from "../protocol/secrets.js";

/** Keys a side writes about itself that are never "fields" of a request or response. */
export const BOOKKEEPING_KEYS: ReadonlySet<string> = new Set([
  "data",
  "status",
  "version",
  "requests",
  "alias",
]);

/** Collects issues about one remote databag so a whole hook can report them at once. */
export class IssueCollector {
  readonly issues: RemoteDataIssue[] = [];
  constructor(
    readonly relation: RelationRef,
    readonly side: Side,
    readonly bag: BagKind,
    readonly limits: RemoteLimits = DEFAULT_REMOTE_LIMITS,
  ) {}

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

  /** Remote JSON text, parsed within the limits; an issue naming the rule otherwise. */
  json(key: string, raw: string, expected: string): { ok: true; value: unknown } | { ok: false } {
    const parsed = parseJson(raw, {
      maxBytes: this.limits.maxValueBytes,
      maxDepth: this.limits.maxJsonDepth,
    });
    if (parsed.ok) return parsed;
    const limit = parsed.error.startsWith("JSON nested")
      ? "maxJsonDepth"
      : parsed.error.startsWith("JSON larger")
        ? "maxValueBytes"
        : undefined;
    this.add(key, limit ? `${expected}: ${parsed.error}` : expected, raw, limit);
    return { ok: false };
  }

  /** A JSON array of strings (`requested-secrets`), or undefined (issue recorded) when malformed. */
  stringArray(key: string, raw: string | undefined): string[] | undefined {
    if (raw === undefined) return undefined;
    const parsed = this.json(key, raw, "expected a JSON array of strings");
    if (!parsed.ok) return undefined;
    if (!Array.isArray(parsed.value) || !parsed.value.every((v) => typeof v === "string")) {
      this.add(key, "expected a JSON array of strings", raw);
      return undefined;
    }
    return parsed.value as string[];
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

  /** A JSON object, or undefined (issue recorded). */
  object(key: string, raw: string | undefined): Record<string, unknown> | undefined {
    if (raw === undefined) return undefined;
    const parsed = this.json(key, raw, "expected a JSON object");
    if (!parsed.ok) return undefined;
    if (parsed.value === null || typeof parsed.value !== "object" || Array.isArray(parsed.value)) {
      this.add(key, "expected a JSON object", raw);
      return undefined;
    }
    return parsed.value as Record<string, unknown>;
  }

  /** At most `maxRequests` v1 objects (the list's length is checked before anything is done per item). */
  requestCount(key: string, list: readonly unknown[], max = this.limits.maxRequests): boolean {
    if (list.length <= max) return true;
    this.add(key, `more than ${max} requests (the limit per relation)`, list, "maxRequests");
    return false;
  }
}

/** The remote limits in force: the defaults, overridden by an engine's options. */
export function remoteLimits(overrides: Partial<RemoteLimits> | undefined): RemoteLimits {
  return overrides ? { ...DEFAULT_REMOTE_LIMITS, ...overrides } : DEFAULT_REMOTE_LIMITS;
}

/** `obj[key]` when `key` is an own key of `obj` (a remote name never reaches an inherited member). */
export function ownValue<T>(obj: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/**
 * Remove every secret this app (leader) owns for a relation: the protocol groups (any request id),
 * and the auxiliary `requested-entity` / `encryption-secret` ones. Python leaves them behind (I-2).
 * Found by owner label via `secret-ids` + `secret-info-get`, so nothing depends on databags that a
 * broken relation can no longer be read from.
 */
export function removeOwnedSecretsForRelation(model: Model, relation: RelationRef): string[] {
  if (!model.isLeader()) return [];
  const aux = new Set([
    requestedEntityLabel(model.modelUuid, relation.id),
    encryptionSecretLabel(model.modelUuid, relation.id),
  ]);
  const removed: string[] = [];
  // Through the per-hook cache: an interface that scanned the same secrets first costs no extra call.
  for (const xid of model.secrets.ownedIds()) {
    // Gone meanwhile, or not ours to see: skip it. Any other failure (the hook tool broke) throws and
    // fails the hook, or the secret would be orphaned for good once the relation is gone.
    const label = model.secrets.infoById(xid)?.label;
    if (!label) continue;
    const parsed = parseSecretLabel(label);
    const ours =
      aux.has(label) || (parsed?.endpoint === relation.endpoint && parsed.relationId === relation.id);
    if (ours) {
      model.secrets.remove(xid);
      model.secrets.forgetLabel(label);
      removed.push(label);
    }
  }
  return removed;
}

/**
 * relation-broken on either side: the leader removes the relation's secrets unless this unit is only
 * departing (LP#1979811: the relation lives on for the other units) or the charm retains them; then
 * `gone` is emitted. The departure marker is never cleared: the unit is being removed (its charm dir
 * goes with it) and relation ids are never reused, so a re-run of this hook must keep its answer.
 */
export async function tearDownBrokenRelation(
  model: Model,
  departure: DepartureMarker,
  retain: ((relation: RelationRef) => boolean) | undefined,
  relation: RelationRef,
  emitGone: (departing: boolean) => Promise<void>,
): Promise<void> {
  const departing = departure.isDeparting(relation);
  if (!departing && !retain?.(relation)) removeOwnedSecretsForRelation(model, relation);
  await emitGone(departing);
}

/** Canonical (v1) field name for a v0 flat key, given an interface's spelling overrides. */
export function canonicalKey(key: string, v0Keys: Readonly<Record<string, string>> | undefined): string {
  // Own entries only: remote keys such as `constructor` are looked up here.
  if (!v0Keys) return key;
  for (const [canonical, flat] of Object.entries(v0Keys)) if (flat === key) return canonical;
  return key;
}

/** Stringify a v1 object value for diffing and for field maps (nulls are dropped by the caller). */
export function wireString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
