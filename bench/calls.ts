/**
 * Section 1: hook-tool calls per hook, by kind, next to the minimum the hook needed (lib/minimum.ts),
 * for every interface of the registry and every requirer contract its scenario runs: the package's own
 * `/testing` scenario charms on the in-memory Simulation through deploy, relate, update-status
 * everywhere, credentials rotated (the scenario's rotate step), scale the requirer out and in, remove
 * the relation. Provider and requirer have two units each; `/0` leads.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HookRecord, ScenarioApp } from "../packages/juju-secrets-core/dist/testing/index.js";
import * as testing from "../packages/juju-secrets-core/dist/testing/index.js";
import { describeCost, type HookCost, hookCost } from "./lib/minimum.js";
import { loadRegistry, type RegistryBench } from "./lib/registry.js";
import { table } from "./lib/stats.js";

/**
 * The Python stack's relation-changed (ops + data_interfaces, juju-log excluded), from
 * juju-hook-tools.md §11, by contract and side; etcd_client's requirer has its own line there.
 */
export function pythonRelationChanged(
  name: string,
  contract: string,
  side: "provider" | "requirer",
): { calls: string; flow: string } | undefined {
  // The legacy reactive etcd interface is not data_interfaces: §11 has no number for it.
  if (name === "etcd") return undefined;
  if (contract === "v0" && side === "provider")
    return { calls: "23", flow: "v0 provider relation-changed → credentials + endpoints + tls" };
  if (contract === "v0" && side === "requirer" && name === "etcd_client")
    return { calls: "16", flow: "v0 etcd requirer relation-changed (endpoints + ready)" };
  if (contract === "v0" && side === "requirer")
    return { calls: "13–14", flow: "v0 requirer relation-changed → created" };
  if (contract === "v1" && side === "provider")
    return { calls: "19", flow: "v1 provider relation-changed → response" };
  return undefined;
}

export interface HookRow {
  readonly interface: string;
  readonly contract: string;
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
  readonly contract: string;
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
  readonly contract: string;
  readonly hooks: number;
  readonly failed: number;
  readonly calls: number;
  readonly minimum: number;
  readonly excess: number;
  readonly logs: number;
  /** Set when the lifecycle could not run. */
  readonly error?: string;
}

/** The largest relation-changed of the relate phase on one side, its minimum, and the Python number. */
export interface RelationChangedRow {
  readonly interface: string;
  readonly contract: string;
  readonly side: "provider" | "requirer";
  readonly role: string;
  readonly calls: number;
  readonly minimum: number;
  readonly breakdown: string;
  readonly python?: string;
  readonly pythonFlow?: string;
}

export interface CallsResult {
  readonly interfaces: InterfaceSummary[];
  readonly relationChanged: RelationChangedRow[];
  readonly groups: GroupRow[];
  readonly hooks: HookRow[];
}

function hookName(h: HookRecord): string {
  return h.kind === "action" ? `action ${h.context.actionName ?? ""}` : h.kind;
}

