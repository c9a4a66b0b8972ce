/**
 * Lifecycle scripts: deploy, relate, settle, rotate, scale out, move leadership, scale in, remove the
 * relation — every step settled, every hook recorded for replay. Interface suites describe their
 * charms as a `LifecycleSpec`; the generic engines have two built-in ones.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HookRunner, type SettleResult, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { EventLog, type PasswordMode, runners } from "./generic.js";
import { type RecordedHook, recording, withCharmDir } from "./replay.js";

/** Charm directories of the lifecycle runs of this process (see `removeCharmDirs`). */
const charmBases: string[] = [];

/** Remove every charm directory made so far (test files call it in `afterAll`). */
export function removeCharmDirs(): void {
  for (const d of charmBases.splice(0)) rmSync(d, { recursive: true, force: true });
}
process.once("exit", removeCharmDirs);

export interface AppSpec {
  readonly name: string;
  readonly units: number;
  readonly endpoints: Readonly<Record<string, `${"provides" | "requires" | "peers"}:${string}`>>;
  readonly runner: HookRunner;
}

/** One step of a script; `settle` runs after each. */
export type Step =
  | { readonly op: "relate"; readonly a: string; readonly b: string }
  | { readonly op: "configure"; readonly app: string; readonly config: Readonly<Record<string, unknown>> }
  | { readonly op: "add-unit"; readonly app: string }
  | { readonly op: "remove-unit"; readonly unit: string }
  | { readonly op: "set-leader"; readonly unit: string }
  | { readonly op: "remove-relation"; readonly index: number };

export interface LifecycleSpec {
  /** `postgresql_client v0 (generic engines)`. */
  readonly name: string;
  readonly apps: readonly AppSpec[];
  readonly steps: readonly Step[];
  readonly modelUuid?: string;
  readonly jujuVersion?: string;
}

export interface LifecycleRun {
  readonly spec: LifecycleSpec;
  readonly sim: Simulation;
  readonly hooks: RecordedHook[];
  /** Relation ids in `relate` order. */
  readonly relations: number[];
  /** Settle results, one per step (plus the deploy). */
  readonly settles: { step: string; result: SettleResult }[];
  /** The unwrapped runner of each app, for replays. */
  readonly runners: ReadonlyMap<string, HookRunner>;
}

export const DEFAULT_UUID = "8c7e20bb-710f-4f64-b51d-4acb46656498";

/** Deploy the apps of `spec` on a fresh simulation (recording every hook) and settle. */
export async function startLifecycle(spec: LifecycleSpec): Promise<LifecycleRun> {
  const sim = new Simulation({
    uuid: spec.modelUuid ?? DEFAULT_UUID,
    lifecycle: false,
    ...(spec.jujuVersion ? { jujuVersion: spec.jujuVersion } : {}),
  });
  const hooks: RecordedHook[] = [];
  const map = new Map<string, HookRunner>();
  // Every unit has its own charm directory, where libraries keep unit-local state (departure markers).
  const charmBase = mkdtempSync(join(tmpdir(), "reliability-charms-"));
  charmBases.push(charmBase);
  for (const app of spec.apps) {
    const runner = withCharmDir(app.runner, charmBase);
    map.set(app.name, runner);
    sim.deploy(app.name, {
      runner: recording(app.name, runner, hooks, charmBase),
      units: app.units,
      endpoints: app.endpoints,
    });
  }
  const run: LifecycleRun = { spec, sim, hooks, relations: [], settles: [], runners: map };
  run.settles.push({ step: "deploy", result: await sim.settle({ maxHooks: 500 }) });
  return run;
}

/** Apply one step to the simulation (without settling). */
export function applyStep(run: LifecycleRun, step: Step): void {
  const sim = run.sim;
  switch (step.op) {
    case "relate":
      run.relations.push(sim.relate(step.a, step.b));
      break;
    case "configure":
      sim.configure(step.app, step.config);
      break;
    case "add-unit":
      sim.addUnit(step.app);
      break;
    case "remove-unit":
      sim.removeUnit(step.unit);
      break;
    case "set-leader":
      sim.setLeader(step.unit);
      break;
    case "remove-relation":
      sim.removeRelation(run.relations[step.index]!);
      break;
  }
}

