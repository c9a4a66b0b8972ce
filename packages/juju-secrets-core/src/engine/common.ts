/**
 * Helpers both engines share: removing the secrets an app owns for a relation on relation-broken, the
 * wire spec of a definition, bag equality.
 */

import type { WireSpec } from "../contract/types.js";
import type { Model } from "../model/model.js";
import type { StringBag } from "../protocol/bag.js";
import { encryptionSecretLabel, parseSecretLabel, requestedEntityLabel } from "../protocol/secrets.js";
import type { RelationRef } from "../types.js";
import type { AnyDefinition } from "./definition.js";

/**
 * Remove every secret this app (leader) owns for a relation: the protocol groups (any request id),
 * and the auxiliary `requested-entity` / `encryption-secret` ones. Python leaves them behind (I-2).
 * Found by owner label among `secret-ids`, so nothing depends on databags that a broken relation can
 * no longer be read from; the labels come from unit-local state (`SecretStore.labelOf`), so removing
 * one relation's secrets costs no `secret-info-get` per secret the app owns.
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
    const label = model.secrets.labelOf(xid);
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
 * `departing` (LP#1979811: the relation lives on for the other units) or the charm retains them; then
 * `gone` is emitted. The departure marker is never cleared: the unit is being removed (its charm dir
 * goes with it) and relation ids are never reused, so a re-run of this hook must keep its answer.
 */
export async function tearDownBrokenRelation(
  model: Model,
  departing: boolean,
  retain: ((relation: RelationRef) => boolean) | undefined,
  relation: RelationRef,
  emitGone: (departing: boolean) => Promise<void>,
): Promise<void> {
  if (!departing && !retain?.(relation)) removeOwnedSecretsForRelation(model, relation);
  await emitGone(departing);
}

/** The wire details the contracts need, from a definition. */
export function wireOf(definition: AnyDefinition): WireSpec {
  return definition;
}

/** Two databags with the same keys and values. */
export function sameBag(a: Readonly<StringBag>, b: Readonly<StringBag>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
