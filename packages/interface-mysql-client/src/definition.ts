/**
 * mysql_client as the core engines run it: the v0 contract of data_interfaces' `DatabaseRequires` /
 * `DatabaseProvides` (what mysql-operator, mysql-k8s-operator and mysql-router serve), readiness, the
 * typed connection and the event tables under data_interfaces' names.
 */

import type { RelationRef } from "@charm-relations/juju-secrets-core";
import { defineInterface } from "@charm-relations/juju-secrets-core/interface";
import { isNoneCa } from "@charm-relations/juju-secrets-core/protocol";
import { entitySecret, providerAppV0, requirerAppV0, tlsSecret, userSecret } from "./schema.js";

/** What a requirer unit knows about its MySQL database on one relation, with secrets resolved. */
export interface MysqlConnection {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  /** The provider's `database` echo, or what we asked for while there is none. */
  readonly database: string;
  /** Absent for entity requests answered with the entity only. */
  readonly username?: string;
  readonly password?: string;
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
  /** PEM CA chain; undefined when none was published. */
  readonly tlsCa?: string;
  /** Entity requests: the created user or group. */
  readonly entityName?: string;
  readonly entityPassword?: string;
  /** `plain`: the provider wrote credentials as plain keys (a requirer that sent no `requested-secrets`). */
  readonly mode: "secrets" | "plain";
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
    relation: a.relation,
    remoteApp: a.remoteApp,
    database: f.database ?? a.resource,
    ...(f.username !== undefined ? { username: f.username } : {}),
    ...(f.password !== undefined ? { password: f.password } : {}),
    endpoints: f.endpoints ?? [],
    readOnlyEndpoints: f["read-only-endpoints"] ?? [],
    ...(f.version !== undefined ? { version: f.version } : {}),
    uris: f.uris ?? [],
    readOnlyUris: f["read-only-uris"] ?? [],
    tls: f.tls === true,
    ...(f["tls-ca"] !== undefined && !isNoneCa(f["tls-ca"]) ? { tlsCa: f["tls-ca"] } : {}),
    ...(f["entity-name"] !== undefined ? { entityName: f["entity-name"] } : {}),
    ...(f["entity-password"] ? { entityPassword: f["entity-password"] } : {}),
    mode: f.username !== undefined && !a.secrets.includes("user") ? "plain" : "secrets",
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
