/**
 * `Simulation`: several charms in one simulated Juju model, driven hook by hook the way Juju
 * sequences them (relation-created → joined → changed …, relation-changed on the other side after
 * each committed write, secret-changed for consumers of a new revision, secret-remove for revisions
 * nobody tracks, departed → broken on removal, scale out and in). Each hook runs a charm through a
 * `HookRunner` against a `MemoryBackend` session; a resolved runner commits, a rejected one rolls
 * back and leaves the unit in error (Juju retries only once it is resolved).
 *
 * The hooks themselves are `hook-events.ts`; what Juju does around each one (what the unit sees, which
 * queued hooks are stale, what a commit causes elsewhere) is `simulation-rules.ts`. Also `runOnce`
 * (`run-once.ts`), the Scenario-style single event, and `processRunner` (`process-runner.ts`).
 */

import type { HookKind } from "../hook/types.js";
import {
  eventKey,
  type HookEvent,
  type HookRecord,
  type HookRunner,
  hookContextFor,
  sessionOptionsFor,
} from "./hook-events.js";
import { type CommitResult, MemoryBackend } from "./memory-backend.js";
import { JujuModel, type JujuModelOptions } from "./model.js";
import { appOfUnit, SimulationError } from "./model-names.js";
import type { AddApplicationOptions, EndpointInput, RelationState } from "./model-state.js";
import { matchEndpoints, queueFollowUps, queueObsolete, seeHook, stillValid } from "./simulation-rules.js";

export type { HookEvent, HookRecord, HookRunner } from "./hook-events.js";
export { hookContextFor, sessionOptionsFor } from "./hook-events.js";
export { CharmProcessError, type ProcessRunnerOptions, processRunner } from "./process-runner.js";
export { type RunOnceResult, runOnce } from "./run-once.js";

export interface OperationRecord {
  readonly type: "operation";
  readonly seq: number;
  readonly operation:
    | "deploy"
    | "relate"
    | "add-unit"
    | "remove-unit"
    | "remove-relation"
    | "set-leader"
    | "configure"
    | "relation-removed"
    | "unit-removed"
    | "resolved";
  readonly detail: string;
}

export type TranscriptEntry = HookRecord | OperationRecord;

export interface SettleResult {
  /** Nothing left to run and no unit in error. */
  readonly settled: boolean;
  readonly reason: "idle" | "max-hooks" | "blocked";
  readonly hooksRun: number;
  /** Hooks still queued (including those held back by units in error). */
  readonly pending: number;
  readonly failed: readonly { readonly unit: string; readonly hook: string; readonly error: unknown }[];
}

export interface DeployOptions {
  readonly runner: HookRunner;
  readonly units?: number;
  readonly endpoints?: Readonly<Record<string, EndpointInput>>;
  /** Unit index or name (default the first unit). */
  readonly leader?: number | string;
  readonly config?: Readonly<Record<string, unknown>>;
  /** Put the app in another model (cross-model relations). */
  readonly modelUuid?: string;
  readonly charmDir?: string;
}

export interface SimulationOptions extends JujuModelOptions {
  /** Run install, config-changed, start, stop and remove (default true). */
  readonly lifecycle?: boolean;
  /** Queue secret-remove on the owner for revisions nobody tracks (default true). */
  readonly secretRemoveHooks?: boolean;
}

type QueueItem =
  | { readonly type: "hook"; readonly event: HookEvent; readonly cause: string }
  | { readonly type: "remove-relation"; readonly relationId: number }
  | { readonly type: "remove-unit"; readonly unit: string };

// ---------------------------------------------------------------------------------------------
// Simulation

export class Simulation {
  readonly model: JujuModel;
  readonly transcript: TranscriptEntry[] = [];
  readonly #runners = new Map<string, HookRunner>();
  readonly #charmDirs = new Map<string, string>();
  readonly #queue: QueueItem[] = [];
  readonly #failed = new Map<string, { event: HookEvent; hook: string; cause: string; error: unknown }>();
  readonly #dying = new Set<string>();
  readonly #lifecycle: boolean;
  readonly #secretRemoveHooks: boolean;

  constructor(options: SimulationOptions = {}) {
    this.model = new JujuModel(options);
    this.#lifecycle = options.lifecycle ?? true;
    this.#secretRemoveHooks = options.secretRemoveHooks ?? true;
  }

  /** Hook records only. */
  get hooks(): HookRecord[] {
    return this.transcript.filter((e): e is HookRecord => e.type === "hook");
  }

  /** Queued hooks, in delivery order. */
  get queue(): HookEvent[] {
    return this.#queue.flatMap((i) => (i.type === "hook" ? [i.event] : []));
  }

