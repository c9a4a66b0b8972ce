/**
 * postgresql_client through `@charm-relations/interface-postgresql-client`: a provider charm shaped
 * like PostgreSQL (user `relation-<id>`, password stable per `rotate` generation), the package's
 * requirer (v0), and a v1 requirer on the core engine with the package's definition (the provider
 * serves both contracts). Lifecycle and hostile cases for both sides and both contracts.
 */

import {
  connectionUri,
  PostgresqlProvider,
  type PostgresqlRequest,
  PostgresqlRequirer,
  postgresqlClient,
} from "@charm-relations/interface-postgresql-client";
import type { Charm } from "@charm-relations/juju-secrets-core";
import { DataRequirer } from "@charm-relations/juju-secrets-core/interface";
import { charmRunner } from "@charm-relations/juju-secrets-core/testing";
import fc from "fast-check";
import { EventLog, makePassword, type PasswordMode, passwordSeed } from "../generic.js";
import { badHostPorts, type HostileTarget, invalidUri, schemeHostPorts } from "../hostile.js";
import { providerBases, requirerBases, settledWorld, unknownResponse } from "../hostile-bases.js";
import { V0_ANSWER_ROLES, V0_REQUEST_ROLES, V1_ANSWER_ROLES, V1_REQUEST_ROLES } from "../hostile-generic.js";
import type { LifecycleSpec } from "../lifecycle.js";

const EP = "database";
const SUBJECT = "postgresql_client";

export interface CharmOptions {
  readonly passwords?: PasswordMode;
  readonly log?: EventLog;
}

export function postgresqlProvider(options: CharmOptions = {}): (charm: Charm) => void {
  const seed = passwordSeed(options.passwords ?? "derived");
  return (charm) => {
    const provider = new PostgresqlProvider(charm, { endpoint: EP });
    const log = (e: string, d = "") => options.log?.add(charm.unit, e, d);
    const serve = (r: PostgresqlRequest) => {
      const username = r.requestId
        ? `relation_id_${r.relation.id}_${r.requestId}`
        : `relation_id_${r.relation.id}`;
      const password = makePassword(seed, `${username}#${String(charm.model.config().rotate ?? "0")}`);
      const database = r.isPrefix ? r.prefix : r.database;
      provider.publish(r, {
        database: r.database,
        endpoints: ["10.1.0.10:5432"],
        readOnlyEndpoints: ["10.1.0.11:5432"],
        version: "16.8.1",
        username,
        password,
        uris: connectionUri({ username, password, endpoint: "10.1.0.10:5432", database }),
        tls: false,
      });
    };
    provider.on("databaseRequested", ({ request }) => {
      log("databaseRequested", request.database);
      serve(request);
    });
    provider.on("gone", ({ relation }) => log("gone", String(relation.id)));
    if (options.log) provider.on("invalid", ({ error }) => log("requestInvalid", error.message));
    charm.on("configChanged", () => {
      if (!charm.model.isLeader()) return;
      for (const r of provider.requests()) if (provider.published(r).password !== undefined) serve(r);
    });
    // Like most charms, report the workload status at the end of the hook (after the library ran).
    charm.on("relationBroken", () => charm.model.setStatus("active", ""));
  };
}

export function postgresqlRequirer(options: CharmOptions = {}): (charm: Charm) => void {
  return (charm) => {
    const requirer = new PostgresqlRequirer(charm, { endpoint: EP, database: "myapp" });
    const log = (e: string, d = "") => options.log?.add(charm.unit, e, d);
    requirer.on("databaseCreated", ({ relation }) => log("created", String(relation.id)));
    requirer.on("credentialsRotated", ({ relation }) => log("rotated", String(relation.id)));
    requirer.on("gone", ({ relation }) => log("gone", String(relation.id)));
    if (options.log) requirer.on("invalid", ({ error }) => log("invalid", error.message));
  };
}

/** A v1 client of the PostgreSQL provider (the package's requirer speaks v0 only). */
export function postgresqlV1Requirer(options: CharmOptions = {}): (charm: Charm) => void {
  return (charm) => {
    const engine = new DataRequirer(charm, EP, postgresqlClient, {
      contract: "v1",
      requests: [{ resource: "orders" }, { resource: "reports" }],
    });
    engine.events.on("databaseCreated", ({ connection }) =>
      options.log?.add(charm.unit, "created", `${connection.relation.id} ${connection.database}`),
    );
  };
}

