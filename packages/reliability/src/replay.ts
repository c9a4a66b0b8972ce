/**
 * Record every hook a `Simulation` delivers (the model as it was just before the hook, and the event),
 * then replay single hooks from those states with `runOnce`: with a fault, twice in a row, or clean.
 */

import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { HookContext } from "@charm-relations/juju-secrets-core";
import type { Backend } from "@charm-relations/juju-secrets-core/backend";
import {
  type HookEvent,
  type HookRunner,
  MemoryBackend,
  type ModelState,
  type RunOnceResult,
  runOnce,
} from "@charm-relations/juju-secrets-core/testing";
import { type FaultPlan, FaultyBackend } from "./fault-backend.js";

export interface RecordedHook {
  /** `provider/0 database-relation-changed`. */
  readonly name: string;
  /** The app whose runner ran it. */
  readonly app: string;
  readonly event: HookEvent;
  /** The model just before the hook (after Juju updated relation membership for it). */
  readonly before: ModelState;
  readonly context: HookContext;
  /** The unit's charm directory and its files just before the hook (unit-local state, e.g. markers). */
  readonly charmDir?: { readonly path: string; readonly files: Readonly<Record<string, string>> };
}

/** Every file under `dir` (relative path → content); empty when it does not exist. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

/**
 * Put a unit's charm directory back as it was before a recorded hook (replays must start equal).
 * Only what differs is touched: the sweeps restore thousands of times, mostly to what is there.
 */
