/**
 * Both mongodb_client example charms as real processes: each hook runs `dispatch` (`node
 * ./dist/charm.js`) with Juju's environment and the hook-tool fakes first on PATH, the simulated model
 * behind them — through the core's ProcessBackend exactly as under Juju. Relate, rotate, scale out and
 * in, remove: no failed hook, no secret left.
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { providerAnsweredAppV0, userSecret } from "@charm-relations/interface-mongodb-client";
import { createHookToolBin, processRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const REQUIRER = join(here, "..");
const PROVIDER = join(here, "..", "..", "mongodb-provider");
const UUID = "19278713-a192-4e4b-8ef9-0b113cfe323b";

let binDir: string;
beforeAll(() => {
  // Incremental: compiles the examples and what they reference only if stale.
  for (const dir of [PROVIDER, REQUIRER])
    execFileSync("pnpm", ["exec", "tsc", "-b"], { cwd: dir, stdio: "pipe" });
  binDir = createHookToolBin();
}, 180_000);

const runner = (dir: string) =>
  processRunner(join(dir, "dispatch"), [], { cwd: dir, binDir, timeoutMs: 60_000 });

describe("mongodb example charms as processes", () => {
  it("relate → ready → rotate → scale out and in → remove: no failed hook, nothing left", {
    timeout: 600_000,
  }, async () => {
    const sim = new Simulation({ uuid: UUID, lifecycle: false });
    sim.deploy("mongodb", {
      runner: runner(PROVIDER),
      units: 1,
      endpoints: { database: "provides:mongodb_client" },
    });
    sim.deploy("app", {
      runner: runner(REQUIRER),
      units: 1,
      endpoints: { database: "requires:mongodb_client" },
    });
    const settle = async () => {
      const r = await sim.settle();
      expect(r.failed.map((f) => `${f.unit} ${f.hook}: ${String(f.error)}`)).toEqual([]);
      expect(r.settled).toBe(true);
    };
    await settle();
    expect(sim.model.unitStatus("app/0")).toMatchObject({
      status: "waiting",
      message: "waiting for a database relation",
    });

    const id = sim.relate("mongodb", "app");
    await settle();
    const user = `relation-${id}`;
    expect(sim.model.unitStatus("app/0")).toMatchObject({
      status: "active",
      message: `ready: ${user}@10.1.0.10/myapp (mongodb)`,
    });
    const history = sim.model.unit("app/0").statusHistory.map((s) => `${s.status} ${s.message}`);
    expect(history).toContain("waiting waiting for database credentials");
    const bag = sim.model.appBag(id, "mongodb");
    expect(providerAnsweredAppV0.safeParse(bag).success).toBe(true);
    expect(bag).toMatchObject({ endpoints: "10.1.0.10", replset: "mongodb" });
    const userUri = bag["secret-user"]!;
    const first = userSecret.parse(sim.model.secretContent(userUri));
    expect(first.username).toBe(user);
    expect(first.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(first.uris).toBe(
      `mongodb://${user}:${first.password}@10.1.0.10:27017/myapp?replicaSet=mongodb&authSource=admin`,
    );

    // Rotation through the provider's action: one new revision, seen by the requirer.
    expect((await sim.runHook("mongodb/0", "action", { actionName: "rotate-passwords" })).ok).toBe(true);
    await settle();
    const rotated = sim.model.secretContent(userUri)!.password!;
    expect(rotated).not.toBe(first.password);
    expect(sim.model.secretContent(userUri)!.username).toBe(user);
    expect(sim.model.secretContent(userUri)!.uris).toContain(`:${rotated}@`);
    expect(sim.model.logs("app/0").some((l) => l.message.endsWith("credentials rotated (user)"))).toBe(true);

    // Scale the requirer out, then remove its leader: the new unit is ready at once.
    const added = sim.addUnit("app");
    sim.removeUnit("app/0");
    await settle();
    expect(sim.model.leaderOf("app")).toBe(added);
    expect(sim.model.unitStatus(added)).toMatchObject({
      status: "active",
      message: `ready: ${user}@10.1.0.10/myapp (mongodb)`,
    });

    // Secrets never in argv, logs or statuses.
    const seen = JSON.stringify([
      sim.model.calls().flatMap((c) => c.argv),
      sim.model.logs(),
      sim.model.unit(added).statusHistory,
    ]);
    for (const pw of [first.password!, rotated]) expect(seen).not.toContain(pw);

    sim.removeRelation(id);
    await settle();
    expect(sim.model.secrets()).toEqual([]);
    expect(
      sim.model
        .logs("mongodb/0")
        .some((l) => l.message.endsWith(`dropping user ${user} (the database is kept)`)),
    ).toBe(true);
    expect(sim.model.unitStatus(added)).toMatchObject({ status: "waiting" });
    expect(sim.hooks.filter((h) => !h.ok)).toEqual([]);
  });
});
