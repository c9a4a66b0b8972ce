/**
 * Behaviour the performance work (issue 10) must keep: the MemoryBackend copies a relation or secret
 * only when a session writes it, yet every session still sees the model as it was when its hook
 * started, and a commit applies exactly what its session wrote. And the engines' call-saving
 * reorderings: no is-leader where the answer cannot matter, one relation's requests parsed on publish.
 */
import { describe, expect, it } from "vitest";
import type { RelationRef } from "../src/backend/types.js";
import { defineInterface } from "../src/engine/definition.js";
import { DataProvider } from "../src/engine/provider.js";
import { DataRequirer } from "../src/engine/requirer.js";
import { Charm } from "../src/hook/charm.js";
import { type HookRunner, JujuModel, MemoryBackend, Simulation } from "../src/testing/index.js";

const UUID = "8c7e20bb-710f-4f64-b51d-4acb46656498";

function world() {
  const model = new JujuModel({ uuid: UUID });
  model.addApplication("provider", { endpoints: { database: "provides:postgresql_client" }, units: 2 });
  model.addApplication("requirer", { endpoints: { database: "requires:postgresql_client" }, units: 2 });
  const id = model.addRelation("provider:database", "requirer:database");
  const ref: RelationRef = { endpoint: "database", id };
  const open = (unit: string) => new MemoryBackend(model, { unit });
  return { model, id, ref, open };
}

describe("MemoryBackend sessions (copy on write)", () => {
  it("keep uncommitted writes to themselves, and each sees the model as of its own start", () => {
    const { model, id, ref, open } = world();
    const uri = model.addSecret({
      owner: "provider",
      content: { password: "one" },
      grants: [{ relationId: id }],
    });
    const writer = open("provider/0");
    const reader = open("requirer/0");
    writer.relationSet(ref, { endpoints: "h:1" }, true);
    writer.secretSet(uri, { content: { password: "two" } });
    // Nothing is visible before the commit, neither in the model nor to another session.
    expect(model.appBag(id, "provider")).toEqual({});
    expect(model.secretContent(uri)).toEqual({ password: "one" });
    expect(reader.relationGet(ref, "provider", true)).toEqual({});
    writer.commit();
    expect(model.appBag(id, "provider")).toEqual({ endpoints: "h:1" });
    expect(model.secretContent(uri)).toEqual({ password: "two" });
    // The reader's hook started before the commit: it keeps its snapshot, for bags and secrets.
    expect(reader.relationGet(ref, "provider", true)).toEqual({});
    expect(reader.secretGet({ id: uri, peek: true })).toEqual({ password: "one" });
    reader.rollback();
    const later = open("requirer/0");
    expect(later.relationGet(ref, "provider", true)).toEqual({ endpoints: "h:1" });
    expect(later.secretGet({ id: uri, peek: true })).toEqual({ password: "two" });
  });

  it("commit only what the session wrote: a session that never touched a secret leaves a newer revision alone", () => {
    const { model, id, ref, open } = world();
    const uri = model.addSecret({
      owner: "provider",
      content: { password: "one" },
      grants: [{ relationId: id }],
    });
    const owner = open("provider/0");
    const bystander = open("requirer/1");
    owner.secretSet(uri, { content: { password: "two" } });
    owner.commit();
    bystander.relationSet(ref, { seen: "yes" }, false);
    const result = bystander.commit();
    expect(result.databags).toEqual([
      { relationId: id, bag: "unit", owner: "requirer/1", set: { seen: "yes" }, deleted: [] },
    ]);
    expect(result.secrets.updated).toEqual([]);
    expect(model.secretContent(uri)).toEqual({ password: "two" });
    expect(model.secret(uri)?.latestRevision).toBe(2);
  });

  it("record tracking moves and label bindings, and nothing for a read that changes nothing", () => {
    const { model, id, open } = world();
    const uri = model.addSecret({
      owner: "provider",
      content: { password: "one" },
      grants: [{ relationId: id }],
    });
    const first = open("requirer/0");
    expect(first.secretGet({ id: uri, label: "mine" })).toEqual({ password: "one" });
    const commit = first.commit();
    expect(commit.secrets.tracking).toEqual([
      { xid: model.secret(uri)!.xid, unit: "requirer/0", revision: 1 },
    ]);
    expect(commit.secrets.metadataUpdated).toEqual([model.secret(uri)!.xid]);
    expect(model.secret(uri)?.consumerLabels["requirer/0"]).toBe("mine");
    const again = open("requirer/0");
    expect(again.secretGet({ id: uri })).toEqual({ password: "one" });
    const quiet = again.commit();
    expect(quiet.secrets).toEqual({
      created: [],
      updated: [],
      metadataUpdated: [],
      removed: [],
      revisionsRemoved: [],
      tracking: [],
    });
  });

  it("drop a rolled-back session's copies, and resumed sessions (state files) still commit", () => {
    const { model, id, ref, open } = world();
    const failed = open("provider/0");
    failed.relationSet(ref, { endpoints: "h:1" }, true);
    const added = failed.secretAdd({ password: "x" });
    failed.rollback();
    expect(model.appBag(id, "provider")).toEqual({});
    expect(model.secret(added)).toBeUndefined();
    const saved = open("provider/0");
    saved.relationSet(ref, { endpoints: "h:2" }, true);
    const resumed = MemoryBackend.resume(model, saved.exportSession());
    saved.rollback();
    resumed.relationSet(ref, { version: "16" }, true);
    expect(resumed.commit().databags).toEqual([
      {
        relationId: id,
        bag: "app",
        owner: "provider",
        set: { endpoints: "h:2", version: "16" },
        deleted: [],
      },
    ]);
  });
});

