/**
 * Helpers of the issue-15 hardening tests: settled worlds per interface (built once per test file),
 * one hostile hook run on a copy of a world, and what a refusal must look like — a typed error or a
 * blocked status naming the relation and the key, nothing written for that relation, and the other
 * relations still served.
 */

import { type Charm, CharmRelationsError } from "@charm-relations/juju-secrets-core";
import {
  charmRunner,
  type HookEvent,
  type HookRunner,
  JujuModel,
  type ModelState,
  type RunOnceResult,
  runOnce,
} from "@charm-relations/juju-secrets-core/testing";
import { settledWorld } from "./hostile-bases.js";
import { connectLifecycle, connectProvider, connectRequirer } from "./interfaces/connect.js";
import { CLIENT1_CERT, CLIENT2_CERT } from "./interfaces/etcd-certs.js";
import { etcdClientLifecycle, etcdClientProvider, etcdClientRequirer } from "./interfaces/etcd-client.js";
import { etcdLegacyLifecycle, etcdLegacyProvider, etcdLegacyRequirer } from "./interfaces/etcd-legacy.js";
import {
  postgresqlLifecycle,
  postgresqlProvider,
  postgresqlRequirer,
  postgresqlV1Requirer,
} from "./interfaces/postgresql.js";
import { valkeyLifecycle, valkeyProvider, valkeyRequirer } from "./interfaces/valkey.js";
import type { LifecycleSpec } from "./lifecycle.js";

export interface World {
  readonly state: ModelState;
  /** Relation ids in the lifecycle's `relate` order. */
  readonly relations: readonly number[];
}

/** The interfaces' lifecycles from the reliability suite, as worlds for hostile single hooks. */
export const LIFECYCLES = {
  postgresql: () => postgresqlLifecycle(),
  valkey: () => valkeyLifecycle(),
  etcdClient: () => etcdClientLifecycle(),
  connect: () => connectLifecycle(),
  etcdLegacy: () => etcdLegacyLifecycle(),
} as const satisfies Record<string, () => LifecycleSpec>;
export type WorldName = keyof typeof LIFECYCLES;

const built = new Map<string, Promise<World>>();

/** A settled world, built once per process. */
export function world(name: WorldName): Promise<World> {
  let w = built.get(name);
  if (!w) {
    w = settledWorld(LIFECYCLES[name]());
    built.set(name, w);
  }
  return w;
}

/**
 * The charm an app of a world runs, as in its lifecycle but without event listeners for `invalid` /
 * `requestInvalid`, so a refusal shows as a blocked status (what a charm that does not listen gets).
 */
const SETUPS: Record<WorldName, Record<string, () => (charm: Charm) => void>> = {
  postgresql: {
    postgresql: () => postgresqlProvider(),
    app: () => postgresqlRequirer(),
    reports: () => postgresqlV1Requirer(),
  },
  valkey: {
    valkey: () => valkeyProvider(),
    client: () => valkeyRequirer("v1", ["app:*", "cache:*"]),
    legacy: () => valkeyRequirer("v0", ["app:*"]),
  },
  etcdClient: {
    etcd: () => etcdClientProvider(),
    k8s: () => etcdClientRequirer("v1", CLIENT1_CERT),
    legacy: () => etcdClientRequirer("v0", CLIENT2_CERT),
  },
  connect: {
    connect: () => connectProvider(),
    sink: () => connectRequirer("v0"),
    mirror: () => connectRequirer("v1"),
  },
  etcdLegacy: { etcd: () => etcdLegacyProvider(), kcp: () => etcdLegacyRequirer() },
};

export function runnerOf(name: WorldName, app: string): HookRunner {
  const setup = SETUPS[name][app];
  if (!setup) throw new Error(`no app ${app} in ${name}`);
  return charmRunner(setup());
}

/** Run relation-changed (or `event`) for `unit` on a copy of `state` changed by `edit`. */
export async function hostileHook(
  runner: HookRunner,
  state: ModelState,
  event: HookEvent,
  edit: (model: JujuModel) => void = () => {},
): Promise<RunOnceResult> {
  const model = JujuModel.fromJSON(state);
  edit(model);
  return runOnce(runner, model, event, { rethrow: false });
}

export const changed = (unit: string, relationId: number, remoteUnit?: string): HookEvent => ({
  unit,
  kind: "relation-changed",
  relationId,
  ...(remoteUnit ? { remoteUnit } : {}),
});

/** Blocked status messages the hook set. */
export function blockedMessages(r: RunOnceResult): string[] {
  return r.calls
    .filter((c) => c.tool === "status-set" && c.argv.includes("blocked"))
    .map((c) => c.argv.slice(c.argv.indexOf("--") + 1).join(" "));
}

/** What the hook committed for a relation (databag keys, secrets), or undefined for nothing. */
export function wroteOn(r: RunOnceResult, relationId: number): string | undefined {
  const c = r.commit;
  if (!c) return undefined;
  const bags = c.databags.filter((b) => b.relationId === relationId);
  if (bags.length) return `wrote ${bags.map((b) => `${b.owner} ${[...Object.keys(b.set), ...b.deleted]}`)}`;
  const s = c.secrets;
  if (s.created.length || s.updated.length || s.removed.length) return "changed secrets";
  return undefined;
}

/**
 * How a hostile hook ended: `refused` (typed error or blocked status naming relation and key, nothing
 * written for the relation), or a description of what went wrong instead.
 */
export function refusal(r: RunOnceResult, relation: string, key: string, relationId: number): string {
  if (!r.ok) {
    if (!(r.error instanceof CharmRelationsError))
      return `untyped ${(r.error as Error)?.name}: ${String((r.error as Error)?.message).slice(0, 200)}`;
    const m = r.error.message;
    return m.includes(relation) && m.includes(key)
      ? "refused"
      : `typed error not naming it: ${m.slice(0, 200)}`;
  }
  const blocked = blockedMessages(r).find((m) => m.includes(relation));
  if (!blocked) return `accepted${wroteOn(r, relationId) ? ` (${wroteOn(r, relationId)})` : ""}`;
  if (!blocked.includes(key)) return `blocked without the key: ${blocked.slice(0, 200)}`;
  const w = wroteOn(r, relationId);
  return w ? `blocked but ${w}` : "refused";
}

/** The provider app has answered nothing on `relationId` yet: its app bag and its secrets for it gone. */
export function resetProvider(model: JujuModel, relationId: number, app: string): void {
  model.setAppBag(relationId, app, {});
  for (const s of model.secrets()) {
    const ours = s.owner.kind === "application" && s.owner.app === app;
    if (ours && s.label?.split(".").includes(String(relationId))) delete model.state.secrets[s.xid];
  }
}
