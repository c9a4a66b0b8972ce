import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PostgresqlConnection } from "@charm-relations/interface-postgresql-client";
import { charmRunner, referenceRequirer } from "@charm-relations/interface-postgresql-client/testing";
import { Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { DROPPED_USERS_KEY, PEERS, setup } from "../src/charm.js";

async function deployed(requirerOptions: Parameters<typeof referenceRequirer>[0] = {}) {
  const seen = new Map<string, PostgresqlConnection[]>();
  const sim = new Simulation({ lifecycle: true });
  sim.deploy("postgresql", {
    runner: charmRunner(setup),
    units: 2,
    // Juju's charm dir: where a unit remembers that it is departing.
    charmDir: mkdtempSync(join(tmpdir(), "postgresql-provider-")),
    endpoints: { database: "provides:postgresql_client", [PEERS]: "peers:postgresql_peers" },
  });
  sim.deploy("app", {
    runner: referenceRequirer(requirerOptions, seen),
    units: 2,
    endpoints: { database: "requires:postgresql_client" },
  });
  expect((await sim.settle()).settled).toBe(true);
  const id = sim.relate("postgresql:database", "app:database");
  expect((await sim.settle()).settled).toBe(true);
  const peerId = sim.model.relations({ app: "postgresql", endpoint: PEERS })[0]!.id;
  return { sim, id, peerId, seen };
}

describe("postgresql-provider example", () => {
  it("answers with relation-<id>, a password, uris, endpoints, version and tls False", async () => {
    const { sim, id, seen } = await deployed();
    const bag = sim.model.appBag(id, "postgresql");
    expect(bag).toMatchObject({ database: "myapp", endpoints: "10.1.0.10:5432", version: "16.8.1" });
    const user = sim.model.secretContent(bag["secret-user"]!)!;
    expect(user.username).toBe(`relation-${id}`);
    expect(user.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(user.uris).toBe(`postgresql://relation-${id}:${user.password}@10.1.0.10:5432/myapp`);
    expect(sim.model.secretContent(bag["secret-tls"]!)).toEqual({ tls: "False", "tls-ca": "" });
    expect(sim.model.unitStatus("postgresql/0")).toMatchObject({ status: "active" });
    expect(seen.get("app/1")?.[0]).toMatchObject({ username: `relation-${id}` });
  });

  it("rotates every password when password-generation changes, and TLS from config", async () => {
    const { sim, id, seen } = await deployed();
    const uri = sim.model.appBag(id, "postgresql")["secret-user"]!;
    const before = sim.model.secretContent(uri)!.password;
    sim.configure("postgresql", {
      "password-generation": 1,
      "tls-ca": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
    });
    expect((await sim.settle()).settled).toBe(true);
    const after = sim.model.secretContent(uri)!;
    expect(after.password).not.toBe(before);
    expect(sim.model.secret(uri)!.latestRevision).toBe(2);
    const tls = sim.model.secretContent(sim.model.appBag(id, "postgresql")["secret-tls"]!)!;
    expect(tls.tls).toBe("True");
    // Requirer units saw the rotation (credentialsRotated carries the new password).
    expect(seen.get("app/0")?.at(-1)?.password).toBe(after.password);
    // A second config-changed with the same generation mints nothing.
    sim.configure("postgresql", { "password-generation": 1 });
    await sim.settle();
    expect(sim.model.secret(uri)!.latestRevision).toBe(2);
  });

  it("blocks on invalid extra-user-roles and serves nothing for them", async () => {
    const { sim, id } = await deployed({ extraUserRoles: ["NOT_A_ROLE"] });
    expect(sim.model.unitStatus("postgresql/0")).toEqual(
      expect.objectContaining({ status: "blocked", message: "invalid role(s) for extra user roles" }),
    );
    expect(sim.model.appBag(id, "postgresql")["secret-user"]).toBeUndefined();
  });

  it("a departing leader keeps the client's user and secrets; removing the relation drops the user", async () => {
    const { sim, id, peerId } = await deployed();
    const uri = sim.model.appBag(id, "postgresql")["secret-user"]!;
    sim.removeUnit("postgresql/0"); // the leader
    expect((await sim.settle()).settled).toBe(true);
    expect(sim.model.secret(uri)).toBeDefined();
    expect(sim.model.appBag(peerId, "postgresql")[DROPPED_USERS_KEY]).toBeUndefined();
    sim.removeRelation(id);
    expect((await sim.settle()).settled).toBe(true);
    expect(sim.model.secret(uri)).toBeUndefined();
    expect(JSON.parse(sim.model.appBag(peerId, "postgresql")[DROPPED_USERS_KEY]!)).toEqual([
      `relation-${id}`,
    ]);
  });

  it("honours a custom username from requested-entity-secret, and answers entity requests", async () => {
    const custom = await deployed({ requestedEntity: { name: "custom_user" } });
    const user = custom.sim.model.secretContent(
      custom.sim.model.appBag(custom.id, "postgresql")["secret-user"]!,
    )!;
    expect(user.username).toBe("custom_user");
    // The requirer removed its requested-entity secret once answered.
    expect(custom.sim.model.appBag(custom.id, "app")["requested-entity-secret"]).toBeUndefined();

    const group = await deployed({ entityType: "GROUP", extraGroupRoles: ["charmed_read"] });
    const bag = group.sim.model.appBag(group.id, "postgresql");
    expect(group.sim.model.secretContent(bag["secret-entity"]!)).toEqual({
      "entity-name": `app_${group.id}`,
    });
    expect(bag["secret-user"]).toBeUndefined();
  });
});