const DEF = defineInterface({
  name: "valkey_client",
  defaultEndpoint: "database",
  contracts: { requirer: ["v0", "v1"], provider: ["v0", "v1"] },
  resourceKey: "database",
  ready: { default: ["username", "password", "endpoints"] },
});

const runner =
  (setup: (charm: Charm) => void): HookRunner =>
  async (backend, context) => {
    const charm = new Charm({ backend, context });
    setup(charm);
    await charm.dispatch();
  };

describe("engine call savings", () => {
  it("a v1 answer reads only the event's relation, however many relations the endpoint has", async () => {
    const sim = new Simulation({ uuid: UUID, lifecycle: false });
    const provider = runner((charm) => {
      const p = new DataProvider(charm, "db", DEF);
      p.events.on("requested", ({ request }) =>
        p.publishFields(request, { username: `u-${request.requestId}`, password: "pw", endpoints: "h:1" }),
      );
    });
    const requirer = (resources: string[]) =>
      runner((charm) => {
        new DataRequirer(charm, "db", DEF, {
          contract: "v1",
          requests: resources.map((resource) => ({ resource })),
        });
      });
    sim.deploy("valkey", { runner: provider, endpoints: { db: "provides:valkey_client" } });
    for (const app of ["one", "two", "three"]) {
      sim.deploy(app, {
        runner: requirer([`${app}:*`, "cache:*"]),
        endpoints: { db: "requires:valkey_client" },
      });
      sim.relate(`${app}:db`, "valkey:db");
    }
    expect((await sim.settle()).settled).toBe(true);
    const answers = sim.hooks.filter(
      (h) => h.unit === "valkey/0" && h.kind === "relation-changed" && h.secrets?.created.length,
    );
    expect(answers).toHaveLength(3);
    for (const hook of answers) {
      const relation = `db:${hook.context.relation!.id}`;
      // Reads and writes of the event's relation only: no relation-ids, no other relation's bags.
      const relationScoped = hook.calls.filter((c) => c.tool.startsWith("relation-"));
      expect(relationScoped.map((c) => c.tool).sort()).toEqual([
        "relation-get",
        "relation-get",
        "relation-set",
      ]);
      expect(relationScoped.every((c) => c.argv.includes(relation))).toBe(true);
      expect(hook.secrets?.created).toHaveLength(2); // one user secret per request
    }
  });

  it("a requirer without a requested entity asks no is-leader when its answer arrives; leader-elected without relations asks nothing", async () => {
    const sim = new Simulation({ uuid: UUID, lifecycle: false });
    const provider = runner((charm) => {
      const p = new DataProvider(charm, "db", DEF);
      p.events.on("requested", ({ request }) =>
        p.publishFields(request.relation, {
          database: request.resource,
          username: "u",
          password: "pw",
          endpoints: "h:1",
        }),
      );
    });
    const created: string[] = [];
    const requirer = runner((charm) => {
      const r = new DataRequirer(charm, "db", DEF, { contract: "v0", requests: [{ resource: "myapp" }] });
      r.events.on("created", () => void created.push(charm.unit));
    });
    sim.deploy("valkey", { runner: provider, endpoints: { db: "provides:valkey_client" } });
    sim.deploy("client", { runner: requirer, units: 2, endpoints: { db: "requires:valkey_client" } });
    expect((await sim.settle()).settled).toBe(true);
    const elected = sim.hooks.find((h) => h.unit === "client/0" && h.kind === "leader-elected")!;
    expect(elected.calls.map((c) => c.tool)).toEqual(["relation-ids"]);
    sim.relate("client:db", "valkey:db");
    expect((await sim.settle()).settled).toBe(true);
    expect(created.sort()).toEqual(["client/0", "client/1"]);
    for (const unit of ["client/0", "client/1"]) {
      const hook = sim.hooks.find(
        (h) => h.unit === unit && h.kind === "relation-changed" && h.databags.length,
      )!;
      expect(hook.calls.map((c) => c.tool)).not.toContain("is-leader");
    }
  });
});

