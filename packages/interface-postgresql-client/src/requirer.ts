/**
 * `PostgresqlRequirer`: the client side of postgresql_client (a charm that needs a database from the
 * PostgreSQL or PgBouncer charms), on the v0 flat contract. Every requirer unit gets the events (each
 * keeps its own snapshot); only the leader writes the request.
 *
 *   const db = new PostgresqlRequirer(charm, { database: "myapp" });
 *   db.on("databaseCreated", ({ connection }) => …);
 */

import type { Charm } from "@charm-relations/juju-secrets-core";
import { CharmRelationsError } from "@charm-relations/juju-secrets-core";
import {
  type EntityPermission,
  InterfaceRequirer,
  type RequestSpec,
  type RequirerEvents,
  type RequirerOptionsWith,
} from "@charm-relations/juju-secrets-core/interface";
import { entityPermission } from "@charm-relations/juju-secrets-core/schema";
import { postgresqlClient } from "./definition.js";
import { databaseName } from "./schema.js";

/** A requirer option that cannot be sent (names the option, never a secret value). */
export class PostgresqlOptionError extends CharmRelationsError {
  override name = "PostgresqlOptionError";
  readonly option: string;
  constructor(option: string, rule: string) {
    super(`postgresql_client requirer option "${option}": ${rule}`);
    this.option = option;
  }
}

/** What to ask for. */
export interface PostgresqlRequestOptions {
  /** Database name, or a prefix request `xyz*` (at least 3 characters before the `*`). */
  readonly database: string;
  /** e.g. `["CREATEDB", "CREATEROLE"]`, `["SUPERUSER"]`; not with `entityType: "GROUP"`. */
  readonly extraUserRoles?: readonly string[];
  /** e.g. `["charmed_read"]`; only with `entityType: "GROUP"`. */
  readonly extraGroupRoles?: readonly string[];
  /** Ask for a custom user or group instead of (or besides) the relation user. */
  readonly entityType?: "USER" | "GROUP";
  /** Privileges of the entity, e.g. `[{ resource_name: "items", resource_type: "TABLE", privileges: ["SELECT"] }]`. */
  readonly entityPermissions?: readonly EntityPermission[];
  /**
   * A custom name (and optionally password) for the user the provider creates, sent in a requirer-owned
   * secret (`requested-entity-secret`) that is removed once the provider answered.
   */
  readonly requestedEntity?: { readonly name: string; readonly password?: string };
  /** Ask for endpoints reachable from outside the cluster (PgBouncer on K8s: NodePort). */
  readonly externalNodeConnectivity?: boolean;
  /** `all`: every database matching a prefix request (postgresql 16/edge). */
  readonly prefixMatching?: string;
}

/** `{ endpoint?, database, … }`, or `{ endpoint?, request: () => ({ database, … }) }` (evaluated when needed). */
export type PostgresqlRequirerOptions = RequirerOptionsWith<PostgresqlRequestOptions>;

/** The events: `databaseCreated` (`databaseEntityCreated`), `endpointsChanged`, … (all `{ relation, remoteApp, connection }`). */
export type PostgresqlRequirerEvents = RequirerEvents<typeof postgresqlClient>;

export class PostgresqlRequirer extends InterfaceRequirer<typeof postgresqlClient, PostgresqlRequestOptions> {
  constructor(charm: Charm, options: PostgresqlRequirerOptions) {
    super(charm, postgresqlClient, options, (o) => [requestSpec(o)]);
  }
}

function requestSpec(o: PostgresqlRequestOptions): RequestSpec {
  const db = databaseName.safeParse(o.database);
  if (!db.success) throw new PostgresqlOptionError("database", db.error.issues[0]?.message ?? "invalid");
  for (const key of ["extraUserRoles", "extraGroupRoles"] as const) {
    for (const role of o[key] ?? []) {
      if (typeof role !== "string" || role.trim() === "" || role.includes(",")) {
        throw new PostgresqlOptionError(key, "each role must be a non-empty string without ','");
      }
    }
  }
  if (o.entityType !== undefined && o.entityType !== "USER" && o.entityType !== "GROUP") {
    throw new PostgresqlOptionError("entityType", 'expected "USER" or "GROUP"');
  }
  if (o.extraUserRoles?.length && o.entityType === "GROUP") {
    throw new PostgresqlOptionError(
      "extraUserRoles",
      'not allowed with entityType "GROUP" (use extraGroupRoles)',
    );
  }
  if (o.extraGroupRoles?.length && o.entityType !== "GROUP") {
    throw new PostgresqlOptionError("extraGroupRoles", 'only allowed with entityType "GROUP"');
  }
  if (o.entityPermissions !== undefined) {
    if (o.entityType === undefined)
      throw new PostgresqlOptionError("entityPermissions", "needs an entityType");
    if (!entityPermission.array().safeParse(o.entityPermissions).success) {
      throw new PostgresqlOptionError(
        "entityPermissions",
        "expected [{ resource_name, resource_type, privileges[] }]",
      );
    }
  }
  if (o.requestedEntity !== undefined) {
    const { name, password } = o.requestedEntity;
    if (typeof name !== "string" || name.trim() === "") {
      throw new PostgresqlOptionError("requestedEntity.name", "must be a non-empty string");
    }
    if (password !== undefined && (typeof password !== "string" || password === "")) {
      throw new PostgresqlOptionError("requestedEntity.password", "must be a non-empty string when given");
    }
  }
  if (o.prefixMatching !== undefined && (typeof o.prefixMatching !== "string" || o.prefixMatching === "")) {
    throw new PostgresqlOptionError(
      "prefixMatching",
      "must be a non-empty string (postgresql honours `all`)",
    );
  }
  return {
    resource: o.database,
    ...(o.extraUserRoles?.length ? { extraUserRoles: o.extraUserRoles } : {}),
    ...(o.extraGroupRoles?.length ? { extraGroupRoles: o.extraGroupRoles } : {}),
    ...(o.entityType ? { entityType: o.entityType } : {}),
    ...(o.entityPermissions ? { entityPermissions: o.entityPermissions } : {}),
    ...(o.requestedEntity ? { requestedEntity: o.requestedEntity } : {}),
    ...(o.externalNodeConnectivity ? { externalNodeConnectivity: true } : {}),
    ...(o.prefixMatching ? { extra: { "prefix-matching": o.prefixMatching } } : {}),
  };
}