export function postgresqlLifecycle(options: CharmOptions = {}): LifecycleSpec {
  const o = { passwords: options.passwords ?? "derived", log: options.log ?? new EventLog() };
  return {
    name: "postgresql_client v0 + v1",
    apps: [
      {
        name: "postgresql",
        units: 2,
        endpoints: { [EP]: "provides:postgresql_client" },
        runner: charmRunner(postgresqlProvider(o)),
      },
      {
        name: "app",
        units: 2,
        endpoints: { [EP]: "requires:postgresql_client" },
        runner: charmRunner(postgresqlRequirer(o)),
      },
      {
        name: "reports",
        units: 1,
        endpoints: { [EP]: "requires:postgresql_client" },
        runner: charmRunner(postgresqlV1Requirer(o)),
      },
    ],
    steps: [
      { op: "relate", a: `postgresql:${EP}`, b: `app:${EP}` },
      { op: "relate", a: `postgresql:${EP}`, b: `reports:${EP}` },
      { op: "configure", app: "postgresql", config: { rotate: "1" } },
      { op: "add-unit", app: "app" },
      { op: "set-leader", unit: "postgresql/1" },
      { op: "configure", app: "postgresql", config: { rotate: "2" } },
      { op: "set-leader", unit: "app/1" },
      { op: "remove-unit", unit: "app/2" },
      // Leaders leave while the relations live on (LP#1979811): nothing of the relation may go.
      { op: "remove-unit", unit: "postgresql/1" },
      { op: "remove-unit", unit: "app/1" },
      { op: "remove-relation", index: 0 },
      { op: "remove-relation", index: 1 },
    ],
  };
}

/** Database names the provider must refuse (protocol rules of the package's schema). */
const badDatabase = fc.constantFrom(" myapp", "myapp ", "ab*", "a*b", "*", "x**");

export function postgresqlTargets(): HostileTarget[] {
  const world = async () => {
    const w = await settledWorld(postgresqlLifecycle());
    return { state: w.state, v0: w.relations[0]!, v1: w.relations[1]! };
  };
  const endpoints = {
    endpoints: fc.oneof(badHostPorts, schemeHostPorts),
    "read-only-endpoints": badHostPorts,
  };
  return [
    {
      name: "postgresql_client provider v0",
      subject: SUBJECT,
      endpoint: EP,
      setup: postgresqlProvider(),
      roles: {
        ...V0_REQUEST_ROLES,
        secretUris: ["requested-entity-secret"],
        strict: { database: badDatabase, "requested-entity-secret": invalidUri },
        free: ["database", "prefix-matching"],
      },
      bases: async () => {
        const w = await world();
        return providerBases(w.state, { relationId: w.v0, local: "postgresql", remote: "app" });
      },
    },
    {
      name: "postgresql_client provider v1",
      subject: SUBJECT,
      endpoint: EP,
      setup: postgresqlProvider(),
      roles: {
        ...V1_REQUEST_ROLES,
        v1: {
          ...V1_REQUEST_ROLES.v1!,
          strict: { ...V1_REQUEST_ROLES.v1!.strict, resource: badDatabase },
          free: ["resource"],
        },
      },
      bases: async () => {
        const w = await world();
        return providerBases(w.state, { relationId: w.v1, local: "postgresql", remote: "reports" });
      },
    },
    {
      name: "postgresql_client requirer v0",
      subject: SUBJECT,
      endpoint: EP,
      setup: postgresqlRequirer(),
      roles: { ...V0_ANSWER_ROLES, strict: endpoints, free: ["version", "database"] },
      bases: async () => {
        const w = await world();
        return requirerBases(w.state, { relationId: w.v0, local: "app", remote: "postgresql" });
      },
    },
    {
      name: "postgresql_client requirer v1 (core engine, package definition)",
      subject: SUBJECT,
      endpoint: EP,
      setup: postgresqlV1Requirer(),
      roles: {
        ...V1_ANSWER_ROLES,
        v1: { ...V1_ANSWER_ROLES.v1!, unknownResponse, free: ["endpoints", "version"] },
      },
      bases: async () => {
        const w = await world();
        return requirerBases(w.state, { relationId: w.v1, local: "reports", remote: "postgresql" });
      },
    },
  ];
}