/** Run a script on a fresh simulation, settling after each step; stops at the first that does not settle. */
export async function runLifecycle(
  spec: LifecycleSpec,
  options: { until?: number; onStep?: (i: number, run: LifecycleRun) => void | Promise<void> } = {},
): Promise<LifecycleRun> {
  const run = await startLifecycle(spec);
  const steps = spec.steps.slice(0, options.until ?? spec.steps.length);
  for (const [i, step] of steps.entries()) {
    applyStep(run, step);
    const result = await run.sim.settle({ maxHooks: 500 });
    run.settles.push({ step: describeStep(step), result });
    await options.onStep?.(i, run);
    if (!result.settled) break;
  }
  return run;
}

export function describeStep(step: Step): string {
  switch (step.op) {
    case "relate":
      return `relate ${step.a} ${step.b}`;
    case "configure":
      return `configure ${step.app} ${JSON.stringify(step.config)}`;
    case "add-unit":
      return `add-unit ${step.app}`;
    case "remove-unit":
      return `remove-unit ${step.unit}`;
    case "set-leader":
      return `set-leader ${step.unit}`;
    case "remove-relation":
      return `remove-relation #${step.index}`;
  }
}

/** Settles that did not settle, or had failed hooks: must be empty. */
export function unsettled(run: LifecycleRun): { step: string; failed: unknown[]; reason: string }[] {
  return run.settles
    .filter((s) => !s.result.settled || s.result.failed.length > 0)
    .map((s) => ({
      step: s.step,
      reason: s.result.reason,
      failed: s.result.failed.map(
        (f) => `${f.unit} ${f.hook}: ${String((f.error as Error)?.message ?? f.error)}`,
      ),
    }));
}

// ---------------------------------------------------------------------------------------------
// The generic engines' lifecycles

export interface GenericLifecycleOptions {
  readonly passwords?: PasswordMode;
  readonly log?: EventLog;
}

/** postgresql_client v0: 2 provider units, 2 requirer units; rotation, scale, leadership, removal. */
export function pgLifecycle(options: GenericLifecycleOptions = {}): LifecycleSpec {
  const o = { passwords: options.passwords ?? "derived", log: options.log ?? new EventLog() };
  return {
    name: "postgresql_client v0 (generic engines)",
    apps: [
      {
        name: "provider",
        units: 2,
        endpoints: { database: "provides:postgresql_client" },
        runner: runners.pgProvider(o),
      },
      {
        name: "requirer",
        units: 2,
        endpoints: { database: "requires:postgresql_client" },
        runner: runners.pgRequirer(o),
      },
    ],
    steps: [
      { op: "relate", a: "provider:database", b: "requirer:database" },
      { op: "configure", app: "provider", config: { rotate: "1" } },
      { op: "add-unit", app: "requirer" },
      { op: "set-leader", unit: "provider/1" },
      { op: "configure", app: "provider", config: { rotate: "2" } },
      { op: "set-leader", unit: "requirer/1" },
      { op: "remove-unit", unit: "requirer/2" },
      { op: "remove-relation", index: 0 },
    ],
  };
}

/**
 * valkey_client: a v1 requirer with two requests and a v0 requirer on one provider endpoint; rotation,
 * a withdrawn request, scale, leadership, removal of both relations.
 */
export function kvLifecycle(options: GenericLifecycleOptions = {}): LifecycleSpec {
  const o = { passwords: options.passwords ?? "derived", log: options.log ?? new EventLog() };
  return {
    name: "valkey_client v1 + v0 (generic engines)",
    apps: [
      {
        name: "valkey",
        units: 2,
        endpoints: { client: "provides:valkey_client" },
        runner: runners.kvProvider(o),
      },
      {
        name: "app1",
        units: 2,
        endpoints: { client: "requires:valkey_client" },
        runner: runners.kvRequirer({ ...o, contract: "v1", resources: ["app:*", "*"] }),
      },
      {
        name: "app0",
        units: 1,
        endpoints: { client: "requires:valkey_client" },
        runner: runners.kvRequirer({ ...o, contract: "v0" }),
      },
    ],
    steps: [
      { op: "relate", a: "valkey:client", b: "app1:client" },
      { op: "relate", a: "valkey:client", b: "app0:client" },
      { op: "configure", app: "valkey", config: { rotate: "1" } },
      { op: "configure", app: "app1", config: { drop: "*" } },
      { op: "add-unit", app: "app1" },
      { op: "set-leader", unit: "valkey/1" },
      { op: "configure", app: "valkey", config: { rotate: "2" } },
      { op: "set-leader", unit: "app1/1" },
      { op: "remove-unit", unit: "app1/2" },
      { op: "remove-relation", index: 0 },
      { op: "remove-relation", index: 1 },
    ],
  };
}
