/**
 * Our provider and our requirer in one simulated model, through a whole lifecycle: deploy, relate,
 * settle, rotate, scale both sides out and in, remove the relation. No hook may fail, no secret may be
 * left behind, every event fires where documented, and a repeated relation-changed writes nothing.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import {
  connectionUri,
  generatePassword,
  PostgresqlProvider,
  PostgresqlRequirer,
  relationUsername,
} from "../src/index.js";
import { charmRunner } from "../src/testing.js";

type Event = { unit: string; name: string; detail?: string };

function provider(events: Event[]) {
  return charmRunner((charm) => {
    const p = new PostgresqlProvider(charm, { endpoint: "database", peerEndpoint: "peers" });
    const serve = (rotate: boolean) => {
      for (const request of p.requests()) {
        const published = p.published(request);
        const username = relationUsername(request.relation.id);
        const password = !rotate && published.password ? published.password : generatePassword();
        const endpoints = String(charm.model.config().endpoints ?? "10.1.0.10:5432");
        p.publish(request, {
          database: request.database,
          username,
          password,
          uris: connectionUri({ username, password, endpoint: endpoints, database: request.database }),
          endpoints,
          readOnlyEndpoints: endpoints,
          version: "16.8.1",
          tls: false,
        });
      }
    };
    p.on("databaseRequested", ({ request }) => {
      events.push({ unit: charm.unit, name: "databaseRequested", detail: request.database });
      serve(false);
    });
    p.on("gone", ({ departing }) => {
      // The relation's user goes with the relation: on the leader, unless only this unit leaves.
      const removeUser = !departing && charm.model.isLeader();
      events.push({
        unit: charm.unit,
        name: "gone",
        detail: `departing=${departing} removeUser=${removeUser}`,
      });
    });
    charm.on("configChanged", () => {
      if (charm.model.isLeader()) serve(charm.model.config().rotate === true);
    });
  });
}

function requirer(events: Event[]) {
  return charmRunner((charm) => {
    const r = new PostgresqlRequirer(charm, { endpoint: "database", database: "myapp" });
    const push = (name: string, detail?: string): void => {
      events.push({ unit: charm.unit, name, ...(detail ? { detail } : {}) });
    };
    r.on("databaseCreated", ({ connection }) => push("databaseCreated", connection.username));
    r.on("endpointsChanged", ({ connection }) => push("endpointsChanged", connection.endpoints.join(",")));
    r.on("credentialsRotated", ({ groups }) => push("credentialsRotated", groups.join(",")));
    r.on("gone", () => push("gone"));
    r.on("invalid", ({ error }) => push("invalid", error.message));
  });
}

describe("lifecycle: our provider and requirer", () => {
  it("relate → rotate → endpoints move → scale out/in → remove: clean all the way", async () => {
    const pEvents: Event[] = [];
    const rEvents: Event[] = [];
    const sim = new Simulation({ lifecycle: true });
    sim.deploy("db", {
      runner: provider(pEvents),
      units: 2,
      charmDir: mkdtempSync(join(tmpdir(), "pg-lifecycle-")),
      endpoints: { database: "provides:postgresql_client", peers: "peers:postgresql_peers" },
    });
    sim.deploy("app", {
      runner: requirer(rEvents),
      units: 2,
      endpoints: { database: "requires:postgresql_client" },
    });
    expect((await sim.settle()).settled).toBe(true);
    const id = sim.relate("db", "app");
    expect((await sim.settle()).settled).toBe(true);

    expect(pEvents.filter((e) => e.name === "databaseRequested")).toEqual([
      { unit: "db/0", name: "databaseRequested", detail: "myapp" },
    ]);
    const created = (unit: string) => rEvents.filter((e) => e.unit === unit && e.name === "databaseCreated");
    for (const unit of ["app/0", "app/1"])
      expect(created(unit)).toEqual([{ unit, name: "databaseCreated", detail: `relation-${id}` }]);

    // Idempotency: a repeated relation-changed on every unit of both sides writes nothing.
    for (const unit of ["db/0", "db/1", "app/0", "app/1"]) {
      const h = await sim.runHook(unit, "relation-changed", { relationId: id });
      expect(h.ok).toBe(true);
      expect(h.databags).toEqual([]);
    }

    // Rotation: one new revision, every requirer unit told (the Python v0 requirer stays silent: I-1).
    const userUri = sim.model.appBag(id, "db")["secret-user"]!;
    const passwords = [sim.model.secretContent(userUri)!.password!];
    sim.configure("db", { rotate: true });
    expect((await sim.settle()).settled).toBe(true);
    passwords.push(sim.model.secretContent(userUri)!.password!);
    expect(passwords[1]).not.toBe(passwords[0]);
    expect(sim.model.secret(userUri)!.latestRevision).toBe(2);
    for (const unit of ["app/0", "app/1"]) {
      expect(rEvents.filter((e) => e.unit === unit && e.name === "credentialsRotated")).toEqual([
        { unit, name: "credentialsRotated", detail: "user" },
      ]);
    }
    // Superseded revision 1 is removed once nobody tracks it (no orphaned revisions).
    expect(sim.model.secret(userUri)!.revisions.map((r) => r.revision)).toEqual([2]);

    // The primary moves: endpointsChanged everywhere (uris move with it: a rotation of the user group).
    sim.configure("db", { rotate: false, endpoints: "10.1.0.20:5432" });
    expect((await sim.settle()).settled).toBe(true);
    for (const unit of ["app/0", "app/1"]) {
      expect(
        rEvents.filter((e) => e.unit === unit && e.name === "endpointsChanged").map((e) => e.detail),
      ).toEqual(["10.1.0.20:5432"]);
    }

    // Scale out both sides: the new requirer unit gets databaseCreated from its own snapshot.
    sim.addUnit("app");
    sim.addUnit("db");
    expect((await sim.settle()).settled).toBe(true);
    expect(created("app/2")).toHaveLength(1);

    // Scale in the provider leader: it departs without removing the client's user or secrets.
    sim.removeUnit("db/0");
    expect((await sim.settle()).settled).toBe(true);
    expect(pEvents.find((e) => e.unit === "db/0" && e.name === "gone")?.detail).toBe(
      "departing=true removeUser=false",
    );
    expect(sim.model.secret(userUri)).toBeDefined();
    sim.removeUnit("app/1");
    expect((await sim.settle()).settled).toBe(true);

    // Remove the relation: gone on every unit, the new provider leader removes the user, no secret left.
    sim.removeRelation(id);
    const end = await sim.settle();
    expect(end.settled).toBe(true);
    expect(
      pEvents
        .filter((e) => e.name === "gone" && e.detail === "departing=false removeUser=true")
        .map((e) => e.unit),
    ).toEqual([sim.model.leaderOf("db")]);
    // app/1 got its relation-broken when it was removed; the others now.
    expect(rEvents.filter((e) => e.name === "gone").map((e) => e.unit)).toEqual(["app/1", "app/0", "app/2"]);
    expect(sim.model.secrets()).toEqual([]);
    expect(sim.hooks.every((h) => h.ok)).toBe(true);
    expect(rEvents.filter((e) => e.name === "invalid")).toEqual([]);
    // Nothing secret ever reached a log line.
    const logs = JSON.stringify([sim.model.logs(), sim.hooks.map((h) => h.calls)]);
    for (const pw of passwords) expect(logs).not.toContain(pw);
  });
});
