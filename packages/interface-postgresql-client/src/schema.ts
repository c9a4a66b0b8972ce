/**
 * The postgresql_client wire format as zod schemas: the single source of truth for the TypeScript
 * types, the parsers used on remote data, and the published JSON Schema. The protocol's own keys come
 * from the core's bag builders; this file adds what is postgresql_client's: the database name, the
 * provider's fields and the secret contents (interfaces.md §1).
 */

import {
  commaList,
  commaListOf,
  credentialsSecret,
  entityContentSecret,
  hostPortList,
  lazySchema,
  providerUnit,
  requirerUnit,
  resourceName,
  tlsContentSecret,
  v0AnsweredProviderApp,
  v0ProviderApp,
  v0RequirerApp,
  v1ProviderApp,
  v1Request,
  v1RequirerApp,
  v1Response,
} from "@charm-relations/juju-secrets-core/schema";
import * as z from "zod";

// ---------------------------------------------------------------------------------------------
// Value codecs

const endpoints = () =>
  hostPortList({ portRange: true, message: "expected a comma list of host:port (port 0-65535)" });

const POSTGRES_URI_RE = /^postgres(?:ql)?:\/\/[^\s,]+$/;
/** `postgresql://…` or `postgres://…` connection URIs, comma-separated. */
const uriList = () =>
  commaListOf((item) => POSTGRES_URI_RE.test(item), {
    message: "expected postgresql:// connection URIs (comma-separated)",
    itemPattern: "postgres(?:ql)?://[^\\s,]+",
    min: 1,
  });

/** The shortest accepted prefix request: three characters and the `*` (postgresql 16/edge). */
export const MIN_PREFIX_LENGTH = 3;

/** A database name, or a prefix request `xyz*`. */
export const databaseName = lazySchema(() =>
  resourceName()
    .refine((v) => !v.endsWith("*") || v.length > MIN_PREFIX_LENGTH, {
      message: `a prefix request needs at least ${MIN_PREFIX_LENGTH} characters before "*"`,
    })
    .refine((v) => !v.slice(0, -1).includes("*"), {
      message: '"*" is only allowed at the end (prefix request)',
    }),
);

// ---------------------------------------------------------------------------------------------
// Secret contents (interfaces.md §1.3)

/** `secret-user`: the client's login. */
export const userSecret = lazySchema(() => credentialsSecret(uriList));

/** `secret-tls`: `tls` is `True`/`False`; `tls-ca` is a PEM chain, or `""` when TLS is off. */
export const tlsSecret = lazySchema(tlsContentSecret);

/** `secret-entity`: a custom user or group created for an entity request. */
export const entitySecret = lazySchema(entityContentSecret);

/** The requirer-owned `requested-entity-secret`: v0 spells the password `password`, v1 `entity-password`. */
export const requestedEntitySecret = lazySchema(() =>
  z.looseObject({
    "entity-name": z.string().min(1),
    password: z.string().optional(),
    "entity-password": z.string().optional(),
  }),
);

const secrets = { user: userSecret, tls: tlsSecret, entity: entitySecret };

// ---------------------------------------------------------------------------------------------
// Databags

/** The provider's fields besides the secrets (v0 keys; a v1 response carries the same). */
const fields = lazySchema(() => ({
  endpoints: endpoints().optional(),
  "read-only-endpoints": endpoints().optional(),
  "prefix-databases": commaList().optional(),
}));

/** The requirer's app databag (v0), written by its leader in relation-created. */
export const requirerAppV0 = lazySchema(() =>
  v0RequirerApp({
    database: databaseName,
    "prefix-matching": z.string().optional(),
  }),
);

/** The provider's app databag (v0) at any moment (everything optional: it fills up over the lifecycle). */
export const providerAppV0 = lazySchema(() =>
  v0ProviderApp(
    { ...fields, database: z.string().min(1).optional(), version: z.string().min(1).optional() },
    secrets,
  ),
);

/**
 * A provider app databag that answers a request: the database echo, endpoints, version and the user
 * credentials, as `secret-user` (secrets mode) or as plain `username` + `password` (fallback).
 */
export const providerAnsweredAppV0 = lazySchema(() =>
  v0AnsweredProviderApp(providerAppV0, {
    database: z.string().min(1),
    endpoints: endpoints(),
    version: z.string().min(1),
  }),
);

/** One v1 request (PostgreSQL providers serve v1 requirers too). */
export const request = lazySchema(() =>
  v1Request({
    resource: databaseName,
    "prefix-matching": z.string().nullable().optional(),
  }),
);
/** One v1 response. */
export const response = lazySchema(() =>
  v1Response({ ...fields, database: z.string().nullable().optional() }),
);
export const requirerAppV1 = lazySchema(() => v1RequirerApp(request));
export const providerAppV1 = lazySchema(() => v1ProviderApp(response));
export { providerUnit, requirerUnit };

// ---------------------------------------------------------------------------------------------
// Types

export type RequirerAppV0 = z.output<typeof requirerAppV0>;
export type ProviderAppV0 = z.output<typeof providerAppV0>;
export type UserSecret = z.output<typeof userSecret>;
export type TlsSecret = z.output<typeof tlsSecret>;
export type EntitySecret = z.output<typeof entitySecret>;
export type RequestedEntitySecret = z.output<typeof requestedEntitySecret>;
