/**
 * Section 3: scale. A postgresql_client provider with N = 1, 10, 100, 1000 relations (one requirer app
 * each, every request answered), then:
 *
 * - `republish`: config-changed moves the endpoints; the provider republishes them on every relation;
 * - `new relation`: one more requirer arrives: the provider answers it (must not depend on N);
 * - `broken`: one relation is removed: the provider cleans up its secrets.
 *
 * And a valkey_client provider with one relation carrying 100 v1 requests: answering all of them in
 * one hook, then republishing endpoints to all of them.
 *
 * Calls come from the MemoryBackend call log; times are split by `timedHook` into the library itself,
 * the in-memory hook tools, and the in-memory session (copy at start + commit: test infrastructure).
 */
import type { Charm } from "../packages/juju-secrets-core/dist/index.js";
import { JujuModel } from "../packages/juju-secrets-core/dist/testing/index.js";
import { countByTool, type TimedHook, timedHook } from "./lib/hook.js";
import { type InterfaceBench, type InterfaceVariants, withVariant } from "./lib/interfaces.js";
import { ms, round, table } from "./lib/stats.js";

const UUID = "8c7e20bb-710f-4f64-b51d-4acb46656498";

export interface ScaleRow {
  readonly scenario: string;
  readonly n: number;
  readonly hook: string;
  readonly calls: number;
  readonly callsPerUnit: number;
  readonly byTool: Record<string, number>;
  /** Milliseconds. */
  readonly library: number;
  readonly tools: number;
  readonly session: number;
  readonly commit: number;
  readonly libraryPerUnit: number;
}

export interface ScaleResult {
  readonly interface: string;
  readonly impl: string;
  readonly note?: string;
  readonly rows: ScaleRow[];
  /** The K-requests-on-one-relation scenario's interface. */
  readonly manyRequests?: { readonly interface: string; readonly impl: string; readonly note?: string };
  /** Setup (building the N answered relations with real hooks), ms per hook at the largest N. */
  readonly setupMsPerHook: Record<string, number>;
}

function row(scenario: string, n: number, per: number, hook: string, t: TimedHook): ScaleRow {
  const calls = t.calls.filter((c) => c.tool !== "juju-log").length;
  return {
    scenario,
    n,
    hook,
    calls,
    callsPerUnit: round(calls / per),
    byTool: countByTool(t.calls),
    library: round(t.ms.library),
    tools: round(t.ms.tools),
    session: round(t.ms.session),
    commit: round(t.ms.commit),
    libraryPerUnit: round(t.ms.library / per, 3),
  };
}

const must = (t: TimedHook, what: string): TimedHook => {
  if (!t.ok) throw new Error(`${what} failed: ${String(t.error)}`);
  return t;
};

/** A provider app `db` and `n` requirer apps, each relation requested and answered by real hooks. */
export async function answeredProvider(
  iface: InterfaceBench,
  n: number,
): Promise<{ model: JujuModel; setupMs: number; hooks: number }> {
  const model = new JujuModel({ uuid: UUID });
  model.addApplication("db", {
    endpoints: iface.providerEndpoints,
    units: 1,
    config: { ...iface.providerConfig },
  });
  const start = performance.now();
  for (let i = 0; i < n; i++) await relateAndAnswer(iface, model, i);
  return { model, setupMs: performance.now() - start, hooks: 2 * n };
}

async function relateAndAnswer(iface: InterfaceBench, model: JujuModel, i: number): Promise<TimedHook> {
  const app = `app${i}`;
  model.addApplication(app, { endpoints: iface.requirerEndpoints, units: 1 });
  const id = model.addRelation(`${app}:${iface.requirerEndpoint}`, `db:${iface.providerEndpoint}`);
  must(
    await timedHook(model, { unit: `${app}/0`, kind: "relation-created", relationId: id }, iface.requirer),
    "request",
  );
  return must(
    await timedHook(model, { unit: "db/0", kind: "relation-changed", relationId: id }, iface.provider),
    "answer",
  );
}

export async function runScale(
  relations: InterfaceVariants,
  requests: InterfaceVariants | undefined,
  sizes: readonly number[] = [1, 10, 100, 1000],
  k = 100,
): Promise<ScaleResult> {
  const setupMsPerHook: Record<string, number> = {};
  const main = await withVariant(relations, (iface) => manyRelations(iface, sizes, setupMsPerHook));
  if (!main.iface) throw new Error(`scale: ${relations.name}: ${main.error}`);
  const rows = [...main.value];
  const many = requests ? await withVariant(requests, (iface) => manyRequests(iface, k)) : undefined;
  if (many?.iface) rows.push(...many.value);
  return {
    interface: main.iface.name,
    impl: main.iface.impl,
    ...(main.iface.note ? { note: main.iface.note } : {}),
    rows,
    ...(many?.iface
      ? {
          manyRequests: {
            interface: many.iface.name,
            impl: many.iface.impl,
            ...(many.iface.note ? { note: many.iface.note } : {}),
          },
        }
      : {}),
    setupMsPerHook,
  };
}

