/**
 * Generated malformed databags (seeded, reproducible): whatever the other side writes, our requirer and
 * provider never fail a hook; they either process the data or report a typed error naming a key, and
 * never write a partial answer.
 */
import { RemoteDataError } from "@charm-relations/juju-secrets-core";
import { type HookRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { PostgresqlProvider, PostgresqlRequirer, requirerAppV0 } from "../src/index.js";
import { charmRunner, requirerAppDatabag } from "../src/testing.js";

/** mulberry32: a tiny seeded PRNG so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JUNK = [
  "",
  " ",
  "null",
  "[]",
  "{}",
  "[1, 2]",
  '{"a": 1}',
  '["username", 7]',
  "not json {",
  "True",
  "maybe",
  "10.1.0.10:-1",
  "10.1.0.10:5432",
  "host:99999",
  "secret:aaaaaaaaaaaaaaaaaaaa",
  "secret://8c7e20bb-710f-4f64-b51d-4acb46656498/bbbbbbbbbbbbbbbbbbbb",
  "secret:nope",
  "postgresql://u:p@h:1/db",
  "é😀\u0000\u007f",
  "x".repeat(5000),
  '[{"code": 4001, "message": "m", "resolution": "r"}]',
  '[{"code": "x"}]',
  "USER",
  "GROUP",
  "a*",
  "CREATEDB,,SUPERUSER",
  '[{"resource_name": "t", "resource_type": "TABLE", "privileges": ["SELECT"]}]',
];
const PROVIDER_KEYS = [
  "database",
  "endpoints",
  "read-only-endpoints",
  "version",
  "prefix-databases",
  "secret-user",
  "secret-tls",
  "secret-entity",
  "secret-extra",
  "secret-bogus",
  "subordinated",
  "status",
  "data",
  "username",
  "password",
  "uris",
  "tls",
  "tls-ca",
  "requests",
  "version",
];
const REQUIRER_KEYS = [
  "database",
  "requested-secrets",
  "provided-secrets",
  "extra-user-roles",
  "extra-group-roles",
  "entity-type",
  "entity-permissions",
  "requested-entity-secret",
  "external-node-connectivity",
  "prefix-matching",
  "version",
  "requests",
  "alias",
];

function randomBag(rand: () => number, keys: readonly string[], base: Record<string, string> = {}) {
  const bag: Record<string, string> = { ...base };
  const n = 1 + Math.floor(rand() * 6);
  for (let i = 0; i < n; i++) {
    const key = keys[Math.floor(rand() * keys.length)]!;
    const value = JUNK[Math.floor(rand() * JUNK.length)]!;
    if (value === "") delete bag[key];
    else bag[key] = value;
  }
  return bag;
}

const noop: HookRunner = async () => {};

describe("hostile input", () => {
  it("the requirer survives 60 generated provider bags: no failed hook, typed errors only", {
    timeout: 60_000,
  }, async () => {
    const rand = prng(20260101);
    const invalid: RemoteDataError[] = [];
    const sim = new Simulation({ lifecycle: false, secretRemoveHooks: false });
    sim.deploy("app", {
      runner: charmRunner((charm) => {
        const r = new PostgresqlRequirer(charm, { endpoint: "database", database: "myapp" });
        r.on("invalid", ({ error }) => void invalid.push(error));
        charm.on("updateStatus", () => void r.connections());
      }),
      units: 1,
      endpoints: { database: "requires:postgresql_client" },
    });
    sim.deploy("db", { runner: noop, units: 1, endpoints: { database: "provides:postgresql_client" } });
    const id = sim.relate("db", "app");
    await sim.settle();
    for (let i = 0; i < 60; i++) {
      const before = sim.model.unitBag(id, "app/0");
      sim.model.setAppBag(id, "db", randomBag(rand, PROVIDER_KEYS));
      const errorsBefore = invalid.length;
      const h = await sim.runHook("app/0", "relation-changed", { relationId: id });
      expect(h.ok, `iteration ${i}: ${String(h.error)}`).toBe(true);
      if (invalid.length > errorsBefore) {
        // Reported: nothing written, and the error names a key without quoting values.
        expect(sim.model.unitBag(id, "app/0")).toEqual(before);
        const err = invalid.at(-1)!;
        expect(err).toBeInstanceOf(RemoteDataError);
        expect(err.key).toBeTruthy();
        expect(err.message).not.toContain("x".repeat(50));
      }
      const status = await sim.runHook("app/0", "update-status");
      expect(status.ok, `iteration ${i} accessor: ${String(status.error)}`).toBe(true);
    }
    expect(invalid.length).toBeGreaterThan(10);
  });

  it("the provider survives 60 generated requirer bags: no failed hook; invalid requests get no answer", {
    timeout: 60_000,
  }, async () => {
    const rand = prng(7);
    const sim = new Simulation({ lifecycle: false, secretRemoveHooks: false });
    let answered = 0;
    let validCount = 0;
    sim.deploy("db", {
      runner: charmRunner((charm) => {
        const p = new PostgresqlProvider(charm);
        p.on("invalid", () => {});
        p.on("databaseRequested", ({ request }) => {
          answered++;
          p.publish(request, {
            database: request.database,
            username: "u",
            password: "p",
            endpoints: "h:1",
            version: "16",
          });
        });
        p.on("databaseEntityRequested", ({ request }) => {
          answered++;
          p.publish(request, { entityName: "e", endpoints: "h:1" });
        });
      }),
      units: 1,
      endpoints: { database: "provides:postgresql_client" },
    });
    sim.deploy("app", { runner: noop, units: 1, endpoints: { database: "requires:postgresql_client" } });
    for (let i = 0; i < 60; i++) {
      // A fresh relation each time, so every bag is a first request.
      const id = sim.relate("db", "app");
      await sim.settle();
      const bag = randomBag(rand, REQUIRER_KEYS, rand() < 0.5 ? requirerAppDatabag() : {});
      sim.model.setAppBag(id, "app", bag);
      const h = await sim.runHook("db/0", "relation-changed", { relationId: id });
      expect(h.ok, `iteration ${i}: ${String(h.error)}`).toBe(true);
      const answer = sim.model.appBag(id, "db");
      const valid = bag.version === undefined && requirerAppV0.safeParse(bag).success;
      if (valid) {
        validCount++;
        expect(
          answer["secret-user"] ?? answer.username ?? answer["secret-entity"],
          `iteration ${i}`,
        ).toBeDefined();
      } else if (bag.version !== "v1") {
        // No credentials and no snapshot for a request we could not understand.
        expect(answer["secret-user"], `iteration ${i}`).toBeUndefined();
        expect(answer.username).toBeUndefined();
        if (bag.database !== undefined) expect(answer.data).toBeUndefined();
      }
      sim.removeRelation(id);
      await sim.settle();
    }
    expect(validCount).toBeGreaterThan(0);
    expect(answered).toBeGreaterThanOrEqual(validCount);
    expect(sim.model.secrets()).toEqual([]);
  });
});
