import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { RelationRef } from "../src/backend/types.js";
import {
  type HookRecord,
  type HookRunner,
  jujuEnvFor,
  runOnce,
  Simulation,
  SimulationError,
} from "../src/testing/index.js";

const UUID = "8c7e20bb-710f-4f64-b51d-4acb46656498";

/** A tiny v0-style provider: answers `database` with a granted secret, cleans up on broken. */
const provider: HookRunner = async (b, ctx) => {
  const rel = ctx.relation;
  if (ctx.kind === "relation-changed" && rel && b.isLeader()) {
    const request = b.relationGet(rel, ctx.remoteApp!, true);
    if (!request.database) return;
    if (b.relationGet(rel, ctx.appName, true)["secret-user"]) return;
    const uri = b.secretAdd(
      { username: `relation-${rel.id}`, password: "pw1" },
      { label: `database.${rel.id}.user.secret` },
    );
    b.secretGrant(uri, rel);
    b.relationSet(rel, { database: request.database, "secret-user": uri, endpoints: "10.1.0.10:5432" }, true);
  }
  if (ctx.kind === "relation-broken" && rel && b.isLeader()) {
    const info = b.secretInfoGet({ label: `database.${rel.id}.user.secret` });
    b.secretRemove(info.id);
  }
  if (ctx.kind === "secret-remove") b.secretRemove(ctx.secretId!, ctx.secretRevision);
};

/** What a requirer may publish about a password: a short digest, never the password. */
const sha8 = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 8);

/** A tiny requirer: asks in relation-created (leader), echoes what it got into its unit bag. */
const requirer: HookRunner = async (b, ctx) => {
  const rel = ctx.relation;
  if (ctx.kind === "relation-created" && rel && b.isLeader()) b.relationSet(rel, { database: "myapp" }, true);
  if (ctx.kind === "relation-changed" && rel) {
    const answer = b.relationGet(rel, ctx.remoteApp!, true);
    if (!answer["secret-user"]) return;
    const creds = b.secretGet({ id: answer["secret-user"], label: "creds", refresh: true });
    b.relationSet(rel, { seen: `${creds.username}:${sha8(creds.password!)}` }, false);
  }
  if (ctx.kind === "secret-changed") {
    const creds = b.secretGet({ id: ctx.secretId!, refresh: true });
    for (const id of b.relationIds("database")) {
      b.relationSet(
        { endpoint: "database", id },
        { seen: `${creds.username}:${sha8(creds.password!)}` },
        false,
      );
    }
  }
};

async function related(options: { providerUnits?: number; requirerUnits?: number } = {}) {
  const sim = new Simulation({ uuid: UUID, lifecycle: false });
  sim.deploy("provider", {
    runner: provider,
    units: options.providerUnits ?? 2,
    endpoints: { database: "provides:postgresql_client" },
  });
  sim.deploy("requirer", {
    runner: requirer,
    units: options.requirerUnits ?? 2,
    endpoints: { database: "requires:postgresql_client" },
  });
  await sim.settle();
  const id = sim.relate("provider:database", "requirer:database");
  return { sim, id, ref: { endpoint: "database", id } as RelationRef };
}

const label = (h: HookRecord) =>
  `${h.unit} ${h.hook}${h.context.remoteUnit ? ` <${h.context.remoteUnit}` : ""}`;

