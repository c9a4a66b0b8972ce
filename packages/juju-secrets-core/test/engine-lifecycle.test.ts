/**
 * The generic engines configured as postgresql_client would be, settled hook by hook on the
 * in-memory model: created → joined → changed … rotation … scale … departed → broken.
 */
import { describe, expect, it } from "vitest";
import { defineInterface } from "../src/engine/definition.js";
import type { RequirerEvents } from "../src/engine/events.js";
import { DataProvider } from "../src/engine/provider.js";
import { DataRequirer } from "../src/engine/requirer.js";
import type { Charm } from "../src/hook/charm.js";
import { charmRunner, Simulation } from "../src/testing/index.js";

const PG = defineInterface({
  name: "postgresql_client",
  defaultEndpoint: "database",
  contracts: { requirer: ["v0", "v1"], provider: ["v0", "v1"] },
  resourceKey: "database",
  ready: { default: ["username", "password", "endpoints"] },
});

const UUID = "8c7e20bb-710f-4f64-b51d-4acb46656498";

type Seen = { unit: string; event: keyof RequirerEvents<typeof PG>; detail: string };

function setupProvider(charm: Charm): void {
  const provider = new DataProvider(charm, "database", PG);
  const answer = (relation: { endpoint: string; id: number }, database: string) => {
    const cfg = charm.model.config();
    const password = String(cfg.password ?? "pw-1");
    provider.publishFields(relation, {
      database,
      endpoints: "10.1.0.10:5432",
      "read-only-endpoints": "10.1.0.11:5432",
      version: "16.8.1",
      username: `relation-${relation.id}`,
      password,
      uris: `postgresql://relation-${relation.id}:${password}@10.1.0.10:5432/${database}`,
      tls: "False",
      "tls-ca": "",
    });
  };
  provider.events.on("requested", ({ request }) => answer(request.relation, request.resource));
  charm.on("configChanged", () => {
    if (!charm.model.isLeader()) return;
    for (const r of provider.requests()) answer(r.relation, r.resource);
  });
}

function setupRequirer(seen: Seen[]) {
  return (charm: Charm) => {
    const requirer = new DataRequirer(charm, "database", PG, { requests: [{ resource: "myapp" }] });
    const log = (event: keyof RequirerEvents<typeof PG>, detail: string) => {
      seen.push({ unit: charm.unit, event, detail });
    };
    requirer.events.on("created", (e) =>
      log("created", `${e.connection.raw.username}:${e.connection.raw.password}`),
    );
    requirer.events.on("changed", (e) => log("changed", e.keys.join(",")));
    requirer.events.on("credentialsRotated", (e) =>
      log("credentialsRotated", `${e.groups.join(",")}:${e.connection.raw.password}`),
    );
    requirer.events.on("gone", () => log("gone", ""));
  };
}

async function lifecycle() {
  const seen: Seen[] = [];
  const sim = new Simulation({ uuid: UUID, lifecycle: false });
  sim.deploy("provider", {
    runner: charmRunner(setupProvider),
    units: 2,
    endpoints: { database: "provides:postgresql_client" },
  });
  sim.deploy("requirer", {
    runner: charmRunner(setupRequirer(seen)),
    units: 2,
    endpoints: { database: "requires:postgresql_client" },
  });
  await sim.settle();
  const id = sim.relate("provider:database", "requirer:database");
  const settled = await sim.settle({ maxHooks: 200 });
  return { sim, id, seen, settled };
}

