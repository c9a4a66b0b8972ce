import type { RelationRef } from "@charm-relations/juju-secrets-core";
import { type HookRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import {
  type PostgresqlConnection,
  PostgresqlOptionError,
  PostgresqlRequirer,
  type PostgresqlRequirerEvents,
  type PostgresqlRequirerOptions,
} from "../src/index.js";
import { charmRunner } from "../src/testing.js";

const UUID = "8c7e20bb-710f-4f64-b51d-4acb46656498";
const EVENTS: (keyof PostgresqlRequirerEvents)[] = [
  "databaseCreated",
  "databaseEntityCreated",
  "endpointsChanged",
  "readOnlyEndpointsChanged",
  "prefixDatabasesChanged",
  "changed",
  "credentialsRotated",
  "statusRaised",
  "statusResolved",
  "gone",
  "invalid",
];
type Seen = { unit: string; name: keyof PostgresqlRequirerEvents; payload: Record<string, unknown> };
const noop: HookRunner = async () => {};

async function world(options: Partial<PostgresqlRequirerOptions> = {}, listen = EVENTS) {
  const events: Seen[] = [];
  const probes: Record<string, PostgresqlRequirer> = {};
  const sim = new Simulation({ uuid: UUID, lifecycle: false });
  sim.deploy("app", {
    runner: charmRunner((charm) => {
      const r = new PostgresqlRequirer(charm, { endpoint: "database", database: "myapp", ...options });
      probes[charm.unit] = r;
      for (const name of listen) {
        r.on(name, (payload) => void events.push({ unit: charm.unit, name, payload: payload as never }));
      }
    }),
    units: 2,
    endpoints: { database: "requires:postgresql_client" },
  });
  sim.deploy("db", { runner: noop, units: 1, endpoints: { database: "provides:postgresql_client" } });
  await sim.settle();
  const id = sim.relate("db", "app");
  await sim.settle();
  const ref: RelationRef = { endpoint: "database", id };
  const publish = async (bag: Record<string, string>) => {
    await sim.runHook("db/0", "update-status", { runner: async (b) => b.relationSet(ref, bag, true) });
    const r = await sim.settle();
    expect(r.failed).toEqual([]);
  };
  const secret = (content: Record<string, string>, label = "database.0.user.secret") =>
    sim.model.addSecret({ owner: "db", label, content, grants: [{ relationId: id }] });
  const names = (unit = "app/1") => events.filter((e) => e.unit === unit).map((e) => e.name);
  /** Run a probe on a unit inside a hook and return what it saw. */
  const probe = async <T>(unit: string, fn: (r: PostgresqlRequirer) => T): Promise<T> => {
    let out: T | undefined;
    await sim.runHook(unit, "update-status", {
      runner: charmRunner((charm) => {
        const r = new PostgresqlRequirer(charm, { endpoint: "database", database: "myapp", ...options });
        charm.on("updateStatus", () => {
          out = fn(r);
        });
      }),
    });
    return out as T;
  };
  return { sim, id, ref, events, publish, secret, names, probe, probes };
}

const USER = {
  username: "relation-0",
  password: "pw-1",
  uris: "postgresql://relation-0:pw-1@10.1.0.10:5432/myapp",
};

describe("the request (relation-created, leader)", () => {
  it("writes every option with the exact wire spelling, and nothing from non-leaders", async () => {
    const { sim, id } = await world({
      extraUserRoles: ["CREATEDB", "CREATEROLE"],
      externalNodeConnectivity: true,
      prefixMatching: "all",
      additionalSecretFields: ["extra-field"],
    });
    expect(sim.model.appBag(id, "app")).toEqual({
      database: "myapp",
      "extra-user-roles": "CREATEDB,CREATEROLE",
      "external-node-connectivity": "true",
      "prefix-matching": "all",
      "provided-secrets": '["mtls-cert"]',
      "requested-secrets":
        '["username", "password", "tls", "tls-ca", "uris", "read-only-uris", "entity-name", "entity-password", "extra-field"]',
    });
    const nonLeaderCreated = sim.hooks.find((h) => h.unit === "app/1" && h.kind === "relation-created")!;
    expect(nonLeaderCreated.databags).toEqual([]);
  });

  it("entity requests: entity-type, group roles and permissions as JSON; the requested entity in its own secret", async () => {
    const { sim, id } = await world({
      entityType: "GROUP",
      extraGroupRoles: ["charmed_read"],
      entityPermissions: [{ resource_name: "items", resource_type: "TABLE", privileges: ["SELECT"] }],
      requestedEntity: { name: "readers", password: "chosen-pw" },
    });
    const bag = sim.model.appBag(id, "app");
    expect(bag).toMatchObject({
      "entity-type": "GROUP",
      "extra-group-roles": "charmed_read",
      "entity-permissions":
        '[{"resource_name": "items", "resource_type": "TABLE", "privileges": ["SELECT"]}]',
    });
    const aux = sim.model.secret(bag["requested-entity-secret"]!)!;
    expect(aux.label).toBe(`${UUID}-${id}-requested-entity`);
    expect(sim.model.secretContent(aux.xid)).toEqual({ "entity-name": "readers", password: "chosen-pw" });
    expect(aux.grants).toEqual([{ relationId: id, kind: "application", target: "db" }]);
  });

  it.each([
    [{ database: "" }, "database"],
    [{ database: "ab*" }, "database"],
    [{ extraUserRoles: ["a,b"] }, "extraUserRoles"],
    [{ extraUserRoles: [""] }, "extraUserRoles"],
    [{ extraGroupRoles: ["charmed_read"] }, "extraGroupRoles"],
    [{ entityType: "GROUP", extraUserRoles: ["admin"] }, "extraUserRoles"],
    [{ entityType: "ROLE" }, "entityType"],
    [{ entityPermissions: [] }, "entityPermissions"],
    [{ entityType: "USER", entityPermissions: [{ resource_name: "t" }] }, "entityPermissions"],
    [{ requestedEntity: { name: " " } }, "requestedEntity.name"],
    [{ requestedEntity: { name: "u", password: "" } }, "requestedEntity.password"],
    [{ prefixMatching: "" }, "prefixMatching"],
  ] as [Record<string, unknown>, string][])("option errors name the option: %j → %s", (bad, option) => {
    const charm = {} as never;
    const make = () =>
      new PostgresqlRequirer(charm, {
        endpoint: "database",
        database: "myapp",
        ...bad,
      } as PostgresqlRequirerOptions);
    expect(make).toThrow(PostgresqlOptionError);
    try {
      make();
    } catch (e) {
      expect((e as PostgresqlOptionError).option).toBe(option);
      expect((e as Error).message).toContain(`option "${option}"`);
    }
  });
});

describe("events on every unit", () => {
  it("databaseCreated needs the credentials AND endpoints (I-6), then fires once per unit", async () => {
    const w = await world();
    await w.publish({ "secret-user": w.secret(USER), database: "myapp" });
    expect(w.names()).toEqual([]);
    expect(await w.probe("app/1", (r) => r.isReady())).toBe(false);
    await w.publish({ endpoints: "10.1.0.10:5432", version: "16.8.1" });
    for (const unit of ["app/0", "app/1"]) expect(w.names(unit)).toEqual(["databaseCreated"]);
    const c = w.events.find((e) => e.unit === "app/1")!.payload.connection;
    expect(c).toEqual({
      relation: w.ref,
      remoteApp: "db",
      database: "myapp",
      username: "relation-0",
      password: "pw-1",
      uris: [USER.uris],
      readOnlyUris: [],
      endpoints: ["10.1.0.10:5432"],
      readOnlyEndpoints: [],
      version: "16.8.1",
      prefixDatabases: [],
      tls: false,
      mode: "secrets",
    });
    expect(
      await w.probe("app/1", (r) => [r.isReady(), r.connection()?.username, r.connections().length]),
    ).toEqual([true, "relation-0", 1]);
  });

  it("endpointsChanged, readOnlyEndpointsChanged and prefixDatabasesChanged all fire in one hook (I-8), with changed", async () => {
    const w = await world({ database: "myapp*" });
    await w.publish({ "secret-user": w.secret(USER), endpoints: "10.1.0.10:5432", database: "myapp*" });
    await w.publish({
      endpoints: "10.1.0.11:5432",
      "read-only-endpoints": "10.1.0.12:5432,10.1.0.13:5432",
      "prefix-databases": "myapp1,myapp2",
    });
    expect(w.names()).toEqual([
      "databaseCreated",
      "endpointsChanged",
      "readOnlyEndpointsChanged",
      "prefixDatabasesChanged",
      "changed",
    ]);
    const byName = (n: string) => w.events.find((e) => e.unit === "app/1" && e.name === n)!.payload;
    const connection = (n: string) => byName(n).connection as PostgresqlConnection;
    expect(connection("endpointsChanged").endpoints).toEqual(["10.1.0.11:5432"]);
    expect(connection("readOnlyEndpointsChanged").readOnlyEndpoints).toEqual([
      "10.1.0.12:5432",
      "10.1.0.13:5432",
    ]);
    expect(connection("prefixDatabasesChanged").prefixDatabases).toEqual(["myapp1", "myapp2"]);
    expect([...(byName("changed").keys as string[])].sort()).toEqual([
      "endpoints",
      "prefix-databases",
      "read-only-endpoints",
    ]);
    // A repeated relation-changed is silent and writes nothing.
    const h = await w.sim.runHook("app/1", "relation-changed", { relationId: w.id });
    expect(h.databags).toEqual([]);
    expect(w.names().length).toBe(5);
  });

  it("credentialsRotated: a new revision (secret-changed) and a replaced secret URI, with the fresh password", async () => {
    const w = await world();
    const uri = w.secret(USER);
    await w.publish({ "secret-user": uri, endpoints: "10.1.0.10:5432" });
    await w.sim.runHook("db/0", "update-status", {
      runner: async (b) => b.secretSet(uri, { content: { ...USER, password: "pw-2" } }),
    });
    await w.sim.settle();
    const rotated = w.events.filter((e) => e.unit === "app/1" && e.name === "credentialsRotated");
    expect(rotated).toHaveLength(1);
    expect(rotated[0]!.payload.groups).toEqual(["user"]);
    expect((rotated[0]!.payload.connection as { password: string }).password).toBe("pw-2");
    // A different URI for the same group counts as rotation too (I-14).
    const replaced = w.sim.model.addSecret({
      owner: "db",
      content: { ...USER, password: "pw-3" },
      grants: [{ relationId: w.id }],
    });
    await w.publish({ "secret-user": replaced });
    const last = w.events.filter((e) => e.unit === "app/1").at(-1)!;
    expect(last.name).toBe("credentialsRotated");
    expect((last.payload.connection as { password: string }).password).toBe("pw-3");
  });

  it("TLS: tls True with a CA from secret-tls; a TLS switch is a rotation of the tls group", async () => {
    const w = await world();
    const tls = w.secret({ tls: "False", "tls-ca": "" }, "database.0.tls.secret");
    await w.publish({ "secret-user": w.secret(USER), "secret-tls": tls, endpoints: "10.1.0.10:5432" });
    expect(w.events.find((e) => e.unit === "app/0")!.payload.connection).toMatchObject({ tls: false });
    await w.sim.runHook("db/0", "update-status", {
      runner: async (b) =>
        b.secretSet(tls, { content: { tls: "True", "tls-ca": "-----BEGIN CERTIFICATE-----" } }),
    });
    await w.sim.settle();
    const last = w.events.filter((e) => e.unit === "app/0").at(-1)!;
    expect(last.name).toBe("credentialsRotated");
    expect(last.payload.groups).toEqual(["tls"]);
    expect(last.payload.connection).toMatchObject({ tls: true, tlsCa: "-----BEGIN CERTIFICATE-----" });
  });

  it("statusRaised and statusResolved from the provider's status codes", async () => {
    const w = await world();
    const status = '[{"code": 4001, "message": "Database is restarting", "resolution": "wait"}]';
    await w.publish({ status });
    await w.publish({ status: "" });
    expect(w.names()).toEqual(["statusRaised", "statusResolved"]);
    expect(w.events.find((e) => e.unit === "app/1")!.payload.status).toEqual({
      code: 4001,
      message: "Database is restarting",
      resolution: "wait",
    });
  });

  it("gone on relation-broken, on every unit", async () => {
    const w = await world();
    await w.publish({ "secret-user": w.secret(USER), endpoints: "10.1.0.10:5432" });
    w.sim.removeRelation(w.id);
    await w.sim.settle();
    expect(w.names("app/0").at(-1)).toBe("gone");
    expect(w.names("app/1").at(-1)).toBe("gone");
    expect(w.events.at(-1)!.payload).toEqual({ relation: w.ref, remoteApp: "db", departing: false });
  });

  it("databaseEntityCreated (not databaseCreated) for entity requests; the requested-entity secret is then removed", async () => {
    const w = await world({ entityType: "USER", requestedEntity: { name: "custom" } });
    const aux = w.sim.model.appBag(w.id, "app")["requested-entity-secret"]!;
    await w.publish({
      "secret-entity": w.secret(
        { "entity-name": "custom", "entity-password": "epw" },
        "database.0.entity.secret",
      ),
      endpoints: "10.1.0.10:5432",
    });
    expect(w.names("app/0")).toEqual(["databaseEntityCreated"]);
    expect(w.events[0]!.payload.connection).toMatchObject({ entityName: "custom", entityPassword: "epw" });
    expect(w.sim.model.secret(aux)).toBeUndefined();
    expect(w.sim.model.appBag(w.id, "app")["requested-entity-secret"]).toBeUndefined();
  });
});

describe("plain-text fallback, subordinates, hostile input", () => {
  it("reads plain credentials when the provider used no secrets (Juju 2 / legacy providers)", async () => {
    const w = await world();
    await w.publish({
      database: "myapp",
      endpoints: "10.1.0.10:5432",
      username: "relation-0",
      password: "plain-pw",
      uris: "postgresql://relation-0:plain-pw@10.1.0.10:5432/myapp",
      tls: "False",
      version: "14.5",
    });
    const c = w.events.find((e) => e.unit === "app/1" && e.name === "databaseCreated")!.payload.connection;
    expect(c).toMatchObject({
      mode: "plain",
      username: "relation-0",
      password: "plain-pw",
      version: "14.5",
      tls: false,
    });
  });

  it("a subordinate provider is ignored until one of its units says state: ready (I-11)", async () => {
    const w = await world();
    const before = w.sim.model.unitBag(w.id, "app/1").data;
    expect(before).toBe("{}");
    await w.publish({ subordinated: "true", "secret-user": w.secret(USER), endpoints: "10.1.0.10:5432" });
    expect(w.names()).toEqual([]);
    expect(w.sim.model.unitBag(w.id, "app/1").data).toBe(before);
    await w.sim.runHook("db/0", "update-status", {
      runner: async (b) => b.relationSet(w.ref, { state: "ready" }, false),
    });
    await w.sim.settle();
    expect(w.names()).toEqual(["databaseCreated"]);
  });

  it("a malformed answer is an `invalid` event naming the key, with nothing written; the fix is picked up", async () => {
    const w = await world();
    const before = w.sim.model.unitBag(w.id, "app/1").data;
    await w.publish({ "secret-user": w.secret(USER), endpoints: "192.168.0.7:-1" });
    const inv = w.events.filter((e) => e.name === "invalid");
    expect(inv.map((e) => e.unit).sort()).toEqual(["app/0", "app/1"]);
    const error = inv[0]!.payload.error as Error & { key: string };
    expect(error.key).toBe("endpoints");
    expect(error.message).toContain('provider app databag key "endpoints"');
    expect(w.sim.model.unitBag(w.id, "app/1").data).toBe(before);
    await w.publish({ endpoints: "192.168.0.7:31432" });
    expect(w.names()).toEqual(["invalid", "databaseCreated"]);
  });

  it("bad secret content is reported as secret-user/<field>, and the password never appears", async () => {
    const w = await world();
    await w.publish({
      "secret-user": w.secret({ ...USER, uris: "jdbc:postgresql://x pw-1" }),
      endpoints: "h:1",
    });
    const error = w.events.find((e) => e.name === "invalid")!.payload.error as Error & { key: string };
    expect(error.key).toBe("secret-user/uris");
    expect(error.message).not.toContain("pw-1");
  });

  it("without an invalid handler the unit goes Blocked with the message", async () => {
    const w = await world({}, ["databaseCreated"]);
    await w.publish({ endpoints: "10.1.0.10:5432", status: "not json" });
    expect(w.sim.model.unitStatus("app/1")).toEqual(
      expect.objectContaining({ status: "blocked", message: expect.stringContaining('key "status"') }),
    );
  });

  it("an unknown secret-* key and junk keys do not break anything", async () => {
    const w = await world();
    await w.publish({
      "secret-user": w.secret(USER),
      endpoints: "10.1.0.10:5432",
      "secret-weird": "secret:aaaaaaaaaaaaaaaaaaaa",
      resource: "myapp",
      salt: "abcdefgh",
    });
    expect(w.names()).toEqual(["databaseCreated"]);
  });
});
