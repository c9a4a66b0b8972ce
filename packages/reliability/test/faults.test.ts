/**
 * Fault injection at every hook-tool call of every hook of each lifecycle: the hook fails with the
 * injected error, commits nothing, and a clean re-run converges to the state of a run without the
 * fault. See src/sweep.ts for the exact checks.
 */
import { afterAll, describe, expect, it } from "vitest";
import { HygieneChecker } from "../src/hygiene.js";
import { LIFECYCLES } from "../src/registry.js";
import { runLifecycle, unsettled } from "../src/lifecycle.js";
import { observeRun } from "../src/observe.js";
import { faultSweep } from "../src/sweep.js";
import { Tally } from "../src/tally.js";

const tally = new Tally("faults");
afterAll(() => tally.save());

describe.each(LIFECYCLES.map((l) => [l.name, l] as const))("faults: %s", (_name, entry) => {
  it("every call position of every hook: fails cleanly, commits nothing, converges on re-run", { timeout: 300_000 }, async () => {
    const run = await runLifecycle(entry.spec());
    expect(unsettled(run)).toEqual([]);
    const hygiene = new HygieneChecker(entry.hygiene ?? {});
    observeRun(hygiene, run);
    const result = await faultSweep(run, { hygiene, ...(entry.exhaustive ? { exhaustive: true } : {}) });
    tally.add("hooks swept", entry.subject, result.hooks);
    tally.add("faults injected", entry.subject, result.injected);
    tally.add("inert faults (garbage on a silent tool)", entry.subject, result.inert);
    tally.add("clean re-runs after a fault", entry.subject, result.reran);
    expect(result.findings).toEqual([]);
    expect(result.injected).toBeGreaterThan(run.hooks.length);
    expect(hygiene.violations()).toEqual([]);
  });
});
