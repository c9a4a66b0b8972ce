import { charmRunner, referenceProvider } from "@charm-relations/interface-postgresql-client/testing";
import { type HookRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { setup } from "../src/charm.js";

async function deployed(provider: HookRunner = referenceProvider()) {
  const sim = new Simulation({ lifecycle: true });
  sim.deploy("app", {
    runner: charmRunner(setup),
    units: 2,
    endpoints: { database: "requires:postgresql_client" },
  });
  sim.deploy("postgresql", {
    runner: provider,
    units: 1,
    endpoints: { database: "provides:postgresql_client" },
  });
  expect((await sim.settle()).settled).toBe(true);
  return sim;
}

describe("postgresql-requirer example", () => {
  it("waits without a relation, is ready once credentials and endpoints arrive, waits again after removal", async () => {
    const sim = await deployed();
    expect(sim.model.unitStatus("app/1")).toEqual(
      expect.objectContaining({ status: "waiting", message: "waiting for a database relation" }),
    );
    const id = sim.relate("postgresql", "app");
    expect((await sim.settle()).settled).toBe(true);
    for (const unit of ["app/0", "app/1"]) {
      expect(sim.model.unitStatus(unit)).toEqual(
        expect.objectContaining({ status: "active", message: `ready: relation-${id}@10.1.0.10:5432/myapp` }),
      );
    }
    // Nothing secret in the log or the status.
    expect(JSON.stringify(sim.model.logs())).not.toContain("reference-password");
    sim.removeRelation(id);
    expect((await sim.settle()).settled).toBe(true);
    expect(sim.model.unitStatus("app/0")).toMatchObject({ status: "waiting" });
  });

  it("goes Blocked on junk endpoints and recovers when the provider fixes them", async () => {
    const sim = await deployed(referenceProvider({ endpoints: "192.168.0.7:-1" }));
    const id = sim.relate("postgresql", "app");
    expect((await sim.settle()).settled).toBe(true);
    expect(sim.model.unitStatus("app/0")).toEqual(
      expect.objectContaining({ status: "blocked", message: expect.stringContaining('key "endpoints"') }),
    );
    expect(sim.model.unitBag(id, "app/0").data).toBeUndefined();
    // The provider publishes a real port (as PgBouncer does once the NodePort exists).
    await sim.runHook("postgresql/0", "update-status", {
      runner: async (b) =>
        b.relationSet(
          { endpoint: "database", id },
          { endpoints: "192.168.0.7:31432", "read-only-endpoints": "192.168.0.7:31432" },
          true,
        ),
    });
    expect((await sim.settle()).settled).toBe(true);
    expect(sim.model.unitStatus("app/0")).toEqual(
      expect.objectContaining({ status: "active", message: `ready: relation-${id}@192.168.0.7:31432/myapp` }),
    );
  });
});
