/**
 * What Juju does around the hooks in the simulator: which endpoints `juju integrate` relates, what
 * the unit sees of the relation before a hook runs, which queued hooks the world has moved past, and
 * which hooks a committed one causes elsewhere (relation-changed on the other side, secret-changed for
 * consumers of a new revision, secret-remove on the owner for revisions nobody tracks).
 */

import type { HookEvent } from "./hook-events.js";
import type { CommitResult } from "./memory-backend.js";
import type { JujuModel } from "./model.js";
import { appOfUnit, SimulationError } from "./model-names.js";
import type { RelationState, SecretState } from "./model-state.js";

/** `juju integrate a b`'s endpoint matching: `"app"` alone names its one endpoint that fits the other. */
export function matchEndpoints(model: JujuModel, a: string, b: string): [string, string] {
  if (a.includes(":") && b.includes(":")) return [a, b];
  const [appA, epA] = a.split(":") as [string, string | undefined];
  const [appB, epB] = b.split(":") as [string, string | undefined];
  const endpointsA = Object.entries(model.application(appA).endpoints);
  const endpointsB = Object.entries(model.application(appB).endpoints);
  const pairs: [string, string][] = [];
  for (const [na, sa] of endpointsA) {
    for (const [nb, sb] of endpointsB) {
      if (epA !== undefined && na !== epA) continue;
      if (epB !== undefined && nb !== epB) continue;
      const roles = new Set([sa.role, sb.role]);
      if (sa.interface === sb.interface && roles.has("provides") && roles.has("requires")) {
        pairs.push([`${appA}:${na}`, `${appB}:${nb}`]);
      }
    }
  }
  if (pairs.length !== 1) {
    throw new SimulationError(
      pairs.length === 0
        ? `no matching endpoints between "${a}" and "${b}"`
        : `ambiguous relation "${a}" "${b}": name the endpoints`,
    );
  }
  return pairs[0]!;
}

export type Enqueue = (event: HookEvent, cause: string) => void;

/** Juju updates what the unit sees of the relation before the hook runs. */
export function seeHook(rel: RelationState, event: HookEvent): void {
  const members = rel.members[event.unit] ?? [];
  if (event.kind === "relation-joined" && event.remoteUnit && !members.includes(event.remoteUnit)) {
    rel.members[event.unit] = [...members, event.remoteUnit];
  } else if (event.kind === "relation-departed" && event.remoteUnit) {
    rel.members[event.unit] = members.filter((m) => m !== event.remoteUnit);
  } else if (event.kind === "relation-broken" && !rel.left.includes(event.unit)) {
    rel.left.push(event.unit);
    rel.members[event.unit] = [];
  }
}

/**
 * Drop hooks the world has moved past (unit or relation gone, remote unit departed meanwhile);
 * `dying` holds the units being removed.
 */
export function stillValid(model: JujuModel, dying: ReadonlySet<string>, e: HookEvent): boolean {
  if (!model.hasUnit(e.unit)) return false;
  if (e.secretId !== undefined && !model.secret(e.secretId)) return false;
  if (e.relationId === undefined) return true;
  if (!model.hasRelation(e.relationId)) return false;
  const rel = model.relation(e.relationId);
  // A unit that left sees nothing more of the relation, but a failed relation-broken can be retried.
  if (rel.left.includes(e.unit) && e.kind !== "relation-broken") return false;
  const members = rel.members[e.unit] ?? [];
  switch (e.kind) {
    case "relation-joined":
      return (
        !rel.dying && e.remoteUnit !== undefined && model.hasUnit(e.remoteUnit) && !dying.has(e.remoteUnit)
      );
    case "relation-changed":
      return !rel.dying && (e.remoteUnit === undefined || members.includes(e.remoteUnit));
    case "relation-departed":
      return e.remoteUnit !== undefined && members.includes(e.remoteUnit);
    case "relation-created":
      return !rel.dying;
    default:
      return true;
  }
}

/**
 * Queue the hooks a committed hook causes elsewhere (relation-changed, secret-changed); returns the
 * secrets whose revisions or tracking moved, for `queueObsolete`.
 */
export function queueFollowUps(
  model: JujuModel,
  event: HookEvent,
  commit: CommitResult,
  enqueue: Enqueue,
): Set<string> {
  for (const change of commit.databags) {
    if (!model.hasRelation(change.relationId)) continue;
    const rel = model.relation(change.relationId);
    if (rel.dying) continue;
    const writerApp = change.bag === "app" ? change.owner : appOfUnit(change.owner);
    const targetApp = model.remoteAppOf(rel, writerApp);
    for (const unit of model.application(targetApp).units) {
      if (unit === event.unit || rel.left.includes(unit)) continue;
      if (change.bag === "unit") {
        if (!rel.members[unit]?.includes(change.owner)) continue;
        enqueue(
          { unit, kind: "relation-changed", relationId: rel.id, remoteUnit: change.owner },
          `${change.owner} unit databag changed`,
        );
      } else {
        enqueue(
          { unit, kind: "relation-changed", relationId: rel.id },
          `${change.owner} app databag changed`,
        );
      }
    }
  }
  for (const { xid, revision } of commit.secrets.updated) {
    const s = model.state.secrets[xid];
    if (!s) continue;
    for (const [unit, tracked] of Object.entries(s.tracking)) {
      if (tracked < revision && model.hasUnit(unit) && !isOwnerUnit(model, s, unit)) {
        enqueue({ unit, kind: "secret-changed", secretId: xid }, `new revision ${revision} of secret ${xid}`);
      }
    }
  }
  return new Set([...commit.secrets.updated.map((u) => u.xid), ...commit.secrets.tracking.map((t) => t.xid)]);
}

function isOwnerUnit(model: JujuModel, s: SecretState, unit: string): boolean {
  return s.owner.kind === "unit"
    ? s.owner.unit === unit
    : s.owner.app === appOfUnit(unit) && model.isLeader(unit);
}

/** secret-remove on the owner for each superseded revision no consumer tracks any more. */
export function queueObsolete(model: JujuModel, xid: string, enqueue: Enqueue): void {
  const s = model.state.secrets[xid];
  if (!s) return;
  const owner = s.owner.kind === "unit" ? s.owner.unit : model.leaderOf(s.owner.app);
  if (!owner || !model.hasUnit(owner)) return;
  const tracked = new Set(Object.values(s.tracking));
  for (const { revision } of s.revisions) {
    if (revision >= s.latestRevision || tracked.has(revision) || s.obsoleteNotified.includes(revision))
      continue;
    s.obsoleteNotified.push(revision);
    enqueue(
      { unit: owner, kind: "secret-remove", secretId: xid, secretRevision: revision },
      `revision ${revision} of secret ${xid} no longer tracked`,
    );
  }
}
