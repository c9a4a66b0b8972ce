/**
 * Concurrency inside a hook: one provider hook answers several requests of one relation, and one
 * config-changed rotates the credentials of several relations and requests at once; a requirer hook
 * resolves several responses. Every secret must stay with its own relation and request: its owner
 * label, its grant, its content (username) and each consumer's label all name the same pair.
 */
import { Simulation } from "@charm-relations/juju-secrets-core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { EventLog, runners } from "../src/generic.js";
import { HygieneChecker } from "../src/hygiene.js";
import { applyStep, removeCharmDirs, startLifecycle } from "../src/lifecycle.js";
import { LIFECYCLES } from "../src/registry.js";
import { duplicateConsumerLabels, duplicateLabels, orphanSecrets } from "../src/secrets-check.js";
import { checkSeparation, responses } from "../src/separation.js";
import { Tally } from "../src/tally.js";

const tally = new Tally("concurrency");
afterAll(() => {
  tally.save();
  removeCharmDirs();
});

const RESOURCES = ["a:*", "b:*", "c:*"];
const kvUser = (relation: number, requestId: string | undefined) =>
  requestId ? `relation-${relation}-${requestId}` : `relation-${relation}`;
const APPS = ["app1", "app2", "app3"];

async function world(log: EventLog) {
  const sim = new Simulation({ lifecycle: false });
  const o = { log, passwords: "random" as const };
  sim.deploy("valkey", {
    runner: runners.kvProvider(o),
    units: 2,
    endpoints: { client: "provides:valkey_client" },
  });
  for (const app of APPS) {
    sim.deploy(app, {
      runner: runners.kvRequirer({ ...o, contract: "v1", resources: RESOURCES }, "cache"),
      units: 2,
      endpoints: { cache: "requires:valkey_client" },
    });
  }
  sim.deploy("legacy", {
    runner: runners.kvRequirer({ ...o, contract: "v0" }, "cache"),
    units: 1,
    endpoints: { cache: "requires:valkey_client" },
  });
  await sim.settle();
  return sim;
}

