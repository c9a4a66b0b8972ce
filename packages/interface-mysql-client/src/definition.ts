/**
 * mysql_client as the core engines run it: the v0 contract of data_interfaces' `DatabaseRequires` /
 * `DatabaseProvides` (what mysql-operator, mysql-k8s-operator and mysql-router serve), readiness, the
 * typed connection and the event tables under data_interfaces' names.
 */

import {
  type CredentialConnection,
  credentialConnection,
  defineInterface,
} from "@charm-relations/juju-secrets-core/interface";
import { entitySecret, providerAppV0, requirerAppV0, tlsSecret, userSecret } from "./schema.js";

/** What a requirer unit knows about its MySQL database on one relation, with secrets resolved. */
export interface MysqlConnection extends CredentialConnection {
  /** The provider's `database` echo, or what we asked for while there is none. */
  readonly database: string;
  /** Read-write endpoints: `host:port` (mysql, mysql-k8s) or `file:///…/mysql.sock` (mysql-router). */
  readonly endpoints: readonly string[];
  /** Read-only endpoints (the online replicas; empty while there are none). */
  readonly readOnlyEndpoints: readonly string[];
  /** Server version, e.g. `8.0.39-0ubuntu0.22.04.1` (mysql-router publishes none). */
  readonly version?: string;
  /** Connection URIs, when a provider publishes them (the MySQL charms do not). */
  readonly uris: readonly string[];
  readonly readOnlyUris: readonly string[];
  readonly tls: boolean;
}

/** The endpoint name mysql-operator, mysql-k8s-operator and mysql-router provide. */
export const DEFAULT_ENDPOINT = "database";

export const mysqlClient = defineInterface({
  name: "mysql_client",
  defaultEndpoint: DEFAULT_ENDPOINT,
  contracts: { requirer: ["v0"], provider: ["v0"] },
  resourceKey: "database",
  schemas: {
    v0: { requirerApp: requirerAppV0, providerApp: providerAppV0 },
    secrets: { user: userSecret, tls: tlsSecret, entity: entitySecret },
  },
  // `databaseCreated` needs the credentials and somewhere to connect to (the MySQL charms publish
  // both in one hook); an entity request is answered with `secret-entity`.
  ready: { default: ["username", "password", "endpoints"], entity: ["entity-name"] },
  connection: (f, a): MysqlConnection => ({
    ...credentialConnection(f, a),
    database: f.database ?? a.resource,
    endpoints: f.endpoints ?? [],
    readOnlyEndpoints: f["read-only-endpoints"] ?? [],
    ...(f.version !== undefined ? { version: f.version } : {}),
    uris: f.uris ?? [],
    readOnlyUris: f["read-only-uris"] ?? [],
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