describe("generic engines, postgresql_client-shaped, full lifecycle", () => {
  it("settles with the Python-identical databags and granted secrets", async () => {
    const { sim, id, settled } = await lifecycle();
    expect(settled.failed).toEqual([]);
    expect(settled.settled).toBe(true);
    const m = sim.model;
    expect(m.appBag(id, "requirer")).toEqual({
      database: "myapp",
      "provided-secrets": '["mtls-cert"]',
      "requested-secrets":
        '["username", "password", "tls", "tls-ca", "uris", "read-only-uris", "entity-name", "entity-password"]',
    });
    const prov = m.appBag(id, "provider");
    expect(Object.keys(prov).sort()).toEqual(
      ["data", "database", "endpoints", "read-only-endpoints", "secret-tls", "secret-user", "version"].sort(),
    );
    // The provider's snapshot of the requirer bag: sorted keys, Python JSON (the fixture's exact bytes).
    expect(prov.data).toBe(
      '{"database": "myapp", "provided-secrets": "[\\"mtls-cert\\"]", "requested-secrets": "[\\"username\\", \\"password\\", \\"tls\\", \\"tls-ca\\", \\"uris\\", \\"read-only-uris\\", \\"entity-name\\", \\"entity-password\\"]"}',
    );
    const user = m.secretByLabel("database.0.user.secret".replace("0", String(id)));
    expect(user).toBeDefined();
    expect(m.secretContent(prov["secret-user"]!)).toEqual({
      username: `relation-${id}`,
      password: "pw-1",
      uris: `postgresql://relation-${id}:pw-1@10.1.0.10:5432/myapp`,
    });
    expect(m.secretContent(prov["secret-tls"]!)).toEqual({ tls: "False", "tls-ca": "" });
    // Every requirer unit keeps its own snapshot of the provider bag.
    for (const unit of ["requirer/0", "requirer/1"]) {
      const data = JSON.parse(m.unitBag(id, unit).data!);
      expect(data["secret-user"]).toBe(prov["secret-user"]);
      expect(data.endpoints).toBe("10.1.0.10:5432");
    }
  });

  it("fires created once per requirer unit, with readable credentials", async () => {
    const { seen } = await lifecycle();
    const created = seen.filter((s) => s.event === "created");
    expect(created.map((s) => s.unit).sort()).toEqual(["requirer/0", "requirer/1"]);
    expect(created.every((s) => s.detail.endsWith(":pw-1"))).toBe(true);
    expect(seen.filter((s) => s.event === "changed")).toEqual([]);
  });

  it("rotates the password in place: one new revision, credentialsRotated on every unit", async () => {
    const { sim, id, seen } = await lifecycle();
    const uri = sim.model.appBag(id, "provider")["secret-user"]!;
    const before = sim.model.secret(uri)!;
    sim.configure("provider", { password: "pw-2" });
    const r = await sim.settle({ maxHooks: 200 });
    expect(r.failed).toEqual([]);
    const after = sim.model.secret(uri)!;
    expect(after.latestRevision).toBe(before.latestRevision + 1);
    expect(sim.model.appBag(id, "provider")["secret-user"]).toBe(uri); // same URI, updated in place
    const rotated = seen.filter((s) => s.event === "credentialsRotated");
    expect(rotated.map((s) => s.unit).sort()).toEqual(["requirer/0", "requirer/1"]);
    expect(rotated.every((s) => s.detail === "user:pw-2")).toBe(true);
    // Re-running config-changed with the same value mints nothing.
    sim.configure("provider", { password: "pw-2" });
    await sim.settle({ maxHooks: 200 });
    expect(sim.model.secret(uri)!.latestRevision).toBe(after.latestRevision);
  });

  it("scales out and in without errors; the new unit gets created too", async () => {
    const { sim, seen } = await lifecycle();
    const unit = sim.addUnit("requirer");
    let r = await sim.settle({ maxHooks: 200 });
    expect(r.failed).toEqual([]);
    expect(seen.some((s) => s.unit === unit && s.event === "created")).toBe(true);
    sim.removeUnit(unit);
    r = await sim.settle({ maxHooks: 200 });
    expect(r.failed).toEqual([]);
  });

  it("removes every secret of the relation on broken: nothing orphaned", async () => {
    const { sim, id, seen } = await lifecycle();
    sim.removeRelation(id);
    const r = await sim.settle({ maxHooks: 200 });
    expect(r.failed).toEqual([]);
    expect(Object.keys(sim.model.state.secrets)).toEqual([]);
    expect(
      seen
        .filter((s) => s.event === "gone")
        .map((s) => s.unit)
        .sort(),
    ).toEqual(["requirer/0", "requirer/1"]);
  });
});
