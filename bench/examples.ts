/**
 * Section 1b: the example charms' hook-tool calls. Every `examples/<x>-provider` + `<x>-requirer` pair,
 * each charm's own `setup` (imported from its `dist/charm.js`, the code it ships) run in-process on the
 * in-memory Simulation through the lifecycle of section 2a (deploy, config-changed, relate,
 * update-status, remove the relation; one unit each, so each leads). The in-memory model and the
 * hook-tool fakes agree call for call, so these are the numbers 2a counts on processes, in seconds
 * instead of minutes.
 *
 * Per side: the largest relation-changed and the average over every relation-changed of the run, the
 * computed minimum of the largest (lib/minimum.ts), and the Python stack (ops + data_interfaces) for
 * the same flow: the §11 number of juju-hook-tools.md for the contract, plus what data_interfaces pays
 * per secret group beyond the §11 flow's two (`pythonSameFlow`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Charm } from "../packages/juju-secrets-core/dist/index.js";
import { charmRunner, Simulation } from "../packages/juju-secrets-core/dist/testing/index.js";
import { readCharmcraft } from "./lib/charmcraft.js";
import { describeCost, hookCost } from "./lib/minimum.js";
import { EXAMPLES_DIR } from "./lib/paths.js";
import { round, table } from "./lib/stats.js";
import { examplePairs, overrides } from "./walltime.js";

type Side = "provider" | "requirer";

export interface ExampleRow {
  readonly example: string;
  readonly side: Side;
  /** The wire contract the pair settled on (`v1` when the requirer wrote `requests`). */
  readonly contract: "v0" | "v1" | "legacy";
  /** Secret groups the provider published (secrets it created for the relation). */
  readonly groups: number;
  readonly relationChanged: number;
  readonly largest: number;
  readonly minimum: number;
  readonly average: number;
  readonly breakdown: string;
  /** Python calls for the same flow (ops + data_interfaces, §11 + secret groups), its derivation. */
  readonly python?: number;
  readonly pythonFlow?: string;
  /**
   * The Python charm: `python` plus what its own code pays for what ours does in that hook (one
   * `config-get`, one `network-get` per binding, one `status-set`: ops caches the first two per hook
   * and sets the collected status once), and largest / pythonCharm.
   */
  readonly pythonCharm?: number;
  readonly ratio?: number;
  /** Whole lifecycle, this side: every hook's calls. */
  readonly lifecycleCalls: number;
  readonly hooks: number;
}

export interface ExamplesResult {
  readonly rows: ExampleRow[];
  readonly errors: { readonly example: string; readonly error: string }[];
}

/**
 * The Python stack's relation-changed for the flow an example ran, juju-log excluded. §11 measures
 * publishing two secret groups (user + tls) for v0 (23) and the v1 response (19), and a v0 requirer
 * reading them (13–14, `secret-get` ×6 → 3 per group: data_interfaces reads each group's secret by
 * label, then by URI, then again for the event's diff). Each further group costs the provider what
 * `_add_or_update_relation_secrets` pays for one: a label probe (`secret-get --label`, fails),
 * `secret-add`, `secret-grant`; the requirer 3 `secret-get`. Fewer groups: the same per group less.
 * The legacy etcd interface is not data_interfaces: no number.
 */
export function pythonSameFlow(
  example: string,
  contract: ExampleRow["contract"],
  side: Side,
  groups: number,
): { calls: number; flow: string } | undefined {
  if (contract === "legacy") return undefined;
  const extra = groups - 2;
  const perGroup = 3;
  const more = extra === 0 ? "" : ` ${extra > 0 ? "+" : "−"} ${Math.abs(extra)} group(s) × ${perGroup}`;
  if (side === "provider") {
    const base = contract === "v0" ? 23 : 19;
    const flow =
      contract === "v0"
        ? "v0 provider relation-changed → credentials + endpoints + tls (23)"
        : "v1 provider relation-changed → response (19)";
    // etcd_client: EtcdProvides reads the requirer's `secret-mtls` in every relation-changed, on top of
    // the generic flow (data-interfaces-protocol.md, `mtls_cert_updated`): one secret-get at least.
    const mtls = example === "etcd-client" ? 1 : 0;
    return {
      calls: base + extra * perGroup + mtls,
      flow: `${flow}${more}${mtls ? " + 1 secret-get of the requirer's mtls secret" : ""}`,
    };
  }
  if (example === "etcd-client") return { calls: 16, flow: "v0 etcd requirer relation-changed (16)" };
  // §11 has no v1 requirer relation-changed; the v0 one reads the same groups the same way.
  return {
    calls: 13 + extra * perGroup,
    flow: `${contract === "v1" ? "v0 requirer relation-changed → created (v1: none in §11)" : "v0 requirer relation-changed → created"} (13)${more}`,
  };
}

