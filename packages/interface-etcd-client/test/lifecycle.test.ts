/**
 * Full lifecycles on the Simulation: our provider (2 units, non-leader included) and our requirer
 * (2 units), both contracts: relate, settle, rotate the client certificate (same CN, new CN), rotate
 * the CA, move endpoints, scale out and in, remove the relation — no failed hook, no orphaned secret.
 */
import { Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { CLIENT1_CERT, CLIENT1_RENEWED_CERT, CLIENT2_CERT } from "./fixtures/certs.js";
import {
  ENDPOINT,
  etcdProvider,
  etcdRequirer,
  eventsOf,
  inProcess,
  type LoggedEvent,
  SERVER_CA_2,
} from "./harness.js";

function deployPair(contract: "v0" | "v1") {
  const sim = new Simulation();
  const log: LoggedEvent[] = [];
  sim.deploy("provider", {
    runner: inProcess(etcdProvider(log, { version: "3.6.5" })),
    units: 2,
    endpoints: { [ENDPOINT]: "provides:etcd_client" },
  });
  sim.deploy("requirer", {
    runner: inProcess(etcdRequirer(log, { prefix: "/app/", contract })),
    units: 2,
    endpoints: { [ENDPOINT]: "requires:etcd_client" },
    config: { "mtls-cert": CLIENT1_CERT },
  });
  return { sim, log };
}

async function settled(sim: Simulation) {
  const r = await sim.settle();
  expect(r.failed).toEqual([]);
  expect(r.settled).toBe(true);
  return r;
}

const cns = (e: LoggedEvent) => (e.payload.certificates as { commonName: string }[]).map((c) => c.commonName);

describe.each(["v1", "v0"] as const)("lifecycle, %s contract", (contract) => {
  it("relate → rotate → scale → remove", async () => {
    const { sim, log } = deployPair(contract);
    await settled(sim);
    const rel = sim.relate("requirer", "provider");
    await settled(sim);
    const model = sim.model;

    // -- answered once, on the leader; every requirer unit ready; the non-leader knows the certificate
    const requested = eventsOf(log, "clientRequested");
    expect(requested).toHaveLength(1);
    expect(requested[0]!.unit).toBe("provider/0");
    expect(requested[0]!.payload).toMatchObject({
      prefix: "/app/",
      commonName: "client1.requirer-charm",
      contract,
    });
    if (contract === "v1") expect(requested[0]!.payload.requestId).toMatch(/^[0-9a-f]{16}$/);
    for (const unit of ["requirer/0", "requirer/1"]) {
      const ready = eventsOf(log, "etcdReady", unit);
      expect(ready).toHaveLength(1);
      expect(ready[0]!.payload).toMatchObject({
        username: "client1.requirer-charm",
        endpoints: ["10.1.0.10:2379"],
        uris: ["https://10.1.0.10:2379"],
        version: "3.6.5",
        prefix: "/app/",
        contract,
      });
      if (contract === "v0") expect(ready[0]!.payload.tls).toBe(true);
      else expect(ready[0]!.payload).not.toHaveProperty("tls");
    }
    const nonLeader = eventsOf(log, "trustStoreRefresh", "provider/1");
    expect(nonLeader.length).toBeGreaterThan(0);
    expect(cns(nonLeader.at(-1)!)).toEqual(["client1.requirer-charm"]);
    expect(
      sim.hooks
        .filter((h) => h.unit === "provider/1")
        .every((h) => h.databags.every((d) => d.bag === "unit")),
    ).toBe(true);
    const owners = () =>
      model
        .secrets()
        .map((s) => `${s.owner.kind === "application" ? s.owner.app : s.owner.unit}:${s.label}`)
        .sort();
    const id = contract === "v1" ? `${requested[0]!.payload.requestId}.` : "";
    expect(owners()).toEqual([
      `provider:etcd-client.${rel}.${id}tls.secret`,
      `provider:etcd-client.${rel}.${id}user.secret`,
      `requirer:etcd-client.${rel}.${id}mtls.secret`,
    ]);

    // -- idempotent: another relation-changed anywhere writes nothing
    for (const unit of ["provider/0", "provider/1", "requirer/0", "requirer/1"]) {
      const h = await sim.runHook(unit, "relation-changed", { relationId: rel });
      expect(h.ok).toBe(true);
      expect(h.databags).toEqual([]);
      expect(h.secrets?.updated ?? []).toEqual([]);
    }
    await settled(sim);

    // -- renewal with the same CN: every provider unit sees it, the user stays
    let mark = log.length;
    sim.configure("requirer", { "mtls-cert": CLIENT1_RENEWED_CERT });
    await settled(sim);
    let changed = eventsOf(log.slice(mark), "clientCertificateChanged");
    expect(changed.map((e) => e.unit).sort()).toEqual(["provider/0", "provider/1"]);
    for (const e of changed) {
      expect(e.payload).toMatchObject({
        source: "secret-changed",
        commonName: "client1.requirer-charm",
        oldCommonName: "client1.requirer-charm",
        commonNameChanged: false,
        certificate: CLIENT1_RENEWED_CERT,
        oldCertificate: CLIENT1_CERT,
      });
    }
    for (const unit of ["provider/0", "provider/1"]) {
      const refresh = eventsOf(log.slice(mark), "trustStoreRefresh", unit).at(-1)!;
      expect(refresh.payload.certificates[0].leaf).toBe(CLIENT1_RENEWED_CERT);
    }
    expect(eventsOf(log.slice(mark), "credentialsRotated")).toEqual([]);

    // -- a new CN: the leader re-publishes the username, every requirer unit hears of it
    mark = log.length;
    sim.configure("requirer", { "mtls-cert": CLIENT2_CERT });
    await settled(sim);
    changed = eventsOf(log.slice(mark), "clientCertificateChanged", "provider/0");
    expect(changed).toHaveLength(1);
    expect(changed[0]!.payload).toMatchObject({
      commonName: "client2.requirer-charm",
      oldCommonName: "client1.requirer-charm",
      commonNameChanged: true,
    });
    for (const unit of ["requirer/0", "requirer/1"]) {
      const rotated = eventsOf(log.slice(mark), "credentialsRotated", unit);
      expect(rotated.at(-1)!.payload.username).toBe("client2.requirer-charm");
    }
    expect(eventsOf(log.slice(mark), "clientRequested")).toEqual([]);

    // -- the server CA rotates
    mark = log.length;
    sim.configure("provider", { "tls-ca": SERVER_CA_2 });
    await settled(sim);
    for (const unit of ["requirer/0", "requirer/1"]) {
      expect(eventsOf(log.slice(mark), "caRotated", unit).map((e) => e.payload.tlsCa)).toEqual([SERVER_CA_2]);
    }

    // -- the cluster moves: endpoints (plain key) and uris (user secret) change together
    mark = log.length;
    sim.configure("provider", { endpoints: "10.1.0.20:2379,10.1.0.21:2379" });
    await settled(sim);
    for (const unit of ["requirer/0", "requirer/1"]) {
      const moved = eventsOf(log.slice(mark), "endpointsChanged", unit);
      expect(moved).toHaveLength(1);
      expect(moved[0]!.payload.endpoints).toEqual(["10.1.0.20:2379", "10.1.0.21:2379"]);
      expect(moved[0]!.payload.uris).toEqual(["https://10.1.0.20:2379", "https://10.1.0.21:2379"]);
    }

    // -- scale out both sides: the new provider unit learns the certificate, the new requirer unit is ready
    mark = log.length;
    sim.addUnit("provider");
    sim.addUnit("requirer");
    await settled(sim);
    const joined = eventsOf(log.slice(mark), "trustStoreRefresh", "provider/2");
    expect(joined.length).toBeGreaterThan(0);
    expect(cns(joined.at(-1)!)).toEqual(["client2.requirer-charm"]);
    expect(eventsOf(log.slice(mark), "etcdReady", "requirer/2").map((e) => e.payload.username)).toEqual([
      "client2.requirer-charm",
    ]);
    expect(eventsOf(log.slice(mark), "clientRequested")).toEqual([]);

    // -- scale in (non-leaders): nothing of the relation is lost
    sim.removeUnit("provider/1");
    sim.removeUnit("requirer/1");
    await settled(sim);
    expect(owners()).toHaveLength(3);

    // -- remove the relation: the user is deleted, every secret is gone, both sides hear of it
    mark = log.length;
    sim.removeRelation(rel);
    await settled(sim);
    const removed = eventsOf(log.slice(mark), "clientRemoved");
    expect(removed).toHaveLength(1);
    expect(removed[0]!.payload).toMatchObject({
      relation: { endpoint: ENDPOINT, id: rel },
      commonName: "client2.requirer-charm",
      reason: "relation-broken",
    });
    expect(removed[0]!.unit).toBe("provider/0");
    expect(
      eventsOf(log.slice(mark), "gone")
        .map((e) => e.unit)
        .sort(),
    ).toEqual(["provider/0", "provider/2", "requirer/0", "requirer/2"]);
    for (const unit of ["provider/0", "provider/2"]) {
      const last = eventsOf(log.slice(mark), "trustStoreRefresh", unit).at(-1)!;
      expect(last.payload.reason).toBe("relation-broken");
      expect(last.payload.certificates).toEqual([]);
    }
    expect(model.secrets()).toEqual([]);
    expect(sim.hooks.every((h) => h.ok)).toBe(true);
  });
});

describe("leader scale-in (LP#1979811)", () => {
  it("a departing leader keeps the relation's secrets, deletes no user, and the new leaders carry on", async () => {
    const sim = new Simulation();
    const log: LoggedEvent[] = [];
    sim.deploy("provider", {
      runner: inProcess(etcdProvider(log)),
      units: 2,
      endpoints: { [ENDPOINT]: "provides:etcd_client" },
    });
    sim.deploy("requirer", {
      runner: inProcess(etcdRequirer(log, {})),
      units: 2,
      endpoints: { [ENDPOINT]: "requires:etcd_client" },
      config: { "mtls-cert": CLIENT1_CERT },
    });
    // Related before the first settle: leader-elected already sees the relation (no double request).
    const rel = sim.relate("requirer", "provider");
    await settled(sim);
    const secrets = () =>
      sim.model
        .secrets()
        .map((s) => s.label)
        .sort();
    const before = secrets();
    expect(before).toHaveLength(3);
    sim.removeUnit("requirer/0");
    sim.removeUnit("provider/0");
    await settled(sim);
    expect(secrets()).toEqual(before);
    expect(eventsOf(log, "clientRemoved")).toEqual([]);
    expect(eventsOf(log, "gone").map((e) => [e.unit, e.payload.departing])).toEqual([
      ["requirer/0", true],
      ["provider/0", true],
    ]);
    // The survivors lead now: a certificate rotation still goes through end to end.
    expect(sim.model.leaderOf("requirer")).toBe("requirer/1");
    expect(sim.model.leaderOf("provider")).toBe("provider/1");
    const mark = log.length;
    sim.configure("requirer", { "mtls-cert": CLIENT2_CERT });
    await settled(sim);
    expect(eventsOf(log.slice(mark), "clientCertificateChanged", "provider/1")[0]!.payload).toMatchObject({
      commonName: "client2.requirer-charm",
      oldCommonName: "client1.requirer-charm",
      commonNameChanged: true,
    });
    expect(eventsOf(log.slice(mark), "credentialsRotated", "requirer/1")[0]!.payload.username).toBe(
      "client2.requirer-charm",
    );
    // And a real removal still cleans everything up.
    sim.removeRelation(rel);
    await settled(sim);
    expect(sim.model.secrets()).toEqual([]);
    expect(eventsOf(log, "clientRemoved").map((e) => e.payload.commonName)).toEqual([
      "client2.requirer-charm",
    ]);
  });
});
