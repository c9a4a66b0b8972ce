/**
 * Retries: every hook of every lifecycle run twice in a row. The second run creates no secret, no
 * secret revision, no new password, changes no databag and makes no write call. Providers draw
 * random passwords here, so a second draw would show.
 */
import { afterAll, describe, expect, it } from "vitest";
import { HygieneChecker } from "../src/hygiene.js";
import { runLifecycle, unsettled } from "../src/lifecycle.js";
import { observeRun } from "../src/observe.js";
import { LIFECYCLES } from "../src/registry.js";
import { retrySweep } from "../src/sweep.js";
import { Tally } from "../src/tally.js";

const tally = new Tally("retries");
afterAll(() => tally.save());

describe.each(LIFECYCLES.map((l) => [l.name, l] as const))("retries: %s", (_name, entry) => {
  it("the second run of every hook changes nothing", { timeout: 300_000 }, async () => {
    const run = await runLifecycle(entry.spec({ passwords: "random" }));
    expect(unsettled(run)).toEqual([]);
    const hygiene = new HygieneChecker(entry.hygiene ?? {});
    observeRun(hygiene, run);
    const result = await retrySweep(run, { hygiene });
    tally.add("hooks retried", entry.subject, result.retries);
    expect(result.findings).toEqual([]);
    expect(result.retries).toBe(run.hooks.length);
    expect(hygiene.violations()).toEqual([]);
  });
});
