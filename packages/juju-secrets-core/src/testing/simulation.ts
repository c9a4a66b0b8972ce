/**
 * `Simulation`: several charms in one simulated Juju model, driven hook by hook the way Juju
 * sequences them (relation-created → joined → changed …, relation-changed on the other side after
 * each committed write, secret-changed for consumers of a new revision, secret-remove for revisions
 * nobody tracks, departed → broken on removal, scale out and in). Each hook runs a charm through a
 * `HookRunner` against a `MemoryBackend` session; a resolved runner commits, a rejected one rolls
 * back and leaves the unit in error (Juju retries only once it is resolved).
 *
 * Also `runOnce`, the Scenario-style single event: state in, output state out, input untouched.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import type { Backend } from "../backend/types.js";
import { CharmRelationsError } from "../errors.js";
import type { HookContext, HookKind } from "../hook/types.js";
import { createHookToolBin } from "./bin.js";
import { jujuEnvFor } from "./env.js";
import {
  type BagChange,
  type CommitResult,
  MemoryBackend,
  type MemoryBackendOptions,
} from "./memory-backend.js";
import {
  type AddApplicationOptions,
  appOfUnit,
  type EndpointInput,
  type HookToolCall,
  type JujuLogLine,
  JujuModel,
  type JujuModelOptions,
  type ModelState,
  type RelationState,
  type SecretState,
  SimulationError,
  type StatusRecord,
  secretXid,
} from "./model.js";
import { FAKE_STATE_ENV, loadSession, saveSession } from "./state-file.js";
import { readUnitFiles, writeUnitFiles } from "./unit-files.js";

/** Runs one hook of a charm in-process. Resolve = exit 0 (commit); reject = non-zero (rollback). */
export type HookRunner = (backend: Backend, context: HookContext) => Promise<void>;

/** One hook to deliver to one unit. */
export interface HookEvent {
  readonly unit: string;
  readonly kind: HookKind;
  readonly relationId?: number;
  readonly remoteUnit?: string;
  readonly departingUnit?: string;
  /** xid or URI. */
  readonly secretId?: string;
  readonly secretRevision?: number;
  readonly actionName?: string;
}

export interface HookRecord {
  readonly type: "hook";
  readonly seq: number;
  readonly unit: string;
  /** `db-relation-changed`, `config-changed`, or the action name. */
  readonly hook: string;
  readonly kind: HookKind;
  readonly context: HookContext;
  /** Why the simulator queued it. */
  readonly cause: string;
  readonly ok: boolean;
  /** The charm's error, as thrown. */
  readonly error?: unknown;
  readonly databags: readonly BagChange[];
  readonly secrets?: CommitResult["secrets"];
  /** Hook-tool calls the charm made in this hook (secret values never present). */
  readonly calls: readonly HookToolCall[];
  readonly logs: readonly JujuLogLine[];
  /** The unit's workload status after the hook. */
  readonly status: StatusRecord;
}

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

const OWNER_SECRET_HOOKS: readonly HookKind[] = ["secret-remove", "secret-rotate", "secret-expired"];

const isRelationKind = (kind: HookKind): boolean => kind.startsWith("relation-");

/** Build the context Juju would give `event` (hook name, relation, remote app, secret label, …). */
export function hookContextFor(model: JujuModel, event: HookEvent, charmDir?: string): HookContext {
  const app = appOfUnit(event.unit);
  const ctx: { -readonly [K in keyof HookContext]: HookContext[K] } = {
    dispatchPath: "",
    hookName: event.kind,
    kind: event.kind,
    unitName: event.unit,
    appName: app,
    modelName: model.name,
    modelUuid: model.modelUuidOf(app),
    jujuVersion: model.jujuVersion,
  };
  if (charmDir !== undefined) ctx.charmDir = charmDir;
  if (isRelationKind(event.kind)) {
    if (event.relationId === undefined) throw new SimulationError(`${event.kind} needs a relationId`);
    const rel = model.relation(event.relationId);
    const endpoint = model.localEndpointOf(rel, app);
    ctx.hookName = `${endpoint}-${event.kind}`;
    ctx.relation = { endpoint, id: rel.id };
    ctx.remoteApp = model.remoteAppOf(rel, app);
    if (event.remoteUnit) ctx.remoteUnit = event.remoteUnit;
    if (event.departingUnit) ctx.departingUnit = event.departingUnit;
  } else if (event.kind === "action") {
    if (!event.actionName) throw new SimulationError("an action needs an actionName");
    ctx.hookName = event.actionName;
    ctx.actionName = event.actionName;
    ctx.actionUuid = String(model.nextSeq());
  }
  ctx.dispatchPath = event.kind === "action" ? `actions/${ctx.hookName}` : `hooks/${ctx.hookName}`;
  if (event.secretId !== undefined) {
    const xid = secretXid(event.secretId);
    if (xid === undefined) throw new SimulationError(`"${event.secretId}" is not a secret id`);
    const s = model.state.secrets[xid];
    ctx.secretId = model.secretUri(xid);
    const label = OWNER_SECRET_HOOKS.includes(event.kind) ? s?.label : s?.consumerLabels[event.unit];
    if (label) ctx.secretLabel = label;
    if (event.secretRevision !== undefined) ctx.secretRevision = event.secretRevision;
  }
  return ctx;
}

