import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Charm,
  NotLeaderError,
  PrematureWriteError,
  type RelationRef,
  RemoteDataError,
  RequestChangedError,
} from "@charm-relations/juju-secrets-core";
import { computeRequestId, pyDumps, v0Snapshot } from "@charm-relations/juju-secrets-core/protocol";
import { type HookRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import {
  type PostgresqlAnswer,
  PostgresqlProvider,
  type PostgresqlProviderEvents,
  type PostgresqlProviderOptions,
  type PostgresqlRequest,
} from "../src/index.js";
import { charmRunner, requirerAppDatabag } from "../src/testing.js";

const UUID = "8c7e20bb-710f-4f64-b51d-4acb46656498";
const noop: HookRunner = async () => {};
const ANSWER: PostgresqlAnswer = {
  username: "relation-0",
  password: "pw-1",
  uris: "postgresql://relation-0:pw-1@10.1.0.10:5432/myapp",
  readOnlyUris: "postgresql://relation-0:pw-1@10.1.0.11:5432/myapp",
  endpoints: ["10.1.0.10:5432"],
  readOnlyEndpoints: ["10.1.0.11:5432"],
  version: "16.8.1",
  tls: false,
};
type Seen = { unit: string; name: keyof PostgresqlProviderEvents; payload: Record<string, unknown> };

async function world(
  options: {
    answer?: PostgresqlAnswer | null;
    provider?: PostgresqlProviderOptions;
    peers?: boolean;
    charmDir?: string;
    listen?: (keyof PostgresqlProviderEvents)[];
    wire?: (p: PostgresqlProvider, charm: Charm) => void;
  } = {},
) {
  const events: Seen[] = [];
  const sim = new Simulation({ uuid: UUID, lifecycle: false, secretRemoveHooks: false });
  const listen = options.listen ?? [
    "databaseRequested",
    "databaseEntityRequested",
    "databaseEntityPermissionsChanged",
    "invalid",
    "requestRemoved",
    "gone",
  ];
  sim.deploy("db", {
    runner: charmRunner((charm) => {
      const p = new PostgresqlProvider(charm, { endpoint: "database", ...(options.provider ?? {}) });
      for (const name of listen) {
        p.on(name, (payload) => void events.push({ unit: charm.unit, name, payload: payload as never }));
      }
      if (options.answer !== null) {
        p.on("databaseRequested", ({ request }) =>
          p.publish(request, { database: request.database, ...(options.answer ?? ANSWER) }),
        );
      }
      options.wire?.(p, charm);
    }),
    units: 2,
    endpoints: {
      database: "provides:postgresql_client",
      ...(options.peers ? { peers: "peers:postgresql_peers" } : {}),
    },
    ...(options.charmDir ? { charmDir: options.charmDir } : {}),
  });
  sim.deploy("app", { runner: noop, units: 1, endpoints: { database: "requires:postgresql_client" } });
  await sim.settle();
  const id = sim.relate("db", "app:database");
  await sim.settle();
  const ref: RelationRef = { endpoint: "database", id };
  const request = async (bag: Record<string, string>) => {
    await sim.runHook("app/0", "update-status", { runner: async (b) => b.relationSet(ref, bag, true) });
    const r = await sim.settle();
    expect(r.failed.map((f) => String(f.error))).toEqual([]);
  };
  /** Run `fn` on a provider unit inside a hook (a fresh charm, like any hook). */
  const onUnit = async <T>(unit: string, fn: (p: PostgresqlProvider, charm: Charm) => T) => {
    let out: T | undefined;
    let error: unknown;
    await sim.runHook(unit, "update-status", {
      runner: charmRunner((charm) => {
        const p = new PostgresqlProvider(charm, { endpoint: "database", ...(options.provider ?? {}) });
        charm.on("updateStatus", () => {
          try {
            out = fn(p, charm);
          } catch (e) {
            error = e;
          }
        });
      }),
    });
    if (error) throw error;
    return out as T;
  };
  const names = () => events.map((e) => e.name);
  return { sim, id, ref, events, request, onUnit, names };
}

describe("requests", () => {
  it("databaseRequested on the leader only, with a typed request", async () => {
    const w = await world({ answer: null });
    await w.request({
      ...requirerAppDatabag({
        database: "myapp*",
        extraUserRoles: ["CREATEDB"],
        externalNodeConnectivity: true,
      }),
      "prefix-matching": "all",
      "requested-entity-secret": "secret:0qo3fklh59sgbav5gc67",
    });
    expect(w.events.map((e) => `${e.unit} ${e.name}`)).toEqual(["db/0 databaseRequested"]);
    const request = w.events[0]!.payload.request as PostgresqlRequest;
    expect(request).toEqual({
      relation: w.ref,
      remoteApp: "app",
      contract: "v0",
      database: "myapp*",
      isPrefix: true,
      prefix: "myapp",
      extraUserRoles: ["CREATEDB"],
      extraGroupRoles: [],
      externalNodeConnectivity: true,
      prefixMatching: "all",
      requestedSecrets: [
        "username",
        "password",
        "tls",
        "tls-ca",
        "uris",
        "read-only-uris",
        "entity-name",
        "entity-password",
      ],
      requestedEntitySecret: "secret:0qo3fklh59sgbav5gc67",
    });
    // The snapshot is written in the same hook, keys sorted.
    expect(w.sim.model.appBag(w.id, "db").data).toBe(v0Snapshot(w.sim.model.appBag(w.id, "app")));
    expect(await w.onUnit("db/1", (p) => p.requests().map((r) => r.database))).toEqual(["myapp*"]);
  });

  it("databaseEntityRequested and databaseEntityPermissionsChanged", async () => {
    const w = await world({ answer: null });
    const perms = (p: string) =>
      `[{"resource_name": "items", "resource_type": "TABLE", "privileges": ["${p}"]}]`;
    const bag = {
      ...requirerAppDatabag(),
      "entity-type": "GROUP",
      "extra-group-roles": "charmed_read",
      "entity-permissions": perms("SELECT"),
    };
    await w.request(bag);
    await w.request({ ...bag, "entity-permissions": perms("UPDATE") });
    expect(w.names()).toEqual(["databaseEntityRequested", "databaseEntityPermissionsChanged"]);
    expect((w.events[1]!.payload.request as PostgresqlRequest).entityPermissions).toEqual([
      { resource_name: "items", resource_type: "TABLE", privileges: ["UPDATE"] },
    ]);
  });

  it("a role change after creation is a RequestChangedError that says what to do; the answer stays", async () => {
    const w = await world();
    await w.request(requirerAppDatabag({ extraUserRoles: ["CREATEDB"] }));
    const answered = w.sim.model.appBag(w.id, "db");
    await w.request(requirerAppDatabag({ extraUserRoles: ["SUPERUSER"] }));
    const invalid = w.events.filter((e) => e.name === "invalid");
    expect(invalid).toHaveLength(1);
    const error = invalid[0]!.payload.error as RequestChangedError;
    expect(error).toBeInstanceOf(RequestChangedError);
    expect(error).toBeInstanceOf(RemoteDataError);
    expect(error.keys).toEqual(["extra-user-roles"]);
    expect(error.message).toBe(
      `database:${w.id}: the requirer changed extra-user-roles after its request was made; these are fixed at ` +
        "creation: remove and re-add the relation to change them (the original request is still served)",
    );
    expect(w.sim.model.appBag(w.id, "db")).toEqual(answered);
    expect(w.names().filter((n) => n === "databaseRequested")).toHaveLength(1);
  });

  it("without an invalid handler the leader goes Blocked with that message; entity-type changes too", async () => {
    const w = await world({ listen: [] });
    await w.request(requirerAppDatabag());
    await w.request({ ...requirerAppDatabag(), "entity-type": "USER" });
    expect(w.sim.model.unitStatus("db/0")).toEqual(
      expect.objectContaining({
        status: "blocked",
        message: expect.stringContaining("changed entity-type after its request was made"),
      }),
    );
  });

  it.each([
    ["database", { database: "ab*" }],
    ["requested-secrets", { "requested-secrets": "username" }],
    ["entity-type", { "entity-type": "ROLE" }],
    ["external-node-connectivity", { "external-node-connectivity": "maybe" }],
    ["extra-group-roles", { "extra-group-roles": "charmed_read" }],
    ["requested-entity-secret", { "requested-entity-secret": "not-a-uri" }],
  ])("a malformed request (%s) gets invalid naming the key, no event, no write", async (key, bad) => {
    const w = await world();
    await w.request({ ...requirerAppDatabag(), ...bad });
    expect(w.names()).toEqual(["invalid"]);
    expect((w.events[0]!.payload.error as RemoteDataError).key?.startsWith(key)).toBe(true);
    expect(w.sim.model.appBag(w.id, "db")).toEqual({});
  });

  it("serves a v1 requirer too: the response carries the request id, and data has an entry for it", async () => {
    const w = await world();
    const salt = "kkkkkkkkkkkkkkkk";
    const requestId = computeRequestId("myapp", salt);
    await w.request({
      version: "v1",
      requests: pyDumps([
        { resource: "myapp", "request-id": requestId, salt, "external-node-connectivity": false },
      ]),
    });
    const request = w.events[0]!.payload.request as PostgresqlRequest;
    expect(request).toMatchObject({ contract: "v1", requestId, database: "myapp" });
    const bag = w.sim.model.appBag(w.id, "db");
    expect(bag.version).toBe("v1");
    const [response] = JSON.parse(bag.requests!) as Record<string, unknown>[];
    expect(response).toMatchObject({
      "request-id": requestId,
      endpoints: "10.1.0.10:5432",
      version: "16.8.1",
    });
    expect(Object.keys(JSON.parse(bag.data!))).toEqual([requestId]);
    // v1 always uses secrets, read-only-uris included.
    expect(w.sim.model.secretContent(response!["secret-user"] as string)).toMatchObject({
      "read-only-uris": ANSWER.readOnlyUris,
    });
  });
});

describe("v1 request withdrawal", () => {
  it("requestRemoved when a v1 requirer drops a request; its response and secrets go", async () => {
    const w = await world();
    const req = (resource: string, salt: string) => ({
      resource,
      "request-id": computeRequestId(resource, salt),
      salt,
      "external-node-connectivity": false,
    });
    const a = req("app_a", "aaaaaaaaaaaaaaaa");
    const b = req("app_b", "bbbbbbbbbbbbbbbb");
    await w.request({ version: "v1", requests: pyDumps([a, b]) });
    const responses = JSON.parse(w.sim.model.appBag(w.id, "db").requests!) as Record<string, string>[];
    expect(responses.map((r) => r.resource)).toEqual(["app_a", "app_b"]);
    const dropped = responses[1]!["secret-user"]!;
    await w.request({ version: "v1", requests: pyDumps([a]) });
    const removed = w.events.filter((e) => e.name === "requestRemoved").map((e) => e.payload);
    expect(removed).toHaveLength(1);
    expect(removed[0]!.request).toMatchObject({
      relation: w.ref,
      requestId: b["request-id"],
      database: "app_b",
    });
    // What it had been given, read before its secrets went (e.g. the user to drop).
    expect(removed[0]!.published).toMatchObject({
      username: "relation-0",
      "read-only-endpoints": "10.1.0.11:5432",
    });
    const after = JSON.parse(w.sim.model.appBag(w.id, "db").requests!) as Record<string, string>[];
    expect(after.map((r) => r.resource)).toEqual(["app_a"]);
    expect(w.sim.model.secret(dropped)).toBeUndefined();
  });
});

describe("publishing", () => {
  it("honours requested-secrets exactly: unrequested credentials are not published, other fields go plain", async () => {
    const w = await world();
    await w.request(requirerAppDatabag({ requestedSecrets: ["username", "password"] }));
    const bag = w.sim.model.appBag(w.id, "db");
    expect(w.sim.model.secretContent(bag["secret-user"]!)).toEqual({
      username: "relation-0",
      password: "pw-1",
    });
    expect(bag.uris).toBeUndefined();
    expect(bag["read-only-uris"]).toBeUndefined();
    expect(bag.tls).toBe("False");
    expect(bag["tls-ca"]).toBeUndefined();
    expect(bag["secret-tls"]).toBeUndefined();
    const warnings = w.sim.model
      .logs("db/0")
      .filter((l) => l.level === "WARNING")
      .map((l) => l.message);
    expect(warnings.some((m) => m.includes('"read-only-uris"'))).toBe(true);
    expect(warnings.some((m) => m.includes('"uris"'))).toBe(true);
    expect(JSON.stringify(w.sim.model.logs())).not.toContain("pw-1");
  });

  it("the full list puts everything in secrets: user (with read-only-uris) and tls {False, ''}", async () => {
    const w = await world();
    await w.request(requirerAppDatabag());
    const bag = w.sim.model.appBag(w.id, "db");
    expect(Object.keys(bag).sort()).toEqual(
      ["data", "database", "endpoints", "read-only-endpoints", "secret-tls", "secret-user", "version"].sort(),
    );
    expect(w.sim.model.secretContent(bag["secret-user"]!)).toEqual({
      username: "relation-0",
      password: "pw-1",
      uris: ANSWER.uris,
      "read-only-uris": ANSWER.readOnlyUris,
    });
    expect(w.sim.model.secretContent(bag["secret-tls"]!)).toEqual({ tls: "False", "tls-ca": "" });
  });

  it("plain-text fallback for a requirer without requested-secrets; read-only-uris never goes plain", async () => {
    const w = await world();
    await w.request(requirerAppDatabag({ requestedSecrets: false, providedSecrets: false }));
    expect(w.sim.model.appBag(w.id, "db")).toEqual({
      data: '{"database": "myapp"}',
      database: "myapp",
      endpoints: "10.1.0.10:5432",
      password: "pw-1",
      "read-only-endpoints": "10.1.0.11:5432",
      tls: "False",
      uris: ANSWER.uris,
      username: "relation-0",
      version: "16.8.1",
    });
  });

  it("tls is spelled True/False (or as configured); a TLS switch updates the secret in place", async () => {
    const w = await world({ answer: { ...ANSWER, tls: true, tlsCa: "-----BEGIN CERTIFICATE-----" } });
    await w.request(requirerAppDatabag());
    const uri = w.sim.model.appBag(w.id, "db")["secret-tls"]!;
    expect(w.sim.model.secretContent(uri)).toEqual({ tls: "True", "tls-ca": "-----BEGIN CERTIFICATE-----" });
    await w.onUnit("db/0", (p) => p.publishAll({ tls: false }));
    expect(w.sim.model.secretContent(uri)).toEqual({ tls: "False", "tls-ca": "" });
    expect(w.sim.model.secret(uri)!.latestRevision).toBe(2);
    const lower = await world({ provider: { tlsSpelling: "true" } });
    await lower.request(requirerAppDatabag({ requestedSecrets: false }));
    expect(lower.sim.model.appBag(lower.id, "db").tls).toBe("false");
  });

  it("re-publishing the same answer costs no write and no revision", async () => {
    const w = await world();
    await w.request(requirerAppDatabag());
    const before = w.sim.model.toJSON();
    const h = await w.sim.runHook("db/0", "update-status", {
      runner: charmRunner((charm) => {
        const p = new PostgresqlProvider(charm);
        charm.on("updateStatus", () => p.publishAll({ ...ANSWER, database: "myapp" }));
      }),
    });
    expect(h.databags).toEqual([]);
    expect(h.secrets?.updated).toEqual([]);
    expect(w.sim.model.toJSON().secrets).toEqual(before.secrets);
  });

  it("refuses credentials before the request (premature write) but allows endpoints; leader only", async () => {
    const w = await world();
    await expect(w.onUnit("db/0", (p) => p.publish(w.ref, { username: "u", password: "p" }))).rejects.toThrow(
      PrematureWriteError,
    );
    await w.onUnit("db/0", (p) => p.publish(w.ref, { endpoints: "10.1.0.10:5432" }));
    expect(w.sim.model.appBag(w.id, "db")).toEqual({ endpoints: "10.1.0.10:5432" });
    await expect(w.onUnit("db/1", (p) => p.publish(w.ref, { endpoints: "x:1" }))).rejects.toThrow(
      NotLeaderError,
    );
  });

  it("published() reads back the login (to keep a password); prefix-databases are sorted; statuses", async () => {
    const w = await world();
    await w.request(requirerAppDatabag({ database: "pre*" }));
    const published = await w.onUnit("db/0", (p) => {
      p.publish(w.ref, { prefixDatabases: ["pre_b", "pre_a"] });
      p.raiseStatus(w.ref, { code: 4001, message: "restarting", resolution: "wait" });
      return p.published(w.ref);
    });
    // The wire fields under their canonical names, secret content included.
    expect(published).toEqual({
      database: "pre*",
      endpoints: "10.1.0.10:5432",
      "read-only-endpoints": "10.1.0.11:5432",
      "prefix-databases": "pre_a,pre_b",
      version: "16.8.1",
      username: "relation-0",
      password: "pw-1",
      uris: ANSWER.uris,
      "read-only-uris": ANSWER.readOnlyUris,
      tls: "False",
      "tls-ca": "",
    });
    const bag = w.sim.model.appBag(w.id, "db");
    expect(bag["prefix-databases"]).toBe("pre_a,pre_b");
    expect(bag.status).toBe('[{"code": 4001, "message": "restarting", "resolution": "wait"}]');
    await w.onUnit("db/0", (p) => p.resolveStatus(w.ref, 4001));
    expect(w.sim.model.appBag(w.id, "db").status).toBeUndefined();
  });

  it("requestedEntity reads the requirer's custom name; subordinates write subordinated and unit state", async () => {
    const w = await world({ answer: null });
    const aux = w.sim.model.addSecret({
      owner: "app",
      content: { "entity-name": "custom_user", password: "pw" },
      grants: [{ relationId: w.id }],
    });
    await w.request({ ...requirerAppDatabag(), "requested-entity-secret": aux });
    const read = await w.onUnit("db/0", (p) => {
      const r = p.requests()[0]!;
      p.publish(r, { ...ANSWER, username: "custom_user", subordinated: true });
      p.setUnitReady(w.ref);
      return p.requestedEntity(r);
    });
    expect(read).toEqual({ ok: true, name: "custom_user", password: "pw" });
    expect(w.sim.model.appBag(w.id, "db").subordinated).toBe("true");
    expect(w.sim.model.unitBag(w.id, "db/0")).toEqual({ state: "ready" });
  });
});

describe("relation-departed and relation-broken (the PgBouncer departing flow)", () => {
  it("removing the relation: every unit gets gone (not departing); the secrets go", async () => {
    const w = await world();
    await w.request(requirerAppDatabag());
    const uri = w.sim.model.appBag(w.id, "db")["secret-user"]!;
    w.sim.removeRelation(w.id);
    await w.sim.settle();
    const gone = w.events.filter((e) => e.name === "gone");
    expect(gone.map((e) => [e.unit, e.payload.departing])).toEqual([
      ["db/0", false],
      ["db/1", false],
    ]);
    expect(w.sim.model.secret(uri)).toBeUndefined();
  });

  it("a departing leader keeps the user and the secrets (flag in the charm directory, whatever the hook order)", async () => {
    const charmDir = mkdtempSync(join(tmpdir(), "pg-provider-"));
    // With a peer relation too: Juju may tear it down before the database relation (it does here).
    const w = await world({ charmDir, peers: true, provider: { peerEndpoint: "peers" } });
    await w.request(requirerAppDatabag());
    const uri = w.sim.model.appBag(w.id, "db")["secret-user"]!;
    w.sim.removeUnit("db/0");
    expect((await w.sim.settle()).failed).toEqual([]);
    const mine = w.events.filter((e) => e.unit === "db/0");
    expect(mine.find((e) => e.name === "gone")!.payload).toMatchObject({ departing: true });
    expect(w.sim.model.secret(uri)).toBeDefined();
    // The client still reads its credentials; the new leader removes them when the relation really goes.
    w.sim.removeRelation(w.id);
    await w.sim.settle();
    expect(w.events.filter((e) => e.name === "gone").at(-1)).toMatchObject({
      unit: "db/1",
      payload: { departing: false },
    });
    expect(w.sim.model.secret(uri)).toBeUndefined();
  });

  it("with a peer relation the flag is also PgBouncer's peer key, and it alone is enough", async () => {
    const charmDir = mkdtempSync(join(tmpdir(), "pg-provider-"));
    const w = await world({ charmDir, peers: true, provider: { peerEndpoint: "peers" } });
    await w.request(requirerAppDatabag());
    const uri = w.sim.model.appBag(w.id, "db")["secret-user"]!;
    const peerId = w.sim.model.relations({ app: "db", endpoint: "peers" })[0]!.id;
    await w.sim.runHook("db/0", "relation-departed", {
      relationId: w.id,
      remoteUnit: "app/0",
      departingUnit: "db/0",
    });
    expect(w.sim.model.unitBag(peerId, "db/0")).toMatchObject({ [`database_${w.id}_departing`]: "true" });
    // Drop the core's marker file: the peer key must do on its own.
    rmSync(join(charmDir, ".charm-relations"), { recursive: true });
    const broken = await w.sim.runHook("db/0", "relation-broken", { relationId: w.id });
    expect(broken.ok).toBe(true);
    expect(w.events.at(-1)).toMatchObject({
      unit: "db/0",
      name: "gone",
      payload: { departing: true },
    });
    expect(w.sim.model.secret(uri)).toBeDefined();
  });

  it("without a charm directory or peers, departing is still remembered (the core's per-unit marker)", async () => {
    const w = await world();
    await w.request(requirerAppDatabag());
    const uri = w.sim.model.appBag(w.id, "db")["secret-user"]!;
    await w.sim.runHook("db/0", "relation-departed", {
      relationId: w.id,
      remoteUnit: "app/0",
      departingUnit: "db/0",
    });
    const broken = await w.sim.runHook("db/0", "relation-broken", { relationId: w.id });
    expect(broken.ok).toBe(true);
    expect(w.events.at(-1)).toMatchObject({
      unit: "db/0",
      name: "gone",
      payload: { departing: true },
    });
    expect(w.sim.model.secret(uri)).toBeDefined();
  });
});
