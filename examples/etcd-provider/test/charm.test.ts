import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EtcdRequirer, type EtcdState } from "@charm-relations/interface-etcd";
import { checkEtcdProviderCharm } from "@charm-relations/interface-etcd/testing";
import { Charm } from "@charm-relations/juju-secrets-core";
import { type HookRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { setup, TLS_FILES } from "../src/charm.js";

// TEST-ONLY PEMs of the interface package (client1/client2 signed by ca.pem).
const PEMS = fileURLToPath(new URL("../../../packages/interface-etcd/test/fixtures/", import.meta.url));

const CERT_2 = readFileSync(join(PEMS, "client2.pem"), "utf8");

function tlsDir(client: 1 | 2, dir = mkdtempSync(join(tmpdir(), "etcd-tls-"))): string {
  copyFileSync(join(PEMS, `client${client}.key`), join(dir, TLS_FILES.key));
  copyFileSync(join(PEMS, `client${client}.pem`), join(dir, TLS_FILES.cert));
  copyFileSync(join(PEMS, "ca.pem"), join(dir, TLS_FILES.ca));
  return dir;
}

const runner =
  (fn: (charm: Charm) => void): HookRunner =>
  async (backend, context) => {
    const charm = new Charm({ backend, context });
    fn(charm);
    await charm.dispatch();
  };

function consumer(states: Record<string, EtcdState>, changes: string[]): HookRunner {
  return runner((charm) => {
    const etcd = new EtcdRequirer(charm, { endpoint: "etcd", stateDir: false });
    etcd.on("available", () => {
      states[charm.unit] = etcd.state;
    });
    etcd.on("unavailable", () => {
      states[charm.unit] = etcd.state;
    });
    etcd.on("tlsAvailable", (e) => {
      changes.push(`${charm.unit} client${e.credentials.cert === CERT_2 ? 2 : 1}`);
    });
  });
}

function deploy(tls: string) {
  const sim = new Simulation();
  sim.deploy("etcd", {
    runner: runner(setup),
    units: 2,
    endpoints: { db: "provides:etcd", cluster: "peers:etcd" },
    config: { port: 2379, "etcd-version": "3.4.22", "tls-dir": tls },
  });
  const states: Record<string, EtcdState> = {};
  const changes: string[] = [];
  sim.deploy("kcp", { runner: consumer(states, changes), units: 2, endpoints: { etcd: "requires:etcd" } });
  const rel = sim.relate("etcd:db", "kcp:etcd");
  return { sim, rel, states, changes };
}

const urls = (sim: Simulation, units: string[]) =>
  units
    .map((u) => sim.model.unit(u).address)
    .sort()
    .map((a) => `https://${a}:2379`)
    .join(",");

describe("example etcd-provider", () => {
  it("passes the interface's provider conformance run", async () => {
    const report = await checkEtcdProviderCharm(runner(setup), {
      endpoints: { cluster: "peers:etcd" },
      config: { port: 2379, "etcd-version": "3.4.22", "tls-dir": tlsDir(1) },
    });
    expect(report.problems).toEqual([]);
  });

  it("every unit, leader or not, publishes the same member list and credentials", async () => {
    const tls = tlsDir(1);
    const { sim, rel, states } = deploy(tls);
    const result = await sim.settle();
    expect(result.failed).toEqual([]);
    expect(result.settled).toBe(true);
    const cs = urls(sim, ["etcd/0", "etcd/1"]);
    for (const unit of ["etcd/0", "etcd/1"]) {
      const bag = sim.model.unitBag(rel, unit);
      expect(Object.keys(bag).sort()).toEqual([
        "client_ca",
        "client_cert",
        "client_key",
        "connection_string",
        "version",
      ]);
      expect(bag.connection_string).toBe(cs);
      expect(bag.version).toBe("3.4.22");
      expect(sim.model.unitStatus(unit)).toEqual({
        status: "active",
        message: "serving 1 client relation, 2 members, client TLS",
      });
    }
    expect(sim.model.isLeader("etcd/1")).toBe(false);
    for (const unit of ["kcp/0", "kcp/1"])
      expect(states[unit]).toMatchObject({ available: true, tlsAvailable: true, connectionString: cs });
  });

  it("scale out and in, rotation on disk, and bad credentials", async () => {
    const tls = tlsDir(1);
    const { sim, rel, states, changes } = deploy(tls);
    await sim.settle();

    sim.addUnit("etcd");
    expect((await sim.settle()).failed).toEqual([]);
    const three = urls(sim, ["etcd/0", "etcd/1", "etcd/2"]);
    for (const unit of ["etcd/0", "etcd/1", "etcd/2"])
      expect(sim.model.unitBag(rel, unit).connection_string).toBe(three);
    expect(states["kcp/0"]?.connectionString).toBe(three);

    // Rotation: new files on disk, picked up at the next hook of each unit.
    tlsDir(2, tls);
    changes.length = 0;
    for (const unit of ["etcd/0", "etcd/1", "etcd/2"]) await sim.runHook(unit, "update-status");
    await sim.settle();
    expect(sim.model.unitBag(rel, "etcd/2").client_key).toContain("RSA PRIVATE KEY");
    expect(
      new Set(["etcd/0", "etcd/1", "etcd/2"].map((u) => sim.model.unitBag(rel, u).client_cert)).size,
    ).toBe(1);
    expect(sim.model.unitBag(rel, "etcd/0").client_cert).toBe(CERT_2);
    expect(changes).toContain("kcp/0 client2");
    expect(changes).toContain("kcp/1 client2");

    // A key that does not match the certificate: blocked, nothing published changes.
    const before = sim.model.unitBag(rel, "etcd/1");
    copyFileSync(join(PEMS, "client1.key"), join(tls, TLS_FILES.key));
    const record = await sim.runHook("etcd/1", "update-status");
    expect(record.ok).toBe(true);
    expect(record.status.status).toBe("blocked");
    expect(record.status.message).toContain("client_key");
    expect(record.status.message).not.toContain("MII");
    expect(sim.model.unitBag(rel, "etcd/1")).toEqual(before);
    tlsDir(2, tls);

    // Scale in: etcd/0 stops advertising itself; consumers move on, members shrink.
    sim.removeUnit("etcd/0");
    expect((await sim.settle()).failed).toEqual([]);
    const two = urls(sim, ["etcd/1", "etcd/2"]);
    for (const unit of ["etcd/1", "etcd/2"]) expect(sim.model.unitBag(rel, unit).connection_string).toBe(two);
    for (const unit of ["kcp/0", "kcp/1"])
      expect(states[unit]).toMatchObject({ available: true, connectionString: two });
  });

  it("without credential files it serves the connection string only; removing the relation fails nothing", async () => {
    const { sim, rel, states } = deploy(mkdtempSync(join(tmpdir(), "etcd-empty-")));
    await sim.settle();
    expect(Object.keys(sim.model.unitBag(rel, "etcd/0")).sort()).toEqual(["connection_string", "version"]);
    expect(states["kcp/0"]).toMatchObject({ available: true, tlsAvailable: false });
    sim.removeRelation(rel);
    const result = await sim.settle();
    expect(result.failed).toEqual([]);
    expect(sim.model.unitStatus("etcd/0").message).toBe(
      "serving 0 client relations, 2 members, no client TLS",
    );
    expect(states["kcp/0"]).toMatchObject({ available: false });
  });
});
