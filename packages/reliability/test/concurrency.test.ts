/**
 * Concurrency inside a hook: one provider hook answers several requests of one relation, and one
 * config-changed rotates the credentials of several relations and requests at once; a requirer hook
 * resolves several responses. Every secret must stay with its own relation and request: its owner
 * label, its grant, its content (username) and each consumer's label all name the same pair.
 */
import { parseSecretLabel } from "@charm-relations/juju-secrets-core";
import type { ModelState } from "@charm-relations/juju-secrets-core/testing";
import { Simulation } from "@charm-relations/juju-secrets-core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { EventLog, runners } from "../src/generic.js";
import { HygieneChecker } from "../src/hygiene.js";
import { duplicateConsumerLabels, duplicateLabels, orphanSecrets } from "../src/secrets-check.js";
import { Tally } from "../src/tally.js";

const tally = new Tally("concurrency");
afterAll(() => tally.save());

const RESOURCES = ["a:*", "b:*", "c:*"];
const APPS = ["app1", "app2", "app3"];

interface Response {
  readonly relation: number;
  readonly requestId: string | undefined;
  readonly uris: Record<string, string>;
}

/** Every response the provider published, per relation (v1 objects, or the flat v0 bag). */
function responses(state: ModelState, provider: string): Response[] {
  const out: Response[] = [];
  for (const rel of Object.values(state.relations)) {
    const bag = rel.appData[provider];
    if (!bag) continue;
    if (bag.version === "v1" && bag.requests) {
      for (const r of JSON.parse(bag.requests) as Record<string, unknown>[]) {
        const uris = Object.fromEntries(
          Object.entries(r).filter(([k, v]) => k.startsWith("secret-") && typeof v === "string"),
        ) as Record<string, string>;
        out.push({ relation: rel.id, requestId: String(r["request-id"]), uris });
      }
    } else if (bag["secret-user"]) {
      const uris = Object.fromEntries(Object.entries(bag).filter(([k]) => k.startsWith("secret-")));
      out.push({ relation: rel.id, requestId: undefined, uris });
    }
  }
  return out;
}

/** Check that each response's secrets belong to it alone; returns problems. */
function checkSeparation(state: ModelState, provider: string, requirerEndpoint: string): string[] {
  const problems: string[] = [];
  const xidOf = (uri: string) => uri.slice(uri.lastIndexOf("/") + 1).replace(/^secret:/, "");
  const seen = new Set<string>();
  for (const r of responses(state, provider)) {
    const where = `relation ${r.relation}${r.requestId ? ` request ${r.requestId}` : ""}`;
    for (const [key, uri] of Object.entries(r.uris)) {
      const group = key.slice("secret-".length);
      const s = state.secrets[xidOf(uri)];
      if (!s) {
        problems.push(`${where}: ${key} points to a missing secret`);
        continue;
      }
      if (seen.has(s.xid)) problems.push(`${where}: ${key} shared with another response`);
      seen.add(s.xid);
      const label = parseSecretLabel(s.label ?? "");
      if (label?.relationId !== r.relation || label.requestId !== r.requestId || label.group !== group) {
        problems.push(`${where}: ${key} has owner label ${s.label}`);
      }
      if (s.grants.length !== 1 || s.grants[0]!.relationId !== r.relation) {
        problems.push(`${where}: ${key} granted to ${JSON.stringify(s.grants)}`);
      }
      const content = s.revisions.find((x) => x.revision === s.latestRevision)!.content;
      if (group === "user") {
        const user = r.requestId ? `relation-${r.relation}-${r.requestId}` : `relation-${r.relation}`;
        if (content.username !== user) problems.push(`${where}: username ${content.username}, expected ${user}`);
      }
      const rel = state.relations[String(r.relation)]!;
      const requirerApp = rel.endpoints.find((e) => e.app !== provider)!.app;
      for (const [unit, consumer] of Object.entries(s.consumerLabels)) {
        const expected = `${requirerEndpoint}.${r.relation}.${r.requestId ? `${r.requestId}.` : ""}${group}.secret`;
        if (!unit.startsWith(`${requirerApp}/`)) problems.push(`${where}: ${key} read by ${unit} of another app`);
        if (consumer !== expected) problems.push(`${where}: ${unit} labelled ${key} ${consumer}, expected ${expected}`);
      }
    }
  }
  return problems;
}

async function world(log: EventLog) {
  const sim = new Simulation({ lifecycle: false });
  const o = { log, passwords: "random" as const };
  sim.deploy("valkey", { runner: runners.kvProvider(o), units: 2, endpoints: { client: "provides:valkey_client" } });
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
      const answering = sim.hooks.filter((h) => h.unit === "valkey/0" && h.context.relation?.id === id && h.secrets?.created.length);
      expect(answering).toHaveLength(1);
      expect(answering[0]!.secrets!.created).toHaveLength(RESOURCES.length * 2);
    }
    let state = sim.model.state;
    expect(responses(state, "valkey")).toHaveLength(APPS.length * RESOURCES.length + 1);
    expect(checkSeparation(state, "valkey", "cache")).toEqual([]);
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
    expect(checkSeparation(state, "valkey", "cache")).toEqual([]);
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
    tally.add("responses checked for separation", "generic v1", responses(state, "valkey").length * 2);
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
    expect(checkSeparation(state, "valkey", "cache")).toEqual([]);
    expect(orphanSecrets(state)).toEqual([]);
    expect(Object.keys(state.secrets)).toHaveLength(4);
    expect(log.of("requestRemoved")).toEqual(["valkey/0 requestRemoved b:*"]);
  });
});
