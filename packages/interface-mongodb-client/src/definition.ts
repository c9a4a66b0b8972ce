/**
 * mongodb_client as the core engines run it: the v0 contract of data_interfaces' `DatabaseRequires` /
 * `DatabaseProvides` (what mongodb-operator and mongos serve), readiness, the typed connection and the
 * event tables under data_interfaces' names.
 */

import {
  type CredentialConnection,
  credentialConnection,
  defineInterface,
} from "@charm-relations/juju-secrets-core/interface";
import { entitySecret, providerAppV0, requirerAppV0, tlsSecret, userSecret } from "./schema.js";

/** What a requirer unit knows about its MongoDB database on one relation, with secrets resolved. */
export interface MongodbConnection extends CredentialConnection {
  /** The provider's `database` echo, or what we asked for while there is none. */
  readonly database: string;
  /** The connection string (`mongodb://<user>:<password>@<host>:27017,…/<db>?replicaSet=…&authSource=admin`). */
  readonly uri?: string;
  /** Replica-set members, as published: IPs without port (mongodb-operator). Empty from a config server. */
  readonly endpoints: readonly string[];
  readonly readOnlyEndpoints: readonly string[];
  /** The replica-set name; absent for mongos. */
  readonly replset?: string;
  readonly version?: string;
  readonly tls: boolean;
}

/** The endpoint name mongodb-operator provides. */
export const DEFAULT_ENDPOINT = "database";

export const mongodbClient = defineInterface({
  name: "mongodb_client",
  defaultEndpoint: DEFAULT_ENDPOINT,
  contracts: { requirer: ["v0"], provider: ["v0"] },
  resourceKey: "database",
  schemas: {
    v0: { requirerApp: requirerAppV0, providerApp: providerAppV0 },
    secrets: { user: userSecret, tls: tlsSecret, entity: entitySecret },
  },
  // The Python requirer's "created" rule: the credentials. Not endpoints: a config server answers with
  // credentials and database only, and the connection string carries the hosts.
  ready: { default: ["username", "password"], entity: ["entity-name"] },
  connection: (f, a): MongodbConnection => ({
    ...credentialConnection(f, a),
    database: f.database ?? a.resource,
    ...(f.uris !== undefined ? { uri: f.uris } : {}),
    endpoints: f.endpoints ?? [],
    readOnlyEndpoints: f["read-only-endpoints"] ?? [],
    ...(f.replset !== undefined ? { replset: f.replset } : {}),
    ...(f.version !== undefined ? { version: f.version } : {}),
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