describe("Simulation: relate and settle", () => {
  it("runs created on every unit, then joined → changed per pair, and converges", async () => {
    const { sim, id } = await related();
    const result = await sim.settle();
    expect(result).toMatchObject({ settled: true, reason: "idle", pending: 0, failed: [] });

    const hooks = sim.hooks.filter((h) => h.context.relation?.id === id).map(label);
    expect(hooks.slice(0, 4)).toEqual([
      "provider/0 database-relation-created",
      "provider/1 database-relation-created",
      "requirer/0 database-relation-created",
      "requirer/1 database-relation-created",
    ]);
    for (const [unit, remote] of [
      ["provider/0", "requirer/0"],
      ["provider/1", "requirer/1"],
      ["requirer/0", "provider/0"],
      ["requirer/1", "provider/1"],
    ]) {
      const joined = hooks.indexOf(`${unit} database-relation-joined <${remote}`);
      const changed = hooks.indexOf(`${unit} database-relation-changed <${remote}`);
      expect(joined).toBeGreaterThan(3);
      expect(changed).toBeGreaterThan(joined);
    }

    // The requirer's app-bag write reached the provider as relation-changed with no remote unit.
    const appChange = sim.hooks.find(
      (h) => h.unit === "provider/0" && h.cause === "requirer app databag changed",
    );
    expect(appChange?.context.remoteUnit).toBeUndefined();
    expect(appChange && jujuEnvFor(appChange.context).JUJU_REMOTE_UNIT).toBe("");

    const m = sim.model;
    const answer = m.appBag(id, "provider");
    expect(answer).toMatchObject({ database: "myapp", endpoints: "10.1.0.10:5432" });
    expect(answer["secret-user"]).toMatch(new RegExp(`^secret://${UUID}/[0-9a-v]{20}$`));
    expect(m.unitBag(id, "requirer/0")).toEqual({ seen: `relation-${id}:${sha8("pw1")}` });
    expect(m.unitBag(id, "requirer/1")).toEqual({ seen: `relation-${id}:${sha8("pw1")}` });
    const secret = m.secret(answer["secret-user"]!)!;
    expect(secret.tracking).toEqual({ "requirer/0": 1, "requirer/1": 1 });
    expect(secret.consumerLabels).toEqual({ "requirer/0": "creds", "requirer/1": "creds" });
    expect(secret.grants).toEqual([{ relationId: id, kind: "application", target: "requirer" }]);
  });

  it("records per hook the databag changes, secrets and hook-tool calls", async () => {
    const { sim, id } = await related();
    await sim.settle();
    const answered = sim.hooks.find((h) => h.unit === "provider/0" && h.secrets?.created.length === 1)!;
    expect(answered.ok).toBe(true);
    expect(answered.databags).toEqual([
      {
        relationId: id,
        bag: "app",
        owner: "provider",
        set: expect.objectContaining({ database: "myapp" }),
        deleted: [],
      },
    ]);
    expect(answered.calls.map((c) => c.tool)).toEqual([
      "is-leader",
      "relation-get",
      "relation-get",
      "secret-add",
      "secret-grant",
      "relation-set",
    ]);
    expect(JSON.stringify(sim.transcript)).not.toContain("pw1");
  });

  it("stops at maxHooks and says so", async () => {
    const { sim } = await related();
    const result = await sim.settle({ maxHooks: 3 });
    expect(result).toMatchObject({ settled: false, reason: "max-hooks", hooksRun: 3 });
    expect(result.pending).toBeGreaterThan(0);
    expect((await sim.settle()).settled).toBe(true);
  });

  it("coalesces identical queued hooks", async () => {
    const { sim, ref } = await related();
    await sim.settle();
    const write =
      (n: string): HookRunner =>
      async (b) =>
        b.relationSet(ref, { n }, true);
    await sim.runHook("provider/0", "config-changed", { runner: write("1") });
    await sim.runHook("provider/0", "update-status", { runner: write("2") });
    expect(sim.queue).toEqual([
      { unit: "requirer/0", kind: "relation-changed", relationId: ref.id },
      { unit: "requirer/1", kind: "relation-changed", relationId: ref.id },
    ]);
  });

  it("finds the endpoints when only app names are given, and refuses nonsense", async () => {
    const sim = new Simulation({ lifecycle: false });
    sim.deploy("a", { runner: async () => {}, endpoints: { db: "requires:pg" } });
    sim.deploy("b", { runner: async () => {}, endpoints: { database: "provides:pg", other: "provides:x" } });
    const id = sim.relate("a", "b");
    expect(sim.model.relation(id).endpoints).toEqual([
      { app: "a", endpoint: "db" },
      { app: "b", endpoint: "database" },
    ]);
    expect(() => sim.relate("a:db", "b:other")).toThrow(SimulationError);
    expect(() => sim.relate("a:db", "b:database")).toThrow(/already exists/);
  });
});

