import { charmRunner, referenceProvider } from "@charm-relations/interface-mongodb-client/testing";
import { type HookRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { setup } from "../src/charm.js";

const UUID = "19278713-a192-4e4b-8ef9-0b113cfe323b";

async function deployed(provider: HookRunner = referenceProvider()) {
  const sim = new Simulation({ lifecycle: true, uuid: UUID });
  sim.deploy("app", {
    runner: charmRunner(setup),
    units: 2,
    endpoints: { database: "requires:mongodb_client" },
  });
  sim.deploy("mongodb", { runner: provider, units: 1, endpoints: { database: "provides:mongodb_client" } });
  expect((await sim.settle()).settled).toBe(true);
  return sim;
}

describe("mongodb-requirer example", () => {
  it("waits without a relation, is ready once the credentials arrive, waits again after removal", async () => {
    const sim = await deployed();
    expect(sim.model.unitStatus("app/1")).toMatchObject({
      status: "waiting",
      message: "waiting for a database relation",
    });
    const id = sim.relate("mongodb", "app");
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    for (const unit of ["app/0", "app/1"]) {
      expect(sim.model.unitStatus(unit)).toMatchObject({
        status: "active",
        message: `ready: relation-${id}@10.1.0.10/myapp (mongodb)`,
      });
    }
    expect(JSON.stringify(sim.model.logs())).not.toContain("reference-password");
    sim.removeRelation(id);
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    expect(sim.model.unitStatus("app/0")).toMatchObject({ status: "waiting" });
  });

  it("goes blocked on junk endpoints, naming the key, and recovers when the provider fixes them", async () => {
    const sim = await deployed(referenceProvider({ endpoints: "http://10.1.0.10" }));
    const id = sim.relate("mongodb", "app");
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    expect(sim.model.unitStatus("app/0")).toMatchObject({
      status: "blocked",
      message: expect.stringContaining('key "endpoints"'),
    });
    await sim.runHook("mongodb/0", "update-status", {
      runner: async (b) => b.relationSet({ endpoint: "database", id }, { endpoints: "10.1.0.10" }, true),
    });
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    expect(sim.model.unitStatus("app/0")).toMatchObject({
      status: "active",
      message: expect.stringMatching(/^ready: /),
    });
  });
});