async function lifecycle(bench: RegistryBench): Promise<HookRow[]> {
  const run = bench.build();
  const ctx = { contract: bench.contract, record: () => {} };
  const dirs: string[] = [];
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
        `${bench.name}: ${phase} did not settle (${result.reason}): ${result.failed.map((f) => `${f.unit} ${f.hook}: ${String(f.error)}`).join("; ")}`,
      );
  };
  const deploy = (app: ScenarioApp, role: "provides" | "requires") => {
    // A charm directory per app, as on a real unit: some packages keep small state files there.
    const dir = mkdtempSync(join(tmpdir(), `charm-relations-bench-${app.app}-`));
    dirs.push(dir);
    sim.deploy(app.app, {
      runner: testing.charmRunner((charm) => app.setup(charm, ctx)),
      units: 2,
      endpoints: { [app.endpoint]: `${role}:${bench.name}` },
      ...(app.config ? { config: app.config } : {}),
      charmDir: dir,
    });
  };
  try {
    deploy(run.provider, "provides");
    deploy(run.requirer, "requires");
    await settle();
    phase = "relate";
    const relationId = sim.relate(
      `${run.provider.app}:${run.provider.endpoint}`,
      `${run.requirer.app}:${run.requirer.endpoint}`,
    );
    await settle();
    phase = "update-status";
    for (const app of [run.provider.app, run.requirer.app])
      for (const n of [0, 1]) await sim.runHook(`${app}/${n}`, "update-status");
    await settle();
    phase = "rotate";
    await run.rotate.apply(sim);
    await settle();
    phase = "scale out";
    const added = sim.addUnit(run.requirer.app);
    await settle();
    phase = "scale in";
    sim.removeUnit(added);
    await settle();
    phase = "remove relation";
    sim.removeRelation(relationId);
    await settle();
    mark();
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }

  const rows: HookRow[] = [];
  sim.transcript.forEach((entry, i) => {
    if (entry.type !== "hook") return;
    const app = entry.unit.slice(0, entry.unit.indexOf("/"));
    const commit = entry.ok ? { databags: [...entry.databags], secrets: entry.secrets! } : undefined;
    rows.push({
      interface: bench.name,
      contract: bench.contract,
      phase: phaseOf[i] ?? phase,
      side: app === run.provider.app ? "provider" : "requirer",
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
    const key = [r.interface, r.contract, r.phase, r.side, r.leader ? "leader" : "non-leader", r.hook].join(
      "|",
    );
    map.set(key, [...(map.get(key) ?? []), r]);
  }
  return [...map.entries()].map(([key, list]) => {
    const [iface, contract, phase, side, role, hook] = key.split("|") as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const worst = list.reduce((a, b) =>
      b.cost.total - b.cost.minimumTotal > a.cost.total - a.cost.minimumTotal ||
      (b.cost.total > a.cost.total &&
        b.cost.total - b.cost.minimumTotal >= a.cost.total - a.cost.minimumTotal)
        ? b
        : a,
    );
    return {
      interface: iface,
      contract,
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

function relationChanged(rows: readonly HookRow[]): RelationChangedRow[] {
  const out: RelationChangedRow[] = [];
  for (const side of ["provider", "requirer"] as const) {
    const changed = rows.filter(
      (r) => r.phase === "relate" && r.side === side && r.hook === "relation-changed",
    );
    if (!changed.length) continue;
    const worst = changed.reduce((a, b) => (b.cost.total > a.cost.total ? b : a));
    const py = pythonRelationChanged(worst.interface, worst.contract, side);
    out.push({
      interface: worst.interface,
      contract: worst.contract,
      side,
      role: worst.leader ? "leader" : "non-leader",
      calls: worst.cost.total,
      minimum: worst.cost.minimumTotal,
      breakdown: describeCost(worst.cost),
      ...(py ? { python: py.calls, pythonFlow: py.flow } : {}),
    });
  }
  return out;
}

export async function runCalls(): Promise<CallsResult> {
  const hooks: HookRow[] = [];
  const summaries: InterfaceSummary[] = [];
  const changed: RelationChangedRow[] = [];
  const { benches, error } = await loadRegistry();
  if (error) throw new Error(error);
  for (const bench of benches) {
    let rows: HookRow[];
    try {
      rows = await lifecycle(bench);
    } catch (e) {
      const none = { hooks: 0, failed: 0, calls: 0, minimum: 0, excess: 0, logs: 0 };
      const message = (e as Error).message.split("\n")[0] ?? String(e);
      summaries.push({ interface: bench.name, contract: bench.contract, ...none, error: message });
      continue;
    }
    hooks.push(...rows);
    changed.push(...relationChanged(rows));
    summaries.push({
      interface: bench.name,
      contract: bench.contract,
      hooks: rows.length,
      failed: rows.filter((r) => !r.ok).length,
      calls: rows.reduce((n, r) => n + r.cost.total, 0),
      minimum: rows.reduce((n, r) => n + r.cost.minimumTotal, 0),
      excess: rows.reduce((n, r) => n + r.cost.total - r.cost.minimumTotal, 0),
      logs: rows.reduce((n, r) => n + r.cost.logs, 0),
    });
  }
  return { interfaces: summaries, relationChanged: changed, groups: groups(hooks), hooks };
}

export function printCalls(result: CallsResult): string {
  const out: string[] = [];
  out.push("## 1. Hook-tool calls per hook vs the minimum it needed (juju-log excluded)\n");
  out.push(
    table(
      ["interface", "contract", "hooks", "failed", "calls", "minimum", "excess", "juju-log", "error"],
      result.interfaces.map((s) => [
        s.interface,
        s.contract,
        s.hooks,
        s.failed,
        s.calls,
        s.minimum,
        s.excess,
        s.logs,
        s.error ?? "",
      ]),
    ),
  );
  out.push("\n### relation-changed (relate phase, the side's largest) vs the minimum and Python (§11)\n");
  out.push(
    table(
      ["interface", "contract", "side", "role", "ours", "minimum", "Python", "Python flow", "calls by kind"],
      result.relationChanged.map((r) => [
        r.interface,
        r.contract,
        r.side,
        r.role,
        r.calls,
        r.minimum,
        r.python ?? "-",
        r.pythonFlow ?? "",
        r.breakdown,
      ]),
    ),
  );
  for (const s of result.interfaces) {
    const rows = result.groups.filter((g) => g.interface === s.interface && g.contract === s.contract);
    const free = rows.filter((g) => g.calls === 0);
    out.push(`\n### ${s.interface} (${s.contract})`);
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
