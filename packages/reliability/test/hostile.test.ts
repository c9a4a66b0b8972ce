/**
 * Hostile databags: for every interface, side and contract, fast-check generates malformed remote
 * data from a valid bag (missing and extra keys, wrong JSON, JSON of the wrong type, invalid secret
 * URIs, unknown boolean spellings, huge values, non-ASCII, blank values, mismatching and duplicate
 * request ids, responses to requests never made, a `data` that does not match, secret contents the
 * interface refuses) and runs each through the charm in relation-changed, on the leader and (for
 * requirers) a non-leader. See src/hostile.ts for what each case must end in.
 */
import { afterAll, describe, expect, it } from "vitest";
import { runHostile, summarize } from "../src/hostile.js";
import { HygieneChecker } from "../src/hygiene.js";
import { removeCharmDirs } from "../src/lifecycle.js";
import { HOSTILE_TARGETS, triage } from "../src/registry.js";
import { Tally } from "../src/tally.js";

const tally = new Tally("hostile");
afterAll(() => {
  tally.save();
  removeCharmDirs();
});

/**
 * Cases per base (a target's own `runs` wins): every interface has four targets of two bases each, so
 * 4 × 2 × 40 = 320 cases per interface; legacy etcd (one target) runs 110 per base.
 */
const RUNS = 40;

describe.each(HOSTILE_TARGETS().map((t) => [t.name, t] as const))("hostile: %s", (_name, target) => {
  it("every malformed remote databag ends in a typed refusal naming relation and key, or is tolerated as required", {
    timeout: 300_000,
  }, async () => {
    const hygiene = new HygieneChecker();
    const { findings, stats } = await runHostile(target, {
      runs: target.runs ?? RUNS,
      hygiene,
      seed: 20261123,
    });
    tally.add("hostile cases", target.subject, stats.cases);
    tally.add(
      "hostile hook runs",
      target.subject,
      Object.values(stats.byOutcome).reduce((a, b) => a + b, 0),
    );
    for (const [outcome, n] of Object.entries(stats.byOutcome))
      tally.add(`outcome: ${outcome}`, target.subject, n);
    for (const [category, n] of Object.entries(stats.byCategory))
      tally.add(`case: ${category}`, target.subject, n);
    const { unexplained, known } = triage(findings, (k) => k.hostile);
    for (const [issue, n] of known) console.warn(`[reliability] known issue (${n} cases): ${issue}`);
    expect(summarize(unexplained)).toEqual([]);
    expect(stats.byOutcome.crash ?? 0).toBe(0);
    // Every category the roles describe was generated at least once.
    expect(Object.keys(stats.byCategory).length).toBeGreaterThanOrEqual(5);
    expect(hygiene.violations()).toEqual([]);
  });
});