export function restoreCharmDir(hook: RecordedHook): void {
  if (!hook.charmDir) return;
  const { path, files } = hook.charmDir;
  const now = readTree(path);
  for (const rel of Object.keys(now)) if (!(rel in files)) rmSync(join(path, rel), { force: true });
  mkdirSync(path, { recursive: true });
  removeOtherDirs(path, files);
  for (const [rel, content] of Object.entries(files)) {
    if (now[rel] === content) continue;
    const p = join(path, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

/** Directories under `dir` that hold no file of `files` (left by a hook) go, like the files. */
function removeOtherDirs(dir: string, files: Readonly<Record<string, string>>): void {
  const keep = new Set<string>();
  for (const rel of Object.keys(files)) for (let d = dirname(rel); d !== "."; d = dirname(d)) keep.add(d);
  const walk = (rel: string) => {
    for (const n of readdirSync(join(dir, rel), { withFileTypes: true })) {
      if (!n.isDirectory()) continue;
      const sub = rel ? join(rel, n.name) : n.name;
      if (keep.has(sub)) walk(sub);
      else rmSync(join(dir, sub), { recursive: true, force: true });
    }
  };
  walk("");
}

/** Each unit gets its own charm directory under `base` (Juju gives every unit one). */
export function charmDirOf(base: string, unit: string): string {
  return join(base, unit.replace("/", "-"));
}

/** A runner whose hooks see `<base>/<unit>` as their charm directory. */
export function withCharmDir(runner: HookRunner, base: string): HookRunner {
  return (backend, context) => runner(backend, { ...context, charmDir: charmDirOf(base, context.unitName) });
}

/** The `HookEvent` that reproduces a hook context with `runOnce`. */
export function eventOf(context: HookContext): HookEvent {
  const e: { -readonly [K in keyof HookEvent]: HookEvent[K] } = {
    unit: context.unitName,
    kind: context.kind,
  };
  if (context.relation) e.relationId = context.relation.id;
  if (context.remoteUnit) e.remoteUnit = context.remoteUnit;
  if (context.departingUnit) e.departingUnit = context.departingUnit;
  if (context.secretId) e.secretId = context.secretId;
  if (context.secretRevision !== undefined) e.secretRevision = context.secretRevision;
  if (context.actionName) e.actionName = context.actionName;
  return e;
}

/**
 * The state without its logs (call log, juju-log lines, status histories): a replay does not read
 * them, and copying thousands of entries per replay would dominate the sweep's run time.
 */
export function lean(state: ModelState): ModelState {
  state.calls = [];
  state.logs = [];
  for (const u of Object.values(state.units)) u.statusHistory = [];
  for (const a of Object.values(state.applications)) a.statusHistory = [];
  return state;
}

/** Wrap an app's runner so each hook it runs is recorded in `sink` first (with the unit's charm dir). */
export function recording(
  app: string,
  runner: HookRunner,
  sink: RecordedHook[],
  charmBase?: string,
): HookRunner {
  return async (backend: Backend, context: HookContext) => {
    if (backend instanceof MemoryBackend) {
      const dir = charmBase ? charmDirOf(charmBase, context.unitName) : undefined;
      sink.push({
        name: `${context.unitName} ${context.hookName}`,
        app,
        event: eventOf(context),
        before: lean(backend.model.toJSON()),
        context,
        ...(dir ? { charmDir: { path: dir, files: readTree(dir) } } : {}),
      });
    }
    await runner(backend, context);
  };
}

/** A runner whose backend fails per `plan`; `onBackend` sees the wrapper (to read what was injected). */
export function faulty(
  runner: HookRunner,
  plan: FaultPlan,
  onBackend?: (b: FaultyBackend) => void,
): HookRunner {
  return async (backend, context) => {
    const wrapped = new FaultyBackend(backend, plan);
    onBackend?.(wrapped);
    await runner(wrapped, context);
  };
}

/**
 * Replay one recorded hook on a copy of `state` (its `before`, or a state derived from it), with the
 * unit's charm directory restored first. Never throws: the outcome says.
 */
export function replay(
  runner: HookRunner,
  state: ModelState,
  hook: RecordedHook | HookEvent,
): Promise<RunOnceResult> {
  const recorded = "event" in hook ? hook : undefined;
  if (recorded) restoreCharmDir(recorded);
  return runOnce(runner, state, recorded ? recorded.event : (hook as HookEvent), { rethrow: false });
}

// ---------------------------------------------------------------------------------------------
// Comparing states

export interface NormalizeOptions {
  /** Keep statuses (current values; history is always dropped). Default true. */
  readonly statuses?: boolean;
}

/**
 * The model state with what a retried hook may legitimately change removed: the call log, juju-log
 * lines, status and workload-version histories, the fake's id counters and the simulator's
 * secret-remove bookkeeping. Random v1 salts and the request ids derived from them are replaced by
 * placeholders numbered in order of appearance, so two runs that drew different salts compare equal.
 */
export function normalizeState(state: ModelState, options: NormalizeOptions = {}): unknown {
  const s = structuredClone(state) as Partial<ModelState> & Record<string, unknown>;
  delete s.calls;
  delete s.logs;
  delete s.counters;
  for (const app of Object.values(s.applications ?? {})) {
    app.statusHistory = [];
    if (options.statuses === false) app.status = { status: "", message: "" };
  }
  for (const unit of Object.values(s.units ?? {})) {
    // Unit-local files (.charm-relations: last status, notes, secret labels) are the unit's disk, not
    // Juju state: the in-memory model keeps them in the state, a charm process in its charm dir.
    delete (unit as { localFiles?: unknown }).localFiles;
    unit.statusHistory = [];
    unit.workloadVersionHistory = [];
    if (options.statuses === false) unit.status = { status: "", message: "" };
  }
  for (const secret of Object.values(s.secrets ?? {})) secret.obsoleteNotified = [];
  let text = JSON.stringify(s);
  const tokens = new Map<string, string>();
  // Salts (16 alphanumerics after "salt") and request ids (16 hex after "request-id"), however escaped.
  for (const m of text.matchAll(/salt\\*"\s*:\s*\\*"([A-Za-z0-9]{16})\\*"/g)) {
    if (!tokens.has(m[1]!)) tokens.set(m[1]!, `<salt${tokens.size}>`);
  }
  for (const m of text.matchAll(/request-id\\*"\s*:\s*\\*"([0-9a-f]{16})\\*"/g)) {
    if (!tokens.has(m[1]!)) tokens.set(m[1]!, `<rid${tokens.size}>`);
  }
  for (const [token, placeholder] of tokens) text = text.split(token).join(placeholder);
  return JSON.parse(text) as unknown;
}

/** Like `normalizeState`, plus statuses dropped: for "nothing was committed" checks. */
export function committedState(state: ModelState): unknown {
  return normalizeState(state, { statuses: false });
}
