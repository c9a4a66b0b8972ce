/**
 * The mongodb_client wire format as zod schemas: the single source of truth for the TypeScript types,
 * the parsers used on remote data and the published JSON Schema. The protocol's own keys come from the
 * core's bag builders; this file adds mongodb_client's: the database name, the provider's fields
 * (hosts without port, `replset`) and the secret contents (interfaces-data-platform-more.md §4).
 */

import {
  commaList,
  commaListOf,
  credentialsSecret,
  entityContentSecret,
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

const HOST = "(?:\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9_.-]+)(?::[0-9]{1,5})?";
const HOST_RE = new RegExp(`^${HOST}$`);

/** mongodb-operator writes replica-set member IPs without port; `host:port` is read too (mongos). */
const hosts = () =>
  commaListOf((item) => HOST_RE.test(item), {
    message: "expected a comma list of hosts (host or host:port, no scheme)",
    itemPattern: HOST,
    min: 1,
  });

const URI_RE = /^mongodb(?:\+srv)?:\/\/\S+$/;
/** One connection string; its host list is comma-separated inside (`…@h1:27017,h2:27017/db?…`). */
const mongodbUri = () =>
  z
    .string()
    .refine((v) => URI_RE.test(v), { message: "expected a mongodb:// or mongodb+srv:// connection string" })
    .meta({ pattern: URI_RE.source });

const utf8 = new TextEncoder();

/**
 * A database name as the requirer sends it. MongoDB refuses names of 64 bytes or more; bounding it here
 * also keeps a hostile name out of the provider's `uris` (a refusal naming `database`, not a failed
 * secret-add).
 */
export const databaseName = lazySchema(() =>
  resourceName().refine((v) => utf8.encode(v).length < 64, {
    message: "must be shorter than 64 bytes (MongoDB's limit)",
  }),
);

/** `secret-user`: the relation user and, with mongodb-operator, its connection string. */
export const userSecret = lazySchema(() => credentialsSecret(mongodbUri));

/** `secret-tls`: not written by mongodb-operator; read as other `DatabaseProvides` providers write it. */
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
      endpoints: hosts().optional(),
      "read-only-endpoints": hosts().optional(),
      /** The replica-set name (= the MongoDB application name); absent for mongos. */
      replset: z.string().min(1).optional(),
      version: z.string().min(1).optional(),
      "prefix-databases": commaList().optional(),
    },
    secrets,
  ),
);

/** A provider app databag that answers a request: database echo and the user credentials. */
export const providerAnsweredAppV0 = lazySchema(() =>
  v0AnsweredProviderApp(providerAppV0, { database: z.string().min(1) }),
);

export { providerUnit, requirerUnit };

/** The JSON Schema (draft 2020-12, the wire form: every value a string) of every bag and secret. */
export function mongodbJsonSchemas(): Record<string, Record<string, unknown>> {
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