/**
 * Calls about relations of another endpoint than the hook's own (e.g. a peer relation the example
 * keeps its workers in): charm logic outside the §11 flow, which a Python charm doing the same pays
 * call for call (ops: relation-ids per endpoint, relation-list and relation-get per relation/bag).
 */
export function otherEndpointCalls(
  calls: readonly { readonly tool: string; readonly argv: readonly string[] }[],
  endpoint: string | undefined,
): number {
  if (endpoint === undefined) return 0;
  return calls.filter((c) => {
    if (c.tool === "relation-ids") return !c.argv.includes(endpoint);
    if (c.tool !== "relation-get" && c.tool !== "relation-list" && c.tool !== "relation-set") return false;
    const i = c.argv.findIndex((a) => a === "-r" || a === "--relation");
    const rel =
      i >= 0 ? c.argv[i + 1] : c.argv.find((a) => a.startsWith("-r=") || a.startsWith("--relation="));
    const name = rel?.replace(/^(-r|--relation)=/, "").split(":")[0];
    return name !== undefined && name !== "" && /\D/.test(name) && name !== endpoint;
  }).length;
}

async function loadSetup(example: string): Promise<(charm: Charm) => void | Promise<void>> {
  const mod = (await import(pathToFileURL(join(EXAMPLES_DIR, example, "dist", "charm.js")).href)) as {
    setup?: (charm: Charm) => void | Promise<void>;
  };
  if (typeof mod.setup !== "function") throw new Error(`${example}: dist/charm.js exports no setup`);
  return mod.setup;
}