  /** Units whose last hook failed, with that hook and its error. */
  get failedUnits(): ReadonlyMap<string, { readonly hook: string; readonly error: unknown }> {
    return this.#failed;
  }

  #op(operation: OperationRecord["operation"], detail: string): void {
    this.transcript.push({ type: "operation", seq: this.transcript.length, operation, detail });
  }

  #enqueue(event: HookEvent, cause: string): void {
    const key = eventKey(event);
    if (this.#queue.some((i) => i.type === "hook" && eventKey(i.event) === key)) return; // Juju coalesces
    this.#queue.push({ type: "hook", event, cause });
  }

  #lifecycleHook(unit: string, kind: HookKind, cause: string): void {
    if (this.#lifecycle) this.#enqueue({ unit, kind }, cause);
  }

  /** Set or replace the runner of an app (e.g. after loading a model). */
  setRunner(app: string, runner: HookRunner): void {
    this.model.application(app);
    this.#runners.set(app, runner);
  }

  // -- topology -------------------------------------------------------------------------------

  deploy(app: string, options: DeployOptions): string[] {
    const appOptions: { -readonly [K in keyof AddApplicationOptions]: AddApplicationOptions[K] } = {
      units: 0,
      leader: null,
    };
    if (options.endpoints) appOptions.endpoints = options.endpoints;
    if (options.config) appOptions.config = options.config;
    if (options.modelUuid) appOptions.modelUuid = options.modelUuid;
    this.model.addApplication(app, appOptions);
    this.#runners.set(app, options.runner);
    if (options.charmDir) this.#charmDirs.set(app, options.charmDir);
    const units: string[] = [];
    for (let i = 0; i < (options.units ?? 1); i++) units.push(this.model.addUnit(app));
    const leader = typeof options.leader === "string" ? options.leader : units[options.leader ?? 0];
    if (leader !== undefined) this.model.setLeader(leader);
    this.#op(
      "deploy",
      `${app} (${units.length} unit${units.length === 1 ? "" : "s"}, leader ${leader ?? "none"})`,
    );
    const peers = Object.entries(this.model.application(app).endpoints)
      .filter(([, spec]) => spec.role === "peers")
      .map(([ep]) => this.model.addRelation(`${app}:${ep}`, undefined, { members: "none" }));
    for (const unit of units) {
      this.#lifecycleHook(unit, "install", "deploy");
      for (const id of peers)
        this.#enqueue({ unit, kind: "relation-created", relationId: id }, "deploy (peer relation)");
      if (unit === leader) this.#enqueue({ unit, kind: "leader-elected" }, "deploy");
      this.#lifecycleHook(unit, "config-changed", "deploy");
      this.#lifecycleHook(unit, "start", "deploy");
    }
    for (const id of peers) this.#queueJoins(id, units, "deploy (peer relation)");
    return units;
  }

  /** `juju integrate a b`: `"app:endpoint"` (or just `"app"` when one endpoint matches). Returns the id. */
  relate(a: string, b: string): number {
    const [ea, eb] = matchEndpoints(this.model, a, b);
    const id = this.model.addRelation(ea, eb, { members: "none" });
    const rel = this.model.relation(id);
    this.#op("relate", `${ea} ${eb} (relation ${id})`);
    const apps = rel.endpoints.map((e) => e.app);
    for (const app of apps) {
      for (const unit of this.model.application(app).units) {
        this.#enqueue({ unit, kind: "relation-created", relationId: id }, "relate");
      }
    }
    for (const app of apps) this.#queueJoins(id, this.model.application(app).units, "relate");
    return id;
  }

  /** relation-joined then relation-changed for each of `units` with each remote unit it has not seen. */
  #queueJoins(relationId: number, units: readonly string[], cause: string): void {
    const rel = this.model.relation(relationId);
    for (const unit of units) {
      for (const remote of this.model.remoteUnitsOf(rel, unit)) {
        if (rel.members[unit]?.includes(remote)) continue;
        this.#enqueue({ unit, kind: "relation-joined", relationId, remoteUnit: remote }, cause);
        this.#enqueue({ unit, kind: "relation-changed", relationId, remoteUnit: remote }, cause);
      }
    }
  }

  #liveRelations(app: string): RelationState[] {
    return this.model.relations({ app }).filter((r) => !r.dying);
  }

  /** Scale out by one unit; returns its name. */
  addUnit(app: string): string {
    const unit = this.model.addUnit(app);
    this.#op("add-unit", unit);
    this.#lifecycleHook(unit, "install", "add-unit");
    const relations = this.#liveRelations(app);
    for (const rel of relations)
      this.#enqueue({ unit, kind: "relation-created", relationId: rel.id }, "add-unit");
    if (this.model.leaderOf(app) === null) {
      this.model.setLeader(unit);
      this.#enqueue({ unit, kind: "leader-elected" }, "add-unit (no leader)");
    }
    this.#lifecycleHook(unit, "config-changed", "add-unit");
    this.#lifecycleHook(unit, "start", "add-unit");
    for (const rel of relations) {
      this.#queueJoins(rel.id, [unit], "add-unit");
      this.#queueJoins(rel.id, this.model.remoteUnitsOf(rel, unit), `add-unit ${unit}`);
    }
    return unit;
  }

  /** Scale in: departed on both sides, broken on the unit, stop and remove, then the unit is gone. */
  removeUnit(unit: string): void {
    this.model.unit(unit);
    this.#dying.add(unit);
    this.#op("remove-unit", unit);
    for (const rel of this.#liveRelations(appOfUnit(unit))) {
      if (rel.left.includes(unit)) continue;
      for (const [other, members] of Object.entries(rel.members)) {
        if (members.includes(unit)) {
          this.#enqueue(
            {
              unit: other,
              kind: "relation-departed",
              relationId: rel.id,
              remoteUnit: unit,
              departingUnit: unit,
            },
            `remove-unit ${unit}`,
          );
        }
      }
      for (const remote of rel.members[unit] ?? []) {
        this.#enqueue(
          { unit, kind: "relation-departed", relationId: rel.id, remoteUnit: remote, departingUnit: unit },
          "remove-unit",
        );
      }
      this.#enqueue({ unit, kind: "relation-broken", relationId: rel.id }, "remove-unit");
    }
    this.#lifecycleHook(unit, "stop", "remove-unit");
    this.#lifecycleHook(unit, "remove", "remove-unit");
    this.#queue.push({ type: "remove-unit", unit });
  }

  /** `juju remove-relation`: departed for every remote unit on every unit, then broken everywhere. */
  removeRelation(relationId: number): void {
    const rel = this.model.relation(relationId);
    rel.dying = true;
    this.#op("remove-relation", `relation ${relationId}`);
    const units = rel.endpoints.flatMap((e) => this.model.application(e.app).units);
    for (const unit of new Set(units)) {
      if (rel.left.includes(unit)) continue;
      for (const remote of rel.members[unit] ?? []) {
        this.#enqueue(
          { unit, kind: "relation-departed", relationId, remoteUnit: remote, departingUnit: remote },
          "remove-relation",
        );
      }
      this.#enqueue({ unit, kind: "relation-broken", relationId }, "remove-relation");
    }
    this.#queue.push({ type: "remove-relation", relationId });
  }

  /** Move leadership; the new leader gets leader-elected. */
  setLeader(unit: string): void {
    this.model.setLeader(unit);
    this.#op("set-leader", unit);
    this.#enqueue({ unit, kind: "leader-elected" }, "set-leader");
  }

  /** `juju config`: merge options, config-changed on every unit. */
  configure(app: string, config: Readonly<Record<string, unknown>>): void {
    Object.assign(this.model.application(app).config, config);
    this.#op("configure", `${app} ${Object.keys(config).join(", ")}`);
    for (const unit of this.model.application(app).units)
      this.#enqueue({ unit, kind: "config-changed" }, "configure");
  }

  /** `juju resolved`: clear the unit's error; with `retry`, run the failed hook again first. */
  resolve(unit: string, options: { retry?: boolean } = {}): void {
    const failed = this.#failed.get(unit);
    if (!failed) throw new SimulationError(`unit ${unit} is not in error`);
    this.#failed.delete(unit);
    this.#op("resolved", `${unit}${options.retry ? " (retry)" : ""}`);
    if (options.retry)
      this.#queue.unshift({ type: "hook", event: failed.event, cause: `retry of ${failed.hook}` });
  }

  // -- running --------------------------------------------------------------------------------

  /**
   * Run one hook now (config-changed, update-status, an action, a secret-rotate…), outside the
   * queue; hooks it causes are queued. `runner` overrides the app's runner for this hook only.
   */
  async runHook(
    unit: string,
    kind: HookKind,
    extra: Omit<HookEvent, "unit" | "kind"> & { readonly runner?: HookRunner } = {},
  ): Promise<HookRecord> {
    const { runner, ...rest } = extra;
    this.model.unit(unit);
    return this.#deliver({ unit, kind, ...rest }, "runHook", runner);
  }

  /** Deliver queued hooks one by one until none is left, `maxHooks` ran, or only failed units' hooks remain. */
  async settle(options: { maxHooks?: number } = {}): Promise<SettleResult> {
    const maxHooks = options.maxHooks ?? 1000;
    let hooksRun = 0;
    let reason: SettleResult["reason"] | undefined;
    for (;;) {
      const index = this.#queue.findIndex((i) => this.#deliverable(i));
      if (index < 0) break;
      const item = this.#queue[index]!;
      if (item.type === "hook" && hooksRun >= maxHooks) {
        reason = "max-hooks";
        break;
      }
      this.#queue.splice(index, 1);
      if (item.type === "remove-relation") this.#finishRelationRemoval(item.relationId);
      else if (item.type === "remove-unit") this.#finishUnitRemoval(item.unit);
      else if (stillValid(this.model, this.#dying, item.event)) {
        await this.#deliver(item.event, item.cause);
        hooksRun += 1;
      }
    }
    const failed = [...this.#failed].map(([unit, f]) => ({ unit, hook: f.hook, error: f.error }));
    reason ??= failed.length > 0 ? "blocked" : this.#queue.length > 0 ? "blocked" : "idle";
    return {
      settled: reason === "idle",
      reason,
      hooksRun,
      pending: this.#queue.filter((i) => i.type === "hook").length,
      failed,
    };
  }

  #deliverable(item: QueueItem): boolean {
    if (item.type === "hook") return !this.#failed.has(item.event.unit);
    if (item.type === "remove-relation") {
      return !this.#queue.some((i) => i.type === "hook" && i.event.relationId === item.relationId);
    }
    return !this.#queue.some((i) => i.type === "hook" && i.event.unit === item.unit);
  }

  async #deliver(event: HookEvent, cause: string, override?: HookRunner): Promise<HookRecord> {
    const app = appOfUnit(event.unit);
    const runner = override ?? this.#runners.get(app);
    if (!runner) throw new SimulationError(`no runner for application "${app}"`);
    const rel = event.relationId !== undefined ? this.model.relation(event.relationId) : undefined;
    if (rel) seeHook(rel, event);
    const context = hookContextFor(this.model, event, this.#charmDirs.get(app));
    const callStart = this.model.state.calls.length;
    const logStart = this.model.state.logs.length;
    const backend = new MemoryBackend(this.model, sessionOptionsFor(context));
    let ok = true;
    let error: unknown;
    let commit: CommitResult | undefined;
    try {
      await runner(backend, context);
    } catch (e) {
      ok = false;
      error = e;
    }
    if (backend.isOpen) {
      if (ok) commit = backend.commit();
      else backend.rollback();
    }
    const record: HookRecord = {
      type: "hook",
      seq: this.transcript.length,
      unit: event.unit,
      hook: context.hookName,
      kind: event.kind,
      context,
      cause,
      ok,
      ...(ok ? {} : { error }),
      databags: commit?.databags ?? [],
      ...(commit ? { secrets: commit.secrets } : {}),
      calls: this.model.state.calls.slice(callStart),
      logs: this.model.state.logs.slice(logStart),
      status: this.model.unitStatus(event.unit),
    };
    this.transcript.push(record);
    if (commit) this.#followUps(event, commit);
    else if (event.kind !== "action") {
      this.#failed.set(event.unit, { event, hook: context.hookName, cause, error });
    }
    return record;
  }

  /** The hooks a committed hook causes elsewhere. */
  #followUps(event: HookEvent, commit: CommitResult): void {
    const touched = queueFollowUps(this.model, event, commit, (e, cause) => this.#enqueue(e, cause));
    for (const xid of touched) this.#queueObsolete(xid);
  }

  #queueObsolete(xid: string): void {
    if (this.#secretRemoveHooks) queueObsolete(this.model, xid, (e, cause) => this.#enqueue(e, cause));
  }

  #finishRelationRemoval(relationId: number): void {
    if (!this.model.hasRelation(relationId)) return;
    this.model.removeRelation(relationId);
    this.#op("relation-removed", `relation ${relationId}`);
  }

  #finishUnitRemoval(unit: string): void {
    if (!this.model.hasUnit(unit)) return;
    const app = appOfUnit(unit);
    const wasLeader = this.model.isLeader(unit);
    this.model.removeUnit(unit);
    this.#dying.delete(unit);
    this.#failed.delete(unit);
    this.#op("unit-removed", unit);
    if (wasLeader) {
      const next = this.model.application(app).units.find((u) => !this.#dying.has(u));
      if (next) {
        this.model.setLeader(next);
        this.#enqueue({ unit: next, kind: "leader-elected" }, `leader ${unit} removed`);
      }
    }
    for (const s of this.model.secrets()) this.#queueObsolete(s.xid);
  }
}
