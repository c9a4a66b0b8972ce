/**
 * Both example charms as real processes (their `dispatch` scripts, `node dist/charm.js`) against the
 * hook-tool fakes: relate, password rotation (action), scale out and in on both sides, relation
 * removal — no failed hook, no secret left behind, no secret in argv. Needs the build output: run
 * `pnpm build` (or `pnpm exec turbo run build --filter=@charm-relations/example-opensearch-requirer...
 * --filter=@charm-relations/example-opensearch-provider...`) first.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHookToolBin, processRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const REQUIRER_DIR = join(here, "..");
const PROVIDER_DIR = join(here, "..", "..", "opensearch-provider");
const EP = "opensearch-client";

let bin: string;
/** A fresh JUJU_CHARM_DIR per app: the charms keep their departure markers and last status there. */
const dirs: string[] = [];
const unitState = () => {
  dirs.push(mkdtempSync(join(tmpdir(), "opensearch-example-")));
  return dirs.at(-1)!;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
beforeAll(() => {
  for (const dir of [REQUIRER_DIR, PROVIDER_DIR]) {
    if (!existsSync(join(dir, "dist", "charm.js")))
      throw new Error(`${dir}/dist/charm.js is missing: build first (pnpm build at the repository root)`);
  }
  bin = createHookToolBin();
});

describe("opensearch example charms as processes", () => {
  it("full lifecycle: no failed hook, rotation seen, scale out and in, nothing left behind", {
    timeout: 600_000,
  }, async () => {
    const sim = new Simulation({ lifecycle: false });
    const runner = (dir: string) =>
      processRunner(join(dir, "dispatch"), [], { cwd: dir, binDir: bin, timeoutMs: 60_000 });
    const settle = async () => expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    sim.deploy("opensearch", {
      runner: runner(PROVIDER_DIR),
      units: 1,
      endpoints: { [EP]: "provides:opensearch_client" },
      charmDir: unitState(),
    });
    sim.deploy("app", {
      runner: runner(REQUIRER_DIR),
      units: 2,
      endpoints: { [EP]: "requires:opensearch_client" },
      charmDir: unitState(),
      config: { index: "myindex", "extra-user-roles": "admin" },
    });
    await settle();
    const id = sim.relate("opensearch", "app");
    await settle();

    expect(sim.model.appBag(id, "app")).toMatchObject({ index: "myindex", "extra-user-roles": "admin" });
    const answer = sim.model.appBag(id, "opensearch");
    expect(answer).toMatchObject({ index: "myindex", endpoints: "10.1.0.10:9200", version: "2.17.0" });
    const user = sim.model.secretContent(answer["secret-user"]!)!;
    expect(user.username).toBe(`opensearch-client_${id}`);
    expect(sim.model.secretContent(answer["secret-tls"]!)!["tls-ca"]).toMatch(/^-----BEGIN CERTIFICATE-----/);
    for (const unit of ["app/0", "app/1"]) {
      expect(sim.model.unitStatus(unit)).toEqual({
        status: "active",
        message: `ready: opensearch-client_${id}@10.1.0.10:9200/myindex`,
      });
      expect(sim.model.unit(unit).statusHistory.map((s) => s.status)).toContain("waiting");
    }
    expect(sim.model.unitStatus("opensearch/0")).toEqual({
      status: "active",
      message: "serving index requests",
    });

    // Rotation through the provider's action: every client unit hears `authenticationUpdated`.
    expect((await sim.runHook("opensearch/0", "action", { actionName: "rotate-passwords" })).ok).toBe(true);
    await settle();
    const rotated = sim.model.secretContent(answer["secret-user"]!)!;
    expect(rotated.password).not.toBe(user.password);
    for (const unit of ["app/0", "app/1"])
      expect(sim.model.logs(unit).some((l) => l.message === `authentication updated on ${EP}:${id}`)).toBe(
        true,
      );

    // Scale both sides out, then in (the client's leader and a provider unit leave).
    const client = sim.addUnit("app");
    const node = sim.addUnit("opensearch");
    await settle();
    sim.removeUnit("app/0");
    sim.removeUnit(node);
    await settle();
    expect(sim.model.leaderOf("app")).not.toBe("app/0");
    expect(sim.model.unitStatus(client).message).toMatch(/^ready: /);
    expect(sim.model.secrets().filter((s) => s.owner.kind === "application")).toHaveLength(2);

    // Secrets never travel in argv.
    const argv = sim.model
      .calls()
      .flatMap((c) => c.argv)
      .join(" ");
    for (const secret of [user.password, rotated.password]) expect(argv).not.toContain(secret);

    // Removal: no secret of the relation left, no failed hook at all, the client waits again.
    sim.removeRelation(id);
    await settle();
    expect(sim.model.secrets()).toEqual([]);
    expect(sim.hooks.filter((h) => !h.ok)).toEqual([]);
    expect(sim.model.unitStatus(client)).toMatchObject({ status: "waiting" });
    expect(
      sim.model.logs("opensearch/0").some((l) => l.message.endsWith(`dropping user opensearch-client_${id}`)),
    ).toBe(true);
  });
});
