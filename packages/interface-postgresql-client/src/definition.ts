/**
 * postgresql_client as the core engines run it: contracts, schemas, readiness, the typed connection
 * and the event tables (data_interfaces' `DatabaseRequires` / `DatabaseProvides` names).
 */

import {
  type CredentialConnection,
  credentialConnection,
  defineInterface,
} from "@charm-relations/juju-secrets-core/interface";
import {
  entitySecret,
  providerAppV0,
  request,
  requirerAppV0,
  response,
  tlsSecret,
  userSecret,
} from "./schema.js";

/** What a requirer unit knows about its database on one relation, with secrets resolved. */
export interface PostgresqlConnection extends CredentialConnection {
  /** The provider's `database` echo, or what we asked for while there is none. */
  readonly database: string;
  /** `postgresql://<username>:<password>@<host:port>/<database>` (one per entry). */
  readonly uris: readonly string[];
  /** Only when the provider publishes it (it must have been requested as a secret). */
  readonly readOnlyUris: readonly string[];
  /** Read-write `host:port` endpoints. */
  readonly endpoints: readonly string[];
  /** Read-only replicas (PgBouncer: the same as `endpoints`; use `<db>_readonly`). */
  readonly readOnlyEndpoints: readonly string[];
  /** Engine version, e.g. `16.8.1`. */
  readonly version?: string;
  /** For prefix requests: the matching databases, sorted. */
  readonly prefixDatabases: readonly string[];
  readonly tls: boolean;
}

/** The endpoint name the PostgreSQL and PgBouncer charms use. */
export const DEFAULT_ENDPOINT = "database";

export const postgresqlClient = defineInterface({
  name: "postgresql_client",
  defaultEndpoint: DEFAULT_ENDPOINT,
  contracts: { requirer: ["v0"], provider: ["v0", "v1"] },
  resourceKey: "database",
  schemas: {
    v0: { requirerApp: requirerAppV0, providerApp: providerAppV0 },
    v1: { request, response },
    secrets: { user: userSecret, tls: tlsSecret, entity: entitySecret },
  },
  // I-6: `databaseCreated` needs the credentials and somewhere to connect to; an entity request is
  // answered with `secret-entity` (a GROUP has no password).
  ready: { default: ["username", "password", "endpoints"], entity: ["entity-name"] },
  connection: (f, a): PostgresqlConnection => ({
    ...credentialConnection(f, a),
    database: f.database ?? a.resource,
    uris: f.uris ?? [],
    readOnlyUris: f["read-only-uris"] ?? [],
    endpoints: f.endpoints ?? [],
    readOnlyEndpoints: f["read-only-endpoints"] ?? [],
    ...(f.version != null ? { version: f.version } : {}),
    prefixDatabases: f["prefix-databases"] ?? [],
    tls: f.tls === true,
  }),
  created: { default: "databaseCreated", entity: "databaseEntityCreated" },
  changes: {
    endpoints: "endpointsChanged",
    "read-only-endpoints": "readOnlyEndpointsChanged",
    "prefix-databases": "prefixDatabasesChanged",
  },
  requested: {
    default: "databaseRequested",
    entity: "databaseEntityRequested",
    permissions: "databaseEntityPermissionsChanged",
  },
});