describe("SecretStore per-hook caches", () => {
  const hook = (model: JujuModel, unit: string) => {
    const backend = new MemoryBackend(model, { unit, hookName: "relation-broken", kind: "relation-broken" });
    const context = {
      dispatchPath: "hooks/relation-broken",
      hookName: "relation-broken",
      kind: "relation-broken" as const,
      unitName: unit,
      appName: unit.slice(0, unit.indexOf("/")),
      modelName: "test",
      modelUuid: UUID,
      jujuVersion: "3.6.14",
    };
    return { backend, charm: new Charm({ backend, context }) };
  };
  const calls = (model: JujuModel, tool: string) => model.calls().filter((c) => c.tool === tool).length;

  it("asks secret-ids and secret-info-get once per hook, and forgets what it removed", () => {
    const { model, id } = world();
    const a = model.addSecret({
      owner: "provider",
      content: { password: "a" },
      label: `database.${id}.user.secret`,
    });
    const b = model.addSecret({ owner: "provider", content: { password: "b" }, label: "other" });
    const { charm } = hook(model, "provider/0");
    const secrets = charm.model.secrets;
    const ids = [...secrets.ownedIds()];
    expect(ids.sort()).toEqual([model.secret(a)!.xid, model.secret(b)!.xid].sort());
    expect(secrets.ownedIds()).toEqual(ids);
    expect(secrets.infoById(model.secret(a)!.xid)?.label).toBe(`database.${id}.user.secret`);
    expect(secrets.infoById(model.secret(a)!.xid)?.label).toBe(`database.${id}.user.secret`);
    expect(calls(model, "secret-ids")).toBe(1);
    expect(calls(model, "secret-info-get")).toBe(1);
    secrets.remove(a);
    expect(secrets.ownedIds()).toEqual([model.secret(b)!.xid]);
    expect(secrets.infoById(model.secret(a)!.xid)).toBeUndefined();
    expect(calls(model, "secret-ids")).toBe(1);
    expect(calls(model, "secret-info-get")).toBe(1);
  });

  it("remembers an unreadable secret for the rest of the hook instead of asking again", () => {
    const { model, id } = world();
    const granted = model.addSecret({
      owner: "provider",
      content: { password: "a" },
      grants: [{ relationId: id }],
    });
    const hidden = model.addSecret({ owner: "provider", content: { password: "b" } });
    const { charm } = hook(model, "requirer/0");
    const secrets = charm.model.secrets;
    expect(secrets.read(hidden)).toEqual({ ok: false, reason: "permission-denied" });
    expect(secrets.read(hidden)).toEqual({ ok: false, reason: "permission-denied" });
    const gone = granted.replace(/[0-9a-v]{20}$/, "0".repeat(20));
    expect(secrets.read(gone)).toEqual({ ok: false, reason: "not-found" });
    expect(secrets.read(gone)).toEqual({ ok: false, reason: "not-found" });
    expect(secrets.read(granted)).toEqual({ ok: true, content: { password: "a" } });
    expect(calls(model, "secret-get")).toBe(3);
  });
});
