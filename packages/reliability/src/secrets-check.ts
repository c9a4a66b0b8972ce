/**
 * Invariants about the secrets in a model: which belong to a relation, which are orphaned (nothing
 * references them), which labels are duplicated.
 */

import { parseSecretLabel } from "@charm-relations/juju-secrets-core/protocol";
import type { ModelState, SecretState } from "@charm-relations/juju-secrets-core/testing";

/** The relation id an owner label names: protocol labels and the two auxiliary ones. */
export function relationOfLabel(
  label: string | undefined,
  modelUuids: readonly string[],
): number | undefined {
  if (!label) return undefined;
  const parsed = parseSecretLabel(label);
  if (parsed) return parsed.relationId;
  for (const uuid of modelUuids) {
    if (!label.startsWith(`${uuid}-`)) continue;
    const m = /^(\d+)-(?:requested-entity|encryption-secret)$/.exec(label.slice(uuid.length + 1));
    if (m) return Number(m[1]);
  }
  return undefined;
}

function uuidsOf(state: ModelState): string[] {
  return [
    state.uuid,
    ...Object.values(state.applications).flatMap((a) => (a.modelUuid ? [a.modelUuid] : [])),
  ];
}

/** Secrets created for a relation: by owner label, or granted on it. */
export function secretsOfRelation(state: ModelState, relationId: number): SecretState[] {
  const uuids = uuidsOf(state);
  return Object.values(state.secrets).filter(
    (s) =>
      relationOfLabel(s.label, uuids) === relationId || s.grants.some((g) => g.relationId === relationId),
  );
}

/** Every databag value of the model, for reference lookups. */
function allBagText(state: ModelState): string {
  const parts: string[] = [];
  for (const rel of Object.values(state.relations)) {
    for (const bag of [...Object.values(rel.appData), ...Object.values(rel.unitData)])
      parts.push(...Object.values(bag));
  }
  return parts.join("\n");
}

/**
 * Protocol secrets (labelled for a relation) that no databag references: a duplicate created by a
 * retried or moved leader, or a leftover of a removed request.
 */
export function orphanSecrets(state: ModelState): SecretState[] {
  const text = allBagText(state);
  const uuids = uuidsOf(state);
  return Object.values(state.secrets).filter((s) => {
    if (relationOfLabel(s.label, uuids) === undefined) return false;
    // The requested-entity secret is referenced until the requirer removes it with its key.
    return !text.includes(s.xid);
  });
}

/** Owner labels held by more than one secret of the same owner. */
export function duplicateLabels(state: ModelState): string[] {
  const seen = new Map<string, number>();
  for (const s of Object.values(state.secrets)) {
    if (!s.label) continue;
    const owner = s.owner.kind === "application" ? s.owner.app : s.owner.unit;
    const key = `${owner} ${s.label}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
}

/** Consumer labels bound by a unit to more than one secret (Juju forbids it; a sign of confusion). */
export function duplicateConsumerLabels(state: ModelState): string[] {
  const seen = new Map<string, number>();
  for (const s of Object.values(state.secrets)) {
    for (const [unit, label] of Object.entries(s.consumerLabels)) {
      const key = `${unit} ${label}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  }
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
}

/** A short description of a secret for assertion messages (never its content). */
export function describeSecret(s: SecretState): string {
  const owner = s.owner.kind === "application" ? s.owner.app : s.owner.unit;
  return `${s.xid} owner=${owner} label=${s.label ?? "-"} rev=${s.latestRevision}`;
}