describe("Simulation: secrets", () => {
  it("delivers secret-changed to every consumer tracking an older revision, then secret-remove", async () => {
    const { sim, id } = await related();
    await sim.settle();
    const uri = sim.model.appBag(id, "provider")["secret-user"]!;
    const rotate = await sim.runHook("provider/0", "action", {
      actionName: "rotate-password",
      runner: async (b) => b.secretSet(uri, { content: { username: `relation-${id}`, password: "pw2" } }),
    });
    expect(rotate.ok).toBe(true);
    expect(rotate.context.dispatchPath).toBe("actions/rotate-password");
    expect(rotate.secrets?.updated).toEqual([{ xid: sim.model.secret(uri)!.xid, revision: 2 }]);
    const before = sim.hooks.length;
    expect((await sim.settle()).settled).toBe(true);
    const after = sim.hooks.slice(before);
    const changed = after.filter((h) => h.kind === "secret-changed");
    expect(changed.map((h) => h.unit)).toEqual(["requirer/0", "requirer/1"]);
    for (const h of changed) {
      expect(h.context.secretId).toBe(uri);
      expect(h.context.secretLabel).toBe("creds");
      expect(jujuEnvFor(h.context)).toMatchObject({ JUJU_SECRET_ID: uri, JUJU_SECRET_LABEL: "creds" });
    }
    expect(sim.model.unitBag(id, "requirer/1")).toEqual({ seen: `relation-${id}:${sha8("pw2")}` });
    // Nobody tracks revision 1 any more: the owner's leader is told, and removes it.
    const removal = after.find((h) => h.kind === "secret-remove")!;
    expect(removal.unit).toBe("provider/0");
    expect(removal.context.secretRevision).toBe(1);
    expect(jujuEnvFor(removal.context).JUJU_SECRET_REVISION).toBe("1");
    expect(sim.model.secret(uri)!.revisions.map((r) => r.revision)).toEqual([2]);
    expect(sim.model.secret(uri)!.removedRevisions).toEqual([1]);
  });

  it("sends no secret-changed when the owner re-sets unchanged content", async () => {
    const { sim, id } = await related();
    await sim.settle();
    const uri = sim.model.appBag(id, "provider")["secret-user"]!;
    await sim.runHook("provider/0", "update-status", {
      runner: async (b) => b.secretSet(uri, { content: { username: `relation-${id}`, password: "pw1" } }),
    });
    expect(sim.queue).toEqual([]);
    expect(sim.model.secret(uri)!.latestRevision).toBe(1);
  });
});

describe("Simulation: failures", () => {
  it("rolls back a failing hook, keeps the unit in error and lets the others go on", async () => {
    const { sim, id } = await related();
    const boom = new Error("requirer/1 is broken");
    let broken = true;
    sim.setRunner("requirer", async (b, ctx) => {
      if (broken && ctx.unitName === "requirer/1" && ctx.kind === "relation-changed" && ctx.relation) {
        b.relationSet(ctx.relation, { half: "written" }, false);
        b.statusSet("maintenance", "about to fail", false);
        throw boom;
      }
      await requirer(b, ctx);
    });
    const result = await sim.settle();
    expect(result.settled).toBe(false);
    expect(result.reason).toBe("blocked");
    expect(result.failed).toEqual([{ unit: "requirer/1", hook: "database-relation-changed", error: boom }]);
    const failed = sim.hooks.find((h) => !h.ok)!;
    expect(failed.error).toBe(boom);
    expect(failed.databags).toEqual([]);
    expect(sim.model.unitBag(id, "requirer/1")).toEqual({});
    expect(sim.model.unitStatus("requirer/1")).toEqual({ status: "maintenance", message: "about to fail" });
    // Exactly one failed run: the hook is not retried on its own.
    expect(sim.hooks.filter((h) => !h.ok)).toHaveLength(1);
    expect(sim.model.unitBag(id, "requirer/0")).toEqual({ seen: `relation-${id}:${sha8("pw1")}` });

    broken = false;
    sim.resolve("requirer/1", { retry: true });
    expect(await sim.settle()).toMatchObject({ settled: true });
    expect(sim.model.unitBag(id, "requirer/1")).toEqual({ seen: `relation-${id}:${sha8("pw1")}` });
  });

  it("does not put a unit in error for a failed action", async () => {
    const { sim } = await related();
    await sim.settle();
    const record = await sim.runHook("provider/0", "action", {
      actionName: "explode",
      runner: async () => {
        throw new Error("nope");
      },
    });
    expect(record.ok).toBe(false);
    expect(sim.failedUnits.size).toBe(0);
  });
});

