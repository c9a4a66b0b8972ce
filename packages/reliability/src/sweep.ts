/**
 * The fault sweep and the retry check over a recorded lifecycle.
 *
 * Fault sweep: for every recorded hook, replay it once clean (the baseline), then once per call
 * position and fault kind with that call failing. A faulted hook must fail with the injected
 * hook-tool error, commit nothing, and a clean re-run from the state it left must converge to the
 * baseline (modulo call logs, statuses history, and the random salts of v1 requests).
 *
 * Retry check: replay every recorded hook, then run it again on the state it produced; the second
 * run must create no secret, no revision, change no databag and make no secret-add/secret-set call.
 */

import { HookToolError } from "@charm-relations/juju-secrets-core";
import { type ModelState, type RunOnceResult, runOnce } from "@charm-relations/juju-secrets-core/testing";
import { FAULT_KINDS, type FaultKind, type FaultyBackend } from "./fault-backend.js";
import type { HygieneChecker } from "./hygiene.js";
import type { LifecycleRun } from "./lifecycle.js";
import { committedState, faulty, normalizeState, type RecordedHook, readTree, replay } from "./replay.js";

export interface FaultFinding {
  readonly hook: string;
  readonly position: number;
  readonly tool: string;
  readonly kind: FaultKind;
  readonly problem: string;
}

export interface SweepResult {
  /** Hooks swept. */
  readonly hooks: number;
  /** Faults injected that raised an error. */
  readonly injected: number;
  /** Faults that had no effect by design (garbage on a tool whose output is not read). */
  readonly inert: number;
  /** Clean re-runs after a failure (one per distinct state a failure left). */
  readonly reran: number;
  readonly findings: FaultFinding[];
}

const json = (v: unknown) => JSON.stringify(v);

/** Where two normalized states first differ (a short path, for findings). */
export function firstDifference(a: unknown, b: unknown, path = ""): string | undefined {
  if (json(a) === json(b)) return undefined;
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${path}.${k}`,
      );
      if (d) return d;
    }
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
  }
  const show = (v: unknown) => (json(v) ?? "undefined").slice(0, 160);
  return `${path || "<root>"}: ${show(a)} ≠ ${show(b)}`;
}

function clear(error: unknown, tool: string): string | undefined {
  if (!(error instanceof HookToolError)) return `not a HookToolError: ${String(error)}`;
  if (error.tool !== tool) return `error names tool ${error.tool}, the fault was in ${tool}`;
  if (!error.message.includes(tool)) return `message does not name the tool: ${error.message}`;
  if (
    !/connection is shut down|option provided but not defined|timed out|not valid JSON|not a secret URI/.test(
      error.message,
    )
  ) {
    return `message does not say what failed: ${error.message}`;
  }
  return undefined;
}

export interface SweepOptions {
  readonly kinds?: readonly FaultKind[];
  /** Only hooks whose name matches. */
  readonly filter?: (hook: RecordedHook) => boolean;
  readonly hygiene?: HygieneChecker;
  /** Every kind at every position (default: `exit1` plus one other kind in rotation). */
  readonly exhaustive?: boolean;
}

/** Sweep every call position of every recorded hook of `run` with every fault kind. */
export async function faultSweep(run: LifecycleRun, options: SweepOptions = {}): Promise<SweepResult> {
  const kinds = options.kinds ?? FAULT_KINDS;
  const findings: FaultFinding[] = [];
  let injected = 0;
  let inert = 0;
  let hooks = 0;
  let reran = 0;
  for (const hook of run.hooks) {
    if (options.filter && !options.filter(hook)) continue;
    const runner = run.runners.get(hook.app)!;
    const baseline = await replay(runner, hook.before, hook);
    if (!baseline.ok) {
      findings.push({
        hook: hook.name,
        position: 0,
        tool: "-",
        kind: "exit1",
        problem: `baseline failed: ${String(baseline.error)}`,
      });
      continue;
    }
    hooks += 1;
    const expected = normalizeState(baseline.state);
    const untouched = committedState(hook.before);
    const reruns = new Map<string, string>();
    for (let position = 1; position <= baseline.calls.length; position++) {
      const tool = baseline.calls[position - 1]!.tool;
      for (const kind of kindsAt(kinds, position + hooks, options.exhaustive ?? false)) {
        let backend: FaultyBackend | undefined;
        const out = await replay(
          faulty(runner, { at: position, kind }, (b) => (backend = b)),
          hook.before,
          hook,
        );
        const fault = backend?.injected;
        const finding = (problem: string) =>
          findings.push({ hook: hook.name, position, tool, kind, problem });
        if (!fault) {
          finding("the call sequence diverged: no call at this position");
          continue;
        }
        options.hygiene?.error(out.error, `fault ${hook.name} #${position} ${kind}`);
        if (!fault.error) {
          // Garbage on a tool whose output is not read: the hook must behave as if nothing happened.
          inert += 1;
          if (!out.ok) finding(`inert fault failed the hook: ${String(out.error)}`);
          else {
            const d = firstDifference(normalizeState(out.state), expected);
            if (d) finding(`inert fault changed the outcome: ${d}`);
          }
          continue;
        }
        injected += 1;
        if (out.ok) {
          const d = firstDifference(normalizeState(out.state), expected);
          finding(`hook succeeded despite the fault${d ? ` and diverged: ${d}` : " (fault swallowed)"}`);
          continue;
        }
        // The hook's error is the injected one (or wraps it) and says which tool failed and how.
        const why = clear(out.error, tool);
        if (why) finding(out.error === fault.error ? why : `error is not the injected one: ${why}`);
        const d = firstDifference(committedState(out.state), untouched);
        if (d) finding(`failed hook committed something: ${d}`);
        // Replays are deterministic: one re-run per distinct state a failure left behind.
        // Unit-local files are not rolled back by Juju: the re-run starts from what the failure left.
        const key = json([normalizeState(out.state), hook.charmDir ? readTree(hook.charmDir.path) : {}]);
        let verdict = reruns.get(key);
        if (verdict === undefined) {
          const again = await rerun(runner, hook, out);
          reran += 1;
          if (!again.ok) verdict = `clean re-run failed: ${String(again.error)}`;
          else {
            const d2 = firstDifference(normalizeState(again.state), expected);
            verdict = d2 ? `re-run did not converge: ${d2}` : "";
          }
          reruns.set(key, verdict);
        }
        if (verdict) finding(verdict);
      }
    }
  }
  return { hooks, injected, inert, reran, findings };
}

