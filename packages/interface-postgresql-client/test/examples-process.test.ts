/**
 * The two example charms as real processes: each hook runs `examples/<charm>/dispatch` (which execs
 * `node ./dist/charm.js`) with Juju's environment, the hook-tool fake executables first on PATH and the
 * simulated model behind them, i.e. through the core's ProcessBackend exactly as under Juju.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHookToolBin, processRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { providerAnsweredAppV0, requirerAppV0, userSecret } from "../src/index.js";

const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));
const PROVIDER = join(EXAMPLES, "postgresql-provider");
const REQUIRER = join(EXAMPLES, "postgresql-requirer");

let binDir: string;
beforeAll(() => {
  // Incremental: compiles the examples and what they reference (core, this package) only if stale.
  for (const dir of [PROVIDER, REQUIRER])
    execFileSync(join(dir, "node_modules", ".bin", "tsc"), ["-b"], { cwd: dir, stdio: "pipe" });
  binDir = createHookToolBin();
}, 180_000);

const runner = (dir: string) =>
  processRunner(join(dir, "dispatch"), [], { cwd: dir, binDir, timeoutMs: 30_000 });

describe("example charms through the process backend", () => {
  // Every hook and every hook-tool call is a node process here (~0.3 s each), so the topology is the
  // smallest that shows the whole story; scaling and the departing flow run in-process elsewhere.
  it("relate → waiting → ready → rotate → remove, with no failed hook", { timeout: 240_000 }, async () => {
    const sim = new Simulation({ lifecycle: false });
    sim.deploy("postgresql", {
      runner: runner(PROVIDER),
      units: 1,
      endpoints: { database: "provides:postgresql_client", "postgresql-peers": "peers:postgresql_peers" },
      charmDir: mkdtempSync(join(tmpdir(), "postgresql-provider-unit-")),
      config: { endpoints: "10.1.0.10:5432", version: "16.8.1", "tls-ca": "", "password-generation": 0 },
    });
    sim.deploy("app", {
      runner: runner(REQUIRER),
      units: 1,
      endpoints: { database: "requires:postgresql_client" },
      config: { database: "myapp", "extra-user-roles": "CREATEDB" },
    });
    const settle = async () => {
      const r = await sim.settle();
      expect(r.failed.map((f) => `${f.unit} ${f.hook}: ${String(f.error)}`)).toEqual([]);
      expect(r.settled).toBe(true);
    };
    await settle();
    expect(sim.model.unitStatus("app/0")).toEqual(
      expect.objectContaining({ status: "waiting", message: "waiting for a database relation" }),
    );

    const id = sim.relate("postgresql", "app");
    await settle();
    expect(sim.model.unitStatus("app/0")).toEqual(
      expect.objectContaining({ status: "active", message: `ready: relation-${id}@10.1.0.10:5432/myapp` }),
    );
    // Before the answer arrived the requirer said it was waiting for credentials.
    const history = sim.model.unit("app/0").statusHistory.map((s) => `${s.status} ${s.message}`);
    expect(history).toContain("waiting waiting for database credentials");
    expect(sim.model.unitStatus("postgresql/0")).toEqual(
      expect.objectContaining({ status: "active", message: "serving 1 database request(s)" }),
    );
    expect(requirerAppV0.parse(sim.model.appBag(id, "app"))).toMatchObject({
      database: "myapp",
      "extra-user-roles": ["CREATEDB"],
    });
    const providerBag = sim.model.appBag(id, "postgresql");
    expect(providerAnsweredAppV0.safeParse(providerBag).success).toBe(true);
    const userUri = providerBag["secret-user"]!;
    const user = userSecret.parse(sim.model.secretContent(userUri));
    expect(user.username).toBe(`relation-${id}`);

    // The real hook-tool argv: secrets travel as files, never in argv or logs.
    const calls = sim.hooks.flatMap((h) => h.calls);
    expect(calls.some((c) => c.tool === "secret-add")).toBe(true);
    expect(JSON.stringify(calls)).not.toContain(user.password!);

    // Rotation via config: one new revision, seen by the requirer, the old one removed.
    sim.configure("postgresql", { "password-generation": 1 });
    await settle();
    expect(sim.model.secret(userUri)!.revisions.map((r) => r.revision)).toEqual([2]);
    expect(sim.model.logs("app/0").some((l) => l.message === "credentials rotated (user)")).toBe(true);
    const rotated = sim.model.secretContent(userUri)!.password!;
    expect(JSON.stringify([sim.model.logs(), sim.hooks.map((h) => h.calls)])).not.toContain(rotated);

    // Remove the relation: the leader drops the user, every secret goes, the requirer waits again.
    sim.removeRelation(id);
    await settle();
    expect(sim.model.secrets()).toEqual([]);
    const peerId = sim.model.relations({ app: "postgresql", endpoint: "postgresql-peers" })[0]!.id;
    expect(JSON.parse(sim.model.appBag(peerId, "postgresql")["dropped-users"]!)).toEqual([`relation-${id}`]);
    expect(sim.model.unitStatus("app/0")).toMatchObject({ status: "waiting" });
    expect(sim.hooks.every((h) => h.ok)).toBe(true);
  });
});
