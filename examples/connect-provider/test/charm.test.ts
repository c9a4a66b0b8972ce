/**
 * The example provider in-process on the Simulation, against this package's reference requirer and a
 * plugin server on 127.0.0.1: plugins on every worker before credentials, retries after a failed
 * download, scale-out, TLS, password rotation, cleanup; and the exported provider conformance suite.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectIntegration } from "@charm-relations/interface-connect-client";
import {
  charmRunner,
  type PluginServer,
  pluginTarball,
  providerConformance,
  referenceRequirer,
  servePlugins,
} from "@charm-relations/interface-connect-client/testing";
import { Simulation } from "@charm-relations/juju-secrets-core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PEER_PLUGINS, setup } from "../src/charm.js";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2E=\n-----END CERTIFICATE-----";
const TARBALL = pluginTarball();
let server: PluginServer;

beforeAll(async () => {
  server = await servePlugins({ "/plugin.tar.gz": TARBALL });
});
afterAll(() => server.close());

async function deployed(options: { pluginPath?: string; providerUnits?: number } = {}) {
  const charmDir = mkdtempSync(join(tmpdir(), "connect-provider-"));
  const seen = new Map<string, ConnectIntegration[]>();
  const sim = new Simulation();
  sim.deploy("kafka-connect", {
    runner: charmRunner(setup),
    units: options.providerUnits ?? 2,
    endpoints: { "connect-client": "provides:connect_client", workers: "peers:connect_workers" },
    charmDir,
  });
  const pluginUrl = `${server.baseUrl}${options.pluginPath ?? "/plugin.tar.gz"}`;
  sim.deploy("integrator", {
    runner: referenceRequirer({ pluginUrl }, seen),
    units: 2,
    endpoints: { "connect-client": "requires:connect_client" },
  });
  expect((await sim.settle()).settled).toBe(true);
  const id = sim.relate("kafka-connect:connect-client", "integrator:connect-client");
  const result = await sim.settle();
  return { sim, id, seen, charmDir, result, pluginUrl };
}

const pluginFile = (charmDir: string, unit: string, id: number) =>
  join(charmDir, "plugins", unit.replace("/", "-"), `relation-${id}.tar`);

describe("example provider", () => {
  it("installs the plugin on every worker before publishing credentials, then serves every worker's endpoint", async () => {
    const { sim, id, seen, charmDir, result } = await deployed();
    expect(result).toMatchObject({ settled: true, failed: [] });
    for (const unit of ["kafka-connect/0", "kafka-connect/1"]) {
      expect(readFileSync(pluginFile(charmDir, unit, id))).toEqual(TARBALL);
    }
    const bag = sim.model.appBag(id, "kafka-connect");
    expect(bag.endpoints).toBe("http://10.1.0.10:8083,http://10.1.0.11:8083");
    expect(sim.model.secretContent(bag["secret-tls"]!)).toEqual({ tls: "disabled", "tls-ca": "disabled" });
    // The non-leader announced the plugin before the leader published secret-user.
    const announced = sim.hooks.findIndex((h) =>
      h.databags.some(
        (d) =>
          d.owner === "kafka-connect/1" &&
          d.bag === "unit" &&
          d.set[PEER_PLUGINS]?.includes(`relation-${id}`),
      ),
    );
    const published = sim.hooks.findIndex((h) =>
      h.databags.some((d) => d.owner === "kafka-connect" && "secret-user" in d.set),
    );
    expect(announced).toBeGreaterThanOrEqual(0);
    expect(published).toBeGreaterThan(announced);
    for (const unit of ["integrator/0", "integrator/1"]) {
      expect(seen.get(unit)?.[0]).toMatchObject({
        username: `relation-${id}`,
        endpoints: ["http://10.1.0.10:8083", "http://10.1.0.11:8083"],
      });
    }
    expect(sim.model.unitStatus("kafka-connect/0")).toEqual({
      status: "active",
      message: "serving integrators",
    });
  });

  it("a failed download blocks with a clear message, publishes nothing, and is retried on update-status", async () => {
    const { sim, id, seen, result } = await deployed({ pluginPath: "/later.tar.gz" });
    expect(result.settled).toBe(true);
    expect(sim.model.appBag(id, "kafka-connect")["secret-user"]).toBeUndefined();
    const status = sim.model.unitStatus("kafka-connect/0");
    expect(status.status).toBe("blocked");
    expect(status.message).toBe(
      `plugin download from ${server.baseUrl}/later.tar.gz failed: the server answered HTTP 404 Not Found`,
    );
    server.set("/later.tar.gz", TARBALL);
    await sim.runHook("kafka-connect/1", "update-status");
    await sim.runHook("kafka-connect/0", "update-status");
    expect((await sim.settle()).settled).toBe(true);
    expect(sim.model.appBag(id, "kafka-connect")["secret-user"]).toBeDefined();
    expect(seen.get("integrator/0")).toHaveLength(1);
  });

  it("scale out → the new worker gets the plugin, integrators get the new endpoint; TLS on → https + CA", async () => {
    const { sim, id, seen, charmDir } = await deployed();
    const added = sim.addUnit("kafka-connect");
    expect((await sim.settle()).settled).toBe(true);
    expect(existsSync(pluginFile(charmDir, added, id))).toBe(true);
    expect(sim.model.appBag(id, "kafka-connect").endpoints).toBe(
      "http://10.1.0.10:8083,http://10.1.0.11:8083,http://10.1.0.14:8083",
    );
    expect(seen.get("integrator/1")?.at(-1)?.endpoints).toHaveLength(3);
    sim.configure("kafka-connect", { "tls-ca": PEM });
    expect((await sim.settle()).settled).toBe(true);
    const last = seen.get("integrator/0")!.at(-1)!;
    expect(last).toMatchObject({ tls: true, tlsCa: PEM });
    expect(last.endpoints.every((e) => e.startsWith("https://"))).toBe(true);
    expect(sim.hooks.every((h) => h.ok)).toBe(true);
  });

  it("rotate-passwords: a new revision of the user secret, seen by every integrator unit", async () => {
    const { sim, id, seen } = await deployed();
    const before = seen.get("integrator/0")![0]!.password;
    const action = await sim.runHook("kafka-connect/0", "action", { actionName: "rotate-passwords" });
    expect(action.ok).toBe(true);
    expect((await sim.settle()).settled).toBe(true);
    const uri = sim.model.appBag(id, "kafka-connect")["secret-user"]!;
    expect(sim.model.secret(uri)!.latestRevision).toBe(2);
    for (const unit of ["integrator/0", "integrator/1"]) {
      const last = seen.get(unit)!.at(-1)!;
      expect(last.password).not.toBe(before);
      expect(last.password).toMatch(/^[0-9a-f]{32}$/);
    }
    const refused = await sim.runHook("kafka-connect/1", "action", { actionName: "rotate-passwords" });
    expect(refused.ok).toBe(false);
  });

  it("removing the relation deletes the plugin on every worker and every secret of the relation", async () => {
    const { sim, id, charmDir } = await deployed();
    sim.removeRelation(id);
    expect((await sim.settle()).settled).toBe(true);
    for (const unit of ["kafka-connect/0", "kafka-connect/1"]) {
      expect(readdirSync(join(charmDir, "plugins", unit.replace("/", "-")))).toEqual([]);
    }
    expect(
      sim.model.secrets().filter((s) => s.owner.kind === "application" && s.owner.app === "kafka-connect"),
    ).toEqual([]);
    expect(sim.hooks.every((h) => h.ok)).toBe(true);
  });
});

describe("example provider: connect_client conformance", () => {
  const charmDir = mkdtempSync(join(tmpdir(), "connect-provider-conformance-"));
  for (const c of providerConformance({
    runner: charmRunner(setup),
    endpoints: { workers: "peers:connect_workers" },
    charmDir,
    get pluginUrl() {
      return `${server.baseUrl}/plugin.tar.gz`;
    },
  })) {
    it(c.name, c.run);
  }
});