async function manyRelations(
  iface: InterfaceBench,
  sizes: readonly number[],
  setupMsPerHook: Record<string, number>,
): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  for (const n of sizes) {
    const { model, setupMs, hooks } = await answeredProvider(iface, n);
    setupMsPerHook[String(n)] = round(setupMs / hooks);
    model.application("db").config = { ...model.application("db").config, ...iface.moveEndpoints };
    const republish = must(
      await timedHook(model, { unit: "db/0", kind: "config-changed" }, iface.provider),
      "republish",
    );
    rows.push(row("republish endpoints to N relations", n, n, "config-changed", republish));
    const extra = await relateAndAnswer(iface, model, n);
    rows.push(row("answer 1 new relation among N", n, 1, "relation-changed", extra));
    // Juju marks the relation dead for the unit before relation-broken runs.
    const rel = model.relation(0);
    rel.dying = true;
    rel.left.push("db/0");
    rel.members["db/0"] = [];
    const broken = must(
      await timedHook(model, { unit: "db/0", kind: "relation-broken", relationId: 0 }, iface.provider),
      "broken",
    );
    rows.push(row("remove 1 relation among N", n, 1, "relation-broken", broken));
  }
  return rows;
}

/** One relation, `k` v1 requests: answered in one hook, then endpoints republished to all of them. */
async function manyRequests(iface: InterfaceBench, k: number): Promise<ScaleRow[]> {
  if (!iface.requirerFor) throw new Error(`${iface.name} has no multi-request requirer`);
  const model = new JujuModel({ uuid: UUID });
  model.addApplication("valkey", {
    endpoints: iface.providerEndpoints,
    units: 1,
    config: { ...iface.providerConfig },
  });
  model.addApplication("client", { endpoints: iface.requirerEndpoints, units: 1 });
  const id = model.addRelation(`client:${iface.requirerEndpoint}`, `valkey:${iface.providerEndpoint}`);
  const resources = Array.from({ length: k }, (_, i) => `app${i}:*`);
  const requirer: (charm: Charm) => void = iface.requirerFor(resources);
  must(
    await timedHook(model, { unit: "client/0", kind: "relation-created", relationId: id }, requirer),
    "requests",
  );
  const answer = must(
    await timedHook(model, { unit: "valkey/0", kind: "relation-changed", relationId: id }, iface.provider),
    "answer all",
  );
  model.application("valkey").config = { ...model.application("valkey").config, ...iface.moveEndpoints };
  const republish = must(
    await timedHook(model, { unit: "valkey/0", kind: "config-changed" }, iface.provider),
    "republish",
  );
  const read = must(
    await timedHook(model, { unit: "client/0", kind: "relation-changed", relationId: id }, requirer),
    "read all",
  );
  return [
    row(`${iface.name}: answer K requests on 1 relation`, k, k, "relation-changed", answer),
    row(`${iface.name}: republish endpoints to K requests`, k, k, "config-changed", republish),
    row(`${iface.name}: requirer reads K answers`, k, k, "relation-changed", read),
  ];
}

export function printScale(result: ScaleResult): string {
  const out = [`## 3. Scale (${result.interface}, ${result.impl}; in-process, MemoryBackend)\n`];
  out.push(
    table(
      [
        "scenario",
        "N",
        "calls",
        "calls/N",
        "library ms",
        "per N",
        "tools ms",
        "session ms",
        "commit ms",
        "calls by kind",
      ],
      result.rows.map((r) => [
        r.scenario,
        r.n,
        r.calls,
        r.callsPerUnit,
        ms(r.library),
        ms(r.libraryPerUnit, 3),
        ms(r.tools),
        ms(r.session),
        ms(r.commit),
        Object.entries(r.byTool)
          .map(([k, v]) => `${k}×${v}`)
          .join(" "),
      ]),
    ),
  );
  out.push(
    `\nsetup (real hooks building the answered relations), ms per hook: ${Object.entries(
      result.setupMsPerHook,
    )
      .map(([n, v]) => `N=${n}: ${ms(v)}`)
      .join(", ")}`,
  );
  return out.join("\n");
}