async function runPair(x: string, root: string, updateStatusRuns: number): Promise<ExampleRow[]> {
  const sim = new Simulation({ lifecycle: false });
  let n = 0;
  const tmp = () => mkdtempSync(join(root, `${x}-${n++}-`));
  const metas: Record<Side, ReturnType<typeof readCharmcraft>> = {} as never;
  for (const side of ["provider", "requirer"] as const) {
    const example = `${x}-${side}`;
    const meta = readCharmcraft(join(EXAMPLES_DIR, example));
    metas[side] = meta;
    sim.deploy(side, {
      runner: charmRunner(await loadSetup(example)),
      endpoints: meta.endpoints,
      config: { ...meta.config, ...overrides(example, meta.config, tmp) },
    });
  }
  const settle = async (what: string) => {
    const r = await sim.settle({ maxHooks: 200 });
    if (!r.settled)
      throw new Error(
        `${x}: ${what} did not settle: ${r.failed.map((f) => `${f.unit} ${f.hook}: ${String(f.error).split("\n")[0]}`).join("; ") || r.reason}`,
      );
  };
  await settle("deploy");
  await sim.runHook("provider/0", "config-changed");
  await sim.runHook("requirer/0", "config-changed");
  const ep = (side: Side, role: string) =>
    Object.entries(metas[side].endpoints).find(([, v]) => String(v).startsWith(role))?.[0];
  const id = sim.relate(`provider:${ep("provider", "provides")}`, `requirer:${ep("requirer", "requires")}`);
  await settle("relate");
  const rel = sim.model.relation(id);
  const requests = rel.appData.requirer ?? {};
  const contract: ExampleRow["contract"] =
    rel.interface === "etcd" ? "legacy" : "requests" in requests ? "v1" : "v0";
  const groups = Object.values(sim.model.state.secrets).filter(
    (s) =>
      s.owner.kind === "application" &&
      s.owner.app === "provider" &&
      s.grants.some((g) => g.relationId === id),
  ).length;
  for (let i = 0; i < updateStatusRuns; i++) {
    await sim.runHook("provider/0", "update-status");
    await sim.runHook("requirer/0", "update-status");
  }
  await settle("update-status");
  sim.removeRelation(id);
  await settle("remove-relation");

  const costs = sim.hooks.map((h) => ({
    side: (h.unit.startsWith("provider") ? "provider" : "requirer") as Side,
    kind: h.kind,
    elsewhere: otherEndpointCalls(h.calls, h.context.relation?.endpoint),
    cost: hookCost({
      calls: h.calls,
      unit: h.unit,
      leader: true,
      ...(h.context.relation ? { relationId: h.context.relation.id } : {}),
      ...(h.ok ? { commit: { databags: [...h.databags], secrets: h.secrets! } } : {}),
    }),
  }));
  return (["provider", "requirer"] as const).map((side) => {
    const mine = costs.filter((c) => c.side === side);
    const changedHooks = mine.filter((c) => c.kind === "relation-changed");
    const changed = changedHooks.map((c) => c.cost);
    const worstHook = changedHooks.reduce<(typeof changedHooks)[number] | undefined>(
      (a, b) => (!a || b.cost.total > a.cost.total ? b : a),
      undefined,
    );
    const worst = worstHook?.cost;
    const py = pythonSameFlow(x, contract, side, groups);
    const largest = worst?.total ?? 0;
    // What the charm's own logic reads elsewhere (a peer relation, other endpoints): Python pays it alike.
    const own =
      ["config-get", "network-get", "status-set"].filter((t) => (worst?.calls[t] ?? 0) > 0).length +
      (worstHook?.elsewhere ?? 0);
    const charmCalls = py ? py.calls + own : undefined;
    return {
      example: x,
      side,
      contract,
      groups,
      relationChanged: changed.length,
      largest,
      minimum: worst?.minimumTotal ?? 0,
      average: round(changed.reduce((s, c) => s + c.total, 0) / Math.max(1, changed.length), 1),
      breakdown: worst ? describeCost(worst) : "",
      ...(py && charmCalls
        ? {
            python: py.calls,
            pythonFlow: py.flow,
            pythonCharm: charmCalls,
            ratio: round(largest / charmCalls, 2),
          }
        : {}),
      lifecycleCalls: mine.reduce((s, c) => s + c.cost.total, 0),
      hooks: mine.length,
    };
  });
}

export async function runExamples(options: { pairs?: readonly string[] } = {}): Promise<ExamplesResult> {
  const root = mkdtempSync(join(tmpdir(), "charm-relations-bench-examples-"));
  const rows: ExampleRow[] = [];
  const errors: ExamplesResult["errors"] = [];
  try {
    for (const x of examplePairs().filter((p) => !options.pairs || options.pairs.includes(p))) {
      try {
        rows.push(...(await runPair(x, root, 1)));
      } catch (e) {
        errors.push({ example: x, error: (e as Error).message.split("\n")[0] ?? String(e) });
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return { rows, errors };
}

export function printExamples(result: ExamplesResult): string {
  const out = [
    "## 1b. Example charms: relation-changed calls vs the minimum and Python for the same flow\n",
    "In-memory Simulation, each example's own setup (dist/charm.js), one unit per side; juju-log excluded. " +
      "Python lib = ops + data_interfaces for the flow (§11, ±3 per secret group beyond two); Python charm = " +
      "that + the config-get / network-get / status-set a Python charm doing what the example does pays; " +
      "half = half of Python charm (issue 18's target); ratio = largest / Python charm.\n",
  ];
  for (const e of result.errors) out.push(`${e.example}: not measured: ${e.error}`);
  out.push(
    table(
      [
        "example",
        "side",
        "contract",
        "groups",
        "largest",
        "minimum",
        "average",
        "Python lib",
        "Python charm",
        "half",
        "ratio",
        "lifecycle calls",
        "largest by kind (+excess)",
        "Python flow",
      ],
      result.rows.map((r) => [
        r.example,
        r.side,
        r.contract,
        r.groups,
        r.largest,
        r.minimum,
        r.average,
        r.python ?? "-",
        r.pythonCharm ?? "-",
        r.pythonCharm === undefined ? "-" : r.pythonCharm / 2,
        r.ratio ?? "-",
        r.lifecycleCalls,
        r.breakdown,
        r.pythonFlow ?? "",
      ]),
    ),
  );
  return out.join("\n");
}
