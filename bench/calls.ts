/**
 * Section 1: hook-tool calls per hook, by kind, next to the minimum the hook needed (lib/minimum.ts),
 * for each interface's lifecycle on the in-memory Simulation: deploy, relate, update-status everywhere,
 * endpoints moved (config-changed → republish), credentials rotated (action), scale the requirer out and
 * in, remove the relation. Provider and requirer have two units each; `/0` leads.
 */

import type { Charm } from "../packages/juju-secrets-core/dist/index.js";
import * as core from "../packages/juju-secrets-core/dist/index.js";
import type { HookRecord, HookRunner } from "../packages/juju-secrets-core/dist/testing/index.js";
import * as testing from "../packages/juju-secrets-core/dist/testing/index.js";
import { type InterfaceBench, loadInterfaces, withVariant } from "./lib/interfaces.js";
import { describeCost, type HookCost, hookCost } from "./lib/minimum.js";
import { table } from "./lib/stats.js";

/** What the issue quotes for the Python stack (ops + data_interfaces), a relation-changed hook. */
export const PYTHON_REFERENCE: Readonly<Record<string, number>> = {
  postgresql_client: 10,
  etcd_client: 19,
  valkey_client: 28,
};

export interface HookRow {
  readonly interface: string;
  readonly phase: string;
  readonly side: "provider" | "requirer";
  readonly unit: string;
  readonly leader: boolean;
  readonly hook: string;
  readonly ok: boolean;
  readonly cost: HookCost;
}

export interface GroupRow {
  readonly interface: string;
  readonly phase: string;
  readonly side: string;
  readonly role: string;
  readonly hook: string;
  readonly hooks: number;
  /** Calls per hook (max over the group's hooks) and the minimum of that same hook. */
  readonly calls: number;
  readonly minimum: number;
  /** Excess summed over every hook of the group. */
  readonly excess: number;
  readonly breakdown: string;
}

export interface InterfaceSummary {
  readonly interface: string;
  readonly impl: string;
  readonly note?: string;
  readonly contract: string;
  readonly hooks: number;
  readonly failed: number;
  readonly calls: number;
  readonly minimum: number;
  readonly excess: number;
  readonly logs: number;
  /** Largest relation-changed of the relate phase, vs the Python reference. */
  readonly maxRelationChanged: number;
  readonly python?: number;
  /** Set when no variant could run. */
  readonly error?: string;
}

export interface CallsResult {
  readonly interfaces: InterfaceSummary[];
  readonly groups: GroupRow[];
  readonly hooks: HookRow[];
}

function hookName(h: HookRecord): string {
  return h.kind === "action" ? `action ${h.context.actionName ?? ""}` : h.kind;
}

async function lifecycle(iface: InterfaceBench): Promise<HookRow[]> {
  const runner =
    (setup: (charm: Charm) => void): HookRunner =>
    async (backend, context) => {
      const charm = new core.Charm({ backend, context });
      setup(charm);
      await charm.dispatch();
    };
  const sim = new testing.Simulation({ uuid: "8c7e20bb-710f-4f64-b51d-4acb46656498" });
  let phase = "deploy";
  const phaseOf: string[] = [];
  const mark = () => {
    while (phaseOf.length < sim.transcript.length) phaseOf.push(phase);
  };
  const settle = async () => {
    const result = await sim.settle({ maxHooks: 400 });
    mark();
    if (!result.settled)
      throw new Error(
        `${iface.name}: ${phase} did not settle (${result.reason}): ${result.failed.map((f) => `${f.unit} ${f.hook}: ${String(f.error)}`).join("; ")}`,
      );
  };
  sim.deploy("provider", {
    runner: runner(iface.provider),
    units: 2,
    endpoints: iface.providerEndpoints,
    config: iface.providerConfig,
  });
  sim.deploy("requirer", { runner: runner(iface.requirer), units: 2, endpoints: iface.requirerEndpoints });
  await settle();
  phase = "relate";
  const relationId = sim.relate(`provider:${iface.providerEndpoint}`, `requirer:${iface.requirerEndpoint}`);
  await settle();
  phase = "update-status";
  for (const unit of ["provider/0", "provider/1", "requirer/0", "requirer/1"])
    await sim.runHook(unit, "update-status");
  await settle();
  phase = "move endpoints";
  sim.configure("provider", iface.moveEndpoints);
  await settle();
  phase = "rotate";
  await sim.runHook("provider/0", "action", { actionName: "rotate" });
  await settle();
  phase = "scale out";
  const added = sim.addUnit("requirer");
  await settle();
  phase = "scale in";
  sim.removeUnit(added);
  await settle();
  phase = "remove relation";
  sim.removeRelation(relationId);
  await settle();
  mark();

  const rows: HookRow[] = [];
  sim.transcript.forEach((entry, i) => {
    if (entry.type !== "hook") return;
    const app = entry.unit.slice(0, entry.unit.indexOf("/"));
    const commit = entry.ok ? { databags: [...entry.databags], secrets: entry.secrets! } : undefined;
    rows.push({
      interface: iface.name,
      phase: phaseOf[i] ?? phase,
      side: app === "provider" ? "provider" : "requirer",
      unit: entry.unit,
      leader: entry.unit.endsWith("/0"),
      hook: hookName(entry),
      ok: entry.ok,
      cost: hookCost({
        calls: entry.calls,
        unit: entry.unit,
        leader: entry.unit.endsWith("/0"),
        ...(entry.context.relation ? { relationId: entry.context.relation.id } : {}),
        ...(commit ? { commit } : {}),
      }),
    });
  });
  return rows;
}

