/**
 * Full lifecycles on the Simulation, hook by hook as Juju sequences them: our provider and our
 * requirers related, settled, credentials and TLS rotated, endpoints moved, units scaled out and in
 * (leader included), requests added and withdrawn on a live relation, v0 and v1 requirers on one
 * provider, relations removed. No hook may fail, no secret may be orphaned, events fire as documented.
 */
import type { Charm } from "@charm-relations/juju-secrets-core";
import { Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import type { ValkeyConnection } from "../src/definition.js";
import type { ValkeyRequest } from "../src/provider.js";
import type { ValkeyRequirer } from "../src/requirer.js";
import { FakeValkey, providerCharm, requirerCharm, TEST_CA } from "./charms.js";
import { ENDPOINT, EventLog, inProcess } from "./harness.js";

type Conn = { connection: ValkeyConnection };

function world(options: { providerUnits?: number } = {}) {
  const sim = new Simulation();
  const server = new FakeValkey();
  const log = new EventLog();
  sim.deploy("valkey", {
    runner: inProcess(providerCharm(server, log)),
    units: options.providerUnits ?? 2,
    endpoints: { [ENDPOINT]: "provides:valkey_client" },
  });
  return { sim, server, log };
}

function deployRequirer(
  sim: Simulation,
  log: EventLog,
  app: string,
  config: Record<string, unknown>,
  units = 2,
): void {
  sim.deploy(app, {
    runner: inProcess(requirerCharm(log)),
    units,
    endpoints: { [ENDPOINT]: "requires:valkey_client" },
    config,
  });
}

async function settled(sim: Simulation): Promise<void> {
  const result = await sim.settle();
  expect(result.failed.map((f) => `${f.unit} ${f.hook}: ${String(f.error)}`)).toEqual([]);
  expect(result.settled).toBe(true);
}

/** What a requirer unit can see right now (an update-status hook reading `connections()`). */
async function view(
  sim: Simulation,
  log: EventLog,
  unit: string,
): Promise<{ connections: ValkeyConnection[]; ready: boolean }> {
  let out = { connections: [] as ValkeyConnection[], ready: false };
  const record = await sim.runHook(unit, "update-status", {
    runner: inProcess(
      requirerCharm(new EventLog(), (r: ValkeyRequirer, charm: Charm) => {
        charm.on("updateStatus", () => {
          out = { connections: r.connections(), ready: r.isReady() };
        });
      }),
    ),
  });
  expect(record.ok).toBe(true);
  void log;
  return out;
}

const usernames = (server: FakeValkey) => [...server.users.keys()].sort();

describe("v1 requirer with two requests, full lifecycle", () => {
  it("relates, settles, rotates, moves endpoints, scales, and cleans up on removal", async () => {
    const { sim, server, log } = world();
    deployRequirer(sim, log, "requirer", { resources: "requirer-charm:*,*" });
    await settled(sim);
    const id = sim.relate("valkey", "requirer");
    await settled(sim);

    // Two users, named after the relation and each request id.
    const requested = log
      .of<{ request: ValkeyRequest }>("resourceRequested", "valkey/0")
      .map((e) => e.request);
    expect(requested.map((r) => r.resource)).toEqual(["requirer-charm:*", "*"]);
    expect(usernames(server)).toEqual(requested.map((r) => `relation-${id}-${r.requestId}`).sort());
    expect(log.names("valkey/1")).toEqual([]); // request events are leader-only
    expect(log.of("resourcesRequested", "valkey/0")).toHaveLength(1);

    for (const unit of ["requirer/0", "requirer/1"]) {
      const created = log.of<Conn>("resourceCreated", unit).map((e) => e.connection);
      expect(created.map((c) => c.resource).sort()).toEqual(["*", "requirer-charm:*"]);
      for (const c of created) {
        expect(server.users.get(c.username)).toEqual({ password: c.password, resource: c.resource });
        expect(c.endpoints).toEqual(["10.1.0.10:6379"]);
        expect(c.sentinelEndpoints).toEqual(["10.1.0.10:26379", "10.1.0.11:26379"]);
        expect(c.tls).toBe(false);
      }
      // Created once per request, and nothing else.
      expect(log.names(unit).filter((n) => n !== "resourceCreated")).toEqual([]);
      const v = await view(sim, log, unit);
      expect(v.ready).toBe(true);
      expect(v.connections).toHaveLength(2);
    }
    // The provider answered with a `data` entry for every request id (Python v1 requirers need it).
    const providerBag = sim.model.appBag(id, "valkey");
    expect(Object.keys(JSON.parse(providerBag.data!))).toEqual(requested.map((r) => r.requestId));
    // tls secret: "false" and no CA.
    const tlsSecrets = sim.model.secrets().filter((s) => s.label?.endsWith(".tls.secret"));
    expect(tlsSecrets).toHaveLength(2);
    for (const s of tlsSecrets) expect(s.revisions.at(-1)!.content).toEqual({ tls: "false" });

    // Idempotent snapshots: replaying relation-changed writes nothing on either side.
    for (const unit of ["requirer/0", "valkey/0"]) {
      const again = await sim.runHook(unit, "relation-changed", { relationId: id });
      expect(again.ok).toBe(true);
      expect(again.databags).toEqual([]);
      expect(again.secrets?.updated ?? []).toEqual([]);
    }

    // Password rotation → secret-changed → credentialsRotated on every requirer unit.
    log.clear();
    const rotate = await sim.runHook("valkey/0", "action", { actionName: "rotate-passwords" });
    expect(rotate.ok).toBe(true);
    await settled(sim);
    for (const unit of ["requirer/0", "requirer/1"]) {
      const rotated = log.of<Conn & { groups: string[] }>("credentialsRotated", unit);
      expect(rotated).toHaveLength(2);
      for (const r of rotated) {
        expect(r.groups).toEqual(["user"]);
        expect(server.users.get(r.connection.username)?.password).toBe(r.connection.password);
      }
    }

    // TLS on: the tls secret gets `tls: "true"` and the CA; off again: the CA goes.
    log.clear();
    sim.configure("valkey", { tls: true, "tls-ca": TEST_CA });
    await settled(sim);
    for (const s of tlsSecrets)
      expect(sim.model.secretContent(s.xid)).toEqual({ tls: "true", "tls-ca": TEST_CA });
    for (const unit of ["requirer/0", "requirer/1"]) {
      const rotated = log.of<Conn & { groups: string[] }>("credentialsRotated", unit);
      expect(rotated.map((r) => r.groups)).toEqual([["tls"], ["tls"]]);
      expect(rotated.every((r) => r.connection.tls && r.connection.tlsCa === TEST_CA)).toBe(true);
    }
    log.clear();
    sim.configure("valkey", { tls: false });
    await settled(sim);
    for (const s of tlsSecrets) expect(sim.model.secretContent(s.xid)).toEqual({ tls: "false" });
    const off = log.of<Conn>("credentialsRotated", "requirer/0").map((e) => e.connection);
    expect(off.map((c) => [c.tls, c.tlsCa])).toEqual([
      [false, undefined],
      [false, undefined],
    ]);

    // Endpoints move (a failover): endpointsChanged only, per request, per unit.
    log.clear();
    sim.configure("valkey", { endpoints: "10.1.0.11:6379" });
    await settled(sim);
    for (const unit of ["requirer/0", "requirer/1"]) {
      expect(log.names(unit)).toEqual(["endpointsChanged", "endpointsChanged"]);
      expect(log.of<Conn>("endpointsChanged", unit).map((e) => e.connection.endpoints)).toEqual([
        ["10.1.0.11:6379"],
        ["10.1.0.11:6379"],
      ]);
    }

    // Scale the requirer out and in.
    log.clear();
    const newUnit = sim.addUnit("requirer");
    await settled(sim);
    expect(log.of<Conn>("resourceCreated", newUnit)).toHaveLength(2);
    expect(sim.model.unitBag(id, newUnit).data).toBe(sim.model.unitBag(id, "requirer/0").data);
    sim.removeUnit("requirer/1");
    await settled(sim);

    // Scale the provider in, the leader first: its relation-broken must not take the secrets along.
    const before = sim.model.secrets().length;
    sim.removeUnit("valkey/0");
    await settled(sim);
    expect(sim.model.leaderOf("valkey")).toBe("valkey/1");
    expect(sim.model.secrets()).toHaveLength(before);
    expect(usernames(server)).toHaveLength(2);
    // The new leader serves rotations.
    log.clear();
    expect((await sim.runHook("valkey/1", "action", { actionName: "rotate-passwords" })).ok).toBe(true);
    await settled(sim);
    expect(log.of("credentialsRotated", "requirer/0")).toHaveLength(2);
    sim.addUnit("valkey");
    await settled(sim);

    // Remove the relation: users deleted, every secret gone, gone fired on both sides.
    log.clear();
    sim.removeRelation(id);
    await settled(sim);
    expect(usernames(server)).toEqual([]);
    expect(sim.model.secrets()).toEqual([]);
    expect(log.of("gone", "valkey/1")).toHaveLength(1);
    expect(log.of("gone", "requirer/0")).toHaveLength(1);
  });
});

describe("adding and removing a request on a live relation", () => {
  it("creates and deletes exactly the user concerned", async () => {
    const { sim, server, log } = world();
    deployRequirer(sim, log, "app", { resources: "app:*" });
    const id = sim.relate("valkey", "app");
    await settled(sim);
    expect(usernames(server)).toHaveLength(1);
    const [first] = usernames(server);

    log.clear();
    sim.configure("app", { resources: "app:*,cache:*" });
    await settled(sim);
    const added = log.of<{ request: ValkeyRequest }>("resourceRequested").map((e) => e.request);
    expect(added.map((r) => r.resource)).toEqual(["cache:*"]);
    expect(usernames(server)).toEqual([first, added[0]!.username].sort());
    for (const unit of ["app/0", "app/1"]) {
      expect(log.names(unit)).toEqual(["resourceCreated"]);
      expect(log.of<Conn>("resourceCreated", unit)[0]!.connection.resource).toBe("cache:*");
    }

    log.clear();
    sim.configure("app", { resources: "cache:*" });
    await settled(sim);
    const removed = log.of<{ request: ValkeyRequest }>("requestRemoved").map((e) => e.request);
    expect(removed.map((r) => [r.resource, r.username])).toEqual([["app:*", first]]);
    expect(usernames(server)).toEqual([added[0]!.username]);
    // The response and the secrets of the withdrawn request are gone; `data` no longer lists it.
    const bag = sim.model.appBag(id, "valkey");
    const responses = JSON.parse(bag.requests!) as { resource: string }[];
    expect(responses.map((r) => r.resource)).toEqual(["cache:*"]);
    expect(Object.keys(JSON.parse(bag.data!))).toEqual([added[0]!.requestId]);
    expect(
      sim.model
        .secrets()
        .map((s) => s.label)
        .sort(),
    ).toEqual([
      `${ENDPOINT}.${id}.${added[0]!.requestId}.tls.secret`,
      `${ENDPOINT}.${id}.${added[0]!.requestId}.user.secret`,
    ]);
    // The requirer fires nothing for the withdrawn request and only lists what it still wants.
    expect(log.names("app/0")).toEqual([]);
    const v = await view(sim, log, "app/1");
    expect(v.connections.map((c) => c.resource)).toEqual(["cache:*"]);
    expect(v.ready).toBe(true);
    // Re-applying the same config writes nothing.
    const again = await sim.runHook("app/0", "config-changed");
    expect(again.databags).toEqual([]);
  });
});

describe("v0 and v1 requirers on one provider", () => {
  it("answers each in its own contract and spelling, and keeps them apart", async () => {
    const { sim, server, log } = world();
    deployRequirer(sim, log, "modern", { resources: "modern:*,events:*" });
    deployRequirer(sim, log, "legacy", { resources: "legacy:*", contract: "v0" });
    const v1Id = sim.relate("valkey", "modern");
    const v0Id = sim.relate("valkey", "legacy");
    await settled(sim);

    const modern = log
      .of<{ request: ValkeyRequest }>("resourceRequested")
      .map((e) => e.request)
      .filter((r) => r.relation.id === v1Id);
    expect(usernames(server)).toEqual(
      [...modern.map((r) => `relation-${v1Id}-${r.requestId}`), `relation-${v0Id}`].sort(),
    );

    const v1Bag = sim.model.appBag(v1Id, "valkey");
    expect(v1Bag.version).toBe("v1");
    const responses = JSON.parse(v1Bag.requests!) as Record<string, unknown>[];
    expect(Object.keys(responses[0]!)).toEqual([
      "resource",
      "request-id",
      "salt",
      "endpoints",
      "read-only-endpoints",
      "secret-user",
      "secret-tls",
      "secret-extra",
      "secret-entity",
      "version",
      "sentinel-endpoints",
      "mode",
      "mtls-cert",
    ]);

    const v0Bag = sim.model.appBag(v0Id, "valkey");
    expect(Object.keys(v0Bag).sort()).toEqual([
      "data",
      "database",
      "endpoints",
      "mode",
      "read-only-endpoints",
      "secret-tls",
      "secret-user",
      "sentinel_endpoints",
      "version",
    ]);
    expect(v0Bag.database).toBe("legacy:*");
    expect(v0Bag.version).toBe("9.0.1");
    expect(sim.model.secretByLabel(`${ENDPOINT}.${v0Id}.user.secret`)?.revisions[0]?.content.username).toBe(
      `relation-${v0Id}`,
    );

    const legacy = log.of<Conn>("resourceCreated", "legacy/1").map((e) => e.connection);
    expect(legacy.map((c) => [c.contract, c.resource, c.username, c.sentinelEndpoints.length])).toEqual([
      ["v0", "legacy:*", `relation-${v0Id}`, 2],
    ]);
    expect(log.of("resourceCreated", "modern/1")).toHaveLength(2);

    // One configuration change reaches both contracts.
    log.clear();
    sim.configure("valkey", { tls: true });
    await settled(sim);
    expect(log.of("credentialsRotated", "legacy/0")).toHaveLength(1);
    expect(log.of("credentialsRotated", "modern/0")).toHaveLength(2);

    // Removing the v0 relation deletes only its user and secrets.
    sim.removeRelation(v0Id);
    await settled(sim);
    expect(usernames(server)).toEqual(modern.map((r) => `relation-${v1Id}-${r.requestId}`).sort());
    expect(sim.model.secrets().every((s) => s.label?.startsWith(`${ENDPOINT}.${v1Id}.`))).toBe(true);
    expect(sim.model.secrets()).toHaveLength(4);
  });
});
