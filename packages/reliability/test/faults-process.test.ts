/**
 * The fault mapping end to end: the same faults, once through `FaultyBackend` over the in-memory
 * model and once through the real `ProcessBackend` spawning the hook-tool fakes behind wrapper
 * scripts that break the Nth call, must give the same typed error (class, message, exit code, tool,
 * argv), commit nothing, and converge on a clean re-run. Needs the core built (`tsc -b`).
 */
import { HookToolError } from "@charm-relations/juju-secrets-core";
import { charmRunner } from "@charm-relations/juju-secrets-core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultKind } from "../src/fault-backend.js";
import { genericProvider, genericRequirer, PG } from "../src/generic.js";
import { HygieneChecker } from "../src/hygiene.js";
import { pgLifecycle, removeCharmDirs, runLifecycle } from "../src/lifecycle.js";
import { createFaultyBin, type FaultyBin, processRunner } from "../src/process-faults.js";
import { committedState, faulty, normalizeState, type RecordedHook, replay } from "../src/replay.js";
import { Tally } from "../src/tally.js";

const tally = new Tally("faults-process");
const hygiene = new HygieneChecker();
let bin: FaultyBin;
beforeAll(() => {
  bin = createFaultyBin();
});
afterAll(() => {
  bin?.dispose();
  tally.save();
  removeCharmDirs();
});

const setups = { provider: genericProvider(PG, "database"), requirer: genericRequirer(PG, "database") };
const TIMEOUT_MS = 5000;

/** What must agree between the two paths (file paths of secret values differ, nothing else). */
function shape(e: unknown) {
  expect(e).toBeInstanceOf(HookToolError);
  const h = e as HookToolError;
  return {
    name: h.name,
    message: h.message,
    tool: h.tool,
    exitCode: h.exitCode,
    stderr: h.stderr,
    stdout: h.stdout,
    argv: h.argv.map((a) => a.replace(/#file=.*$/, "#file=<redacted>")),
  };
}

async function hooksOfFirstRelate(): Promise<RecordedHook[]> {
  const run = await runLifecycle(pgLifecycle(), { until: 1 });
  for (const h of run.hooks) hygiene.observe(h.before);
  hygiene.observe(run.sim.model.state);
  return run.hooks;
}

/** The first recorded hook of `unit` whose clean replay calls `tool`, and that call's position. */
async function find(hooks: RecordedHook[], unit: string, tool: string) {
  const app = unit.split("/")[0] as "provider" | "requirer";
  for (const hook of hooks.filter((h) => h.event.unit === unit)) {
    const base = await replay(charmRunner(setups[app]), hook.before, hook);
    const i = base.calls.findIndex((c) => c.tool === tool);
    if (base.ok && i >= 0) return { hook, app, position: i + 1, baseline: base };
  }
  throw new Error(`no hook of ${unit} calls ${tool}`);
}

/** One fault per kind, on the tools whose output or failure matters most (each case spawns ~20 fakes). */
const cases: [unit: string, tool: string, kind: FaultKind][] = [
  ["provider/0", "relation-get", "exit1"],
  ["provider/0", "secret-add", "exit2"],
  ["provider/0", "secret-add", "garbage"],
  ["provider/0", "secret-grant", "timeout"],
  ["provider/0", "relation-set", "garbage"],
  ["requirer/1", "secret-get", "garbage"],
];

describe("faults through ProcessBackend and the hook-tool fakes", () => {
  let hooks: RecordedHook[] = [];
  beforeAll(async () => {
    hooks = await hooksOfFirstRelate();
  });

  it.each(cases)(
    "%s: %s fails with %s: same typed error as FaultyBackend, nothing committed",
    {
      timeout: 120_000,
    },
    async (unit, tool, kind) => {
      const { hook, app, position, baseline } = await find(hooks, unit, tool);
      const setup = setups[app];
      const fault = { at: position, kind };
      const memory = await replay(
        faulty(charmRunner(setup), { ...fault, timeoutMs: TIMEOUT_MS }),
        hook.before,
        hook.event,
      );
      const real = await replay(
        processRunner(setup, { bin, fault, timeoutMs: TIMEOUT_MS }),
        hook.before,
        hook.event,
      );
      tally.add("faults injected end to end (ProcessBackend + fakes)", "generic engines");
      hygiene.error(real.error, `process fault ${tool} ${kind}`);
      hygiene.observe(real.state);
      const expected = normalizeState(baseline.state);
      if (kind === "garbage" && tool === "relation-set") {
        // relation-set's output is not read: the hook goes through on both paths, identically.
        expect(memory.ok).toBe(true);
        expect(real.ok).toBe(true);
        expect(normalizeState(real.state)).toEqual(expected);
        return;
      }
      expect(memory.ok).toBe(false);
      expect(real.ok).toBe(false);
      expect(shape(real.error)).toEqual(shape(memory.error));
      expect(committedState(real.state)).toEqual(committedState(hook.before));
      // The charm process would print this and exit 1; it says which tool and what went wrong.
      expect((real.error as Error).message).toMatch(
        new RegExp(
          `^${tool} (failed \\(exit [12]\\): ERROR |timed out after ${TIMEOUT_MS} ms|output (was not valid JSON|is not a secret URI))`,
        ),
      );
      // Juju would run the hook again: a clean run through the real tools converges.
      const again = await replay(
        processRunner(setup, { bin }),
        { ...real.state, counters: hook.before.counters },
        hook.event,
      );
      expect(again.ok).toBe(true);
      expect(normalizeState(again.state)).toEqual(expected);
    },
  );

  it("a clean hook through the real tools matches the in-memory one call for call", {
    timeout: 120_000,
  }, async () => {
    const { hook, app, baseline } = await find(hooks, "provider/0", "secret-add");
    const real = await replay(processRunner(setups[app], { bin }), hook.before, hook);
    expect(real.ok).toBe(true);
    expect(normalizeState(real.state)).toEqual(normalizeState(baseline.state));
    const argv = (calls: typeof real.calls) =>
      calls.map((c) => [c.tool, c.argv.map((a) => a.replace(/#file=.*$/, "#file=<redacted>"))]);
    expect(argv(real.calls)).toEqual(argv(baseline.calls));
  });

  it("no secret value leaked into argv, logs, statuses or error messages", () => {
    expect(hygiene.secretCount).toBeGreaterThan(0);
    expect(hygiene.violations()).toEqual([]);
  });
});