describe("Simulation: removal and scaling", () => {
  it("removes a relation: departed per remote unit, then broken without the relation, no orphan secrets", async () => {
    const { sim, id } = await related();
    await sim.settle();
    const seenInBroken: Record<string, number[]> = {};
    const inner = provider;
    sim.setRunner("provider", async (b, ctx) => {
      if (ctx.kind === "relation-broken") seenInBroken[ctx.unitName] = b.relationIds("database");
      await inner(b, ctx);
    });
    sim.removeRelation(id);
    const before = sim.hooks.length;
    expect((await sim.settle()).settled).toBe(true);
    const hooks = sim.hooks.slice(before);
    expect(hooks.map(label)).toEqual([
      "provider/0 database-relation-departed <requirer/0",
      "provider/0 database-relation-departed <requirer/1",
      "provider/0 database-relation-broken",
      "provider/1 database-relation-departed <requirer/0",
      "provider/1 database-relation-departed <requirer/1",
      "provider/1 database-relation-broken",
      "requirer/0 database-relation-departed <provider/0",
      "requirer/0 database-relation-departed <provider/1",
      "requirer/0 database-relation-broken",
      "requirer/1 database-relation-departed <provider/0",
      "requirer/1 database-relation-departed <provider/1",
      "requirer/1 database-relation-broken",
    ]);
    expect(hooks[0]!.context.departingUnit).toBe("requirer/0");
    expect(jujuEnvFor(hooks[2]!.context)).toMatchObject({
      JUJU_REMOTE_UNIT: "",
      JUJU_RELATION_ID: `database:${id}`,
    });
    expect(seenInBroken).toEqual({ "provider/0": [], "provider/1": [] });
    expect(sim.model.hasRelation(id)).toBe(false);
    expect(sim.model.secrets()).toEqual([]);
  });

  it("scales in: the departing unit sees itself depart, the others see it go, leadership moves", async () => {
    const { sim, id, ref } = await related();
    await sim.settle();
    sim.removeUnit("provider/0");
    const before = sim.hooks.length;
    expect((await sim.settle()).settled).toBe(true);
    const hooks = sim.hooks.slice(before);
    const departed = hooks.filter((h) => h.kind === "relation-departed");
    expect(departed.map((h) => [h.unit, h.context.remoteUnit, h.context.departingUnit])).toEqual([
      ["requirer/0", "provider/0", "provider/0"],
      ["requirer/1", "provider/0", "provider/0"],
      ["provider/0", "requirer/0", "provider/0"],
      ["provider/0", "requirer/1", "provider/0"],
    ]);
    expect(hooks.find((h) => h.kind === "relation-broken")?.unit).toBe("provider/0");
    expect(hooks.at(-1)).toMatchObject({ unit: "provider/1", kind: "leader-elected" });
    expect(sim.model.hasUnit("provider/0")).toBe(false);
    expect(sim.model.leaderOf("provider")).toBe("provider/1");
    expect(sim.model.relation(id).members["requirer/0"]).toEqual(["provider/1"]);
    const r0 = await sim.runHook("requirer/0", "update-status", {
      runner: async (b) => {
        expect(b.relationList(ref)).toEqual(["provider/1"]);
      },
    });
    expect(r0.ok).toBe(true);
  });

  it("scales out: the new unit joins every remote unit and they join it", async () => {
    const { sim, id } = await related();
    await sim.settle();
    const unit = sim.addUnit("requirer");
    expect(unit).toBe("requirer/2");
    const before = sim.hooks.length;
    expect((await sim.settle()).settled).toBe(true);
    const hooks = sim.hooks.slice(before).map(label);
    expect(hooks[0]).toBe("requirer/2 database-relation-created");
    expect(hooks).toContain("requirer/2 database-relation-joined <provider/0");
    expect(hooks).toContain("requirer/2 database-relation-joined <provider/1");
    expect(hooks).toContain("provider/0 database-relation-joined <requirer/2");
    expect(hooks).toContain("provider/1 database-relation-joined <requirer/2");
    expect(sim.model.unitBag(id, "requirer/2")).toEqual({ seen: `relation-${id}:${sha8("pw1")}` });
  });

  it("creates peer relations at deploy and tells the other peers about app-bag changes", async () => {
    const sim = new Simulation({ lifecycle: false });
    const seen: string[] = [];
    sim.deploy("db", {
      units: 2,
      endpoints: { cluster: "peers:db_peers" },
      runner: async (b, ctx) => {
        seen.push(`${ctx.unitName} ${ctx.hookName}${ctx.remoteUnit ? ` <${ctx.remoteUnit}` : ""}`);
        if (ctx.kind === "leader-elected") {
          const [rid] = b.relationIds("cluster");
          b.relationSet({ endpoint: "cluster", id: rid! }, { primary: ctx.unitName }, true);
        }
      },
    });
    expect((await sim.settle()).settled).toBe(true);
    expect(seen).toEqual([
      "db/0 cluster-relation-created",
      "db/0 leader-elected",
      "db/1 cluster-relation-created",
      "db/0 cluster-relation-joined <db/1",
      "db/0 cluster-relation-changed <db/1",
      "db/1 cluster-relation-joined <db/0",
      "db/1 cluster-relation-changed <db/0",
      "db/1 cluster-relation-changed",
    ]);
  });

  it("runs install, config-changed and start with lifecycle on", async () => {
    const sim = new Simulation();
    const kinds: string[] = [];
    sim.deploy("app", { runner: async (_b, ctx) => void kinds.push(ctx.hookName) });
    await sim.settle();
    expect(kinds).toEqual(["install", "leader-elected", "config-changed", "start"]);
    sim.configure("app", { level: "debug" });
    await sim.settle();
    expect(kinds.at(-1)).toBe("config-changed");
    expect(sim.model.application("app").config).toEqual({ level: "debug" });
  });
});

