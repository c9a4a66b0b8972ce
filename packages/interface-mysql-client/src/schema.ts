/**
 * The mysql_client wire format as zod schemas: the single source of truth for the TypeScript types,
 * the parsers used on remote data and the published JSON Schema. The protocol's own keys come from the
 * core's bag builders; this file adds mysql_client's: the database name, the provider's fields and
 * the secret contents (interfaces-data-platform-more.md §1).
 */

import { isHostPort } from "@charm-relations/juju-secrets-core/protocol";
import {
  commaList,
  commaListOf,
  credentialsSecret,
  entityContentSecret,
  HOST_PORT_PATTERN,
  lazySchema,
  providerUnit,
  requirerUnit,
  resourceName,
  tlsContentSecret,
  v0AnsweredProviderApp,
  v0ProviderApp,
  v0RequirerApp,
  wireJsonSchemas,
} from "@charm-relations/juju-secrets-core/schema";
import * as z from "zod";

const SOCKET_RE = /^file:\/\/\/[^\s,]+$/;

/**
 * `host:port` items (the K8s charm's host ends in a dot: `mysql-primary.m.svc.cluster.local.:3306`) or
 * mysql-router's unix sockets (`file:///…/mysql.sock`).
 */
const endpoints = () =>
  commaListOf((item) => isHostPort(item, { portRange: true }) || SOCKET_RE.test(item), {
    message: "expected a comma list of host:port or file:///<socket>",
    itemPattern: `(?:${HOST_PORT_PATTERN}|file:///[^\\s,]+)`,
    min: 1,
  });

/** A database name as the requirer sends it. */
export const databaseName = lazySchema(resourceName);

/** `secret-user`: the relation user the server created (the MySQL charms write no `uris`). */
export const userSecret = lazySchema(() => credentialsSecret(commaList));

/** `secret-tls`: never written by the MySQL charms; read as other `DatabaseProvides` providers write it. */
export const tlsSecret = lazySchema(tlsContentSecret);

/** `secret-entity`: a custom user or group created for an entity request. */
export const entitySecret = lazySchema(entityContentSecret);

const secrets = { user: userSecret, tls: tlsSecret, entity: entitySecret };

/** The requirer's app databag, written by its leader in relation-created. */
export const requirerAppV0 = lazySchema(() => v0RequirerApp({ database: databaseName }));

/** The provider's app databag at any moment (everything optional: it fills up over the lifecycle). */
export const providerAppV0 = lazySchema(() =>
  v0ProviderApp(
    {
      database: z.string().min(1).optional(),
      endpoints: endpoints().optional(),
      "read-only-endpoints": endpoints().optional(),
      version: z.string().min(1).optional(),
      "prefix-databases": commaList().optional(),
    },
    secrets,
  ),
);

/** A provider app databag that answers a request: database echo, endpoints and the user credentials. */
export const providerAnsweredAppV0 = lazySchema(() =>
  v0AnsweredProviderApp(providerAppV0, { database: z.string().min(1), endpoints: endpoints() }),
);

export { providerUnit, requirerUnit };

/** The JSON Schema (draft 2020-12, the wire form: every value a string) of every bag and secret. */
export function mysqlJsonSchemas(): Record<string, Record<string, unknown>> {
  return wireJsonSchemas({
    requirerApp: requirerAppV0,
    requirerUnit,
    providerApp: providerAppV0,
    providerAnsweredApp: providerAnsweredAppV0,
    providerUnit,
    userSecret,
    tlsSecret,
    entitySecret,
  });
}

export type RequirerAppV0 = z.output<typeof requirerAppV0>;
export type ProviderAppV0 = z.output<typeof providerAppV0>;
export type UserSecret = z.output<typeof userSecret>;
