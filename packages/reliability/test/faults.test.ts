/**
 * Fault injection at every hook-tool call of every hook of each lifecycle: the hook fails with the
 * injected error, commits nothing, and a clean re-run converges to the state of a run without the
 * fault. See src/sweep.ts for the exact checks; known issues are reported, not hidden.
 */
import { afterAll, describe, expect, it } from "vitest";
import { removeCharmDirs, runLifecycle, unsettled } from "../src/lifecycle.js";
import { hygieneFor, observeRun } from "../src/observe.js";
import { LIFECYCLES, triage } from "../src/registry.js";
import { faultSweep } from "../src/sweep.js";
import { Tally } from "../src/tally.js";

const tally = new Tally("faults");
afterAll(() => {
  tally.save();
  removeCharmDirs();
});

describe.each(LIFECYCLES.map((l) => [l.name, l] as const))("faults: %s", (_name, entry) => {
  it("every call position of every hook: fails cleanly, commits nothing, converges on re-run", {
    timeout: 300_000,
  }, async () => {
    const run = await runLifecycle(entry.spec());
    expect(unsettled(run)).toEqual([]);
    const hygiene = hygieneFor(entry);
    observeRun(hygiene, run);
    const result = await faultSweep(run, { hygiene, ...(entry.exhaustive ? { exhaustive: true } : {}) });
    tally.add("hooks swept", entry.subject, result.hooks);
    tally.add("faults injected", entry.subject, result.injected);
    tally.add("inert faults (garbage on a tool whose output is not read)", entry.subject, result.inert);
    tally.add("clean re-runs after a fault", entry.subject, result.reran);
    const { unexplained, known } = triage(result.findings, (k) => k.faults);
    for (const [issue, n] of known) {
      tally.add("faults hitting a known issue", entry.subject, n);
      console.warn(`[reliability] known issue (${n} faults): ${issue}`);
    }
    expect(unexplained).toEqual([]);
    expect(result.injected).toBeGreaterThan(run.hooks.length);
    expect(hygiene.violations()).toEqual([]);
  });
});
