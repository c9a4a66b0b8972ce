import { referenceRequirer } from "@charm-relations/interface-mysql-client/testing";
import { charmRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { setup } from "../src/charm.js";

describe("mysql-provider example", () => {
  it("answers in one hook, re-publishes on config change, drops the user when the relation goes", async () => {
    const sim = new Simulation({ lifecycle: true, uuid: "19278713-a192-4e4b-8ef9-0b113cfe323b" });
    sim.deploy("mysql", {
      runner: charmRunner(setup),
      units: 2,
      endpoints: { database: "provides:mysql_client" },
    });
    sim.deploy("app", {
      runner: referenceRequirer(),
      units: 1,
      endpoints: { database: "requires:mysql_client" },
    });
    expect((await sim.settle()).settled).toBe(true);
    const id = sim.relate("mysql", "app");
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    const bag = sim.model.appBag(id, "mysql");
    expect(bag).toMatchObject({
      database: "myapp",
      endpoints: "10.1.0.10:3306",
      version: "8.0.39-0ubuntu0.22.04.1",
    });
    expect(bag["read-only-endpoints"]).toBeUndefined();
    expect(sim.model.unitStatus("mysql/0")).toMatchObject({ status: "active" });

    sim.configure("mysql", { endpoints: "10.1.0.20:3306", "read-only-endpoints": "10.1.0.21:3306" });
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    expect(sim.model.appBag(id, "mysql")).toMatchObject({
      endpoints: "10.1.0.20:3306",
      "read-only-endpoints": "10.1.0.21:3306",
    });

    sim.removeRelation(id);
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    expect(sim.model.secrets()).toEqual([]);
    const dropped = `dropping user relation-${id}_19278713a1924e4 (the database is kept)`;
    expect(sim.model.logs("mysql/0").filter((l) => l.message.endsWith(dropped))).toHaveLength(1);
  });

  it("goes blocked on a request it cannot read, naming the key", async () => {
    const sim = new Simulation({ lifecycle: true });
    sim.deploy("mysql", {
      runner: charmRunner(setup),
      units: 1,
      endpoints: { database: "provides:mysql_client" },
    });
    sim.deploy("app", {
      runner: async (b, ctx) => {
        if (ctx.kind === "relation-created" && ctx.relation && b.isLeader())
          b.relationSet(ctx.relation, { database: "myapp", "requested-secrets": "[1," }, true);
      },
      units: 1,
      endpoints: { database: "requires:mysql_client" },
    });
    sim.relate("mysql", "app");
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    expect(sim.model.unitStatus("mysql/0")).toMatchObject({
      status: "blocked",
      message: expect.stringContaining("requested-secrets"),
    });
  });
});
