/**
 * Bases for hostile cases: settle a relation between a provider and a requirer, then derive the
 * states the cases start from (the answered relation, and a "fresh" one where the local side has not
 * processed anything yet).
 */

import { computeRequestId } from "@charm-relations/juju-secrets-core/protocol";
import { JujuModel, type ModelState } from "@charm-relations/juju-secrets-core/testing";
import type { HostileBase } from "./hostile.js";
import { applyStep, type LifecycleSpec, startLifecycle, unsettled } from "./lifecycle.js";
import { lean } from "./replay.js";

/** Deploy and relate per `spec` (its relate steps only), settle, and return the lean final state. */
export async function settledWorld(spec: LifecycleSpec): Promise<{ state: ModelState; relations: number[] }> {
  const run = await startLifecycle(spec);
  for (const step of spec.steps.filter((s) => s.op === "relate")) applyStep(run, step);
  const result = await run.sim.settle({ maxHooks: 1000 });
  run.settles.push({ step: "relate", result });
  const bad = unsettled(run);
  if (bad.length) throw new Error(`hostile base did not settle: ${JSON.stringify(bad)}`);
  return { state: lean(run.sim.model.toJSON()), relations: run.relations };
}

export interface SideOptions {
  readonly relationId: number;
  /** The app whose charm runs the cases. */
  readonly local: string;
  readonly remote: string;
}

/** Provider-side bases: `answered` (as settled) and `fresh` (own app bag and own secrets gone). */
export function providerBases(state: ModelState, o: SideOptions): HostileBase[] {
  const units = [state.applications[o.local]!.leader!];
  const fresh = JujuModel.fromJSON(state);
  fresh.setAppBag(o.relationId, o.local, {});
  for (const s of fresh.secrets()) {
    if (s.owner.kind === "application" && s.owner.app === o.local) delete fresh.state.secrets[s.xid];
  }
  return [
    { state, relationId: o.relationId, remoteApp: o.remote, units, label: "answered" },
    { state: fresh.toJSON(), relationId: o.relationId, remoteApp: o.remote, units, label: "fresh" },
  ];
}

/** Requirer-side bases: `answered` (as settled) and `fresh` (no unit has a snapshot yet). */
export function requirerBases(state: ModelState, o: SideOptions): HostileBase[] {
  const app = state.applications[o.local]!;
  const units = [app.leader!, ...app.units.filter((u) => u !== app.leader)].slice(0, 2);
  const fresh = JujuModel.fromJSON(state);
  for (const u of app.units) {
    const bag = fresh.unitBag(o.relationId, u);
    delete bag.data;
    fresh.setUnitBag(o.relationId, u, bag);
  }
  return [
    { state, relationId: o.relationId, remoteApp: o.remote, units, label: "answered" },
    { state: fresh.toJSON(), relationId: o.relationId, remoteApp: o.remote, units, label: "fresh" },
  ];
}

/** A response object to a request nobody made (same shape as `like`, another resource, a consistent id). */
export function unknownResponse(like: Record<string, unknown>): Record<string, unknown> {
  const resource = "never-requested:*";
  const salt = "ZZZZZZZZZZZZZZZZ";
  return { ...like, resource, salt, "request-id": computeRequestId(resource, salt) };
}