describe("concurrency inside a hook (generic engines, valkey_client-shaped)", () => {
  it("three requests per relation answered in one provider hook each; three relations rotated in one hook", async () => {
    const log = new EventLog();
    const sim = await world(log);
    const ids = [...APPS, "legacy"].map((app) => sim.relate("valkey:client", `${app}:cache`));
    const settled = await sim.settle({ maxHooks: 1000 });
    expect(settled.failed).toEqual([]);
    // Each v1 relation's three requests were answered by a single provider hook.
    for (const id of ids.slice(0, 3)) {
      const answering = sim.hooks.filter(
        (h) => h.unit === "valkey/0" && h.context.relation?.id === id && h.secrets?.created.length,
      );
      expect(answering).toHaveLength(1);
      expect(answering[0]!.secrets!.created).toHaveLength(RESOURCES.length * 2);
    }
    let state = sim.model.state;
    expect(responses(state, "valkey")).toHaveLength(APPS.length * RESOURCES.length + 1);
    expect(checkSeparation(state, "valkey", { requirerEndpoint: "cache", username: kvUser })).toEqual([]);
    // Every requirer unit got `created` once per request, with its own username.
    const created = log.of("created");
    expect(created).toHaveLength(APPS.length * 2 * RESOURCES.length + 1);
    for (const line of created) {
      const [, , at, , user] = line.split(" ");
      const [rel, rid] = at!.split("/");
      expect(user).toBe(rid ? `relation-${rel}-${rid}` : `relation-${rel}`);
    }
    const before = new Map(Object.values(state.secrets).map((s) => [s.xid, s.latestRevision]));

    // One config-changed on the leader rotates all ten responses at once.
    sim.configure("valkey", { rotate: "1" });
    const rotated = await sim.settle({ maxHooks: 1000 });
    expect(rotated.failed).toEqual([]);
    const hook = sim.hooks.find((h) => h.unit === "valkey/0" && h.kind === "config-changed")!;
    expect(hook.secrets!.updated).toHaveLength(APPS.length * RESOURCES.length + 1);
    state = sim.model.state;
    for (const s of Object.values(state.secrets)) {
      const user = s.label?.includes(".user.");
      expect(s.latestRevision).toBe((before.get(s.xid) ?? 0) + (user ? 1 : 0));
    }
    expect(checkSeparation(state, "valkey", { requirerEndpoint: "cache", username: kvUser })).toEqual([]);
    const passwords = Object.values(state.secrets)
      .filter((s) => s.label?.includes(".user."))
      .map((s) => s.revisions.find((r) => r.revision === s.latestRevision)!.content.password);
    expect(new Set(passwords).size).toBe(passwords.length);
    expect(duplicateLabels(state)).toEqual([]);
    expect(duplicateConsumerLabels(state)).toEqual([]);
    expect(orphanSecrets(state)).toEqual([]);
    // Each requirer unit saw one rotation per request of its own relation, none of another's.
    const rotations = log.of("rotated");
    expect(rotations).toHaveLength(APPS.length * 2 * RESOURCES.length + 1);
    tally.add("responses checked for separation", "generic engines", responses(state, "valkey").length * 2);
    const hygiene = new HygieneChecker();
    hygiene.observe(state);
    expect(hygiene.violations()).toEqual([]);
  });

  it("a request withdrawn in the same hook as others are answered keeps the rest intact", async () => {
    const log = new EventLog();
    const sim = await world(log);
    const id = sim.relate("valkey:client", "app1:cache");
    await sim.settle({ maxHooks: 1000 });
    sim.configure("app1", { drop: "b:*" });
    const r = await sim.settle({ maxHooks: 1000 });
    expect(r.failed).toEqual([]);
    const state = sim.model.state;
    const left = responses(state, "valkey").filter((x) => x.relation === id);
    expect(left).toHaveLength(2);
    expect(checkSeparation(state, "valkey", { requirerEndpoint: "cache", username: kvUser })).toEqual([]);
    expect(orphanSecrets(state)).toEqual([]);
    expect(Object.keys(state.secrets)).toHaveLength(4);
    expect(log.of("requestRemoved")).toEqual(["valkey/0 requestRemoved b:*"]);
  });
});

describe.each(LIFECYCLES.filter((l) => l.rotate).map((l) => [l.name, l] as const))(
  "concurrency inside a hook: %s",
  (_name, entry) => {
    it("every relation and request keeps its own secrets and labels, after the first settle and a rotation of all at once", async () => {
      const spec = entry.spec({ passwords: "random" });
      const run = await startLifecycle(spec);
      for (const step of spec.steps.filter((s) => s.op === "relate")) applyStep(run, step);
      expect((await run.sim.settle({ maxHooks: 1000 })).failed).toEqual([]);
      const provider = spec.apps[0]!.name;
      const endpoint = Object.keys(spec.apps[0]!.endpoints)[0]!;
      expect(checkSeparation(run.sim.model.state, provider, { requirerEndpoint: endpoint })).toEqual([]);
      applyStep(run, entry.rotate!);
      expect((await run.sim.settle({ maxHooks: 1000 })).failed).toEqual([]);
      const rotation = run.sim.hooks.find(
        (h) => h.unit === run.sim.model.leaderOf(provider) && h.kind === "config-changed",
      );
      const state = run.sim.model.state;
      const answered = responses(state, provider);
      // The rotation was one hook for every relation and request.
      expect(rotation?.secrets?.updated.length ?? 0).toBeGreaterThanOrEqual(answered.length);
      expect(checkSeparation(state, provider, { requirerEndpoint: endpoint })).toEqual([]);
      expect(duplicateLabels(state)).toEqual([]);
      expect(duplicateConsumerLabels(state)).toEqual([]);
      tally.add("responses checked for separation", entry.subject, answered.length * 2);
    });
  },
);
