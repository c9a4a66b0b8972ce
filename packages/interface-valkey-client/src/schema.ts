/**
 * The `valkey_client` wire format as zod schemas: the single source of truth for parsing, the
 * TypeScript types and the published JSON Schema (interfaces.md §4). Databag values are strings on
 * the wire; JSON-valued keys (`requests`, `data`, `requested-secrets`) are strings holding JSON, and
 * the schemas describe their inner shape.
 *
 * Two contracts travel on the same endpoint:
 * - v1 (the default of our requirer): `version: v1` + `requests` arrays; each response carries the
 *   interface fields `sentinel-endpoints` and `mode`, then dpcharmlibs' trailing `"mtls-cert": null`;
 * - v0 (`DatabaseRequires` clients): flat keys; the real provider writes `sentinel_endpoints` with an
 *   underscore there (the Python attribute name), and readers accept both spellings.
 */

import type { InterfaceDefinition } from "@charm-relations/juju-secrets-core";
import { parseCommaList } from "@charm-relations/juju-secrets-core";
import {
  hostPort,
  jsonField,
  lazySchema,
  secretUri,
  toWireJsonSchema,
  wireBool,
} from "@charm-relations/juju-secrets-core/schema";
import * as z from "zod";

/** The Juju interface name. */
export const VALKEY_CLIENT_INTERFACE = "valkey_client";
/** The endpoint name valkey-operator uses (`provides: valkey-client`). */
export const DEFAULT_VALKEY_ENDPOINT = "valkey-client";
/** The v0 flat key of the sentinel endpoints: underscore, as valkey-operator writes it (interfaces.md §4.2). */
export const V0_SENTINEL_KEY = "sentinel_endpoints";
/** The only high-availability mode valkey-operator publishes today; readers accept any string. */
export const VALKEY_MODE_SENTINEL = "sentinel";

/** What the engines need to know about `valkey_client` (protocol logic lives in the core). */
export const VALKEY_CLIENT: InterfaceDefinition = {
  name: VALKEY_CLIENT_INTERFACE,
  // v0 requirers (`DatabaseRequires`) send the key pattern as `database`.
  resourceKey: "database",
  // Created needs usable credentials and somewhere to connect (I-6).
  readyFields: ["username", "password", "endpoints"],
  responseExtraKeys: ["sentinel-endpoints", "mode"],
  v0Keys: { "sentinel-endpoints": V0_SENTINEL_KEY },
  // dpcharmlibs-based valkey clients and valkey-operator both emit the trailing `"mtls-cert": null`.
  trailingMtlsCert: true,
};

// ---------------------------------------------------------------------------------------------
// Building blocks

/** A comma list of `host:port` (no scheme); `""` reads as no endpoints. */
export const endpointList = () =>
  z
    .string()
    .transform((v) => parseCommaList(v))
    .pipe(z.array(hostPort()));

/** `relation-<id>-<request-id>` (v1) or `relation-<id>` (v0), the usernames valkey-operator creates. */
export function valkeyUsername(relationId: number, requestId?: string): string {
  return requestId ? `relation-${relationId}-${requestId}` : `relation-${relationId}`;
}

/**
 * Whether a username was created for a relation (v0 or any of its v1 requests). `relation-1` must not
 * match `relation-10-…`, so this is not a plain prefix test.
 */
export function isUsernameOfRelation(username: string, relationId: number): boolean {
  const base = `relation-${relationId}`;
  return username === base || username.startsWith(`${base}-`);
}

/**
 * A key pattern (`app:*`, `*`): it becomes both `~<pattern>` and `&<pattern>` in an ACL rule, so
 * whitespace or control characters would let a requirer smuggle extra ACL rules in.
 */
export const keyPattern = () =>
  z.string().regex(/^[^\s\u0000-\u001f\u007f]+$/u, {
    message: "expected a non-empty key pattern without whitespace or control characters",
  });

const requestId = () => z.string().regex(/^[0-9a-f]{16}$/, { message: "expected 16 lowercase hex digits" });
const nullableSecretUri = () => secretUri().nullable();

const entityPermission = lazySchema(() =>
  z.object({
    resource_name: z.string(),
    resource_type: z.string(),
    privileges: z.array(z.string()),
  }),
);

// ---------------------------------------------------------------------------------------------
// v1 objects (inside the `requests` arrays)