/** The MemoryBackend options for a hook context. */
export function sessionOptionsFor(ctx: HookContext): MemoryBackendOptions {
  return {
    unit: ctx.unitName,
    hookName: ctx.hookName,
    kind: ctx.kind,
    ...(ctx.relation ? { relation: ctx.relation } : {}),
    ...(ctx.remoteUnit !== undefined ? { remoteUnit: ctx.remoteUnit } : {}),
    ...(ctx.remoteApp !== undefined ? { remoteApp: ctx.remoteApp } : {}),
    ...(ctx.departingUnit !== undefined ? { departingUnit: ctx.departingUnit } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Process runner

/** A charm process exited non-zero (or was killed). */
export class CharmProcessError extends CharmRelationsError {
  override name = "CharmProcessError";
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  constructor(
    hook: string,
    exitCode: number | null,
    signal: NodeJS.Signals | null,
    stdout: string,
    stderr: string,
  ) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    const tail = stderr.trim().split("\n").slice(-5).join("\n");
    super(`charm process for ${hook} ${how}${tail ? `:\n${tail}` : ""}`);
    this.exitCode = exitCode;
    this.signal = signal;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

export interface ProcessRunnerOptions {
  /** Working directory (default the context's charm dir, else the current one). */
  readonly cwd?: string;
  /** Extra environment for the charm. */
  readonly env?: Readonly<Record<string, string>>;
  /** Bin dir of hook-tool fakes (default: one per process, created on first use, removed at exit). */
  readonly binDir?: string;
  readonly timeoutMs?: number;
  /** Sees each hook's output (stdout is the charm's free debug log). */
  readonly onOutput?: (output: {
    context: HookContext;
    exitCode: number | null;
    stdout: string;
    stderr: string;
  }) => void;
}

/**
 * A runner that spawns a real charm entry point (e.g. `node dist/charm.js`) for each hook, with
 * Juju's environment for the context, the hook-tool fakes first on PATH and the session in a state
 * file. Exit 0 resolves (commit); anything else rejects with `CharmProcessError` (rollback).
 */
export function processRunner(
  command: string,
  args: readonly string[] = [],
  options: ProcessRunnerOptions = {},
): HookRunner {
  let binDir = options.binDir;
  return async (backend, context) => {
    if (!(backend instanceof MemoryBackend)) {
      throw new CharmRelationsError("processRunner needs the MemoryBackend of a Simulation or runOnce");
    }
    binDir ??= sharedHookToolBin();
    const dir = mkdtempSync(join(tmpdir(), "charm-relations-hook-"));
    const stateFile = join(dir, "state.json");
    // Juju always gives a charm dir. Without one from the test, the unit's files in the model become
    // a charm dir for this hook, and what the process leaves there goes back into the model.
    const charmDir =
      context.charmDir === undefined && options.env?.JUJU_CHARM_DIR === undefined
        ? join(dir, "charm")
        : undefined;
    try {
      if (charmDir) writeUnitFiles(backend.model, context.unitName, charmDir);
      saveSession(stateFile, backend);
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env)) {
        if (v !== undefined && !k.startsWith("JUJU_") && k !== "CHARM_DIR" && k !== "OPERATOR_DISPATCH")
          env[k] = v;
      }
      Object.assign(env, jujuEnvFor(context), {
        PATH: `${binDir}${delimiter}${process.env.PATH ?? ""}`,
        [FAKE_STATE_ENV]: stateFile,
        ...(charmDir ? { JUJU_CHARM_DIR: charmDir, CHARM_DIR: charmDir } : {}),
        ...options.env,
      });
      const cwd = options.cwd ?? context.charmDir ?? process.cwd();
      const out = await spawnCollect(command, args, { cwd, env, timeoutMs: options.timeoutMs ?? 60_000 });
      loadSession(stateFile, backend);
      if (charmDir) readUnitFiles(backend.model, context.unitName, charmDir);
      options.onOutput?.({ context, exitCode: out.code, stdout: out.stdout, stderr: out.stderr });
      if (out.code !== 0)
        throw new CharmProcessError(context.hookName, out.code, out.signal, out.stdout, out.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

let sharedBin: string | undefined;

/** One bin dir of fakes per process, removed when the process exits. */
function sharedHookToolBin(): string {
  if (sharedBin === undefined) {
    const dir = createHookToolBin();
    sharedBin = dir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return sharedBin;
}

function spawnCollect(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

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
    const [ea, eb] = this.#matchEndpoints(a, b);
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

  #matchEndpoints(a: string, b: string): [string, string] {
    if (a.includes(":") && b.includes(":")) return [a, b];
    const [appA, epA] = a.split(":") as [string, string | undefined];
    const [appB, epB] = b.split(":") as [string, string | undefined];
    const endpointsA = Object.entries(this.model.application(appA).endpoints);
    const endpointsB = Object.entries(this.model.application(appB).endpoints);
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
      else if (this.#stillValid(item.event)) {
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

  /** Drop hooks the world has moved past (unit or relation gone, remote unit departed meanwhile). */
  #stillValid(e: HookEvent): boolean {
    if (!this.model.hasUnit(e.unit)) return false;
    if (e.secretId !== undefined && !this.model.secret(e.secretId)) return false;
    if (e.relationId === undefined) return true;
    if (!this.model.hasRelation(e.relationId)) return false;
    const rel = this.model.relation(e.relationId);
    // A unit that left sees nothing more of the relation, but a failed relation-broken can be retried.
    if (rel.left.includes(e.unit) && e.kind !== "relation-broken") return false;
    const members = rel.members[e.unit] ?? [];
    switch (e.kind) {
      case "relation-joined":
        return (
          !rel.dying &&
          e.remoteUnit !== undefined &&
          this.model.hasUnit(e.remoteUnit) &&
          !this.#dying.has(e.remoteUnit)
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

  async #deliver(event: HookEvent, cause: string, override?: HookRunner): Promise<HookRecord> {
    const app = appOfUnit(event.unit);
    const runner = override ?? this.#runners.get(app);
    if (!runner) throw new SimulationError(`no runner for application "${app}"`);
    const rel = event.relationId !== undefined ? this.model.relation(event.relationId) : undefined;
    // Juju updates what the unit sees of the relation before the hook runs.
    if (rel) {
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
    for (const change of commit.databags) {
      if (!this.model.hasRelation(change.relationId)) continue;
      const rel = this.model.relation(change.relationId);
      if (rel.dying) continue;
      const writerApp = change.bag === "app" ? change.owner : appOfUnit(change.owner);
      const targetApp = this.model.remoteAppOf(rel, writerApp);
      for (const unit of this.model.application(targetApp).units) {
        if (unit === event.unit || rel.left.includes(unit)) continue;
        if (change.bag === "unit") {
          if (!rel.members[unit]?.includes(change.owner)) continue;
          this.#enqueue(
            { unit, kind: "relation-changed", relationId: rel.id, remoteUnit: change.owner },
            `${change.owner} unit databag changed`,
          );
        } else {
          this.#enqueue(
            { unit, kind: "relation-changed", relationId: rel.id },
            `${change.owner} app databag changed`,
          );
        }
      }
    }
    for (const { xid, revision } of commit.secrets.updated) {
      const s = this.model.state.secrets[xid];
      if (!s) continue;
      for (const [unit, tracked] of Object.entries(s.tracking)) {
        if (tracked < revision && this.model.hasUnit(unit) && !this.#isOwnerUnit(s, unit)) {
          this.#enqueue(
            { unit, kind: "secret-changed", secretId: xid },
            `new revision ${revision} of secret ${xid}`,
          );
        }
      }
    }
    const touched = new Set([
      ...commit.secrets.updated.map((u) => u.xid),
      ...commit.secrets.tracking.map((t) => t.xid),
    ]);
    for (const xid of touched) this.#queueObsolete(xid);
  }

  #isOwnerUnit(s: SecretState, unit: string): boolean {
    return s.owner.kind === "unit"
      ? s.owner.unit === unit
      : s.owner.app === appOfUnit(unit) && this.model.isLeader(unit);
  }

  /** secret-remove on the owner for each superseded revision no consumer tracks any more. */
  #queueObsolete(xid: string): void {
    if (!this.#secretRemoveHooks) return;
    const s = this.model.state.secrets[xid];
    if (!s) return;
    const owner = s.owner.kind === "unit" ? s.owner.unit : this.model.leaderOf(s.owner.app);
    if (!owner || !this.model.hasUnit(owner)) return;
    const tracked = new Set(Object.values(s.tracking));
    for (const { revision } of s.revisions) {
      if (revision >= s.latestRevision || tracked.has(revision) || s.obsoleteNotified.includes(revision))
        continue;
      s.obsoleteNotified.push(revision);
      this.#enqueue(
        { unit: owner, kind: "secret-remove", secretId: xid, secretRevision: revision },
        `revision ${revision} of secret ${xid} no longer tracked`,
      );
    }
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

function eventKey(e: HookEvent): string {
  return JSON.stringify([
    e.unit,
    e.kind,
    e.relationId ?? null,
    e.remoteUnit ?? null,
    e.departingUnit ?? null,
    e.secretId ?? null,
    e.secretRevision ?? null,
    e.actionName ?? null,
  ]);
}

// ---------------------------------------------------------------------------------------------
// Scenario-style single event

export interface RunOnceResult {
  /** The output model (a new object; the input is never touched). */
  readonly model: JujuModel;
  readonly state: ModelState;
  readonly context: HookContext;
  readonly ok: boolean;
  readonly error?: unknown;
  readonly commit?: CommitResult;
  /** Hook-tool calls made by this event. */
  readonly calls: readonly HookToolCall[];
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** Reject events the state cannot hold (Scenario's consistency checks that matter here). */
function checkEvent(model: JujuModel, e: HookEvent): void {
  model.unit(e.unit);
  if (isRelationKind(e.kind)) {
    if (e.relationId === undefined || !model.hasRelation(e.relationId)) {
      throw new SimulationError(`${e.kind}: relation ${e.relationId ?? "(none)"} is not in the state`);
    }
    const rel = model.relation(e.relationId);
    if (!rel.endpoints.some((ep) => ep.app === appOfUnit(e.unit))) {
      throw new SimulationError(`${e.kind}: ${e.unit} is not in relation ${e.relationId}`);
    }
    if ((e.kind === "relation-joined" || e.kind === "relation-departed") && !e.remoteUnit) {
      throw new SimulationError(`${e.kind} needs a remoteUnit`);
    }
    if (e.kind === "relation-departed" && !e.departingUnit)
      throw new SimulationError("relation-departed needs a departingUnit");
  }
  if (e.kind.startsWith("secret-")) {
    if (e.secretId === undefined || !model.secret(e.secretId)) {
      throw new SimulationError(`${e.kind}: secret ${e.secretId ?? "(none)"} is not in the state`);
    }
  }
}

/**
 * Run one event on a copy of `input`: returns the output state (committed when the runner resolves,
 * rolled back when it rejects). A plain `ModelState` input is deep-frozen, never mutated. The charm's
 * own error is rethrown unchanged unless `rethrow: false`.
 */
export async function runOnce(
  runner: HookRunner,
  input: JujuModel | ModelState,
  event: HookEvent,
  options: { rethrow?: boolean; charmDir?: string } = {},
): Promise<RunOnceResult> {
  const model = input instanceof JujuModel ? input.clone() : JujuModel.fromJSON(deepFreeze(input));
  checkEvent(model, event);
  const context = hookContextFor(model, event, options.charmDir);
  const callStart = model.state.calls.length;
  const backend = new MemoryBackend(model, sessionOptionsFor(context));
  try {
    await runner(backend, context);
  } catch (error) {
    if (backend.isOpen) backend.rollback();
    if (options.rethrow ?? true) throw error;
    return {
      model,
      state: model.toJSON(),
      context,
      ok: false,
      error,
      calls: model.state.calls.slice(callStart),
    };
  }
  const commit = backend.isOpen ? backend.commit() : undefined;
  return {
    model,
    state: model.toJSON(),
    context,
    ok: true,
    ...(commit ? { commit } : {}),
    calls: model.state.calls.slice(callStart),
  };
}
