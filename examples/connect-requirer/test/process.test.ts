/**
 * Both example charms as real processes (their `dispatch` scripts, `node dist/charm.js`) against the
 * hook-tool fake executables: relate, plugin download from 127.0.0.1, rotation, scale out and in,
 * relation removal. Needs the build output: run `pnpm build` (or
 * `pnpm exec turbo run build --filter=@charm-relations/example-connect-requirer... --filter=@charm-relations/example-connect-provider...`) first.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type PluginServer,
  pluginTarball,
  servePlugins,
} from "@charm-relations/interface-connect-client/testing";
import {
  createHookToolBin,
  linkCharmDir,
  processRunner,
  Simulation,
} from "@charm-relations/juju-secrets-core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const REQUIRER_DIR = join(here, "..");
const PROVIDER_DIR = join(here, "..", "..", "connect-provider");
const UUID = "0318ba22-7bb6-4c71-a69b-d3ea86536e1c";
const TARBALL = pluginTarball({
  "mysql-connector/lib/connector.jar": "PK\u0003\u0004 jar",
  "mysql-connector/manifest.json": "{}",
});

let server: PluginServer;
let bin: string;

beforeAll(async () => {
  for (const dir of [REQUIRER_DIR, PROVIDER_DIR]) {
    if (!existsSync(join(dir, "dist", "charm.js"))) {
      throw new Error(`${dir}/dist/charm.js is missing: build first (pnpm build at the repository root)`);
    }
  }
  bin = createHookToolBin();
  server = await servePlugins({ "/mysql-connector.tar.gz": TARBALL });
});
afterAll(() => server?.close());

describe("example charms as processes", () => {
  // Every hook is a node process and every hook tool another one: keep the topology small (one
  // worker; scale-out of workers is covered in-process) and skip install/start (lifecycle: false).
  it("full lifecycle: no failed hook, the plugin installed, rotation seen, nothing left behind", {
    timeout: 600_000,
  }, async () => {
    const pluginDir = mkdtempSync(join(tmpdir(), "connect-plugins-"));
    const sim = new Simulation({ uuid: UUID, lifecycle: false });
    const runner = (dir: string) =>
      processRunner(join(dir, "dispatch"), [], { cwd: dir, binDir: bin, timeoutMs: 60_000 });
    sim.deploy("kafka-connect", {
      runner: runner(PROVIDER_DIR),
      units: 1,
      endpoints: { "connect-client": "provides:connect_client", workers: "peers:connect_workers" },
      config: { "plugin-dir": pluginDir },
      charmDir: linkCharmDir(PROVIDER_DIR), // fresh unit-local state, nothing written into the source tree
    });
    sim.deploy("mysql-source", {
      runner: runner(REQUIRER_DIR),
      units: 2,
      endpoints: { "connect-client": "requires:connect_client" },
      config: { "plugin-url": `${server.baseUrl}/mysql-connector.tar.gz`, "integrator-name": "mysql-source" },
      charmDir: linkCharmDir(REQUIRER_DIR),
    });
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    const id = sim.relate("kafka-connect", "mysql-source");
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });

    // The request as the Python library writes it, and kafka-connect-operator's answer.
    expect(sim.model.appBag(id, "mysql-source")["plugin-url"]).toBe(
      `${server.baseUrl}/mysql-connector.tar.gz`,
    );
    const answer = sim.model.appBag(id, "kafka-connect");
    expect(answer.endpoints).toBe("http://10.1.0.10:8083");
    const user = sim.model.secretContent(answer["secret-user"]!)!;
    expect(user.username).toBe(`relation-${id}`);
    expect(sim.model.secretContent(answer["secret-tls"]!)).toEqual({ tls: "disabled", "tls-ca": "disabled" });
    expect(readFileSync(join(pluginDir, "kafka-connect-0", `relation-${id}.tar`))).toEqual(TARBALL);
    expect(server.requests).toEqual(["/mysql-connector.tar.gz"]);
    const connector = `mysql-source_r${id}_${UUID.replace(/-/g, "")}`;
    for (const unit of ["mysql-source/0", "mysql-source/1"]) {
      expect(sim.model.unitStatus(unit)).toEqual({
        status: "active",
        message: `ready: connector ${connector} via http://10.1.0.10:8083 as relation-${id}, tls off`,
      });
    }

    // Password rotation through the provider's action: every integrator unit hears about it.
    const action = await sim.runHook("kafka-connect/0", "action", { actionName: "rotate-passwords" });
    expect(action.ok).toBe(true);
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    for (const unit of ["mysql-source/0", "mysql-source/1"]) {
      expect(
        sim.model
          .logs(unit)
          .some((l) => l.message.endsWith(`credentials rotated on connect-client:${id} (user)`)),
      ).toBe(true);
    }
    const rotated = sim.model.secretContent(answer["secret-user"]!)!;
    expect(rotated.password).not.toBe(user.password);

    // Scale the integrator out, then remove its leader.
    const added = sim.addUnit("mysql-source");
    sim.removeUnit("mysql-source/0");
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    expect(sim.model.leaderOf("mysql-source")).toBe("mysql-source/1");
    expect(sim.model.unitStatus(added).message).toMatch(/^ready: /);

    // Secrets never travel in argv: no password in any recorded hook-tool call.
    const argv = sim.model
      .calls()
      .flatMap((c) => c.argv)
      .join(" ");
    for (const secret of [user.password, rotated.password]) expect(argv).not.toContain(secret);

    // Removal: the plugin deleted, no secret of the relation left, no failed hook at all.
    sim.removeRelation(id);
    expect(await sim.settle()).toMatchObject({ settled: true, failed: [] });
    expect(readdirSync(join(pluginDir, "kafka-connect-0"))).toEqual([]);
    expect(sim.model.secrets().filter((s) => s.owner.kind === "application")).toEqual([]);
    expect(sim.hooks.filter((h) => !h.ok)).toEqual([]);
    expect(sim.model.unitStatus(added)).toMatchObject({ status: "waiting" });
  });
});
