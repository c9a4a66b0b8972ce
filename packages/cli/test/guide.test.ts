/**
 * docs/writing-a-charm.md must work as written: its charm is `fixtures/guide-charm.ts` byte for byte,
 * and the guide's test snippets (runOnce, Simulation, the conformance suite) are replayed here on it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  charmRunner,
  referenceProvider,
  requirerConformance,
} from "@charm-relations/interface-postgresql-client/testing";
import { JujuModel, runOnce, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { setup } from "./fixtures/guide-charm.js";
import { PACKAGE_DIR } from "./helpers.js";

const guide = readFileSync(join(PACKAGE_DIR, "..", "..", "docs", "writing-a-charm.md"), "utf8");

describe("docs/writing-a-charm.md", () => {
  it("shows the charm of fixtures/guide-charm.ts", () => {
    const block = /## 3\. `src\/charm\.ts`[\s\S]*?```ts\n([\s\S]*?)```/.exec(guide)?.[1];
    expect(block).toBe(readFileSync(join(PACKAGE_DIR, "test", "fixtures", "guide-charm.ts"), "utf8"));
  });

  it("7.1 runOnce: the request goes out in relation-created with requested-secrets", async () => {
    expect(guide).toContain('out.calls.filter((c) => c.tool === "relation-set")).toHaveLength(2)');
    const model = new JujuModel();
    model.addApplication("myapp", { units: 1, endpoints: { database: "requires:postgresql_client" } });
    model.addApplication("postgresql", { units: 1, endpoints: { database: "provides:postgresql_client" } });
    model.setLeader("myapp/0");
    const id = model.addRelation("myapp:database", "postgresql:database");

    const out = await runOnce(charmRunner(setup), model, {
      unit: "myapp/0",
      kind: "relation-created",
      relationId: id,
    });

    expect(out.model.appBag(id, "myapp")).toMatchObject({ database: "myapp" });
    expect(JSON.parse(out.model.appBag(id, "myapp")["requested-secrets"]!)).toContain("password");
    expect(out.calls.filter((c) => c.tool === "relation-set")).toHaveLength(2);
    expect(model.appBag(id, "myapp")).toEqual({}); // the input model is untouched
  });

  it("7.2 Simulation: lives through a whole relation", async () => {
    const sim = new Simulation();
    sim.deploy("myapp", {
      runner: charmRunner(setup),
      units: 2,
      endpoints: { database: "requires:postgresql_client" },
    });
    sim.deploy("postgresql", {
      runner: referenceProvider(),
      units: 2,
      endpoints: { database: "provides:postgresql_client" },
    });
    const id = sim.relate("postgresql", "myapp");
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });

    await sim.runHook("myapp/1", "update-status");
    expect(sim.model.unitStatus("myapp/1")).toMatchObject({ status: "active" });

    sim.addUnit("myapp");
    expect((await sim.settle()).settled).toBe(true);

    sim.removeRelation(id);
    expect((await sim.settle()).settled).toBe(true);
    expect(sim.model.secrets()).toEqual([]);
  });

  describe("8. the requirer conformance suite passes on the guide's charm", () => {
    for (const check of requirerConformance({ runner: charmRunner(setup), endpoint: "database" })) {
      it(check.name, check.run);
    }
  });
});
