/**
 * The `valkey_client` wire format as zod schemas: the single source of truth for parsing, the
 * TypeScript types and the published JSON Schema (interfaces.md §4). The protocol's own keys come from
 * the core's bag builders; this file adds valkey_client's key pattern, endpoint fields and secrets.
 *
 * Two contracts travel on the same endpoint:
 * - v1 (the default of our requirer): `version: v1` + `requests` arrays; each response carries the
 *   interface fields `sentinel-endpoints` and `mode`, then dpcharmlibs' trailing `"mtls-cert": null`;
 * - v0 (`DatabaseRequires` clients): flat keys; the real provider writes `sentinel_endpoints` with an
 *   underscore there (the Python attribute name), and readers accept both spellings.
 */

import { parseCommaList } from "@charm-relations/juju-secrets-core/protocol";
import {
  hostPort,
  lazySchema,
  providerUnit,
  requirerUnit,
  toWireJsonSchema,
  v0ProviderApp,
  v0RequirerApp,
  v1ProviderApp,
  v1Request,
  v1RequirerApp,
  v1Response,
  wireBool,
} from "@charm-relations/juju-secrets-core/schema";
import * as z from "zod";

/** The v0 flat key of the sentinel endpoints: underscore, as valkey-operator writes it (interfaces.md §4.2). */
export const V0_SENTINEL_KEY = "sentinel_endpoints";
/** The only high-availability mode valkey-operator publishes today; readers accept any string. */
export const VALKEY_MODE_SENTINEL = "sentinel";

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

// ---------------------------------------------------------------------------------------------
// Secret contents

/** `secret-user`: `relation-<id>-<request-id>` (v1) or `relation-<id>` (v0), and the password. */
export const userSecret = lazySchema(() =>
  z.looseObject({ username: z.string().min(1), password: z.string().min(1) }),
);

/** `secret-tls`: `tls` written `"true"`/`"false"` (read leniently); `tls-ca` only while TLS is on. */
export const tlsSecret = lazySchema(() =>
  z.looseObject({ tls: wireBool(), "tls-ca": z.string().optional() }),
);

const secrets = { user: userSecret, tls: tlsSecret };

// ---------------------------------------------------------------------------------------------
// Databags

/** One v1 request (requirer → provider): the key pattern; unknown keys are kept. */
export const request = lazySchema(() => v1Request({ resource: keyPattern() }));

/** One v1 response: base keys, `version`, `sentinel-endpoints`, `mode`, `mtls-cert`. */
export const response = lazySchema(() =>
  v1Response({
    endpoints: endpointList().nullable().optional(),
    "read-only-endpoints": endpointList().nullable().optional(),
    "sentinel-endpoints": endpointList().nullable().optional(),
    mode: z.string().nullable().optional(),
  }),
);

export const requirerAppV1 = lazySchema(() => v1RequirerApp(request));
export const providerAppV1 = lazySchema(() => v1ProviderApp(response));

/** A `DatabaseRequires` client (v0): the key pattern as `database`. */
export const requirerAppV0 = lazySchema(() => v0RequirerApp({ database: keyPattern() }));

/**
 * The flat answer. `sentinel_endpoints` is what valkey-operator writes; `sentinel-endpoints` is
 * accepted too. Plain `username`/`password`/`tls`/`tls-ca` only appear for requirers that sent no
 * `requested-secrets`.
 */
export const providerAppV0 = lazySchema(() =>
  v0ProviderApp(
    {
      database: z.string().optional(),
      endpoints: endpointList().optional(),
      "read-only-endpoints": endpointList().optional(),
      [V0_SENTINEL_KEY]: endpointList().optional(),
      "sentinel-endpoints": endpointList().optional(),
      mode: z.string().optional(),
      version: z.string().optional(),
    },
    secrets,
  ),
);

export { providerUnit, requirerUnit };

/** JSON Schemas of the real databags (`{ app, unit }` per side, both contracts), generated from the zod schemas. */
export function valkeyJsonSchemas(): {
  readonly provider: { readonly app: Record<string, unknown>; readonly unit: Record<string, unknown> };
  readonly requirer: { readonly app: Record<string, unknown>; readonly unit: Record<string, unknown> };
} {
  return {
    provider: {
      app: toWireJsonSchema(z.union([providerAppV1, providerAppV0])),
      unit: toWireJsonSchema(providerUnit),
    },
    requirer: {
      app: toWireJsonSchema(z.union([requirerAppV1, requirerAppV0])),
      unit: toWireJsonSchema(requirerUnit),
    },
  };
}

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

export type RequestObject = z.output<typeof request>;
export type ResponseObject = z.output<typeof response>;
export type UserSecret = z.output<typeof userSecret>;
export type TlsSecret = z.output<typeof tlsSecret>;
