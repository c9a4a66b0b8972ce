/**
 * The root README's tour must work as written: the 20-line requirer is this file's fixture, byte for
 * byte, and it becomes active on both units against the reference provider on the in-memory model;
 * the commands the tour shows run and print what it says.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { charmRunner, referenceProvider } from "@charm-relations/interface-postgresql-client/testing";
import { Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { setup } from "./fixtures/readme-requirer.js";
import { PACKAGE_DIR, runMain } from "./helpers.js";

const ROOT = join(PACKAGE_DIR, "..", "..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");

describe("README tour", () => {
  it("shows the requirer of test/fixtures/readme-requirer.ts, in at most 20 lines", () => {
    const block = /### 3\. Write a requirer in 20 lines[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(readFileSync(join(PACKAGE_DIR, "test", "fixtures", "readme-requirer.ts"), "utf8"));
    expect(block!.trim().split("\n").length).toBeLessThanOrEqual(20);
  });

  it("that requirer is ready on every unit against a PostgreSQL-like provider, as the README says", async () => {
    const sim = new Simulation();
    sim.deploy("myapp", {
      runner: charmRunner(setup),
      units: 2,
      endpoints: { database: "requires:postgresql_client" },
    });
    sim.deploy("postgresql", {
      runner: referenceProvider(),
      endpoints: { database: "provides:postgresql_client" },
    });
    const id = sim.relate("postgresql", "myapp");
    expect((await sim.settle()).settled).toBe(true);
    for (const unit of ["myapp/0", "myapp/1"]) {
      expect(sim.model.unitStatus(unit)).toEqual({
        status: "active",
        message: expect.stringMatching(new RegExp(`^ready: relation-${id}@\\S+:5432/myapp$`)),
      });
    }
  });

  it("validates the broken example dump as shown", async () => {
    const r = await runMain(["validate", "docs/examples/myapp-0.broken.show-unit.json"], { cwd: ROOT });
    expect(r.code).toBe(1);
    const shown = /```\n(validate docs\/examples\/myapp-0\.broken[\s\S]*?)```/.exec(readme)?.[1];
    expect(r.stdout).toBe(shown);
    const valid = await runMain(["validate", "docs/examples/myapp-0.show-unit.json"], { cwd: ROOT });
    expect(valid.code).toBe(0);
  });
});