describe("runOnce", () => {
  function state() {
    const sim = new Simulation({ uuid: UUID, lifecycle: false });
    sim.deploy("provider", { runner: provider, endpoints: { database: "provides:postgresql_client" } });
    sim.deploy("requirer", { runner: requirer, endpoints: { database: "requires:postgresql_client" } });
    const id = sim.model.addRelation("provider:database", "requirer:database");
    sim.model.setAppBag(id, "requirer", { database: "myapp" });
    return { input: sim.model.toJSON(), id };
  }

  it("returns a new output state and leaves the input frozen and untouched", async () => {
    const { input, id } = state();
    const copy = structuredClone(input);
    const out = await runOnce(provider, input, {
      unit: "provider/0",
      kind: "relation-changed",
      relationId: id,
      remoteUnit: "requirer/0",
    });
    expect(out.ok).toBe(true);
    expect(out.state.relations[String(id)]!.appData.provider).toMatchObject({ database: "myapp" });
    expect(Object.keys(out.state.secrets)).toHaveLength(1);
    expect(out.calls.map((c) => c.tool)).toContain("secret-add");
    expect(input).toEqual(copy);
    expect(Object.isFrozen(input.relations)).toBe(true);
    // The next event runs on the output state in one line.
    const next = await runOnce(requirer, out.state, {
      unit: "requirer/0",
      kind: "relation-changed",
      relationId: id,
      remoteUnit: "provider/0",
    });
    expect(next.state.relations[String(id)]!.unitData["requirer/0"]).toMatchObject({
      seen: `relation-${id}:${sha8("pw1")}`,
    });
  });

  it("rethrows the charm's own error, or reports it with the rolled-back state", async () => {
    const { input, id } = state();
    const boom = new TypeError("handler bug");
    const failing = async (b: Parameters<HookRunner>[0], ctx: Parameters<HookRunner>[1]) => {
      b.relationSet(ctx.relation!, { x: "1" }, false);
      throw boom;
    };
    const event = { unit: "provider/0", kind: "relation-changed", relationId: id } as const;
    await expect(runOnce(failing, input, event)).rejects.toBe(boom);
    const out = await runOnce(failing, input, event, { rethrow: false });
    expect(out.ok).toBe(false);
    expect(out.error).toBe(boom);
    expect(out.state.relations[String(id)]!.unitData["provider/0"]).not.toHaveProperty("x");
  });

  it("rejects events the state cannot hold", async () => {
    const { input, id } = state();
    await expect(
      runOnce(provider, input, { unit: "provider/0", kind: "relation-joined", relationId: id }),
    ).rejects.toThrow(/needs a remoteUnit/);
    await expect(
      runOnce(provider, input, { unit: "provider/0", kind: "relation-changed", relationId: 42 }),
    ).rejects.toThrow(SimulationError);
    await expect(
      runOnce(provider, input, {
        unit: "provider/0",
        kind: "secret-changed",
        secretId: "secret:0123456789abcdefghij",
      }),
    ).rejects.toThrow(/not in the state/);
  });
});
