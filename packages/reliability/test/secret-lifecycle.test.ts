/**
 * Secret lifecycle: after relation-broken no secret created for that relation remains, on either
 * side; a scale-in keeps the secrets of live relations; leadership moved at any point of the first
 * settle leaves exactly the secrets a run without the move has (no duplicate, no orphan), and a
 * rotation afterwards updates them in place.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  applyStep,
  describeStep,
  removeCharmDirs,
  runLifecycle,
  startLifecycle,
  unsettled,
} from "../src/lifecycle.js";
import { hygieneFor, observeRun } from "../src/observe.js";
import { LIFECYCLES } from "../src/registry.js";
import {
  describeSecret,
  duplicateConsumerLabels,
  duplicateLabels,
  orphanSecrets,
  secretsOfRelation,
} from "../src/secrets-check.js";
import { Tally } from "../src/tally.js";

const tally = new Tally("secret-lifecycle");
afterAll(() => {
  tally.save();
  removeCharmDirs();
});

// Entries without a rotation step have no secrets at all (legacy etcd).
describe.each(LIFECYCLES.filter((l) => l.rotate).map((l) => [l.name, l] as const))(
  "secret lifecycle: %s",
  (_name, entry) => {
    it("relation-broken removes every secret of the relation on both sides; nothing orphaned on the way", async () => {
      const spec = entry.spec({ passwords: "random" });
      const tracked = new Map<number, string[]>();
      const problems: string[] = [];
      let prevLive = 0;
      const run = await runLifecycle(spec, {
        onStep: (i, r) => {
          const state = r.sim.model.state;
          const step = spec.steps[i]!;
          const where = describeStep(step);
          for (const d of [...duplicateLabels(state), ...duplicateConsumerLabels(state)])
            problems.push(`${where}: duplicate ${d}`);
          for (const o of orphanSecrets(state)) problems.push(`${where}: orphan ${describeSecret(o)}`);
          for (const id of r.relations) {
            const mine = secretsOfRelation(state, id).map((s) => s.xid);
            if (r.sim.model.hasRelation(id))
              tracked.set(id, [...new Set([...(tracked.get(id) ?? []), ...mine])]);
          }
          if (step.op === "remove-relation") {
            const id = r.relations[step.index]!;
            const before = tracked.get(id) ?? [];
            if (before.length === 0)
              problems.push(`${where}: relation ${id} never had secrets (test is vacuous)`);
            const left = before.filter((xid) => state.secrets[xid]);
            for (const xid of left)
              problems.push(`${where}: ${describeSecret(state.secrets[xid]!)} outlived relation ${id}`);
            for (const s of secretsOfRelation(state, id))
              problems.push(`${where}: ${describeSecret(s)} labelled for relation ${id}`);
            tally.add("relations removed and checked", entry.subject);
            tally.add("secrets checked gone after relation-broken", entry.subject, before.length);
          }
          const live = r.relations
            .filter((id) => r.sim.model.hasRelation(id))
            .flatMap((id) => secretsOfRelation(state, id)).length;
          if (step.op === "remove-unit" && live < prevLive)
            problems.push(`${where}: scale-in removed secrets of live relations`);
          prevLive = live;
        },
      });
      expect(unsettled(run)).toEqual([]);
      expect(problems).toEqual([]);
      const hygiene = hygieneFor(entry);
      observeRun(hygiene, run);
      expect(hygiene.violations()).toEqual([]);
    });

    it("leadership moved at any point of the first settle: no duplicate, no orphan, rotation in place", {
      timeout: 120_000,
    }, async () => {
      const spec = entry.spec({ passwords: "random" });
      const relates = spec.steps.filter((s) => s.op === "relate");
      const movable = spec.apps.filter((a) => a.units > 1).map((a) => `${a.name}/1`);
      // Baseline: no move; how many hooks the first settle takes and how many secrets it leaves.
      const base = await startLifecycle(spec);
      for (const step of relates) applyStep(base, step);
      const baseSettle = await base.sim.settle({ maxHooks: 1000 });
      expect(baseSettle.failed).toEqual([]);
      const expectedSecrets = Object.keys(base.sim.model.state.secrets).length;
      expect(expectedSecrets).toBeGreaterThan(0);
      const total = baseSettle.hooksRun;
      const stride = Math.max(1, Math.ceil(total / 16));
      const problems: string[] = [];
      for (let k = 0; k <= total; k += stride) {
        const run = await startLifecycle(spec);
        for (const step of relates) applyStep(run, step);
        await run.sim.settle({ maxHooks: k });
        for (const unit of movable) run.sim.setLeader(unit);
        const settled = await run.sim.settle({ maxHooks: 1000 });
        const at = `move after ${k} hooks`;
        if (settled.failed.length)
          problems.push(
            `${at}: ${settled.failed.map((f) => `${f.unit} ${f.hook}: ${String(f.error)}`).join("; ")}`,
          );
        let state = run.sim.model.state;
        const uris = new Map(Object.values(state.secrets).map((s) => [s.xid, s.latestRevision]));
        if (uris.size !== expectedSecrets)
          problems.push(`${at}: ${uris.size} secrets, expected ${expectedSecrets}`);
        for (const d of [...duplicateLabels(state), ...duplicateConsumerLabels(state)])
          problems.push(`${at}: duplicate ${d}`);
        for (const o of orphanSecrets(state)) problems.push(`${at}: orphan ${describeSecret(o)}`);
        if (entry.rotate) {
          applyStep(run, entry.rotate);
          const r = await run.sim.settle({ maxHooks: 1000 });
          if (r.failed.length) problems.push(`${at}, rotation: hooks failed`);
          state = run.sim.model.state;
          const after = Object.values(state.secrets);
          if (after.length !== uris.size)
            problems.push(`${at}, rotation: secret count ${uris.size} → ${after.length}`);
          for (const s of after)
            if (!uris.has(s.xid))
              problems.push(`${at}, rotation: new secret ${describeSecret(s)} (not in place)`);
          for (const o of orphanSecrets(state)) problems.push(`${at}, rotation: orphan ${describeSecret(o)}`);
          if (!after.some((s) => s.latestRevision > (uris.get(s.xid) ?? 0)))
            problems.push(`${at}, rotation: nothing rotated`);
        }
        tally.add("leadership moves swept", entry.subject);
      }
      expect(problems).toEqual([]);
    });
  },
);
