/**
 * LP#1979811 in the engines: a unit that is being removed gets relation-broken for relations that
 * live on. The engines remember relation-departed with `JUJU_DEPARTING_UNIT` = this unit and, on that
 * unit's relation-broken, keep the relation's secrets and say `departing` in `gone`.
 */
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defineInterface } from "../src/engine/definition.js";
import { DataProvider } from "../src/engine/provider.js";
import { DataRequirer } from "../src/engine/requirer.js";
import type { Charm } from "../src/hook/charm.js";
import { DepartureMarker } from "../src/model/departure.js";
import { charmRunner, Simulation } from "../src/testing/index.js";

const DEF = defineInterface({
  name: "postgresql_client",
  defaultEndpoint: "database",
  contracts: { requirer: ["v0", "v1"], provider: ["v0", "v1"] },
  resourceKey: "database",
  ready: { default: ["username", "password", "endpoints"] },
  mtls: true,
});
const PEM = "-----BEGIN CERTIFICATE-----\nQ0VSVDE=\n-----END CERTIFICATE-----\n";

type Seen = { unit: string; event: string; detail: unknown }[];

function provider(seen: Seen, options: { retain?: boolean; failBroken?: { times: number } } = {}) {
  return (charm: Charm) => {
    const p = new DataProvider(
      charm,
      "database",
      DEF,
      options.retain ? { retainSecretsOnBroken: () => true } : {},
    );
    const answer = (relation: { endpoint: string; id: number }) => {
      const password = String(charm.model.config().password ?? "pw-1");
      p.publishFields(relation, {
        endpoints: "10.1.0.10:5432",
        username: `relation-${relation.id}`,
        password,
      });
    };
    p.events.on("requested", ({ request }) => answer(request.relation));
    p.events.on("gone", (e) => {
      seen.push({
        unit: charm.unit,
        event: "gone",
        detail: { ...e, isDeparting: p.isDeparting(e.relation) },
      });
    });
    charm.on("configChanged", () => {
      if (charm.model.isLeader()) for (const r of p.requests()) answer(r.relation);
    });
    // The charm's own teardown, after the engine's: it may fail and have Juju retry the hook.
    charm.on("relationBroken", () => {
      if (options.failBroken && options.failBroken.times-- > 0) throw new Error("teardown failed");
    });
  };
}

function requirer(seen: Seen) {
  return (charm: Charm) => {
    const r = new DataRequirer(charm, "database", DEF, { requests: [{ resource: "app", mtlsCert: PEM }] });
    r.events.on("credentialsRotated", (e) => {
      seen.push({ unit: charm.unit, event: "credentialsRotated", detail: e.connection.raw.password });
    });
    r.events.on("gone", (e) => {
      seen.push({
        unit: charm.unit,
        event: "gone",
        detail: { ...e, isDeparting: r.isDeparting(e.relation) },
      });
    });
  };
}

async function world(options: { retain?: boolean; charmDir?: string; failBroken?: { times: number } } = {}) {
  const seen: Seen = [];
  // With stop and remove hooks, a unit in error is not removed behind Juju's back.
  const sim = new Simulation({ lifecycle: options.failBroken !== undefined });
  sim.deploy("db", {
    runner: charmRunner(provider(seen, options)),
    units: 2,
    endpoints: { database: "provides:postgresql_client" },
    ...(options.charmDir ? { charmDir: options.charmDir } : {}),
  });
  sim.deploy("app", {
    runner: charmRunner(requirer(seen)),
    units: 2,
    endpoints: { database: "requires:postgresql_client" },
  });
  const id = sim.relate("db:database", "app:database");
  expect((await sim.settle({ maxHooks: 300 })).failed).toEqual([]);
  return { sim, id, seen, ref: { endpoint: "database", id } };
}

