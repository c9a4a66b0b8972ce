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
  HOST_PORT_PATTERN,
  lazySchema,
  providerUnit,
  requirerUnit,
  toWireJsonSchema,
  v0ProviderApp,
  v0RequirerApp,
  wireBool,
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
export const databaseName = lazySchema(() =>
  z
    .string()
    .min(1, { message: "must not be empty" })
    .refine((v) => v.trim() === v, { message: "must not have surrounding blanks" }),
);

/** `secret-user`: the relation user the server created (the MySQL charms write no `uris`). */
export const userSecret = lazySchema(() =>
  z.looseObject({
    username: z.string().min(1),
    password: z.string().min(1).optional(),
    uris: commaList().optional(),
    "read-only-uris": commaList().optional(),
  }),
);

/** `secret-tls`: never written by the MySQL charms; read as other `DatabaseProvides` providers write it. */
export const tlsSecret = lazySchema(() =>
  z.looseObject({ tls: wireBool().optional(), "tls-ca": z.string().optional() }),
);

/** `secret-entity`: a custom user or group created for an entity request. */
export const entitySecret = lazySchema(() =>
  z.looseObject({
    "entity-name": z.string().min(1),
    "entity-password": z.string().optional(),
  }),
);

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

const answered = { database: z.string().min(1), endpoints: endpoints() };
/** A provider app databag that answers a request: database echo, endpoints and the user credentials. */
export const providerAnsweredAppV0 = lazySchema(() =>
  z.union([
    providerAppV0.extend({ ...answered, "secret-user": z.string().min(1) }),
    providerAppV0.extend({ ...answered, username: z.string().min(1), password: z.string().min(1) }),
  ]),
);

export { providerUnit, requirerUnit };

/** The JSON Schema (draft 2020-12, the wire form: every value a string) of every bag and secret. */
export function mysqlJsonSchemas(): Record<string, Record<string, unknown>> {
  return {
    requirerApp: toWireJsonSchema(requirerAppV0),
    requirerUnit: toWireJsonSchema(requirerUnit),
    providerApp: toWireJsonSchema(providerAppV0),
    providerAnsweredApp: toWireJsonSchema(providerAnsweredAppV0),
    providerUnit: toWireJsonSchema(providerUnit),
    userSecret: toWireJsonSchema(userSecret),
    tlsSecret: toWireJsonSchema(tlsSecret),
    entitySecret: toWireJsonSchema(entitySecret),
  };
}

export type RequirerAppV0 = z.output<typeof requirerAppV0>;
export type ProviderAppV0 = z.output<typeof providerAppV0>;
export type UserSecret = z.output<typeof userSecret>;
