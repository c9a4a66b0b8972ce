/** Pieces both engines share: wire-value readers that produce `RemoteDataError` issues, and cleanup. */

import type { RelationRef } from "../backend/types.js";
import { type BagKind, describeShape, type RemoteDataIssue, type Side } from "../errors.js";
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
  ) {}

  add(key: string, rule: string, value?: unknown): void {
    this.issues.push({
      relation: this.relation,
      side: this.side,
      bag: this.bag,
      key,
      rule,
      ...(value !== undefined ? { shape: describeShape(value) } : {}),
    });
  }

  /** A JSON array of strings (`requested-secrets`), or undefined (issue recorded) when malformed. */
  stringArray(key: string, raw: string | undefined): string[] | undefined {
    if (raw === undefined) return undefined;
    const parsed = parseJson(raw);
    if (!parsed.ok || !Array.isArray(parsed.value) || !parsed.value.every((v) => typeof v === "string")) {
      this.add(key, "expected a JSON array of strings", raw);
      return undefined;
    }
    return parsed.value as string[];
  }

  /** A JSON object, or undefined (issue recorded). */
  object(key: string, raw: string | undefined): Record<string, unknown> | undefined {
    if (raw === undefined) return undefined;
    const parsed = parseJson(raw);
    if (
      !parsed.ok ||
      parsed.value === null ||
      typeof parsed.value !== "object" ||
      Array.isArray(parsed.value)
    ) {
      this.add(key, "expected a JSON object", raw);
      return undefined;
    }
    return parsed.value as Record<string, unknown>;
  }
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
  if (!v0Keys) return key;
  for (const [canonical, flat] of Object.entries(v0Keys)) if (flat === key) return canonical;
  return key;
}

/** Stringify a v1 object value for diffing and for field maps (nulls are dropped by the caller). */
export function wireString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