describe("departing units (LP#1979811)", () => {
  it("a departing provider leader keeps the relation's secrets; the new leader keeps serving", async () => {
    const charmDir = mkdtempSync(join(tmpdir(), "engine-departure-"));
    const { sim, id, seen, ref } = await world({ charmDir });
    const userUri = sim.model.appBag(id, "db")["secret-user"]!;
    const mtlsUri = sim.model.appBag(id, "app")["secret-mtls"]!;
    expect(sim.model.leaderOf("db")).toBe("db/0");

    sim.removeUnit("db/0");
    expect((await sim.settle({ maxHooks: 300 })).failed).toEqual([]);
    expect(sim.model.hasUnit("db/0")).toBe(false);
    // db/0 was still the leader in its relation-broken: without the marker it removed the secrets.
    expect(seen.filter((s) => s.event === "gone")).toEqual([
      {
        unit: "db/0",
        event: "gone",
        detail: { relation: ref, remoteApp: "app", departing: true, isDeparting: true },
      },
    ]);
    expect(sim.model.secret(userUri)).toBeDefined();
    expect(sim.model.secret(mtlsUri)).toBeDefined();
    expect(sim.model.appBag(id, "db")["secret-user"]).toBe(userUri);
    // The marker stays with the departing unit (its charm dir goes with it), so any re-run agrees.
    expect(existsSync(join(charmDir, ".charm-relations"))).toBe(true);

    // The new leader rotates the password in the same secret; every client unit sees it.
    expect(sim.model.leaderOf("db")).toBe("db/1");
    sim.configure("db", { password: "pw-2" });
    expect((await sim.settle({ maxHooks: 300 })).failed).toEqual([]);
    expect(sim.model.appBag(id, "db")["secret-user"]).toBe(userUri);
    expect(sim.model.secretContent(userUri)).toMatchObject({ password: "pw-2" });
    expect(
      seen
        .filter((s) => s.event === "credentialsRotated")
        .map((s) => [s.unit, s.detail])
        .sort(),
    ).toEqual([
      ["app/0", "pw-2"],
      ["app/1", "pw-2"],
    ]);
  });

  it("a departing leader whose relation-broken fails still keeps the secrets when Juju retries it", async () => {
    const charmDir = mkdtempSync(join(tmpdir(), "engine-departure-"));
    const failBroken = { times: 0 };
    const { sim, id } = await world({ charmDir, failBroken });
    const userUri = sim.model.appBag(id, "db")["secret-user"]!;
    failBroken.times = 1;
    sim.removeUnit("db/0");
    const first = await sim.settle({ maxHooks: 300 });
    expect(first.failed.map((f) => [f.unit, f.hook])).toEqual([["db/0", "database-relation-broken"]]);
    // The marker outlives the failed hook: the retry must give the same answer.
    const markers = readdirSync(join(charmDir, ".charm-relations")).filter((f) => f.startsWith("departing."));
    expect(markers).toEqual([`departing.db-0.database.${id}`]);
    sim.resolve("db/0", { retry: true });
    expect((await sim.settle({ maxHooks: 300 })).failed).toEqual([]);
    expect(sim.model.secret(userUri)).toBeDefined();
  });

  it("a departing requirer leader keeps its mTLS secret; the relation lives on", async () => {
    const { sim, id, seen, ref } = await world();
    const mtlsUri = sim.model.appBag(id, "app")["secret-mtls"]!;
    expect(sim.model.leaderOf("app")).toBe("app/0");
    sim.removeUnit("app/0");
    expect((await sim.settle({ maxHooks: 300 })).failed).toEqual([]);
    expect(seen.filter((s) => s.event === "gone")).toEqual([
      {
        unit: "app/0",
        event: "gone",
        detail: { relation: ref, remoteApp: "db", departing: true, isDeparting: true },
      },
    ]);
    expect(sim.model.secret(mtlsUri)).toBeDefined();
    expect(sim.model.appBag(id, "app")["secret-mtls"]).toBe(mtlsUri);
  });

  it("removing the relation is not departing: gone says so on every unit and no secret is left", async () => {
    const { sim, id, seen, ref } = await world();
    sim.removeRelation(id);
    expect((await sim.settle({ maxHooks: 300 })).failed).toEqual([]);
    const gone = seen.filter((s) => s.event === "gone");
    expect(gone.map((s) => s.unit).sort()).toEqual(["app/0", "app/1", "db/0", "db/1"]);
    for (const s of gone) {
      expect(s.detail).toMatchObject({ relation: ref, departing: false, isDeparting: false });
    }
    expect(sim.model.secrets()).toEqual([]);
  });

  it("retainSecretsOnBroken stays an extra hook: secrets kept although nobody departs", async () => {
    const { sim, id } = await world({ retain: true });
    const userUri = sim.model.appBag(id, "db")["secret-user"]!;
    sim.removeRelation(id);
    expect((await sim.settle({ maxHooks: 300 })).failed).toEqual([]);
    expect(sim.model.secret(userUri)).toBeDefined();
  });
});

describe("DepartureMarker", () => {
  it("one file per unit and relation in the state dir, kept after relation-broken (re-runs agree)", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "departure-marker-"));
    const sim = new Simulation({ lifecycle: false });
    const answers: Record<string, boolean[]> = {};
    sim.deploy("db", {
      units: 2,
      endpoints: { database: "provides:postgresql_client" },
      runner: charmRunner((charm) => {
        const marker = new DepartureMarker(charm.model, { stateDir });
        charm.on("relationDeparted", (e) => marker.departed(e.relation.ref, e.departingUnit), {
          endpoint: "database",
        });
        charm.on("relationBroken", (e) => {
          answers[charm.unit] = [...(answers[charm.unit] ?? []), marker.isDeparting(e.relation.ref)];
        });
      }),
    });
    sim.deploy("app", {
      units: 1,
      endpoints: { database: "requires:postgresql_client" },
      runner: async () => {},
    });
    const id = sim.relate("db:database", "app:database");
    await sim.settle();
    sim.removeUnit("db/1");
    // Run up to db/1's own relation-departed: the marker names the unit and the relation.
    while (!sim.hooks.some((h) => h.unit === "db/1" && h.kind === "relation-departed"))
      await sim.settle({ maxHooks: 1 });
    expect(readdirSync(stateDir)).toEqual([`departing.db-1.database.${id}`]);
    expect((await sim.settle()).failed).toEqual([]);
    expect(answers).toEqual({ "db/1": [true] });
    // The marker stays: a retried relation-broken must give the same answer (the unit's dir goes with it).
    expect(readdirSync(stateDir)).toEqual([`departing.db-1.database.${id}`]);
  });
});