/**
 * Kinds to inject at a position: `exit1` always (the common failure), plus one of the others in
 * rotation, so every kind hits every tool across a lifecycle; `exhaustive` injects all of them.
 */
function kindsAt(kinds: readonly FaultKind[], n: number, exhaustive: boolean): FaultKind[] {
  if (exhaustive || kinds.length <= 2) return [...kinds];
  const [first, ...rest] = kinds;
  return [first!, rest[n % rest.length]!];
}

/**
 * Re-run a hook on the state a failed run left, with the fake's id counters as before the failure.
 * The unit's charm directory is NOT restored: Juju rolls back what the hook told it, never the files
 * the charm wrote itself, so the retry sees them as the failed run left them.
 */
function rerun(
  runner: Parameters<typeof replay>[0],
  hook: RecordedHook,
  failed: RunOnceResult,
): Promise<RunOnceResult> {
  const state: ModelState = { ...failed.state, counters: { ...hook.before.counters } };
  return runOnce(runner, state, hook.event, { rethrow: false });
}

export interface RetryFinding {
  readonly hook: string;
  readonly problem: string;
}

export interface RetryResult {
  readonly retries: number;
  readonly findings: RetryFinding[];
}

/** Run every recorded hook twice in a row; the second run must change nothing. */
export async function retrySweep(
  run: LifecycleRun,
  options: { hygiene?: HygieneChecker; filter?: (hook: RecordedHook) => boolean } = {},
): Promise<RetryResult> {
  const findings: RetryFinding[] = [];
  let retries = 0;
  for (const hook of run.hooks) {
    if (options.filter && !options.filter(hook)) continue;
    const runner = run.runners.get(hook.app)!;
    const first = await replay(runner, hook.before, hook);
    if (!first.ok) {
      findings.push({ hook: hook.name, problem: `first run failed: ${String(first.error)}` });
      continue;
    }
    // The second run sees the unit's files as the first left them (no restore).
    const second = await runOnce(runner, first.state, hook.event, { rethrow: false });
    retries += 1;
    options.hygiene?.observe(second.state);
    if (!second.ok) {
      options.hygiene?.error(second.error, `retry ${hook.name}`);
      findings.push({ hook: hook.name, problem: `second run failed: ${String(second.error)}` });
      continue;
    }
    const c = second.commit!;
    const problems: string[] = [];
    if (c.databags.length) {
      problems.push(
        `databags changed: ${c.databags.map((b) => `${b.relationId} ${b.owner} ${[...Object.keys(b.set), ...b.deleted].join(",")}`).join("; ")}`,
      );
    }
    if (c.secrets.created.length) problems.push(`secrets created: ${c.secrets.created.length}`);
    if (c.secrets.updated.length) problems.push(`secret revisions: ${c.secrets.updated.length}`);
    if (c.secrets.removed.length) problems.push(`secrets removed: ${c.secrets.removed.length}`);
    const writes = second.calls.filter(
      (x) => x.tool === "secret-add" || x.tool === "secret-set" || x.tool === "relation-set",
    );
    if (writes.length) problems.push(`write calls: ${writes.map((w) => w.tool).join(", ")}`);
    // No new password: every secret's content is what the first run left.
    for (const [xid, s] of Object.entries(second.state.secrets)) {
      const before = first.state.secrets[xid];
      if (before && json(before.revisions) !== json(s.revisions))
        problems.push(`secret ${xid} content changed`);
    }
    if (problems.length) findings.push({ hook: hook.name, problem: problems.join("; ") });
  }
  return { retries, findings };
}