/**
 * One v1 request (requirer → provider). Recorded writers put every key, nulls included, in this
 * order; the upstream examples omit the nulls, so they are optional here. Unknown keys are kept.
 */
export const valkeyRequestObject = lazySchema(() =>
  z.looseObject({
    /** The key pattern, used for both the key ACL and the pub/sub channel ACL (`app:*`, `*`). */
    resource: keyPattern(),
    "request-id": requestId().nullable().optional(),
    salt: z.string().min(1),
    "extra-user-roles": z.string().nullable().optional(),
    "extra-group-roles": z.string().nullable().optional(),
    "external-node-connectivity": z.boolean().optional(),
    "entity-type": z.enum(["USER", "GROUP"]).nullable().optional(),
    "entity-permissions": z.array(entityPermission).nullable().optional(),
    "secret-mtls": nullableSecretUri().optional(),
    "mtls-cert": z.string().nullable().optional(),
  }),
);
export type ValkeyRequestObject = z.output<typeof valkeyRequestObject>;

/** One v1 response (provider → requirer): base keys, `version`, `sentinel-endpoints`, `mode`, `mtls-cert`. */
export const valkeyResponseObject = lazySchema(() =>
  z.looseObject({
    resource: z.string(),
    "request-id": requestId().nullable().optional(),
    salt: z.string(),
    endpoints: endpointList().nullable().optional(),
    "read-only-endpoints": endpointList().nullable().optional(),
    "secret-user": nullableSecretUri().optional(),
    "secret-tls": nullableSecretUri().optional(),
    "secret-extra": nullableSecretUri().optional(),
    "secret-entity": nullableSecretUri().optional(),
    /** The Valkey engine version (`9.0.1`), not the contract version. */
    version: z.string().nullable().optional(),
    "sentinel-endpoints": endpointList().nullable().optional(),
    mode: z.string().nullable().optional(),
    "mtls-cert": z.string().nullable().optional(),
  }),
);
export type ValkeyResponseObject = z.output<typeof valkeyResponseObject>;

/** The provider's v1 `data`: request id → the parsed request, nulls and defaults dropped. */
const v1ProviderData = lazySchema(() => z.record(z.string(), z.looseObject({})));

const stringArray = () => jsonField(z.array(z.string()));
const statusList = () =>
  jsonField(z.array(z.object({ code: z.number().int(), message: z.string(), resolution: z.string() })));

// ---------------------------------------------------------------------------------------------
// Databags, v1

export const requirerAppBagV1 = lazySchema(() =>
  z.looseObject({
    version: z.literal("v1"),
    requests: jsonField(z.array(valkeyRequestObject)),
    alias: z.string().optional(),
    "encryption-secret": secretUri().optional(),
  }),
);
export type RequirerAppBagV1 = z.output<typeof requirerAppBagV1>;

export const providerAppBagV1 = lazySchema(() =>
  z.looseObject({
    version: z.literal("v1"),
    requests: jsonField(z.array(valkeyResponseObject)).optional(),
    data: jsonField(v1ProviderData).optional(),
    status: statusList().optional(),
    "encryption-secret": secretUri().optional(),
  }),
);
export type ProviderAppBagV1 = z.output<typeof providerAppBagV1>;

// ---------------------------------------------------------------------------------------------
// Databags, v0 (a `DatabaseRequires` client)

export const requirerAppBagV0 = lazySchema(() =>
  z.looseObject({
    /** The key pattern (v0 resource key). */
    database: keyPattern(),
    "requested-secrets": stringArray().optional(),
    "provided-secrets": stringArray().optional(),
    "external-node-connectivity": wireBool().optional(),
    "extra-user-roles": z.string().optional(),
    alias: z.string().optional(),
  }),
);
export type RequirerAppBagV0 = z.output<typeof requirerAppBagV0>;

/**
 * The flat answer. `sentinel_endpoints` is what valkey-operator writes; `sentinel-endpoints` is
 * accepted too. `resource` and `salt` are leftovers of the Python v1 provider's v0 mode; `data` is
 * its snapshot of the request (a v1-style object there, the flat bag from our provider). Plain
 * `username`/`password`/`tls`/`tls-ca` only appear for requirers that sent no `requested-secrets`.
 */
