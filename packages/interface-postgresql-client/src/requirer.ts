/**
 * `PostgresqlRequirer`: the client side of postgresql_client (a charm that needs a database from the
 * PostgreSQL or PgBouncer charms), on the v0 flat contract. Every requirer unit gets the events (each
 * keeps its own snapshot); only the leader writes the request.
 *
 *   const db = new PostgresqlRequirer(charm, { database: "myapp" });
 *   db.on("databaseCreated", ({ connection }) => …);
 */

import type { Charm } from "@charm-relations/juju-secrets-core";
import { CharmRelationsError, ProtocolEncodeError } from "@charm-relations/juju-secrets-core";
import {
  databaseRequestSpec,
  type EntityPermission,
  InterfaceRequirer,
  type RequestSpec,
  type RequirerEvents,
  type RequirerOptionsWith,
} from "@charm-relations/juju-secrets-core/interface";
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
  try {
    const spec = databaseRequestSpec(
      o,
      (database) => {
        const db = databaseName.safeParse(database);
        return db.success ? undefined : (db.error.issues[0]?.message ?? "invalid");
      },
      o.prefixMatching ? { "prefix-matching": o.prefixMatching } : undefined,
    );
    if (o.prefixMatching !== undefined && (typeof o.prefixMatching !== "string" || o.prefixMatching === "")) {
      throw new ProtocolEncodeError(
        "prefixMatching",
        "must be a non-empty string (postgresql honours `all`)",
      );
    }
    return spec;
  } catch (e) {
    // This package's requirer names the option with its own error class (same option, same rule).
    if (e instanceof ProtocolEncodeError) throw new PostgresqlOptionError(e.field, e.rule);
    throw e;
  }
}