function groups(rows: readonly HookRow[]): GroupRow[] {
  const map = new Map<string, HookRow[]>();
  for (const r of rows) {
    const key = [r.interface, r.phase, r.side, r.leader ? "leader" : "non-leader", r.hook].join("|");
    map.set(key, [...(map.get(key) ?? []), r]);
  }
  return [...map.entries()].map(([key, list]) => {
    const [iface, phase, side, role, hook] = key.split("|") as [string, string, string, string, string];
    const worst = list.reduce((a, b) =>
      b.cost.total - b.cost.minimumTotal > a.cost.total - a.cost.minimumTotal ||
      (b.cost.total > a.cost.total &&
        b.cost.total - b.cost.minimumTotal >= a.cost.total - a.cost.minimumTotal)
        ? b
        : a,
    );
    return {
      interface: iface,
      phase,
      side,
      role,
      hook,
      hooks: list.length,
      calls: worst.cost.total,
      minimum: worst.cost.minimumTotal,
      excess: list.reduce((n, r) => n + r.cost.total - r.cost.minimumTotal, 0),
      breakdown: describeCost(worst.cost),
    };
  });
}

export async function runCalls(): Promise<CallsResult> {
  const hooks: HookRow[] = [];
  const summaries: InterfaceSummary[] = [];
  for (const variants of await loadInterfaces()) {
    const run = await withVariant(variants, lifecycle);
    if (!run.iface) {
      const none = {
        impl: "-",
        contract: "-",
        hooks: 0,
        failed: 0,
        calls: 0,
        minimum: 0,
        excess: 0,
        logs: 0,
      };
      summaries.push({ interface: variants.name, ...none, maxRelationChanged: 0, error: run.error });
      continue;
    }
    const { iface, value: rows } = run;
    hooks.push(...rows);
    const relateChanged = rows.filter((r) => r.phase === "relate" && r.hook === "relation-changed");
    summaries.push({
      interface: iface.name,
      impl: iface.impl,
      ...(iface.note ? { note: iface.note } : {}),
      contract: iface.contract,
      hooks: rows.length,
      failed: rows.filter((r) => !r.ok).length,
      calls: rows.reduce((n, r) => n + r.cost.total, 0),
      minimum: rows.reduce((n, r) => n + r.cost.minimumTotal, 0),
      excess: rows.reduce((n, r) => n + r.cost.total - r.cost.minimumTotal, 0),
      logs: rows.reduce((n, r) => n + r.cost.logs, 0),
      maxRelationChanged: Math.max(0, ...relateChanged.map((r) => r.cost.total)),
      ...(PYTHON_REFERENCE[iface.name] !== undefined ? { python: PYTHON_REFERENCE[iface.name]! } : {}),
    });
  }
  return { interfaces: summaries, groups: groups(hooks), hooks };
}

export function printCalls(result: CallsResult): string {
  const out: string[] = [];
  out.push("## 1. Hook-tool calls per hook vs the minimum it needed (juju-log excluded)\n");
  out.push(
    table(
      [
        "interface",
        "impl",
        "contract",
        "hooks",
        "calls",
        "minimum",
        "excess",
        "worst relation-changed",
        "Python",
      ],
      result.interfaces.map((s) => [
        s.interface,
        s.impl,
        s.contract,
        s.hooks,
        s.calls,
        s.minimum,
        s.excess,
        s.maxRelationChanged,
        s.python ?? "-",
      ]),
    ),
  );
  for (const s of result.interfaces) {
    const rows = result.groups.filter((g) => g.interface === s.interface);
    const free = rows.filter((g) => g.calls === 0);
    out.push(`\n### ${s.interface} (${s.impl}${s.note ? `: ${s.note}` : ""})`);
    out.push(
      table(
        ["phase", "side", "role", "hook", "n", "calls", "min", "excess", "calls by kind (+excess)"],
        rows
          .filter((g) => g.calls > 0)
          .map((g) => [g.phase, g.side, g.role, g.hook, g.hooks, g.calls, g.minimum, g.excess, g.breakdown]),
      ),
    );
    // Hooks that never made a call, in any phase or role.
    const busy = new Set(rows.filter((g) => g.calls > 0).map((g) => `${g.hook} (${g.side})`));
    const names = [...new Set(free.map((g) => `${g.hook} (${g.side})`))].filter((n) => !busy.has(n));
    if (names.length) out.push(`always 0 calls: ${names.join(", ")}`);
  }
  return out.join("\n");
}