export const providerAppBagV0 = lazySchema(() =>
  z.looseObject({
    database: z.string().optional(),
    endpoints: endpointList().optional(),
    "read-only-endpoints": endpointList().optional(),
    [V0_SENTINEL_KEY]: endpointList().optional(),
    "sentinel-endpoints": endpointList().optional(),
    mode: z.string().optional(),
    version: z.string().optional(),
    "secret-user": secretUri().optional(),
    "secret-tls": secretUri().optional(),
    resource: z.string().optional(),
    salt: z.string().optional(),
    data: jsonField(z.record(z.string(), z.unknown())).optional(),
    status: statusList().optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    tls: wireBool().optional(),
    "tls-ca": z.string().optional(),
  }),
);
export type ProviderAppBagV0 = z.output<typeof providerAppBagV0>;

/** Every requirer unit bag: its snapshot of the provider (`data`); the leader's copy of the secret lists (v0). */
export const requirerUnitBag = lazySchema(() =>
  z.looseObject({
    data: jsonField(z.record(z.string(), z.unknown())).optional(),
    "requested-secrets": stringArray().optional(),
    "provided-secrets": stringArray().optional(),
    alias: z.string().optional(),
  }),
);
export type RequirerUnitBag = z.output<typeof requirerUnitBag>;

/** valkey-operator writes nothing to its unit bags on this relation. */
export const providerUnitBag = lazySchema(() => z.looseObject({}));

/** Either contract, selected by `version` like the provider does (protocol §3). */
export const requirerAppBag = lazySchema(() => z.union([requirerAppBagV1, requirerAppBagV0]));
export const providerAppBag = lazySchema(() => z.union([providerAppBagV1, providerAppBagV0]));

/** JSON Schemas of the real databags (`{ app, unit }` per side, both contracts), generated from the zod schemas. */
export function valkeyJsonSchemas(): {
  readonly provider: { readonly app: Record<string, unknown>; readonly unit: Record<string, unknown> };
  readonly requirer: { readonly app: Record<string, unknown>; readonly unit: Record<string, unknown> };
} {
  return {
    provider: { app: toWireJsonSchema(providerAppBag), unit: toWireJsonSchema(providerUnitBag) },
    requirer: { app: toWireJsonSchema(requirerAppBag), unit: toWireJsonSchema(requirerUnitBag) },
  };
}

// ---------------------------------------------------------------------------------------------
// Secret contents

/** `secret-user`: `relation-<id>-<request-id>` (v1) or `relation-<id>` (v0), and the password. */
export const userSecretContent = lazySchema(() =>
  z.looseObject({
    username: z.string().min(1),
    password: z.string().min(1),
  }),
);
export type UserSecretContent = z.output<typeof userSecretContent>;

/** `secret-tls`: `tls` written `"true"`/`"false"` (read leniently); `tls-ca` only while TLS is on. */
export const tlsSecretContent = lazySchema(() =>
  z.looseObject({
    tls: wireBool(),
    "tls-ca": z.string().optional(),
  }),
);
export type TlsSecretContent = z.output<typeof tlsSecretContent>;

// ---------------------------------------------------------------------------------------------
// What a requirer resolves (plain fields + secret content, canonical names)

export const resolvedFields = lazySchema(() =>
  z.looseObject({
    username: z.string().min(1),
    password: z.string().min(1),
    endpoints: endpointList(),
    "read-only-endpoints": endpointList().optional(),
    "sentinel-endpoints": endpointList().optional(),
    mode: z.string().optional(),
    version: z.string().optional(),
    tls: wireBool().optional(),
    "tls-ca": z.string().optional(),
  }),
);
export type ResolvedFields = z.output<typeof resolvedFields>;

/** What may already be checked before a response is complete (endpoints first, credentials later). */
export const partialResolvedFields = lazySchema(() => resolvedFields.partial());

// ---------------------------------------------------------------------------------------------
// What a provider charm publishes (validated before anything is written)

const endpointInput = lazySchema(() => z.union([z.array(hostPort()), endpointList()]));

export const responseInput = lazySchema(() =>
  z.strictObject({
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    endpoints: endpointInput.optional(),
    readOnlyEndpoints: endpointInput.optional(),
    sentinelEndpoints: endpointInput.optional(),
    mode: z.string().min(1).optional(),
    version: z.string().min(1).optional(),
    tls: z.boolean().optional(),
    tlsCa: z.string().min(1).optional(),
  }),
);
/** Fields a provider publishes for a request; omitted fields are left as they are. */
export type ValkeyResponseInput = z.input<typeof responseInput>;
