import { referenceRequirer } from "@charm-relations/interface-mongodb-client/testing";
import { charmRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { setup } from "../src/charm.js";

describe("mongodb-provider example", () => {
  it("answers in one hook, re-publishes on config change, drops the user when the relation goes", async () => {
    const sim = new Simulation({ lifecycle: true, uuid: "19278713-a192-4e4b-8ef9-0b113cfe323b" });
    sim.deploy("mongodb", {
      runner: charmRunner(setup),
      units: 2,
      endpoints: { database: "provides:mongodb_client" },
    });
    sim.deploy("app", {
      runner: referenceRequirer(),
      units: 1,
      endpoints: { database: "requires:mongodb_client" },
    });
    expect((await sim.settle()).settled).toBe(true);
    const id = sim.relate("mongodb", "app");
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    const bag = sim.model.appBag(id, "mongodb");
    expect(bag).toMatchObject({ database: "myapp", endpoints: "10.1.0.10", replset: "mongodb" });
    const user = sim.model.secretContent(bag["secret-user"]!)!;
    expect(user.uris).toBe(
      `mongodb://relation-${id}:${user.password}@10.1.0.10:27017/myapp?replicaSet=mongodb&authSource=admin`,
    );
    expect(sim.model.unitStatus("mongodb/0")).toMatchObject({ status: "active" });

    sim.configure("mongodb", { endpoints: "10.1.0.20,10.1.0.21" });
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    expect(sim.model.appBag(id, "mongodb")).toMatchObject({ endpoints: "10.1.0.20,10.1.0.21" });
    // The connection string names the new hosts: one new revision of the user secret.
    expect(sim.model.secretContent(bag["secret-user"]!)!.uris).toContain(
      "@10.1.0.20:27017,10.1.0.21:27017/myapp?",
    );
    expect(sim.model.secret(bag["secret-user"]!)!.latestRevision).toBe(2);

    sim.removeRelation(id);
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    expect(sim.model.secrets()).toEqual([]);
    const dropped = `dropping user relation-${id} (the database is kept)`;
    expect(sim.model.logs("mongodb/0").filter((l) => l.message.endsWith(dropped))).toHaveLength(1);
  });

  it("goes blocked on a request it cannot read, naming the key", async () => {
    const sim = new Simulation({ lifecycle: true });
    sim.deploy("mongodb", {
      runner: charmRunner(setup),
      units: 1,
      endpoints: { database: "provides:mongodb_client" },
    });
    sim.deploy("app", {
      runner: async (b, ctx) => {
        if (ctx.kind === "relation-created" && ctx.relation && b.isLeader())
          b.relationSet(ctx.relation, { database: "myapp", "requested-secrets": "[1," }, true);
      },
      units: 1,
      endpoints: { database: "requires:mongodb_client" },
    });
    sim.relate("mongodb", "app");
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    expect(sim.model.unitStatus("mongodb/0")).toMatchObject({
      status: "blocked",
      message: expect.stringContaining("requested-secrets"),
    });
  });
});
