/**
 * The etcd_client wire format as zod schemas: the single source of truth for the TypeScript types,
 * the parsers and the published JSON Schema. Databag values are strings; the codecs turn comma lists
 * into arrays, JSON-in-string into values and every boolean spelling into booleans.
 *
 * Unlike the upstream `schema.py` (fields declared next to `unit`/`app`, snake_case, no dash
 * aliases), these schemas validate the bags real charms write (interfaces.md §2.9).
 */

import type { InterfaceDefinition } from "@charm-relations/juju-secrets-core";
import { isNoneCa, parseCommaList } from "@charm-relations/juju-secrets-core";
import {
  jsonString,
  lazySchema,
  secretUri,
  toWireJsonSchema,
  wireBool,
} from "@charm-relations/juju-secrets-core/schema";
import * as z from "zod";

/** The v0 requirer key that carries the request (v1: `resource`). */
export const RESOURCE_KEY = "prefix";
/** Default endpoint name of both sides (charmed-etcd's `etcd-client`). */
export const DEFAULT_ENDPOINT = "etcd-client";

/**
 * What the core engines need to know about etcd_client. Readiness follows canonical/k8s-operator:
 * `username`, `uris`, `endpoints`, `tls-ca` and `version` (there is no password: mTLS).
 */
export const ETCD_CLIENT: InterfaceDefinition = {
  name: "etcd_client",
  resourceKey: RESOURCE_KEY,
  readyFields: ["username", "uris", "endpoints", "tls-ca", "version"],
  mtls: true,
  crossModelEncryption: true,
};

// ---------------------------------------------------------------------------------------------
// Value codecs

const HOST_PORT_RE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}$/;

/**
 * One etcd client endpoint, `host:port` without a scheme. The first spec revision showed
 * `https://ip:2379`; such items are accepted and reduced to `host:port`.
 */
export function normaliseEndpoint(item: string): string | undefined {
  const bare = item.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/+$/, "");
  return HOST_PORT_RE.test(bare) ? bare : undefined;
}

/** `endpoints`: comma list of `host:port`, at least one. */
export const endpointList = () =>
  z.string().transform((v, ctx) => {
    const items = parseCommaList(v);
    if (items.length === 0) {
      ctx.issues.push({ code: "custom", message: "expected at least one host:port", input: v });
      return z.NEVER;
    }
    const out: string[] = [];
    for (const item of items) {
      const ep = normaliseEndpoint(item);
      if (ep === undefined) {
        ctx.issues.push({ code: "custom", message: "expected a comma list of host:port", input: v });
        return z.NEVER;
      }
      out.push(ep);
    }
    return out;
  });

/** A client URL: `https://host:port` (http accepted for test clusters). */
export function isClientUri(item: string): boolean {
  try {
    const u = new URL(item);
    return (u.protocol === "https:" || u.protocol === "http:") && u.hostname !== "";
  } catch {
    return false;
  }
}

/** `uris`: comma list of `https://host:port`, at least one. */
export const uriList = () =>
  z.string().transform((v, ctx) => {
    const items = parseCommaList(v);
    if (items.length === 0 || !items.every(isClientUri)) {
      ctx.issues.push({
        code: "custom",
        message: "expected a comma list of https://host:port URLs",
        input: v,
      });
      return z.NEVER;
    }
    return items;
  });

/** A PEM text with at least one certificate block. */
export const pemCertificate = () =>
  z.string().regex(/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/, {
    message: "expected a PEM certificate",
  });

const stringArrayJson = () => jsonString(z.array(z.string()));
const statusJson = () =>
  jsonString(z.array(z.object({ code: z.number().int(), message: z.string(), resolution: z.string() })));

// ---------------------------------------------------------------------------------------------
// v0 (flat) databags

/** Requirer app databag, v0. `secret-mtls` same-model; `mtls-cert` + `encryption-secret` cross-model. */
export const requirerAppV0 = lazySchema(() =>
  z.looseObject({
    prefix: z.string().min(1),
    "secret-mtls": secretUri().optional(),
    "requested-secrets": stringArrayJson().optional(),
    "provided-secrets": stringArrayJson().optional(),
    /** Cross-model: a Fernet token (or, before the handshake, the PEM itself). */
    "mtls-cert": z.string().min(1).optional(),
    "encryption-secret": secretUri().optional(),
    alias: z.string().optional(),
  }),
);

/** Requirer unit databag (both contracts): the unit's snapshot of the provider app bag. */
export const requirerUnit = lazySchema(() =>
  z.looseObject({
    data: jsonString(z.record(z.string(), z.unknown())).optional(),
    "requested-secrets": stringArrayJson().optional(),
    "provided-secrets": stringArrayJson().optional(),
    alias: z.string().optional(),
  }),
);

/**
 * Provider app databag, v0. A v1 provider answering a v0 requirer also echoes `prefix` and adds
 * `resource` and `salt`; a provider without secrets writes the credentials as plain keys.
 */
export const providerAppV0 = lazySchema(() =>
  z.looseObject({
    endpoints: endpointList().optional(),
    version: z.string().min(1).optional(),
    "secret-user": secretUri().optional(),
    "secret-tls": secretUri().optional(),
    data: jsonString(z.record(z.string(), z.string())).optional(),
    status: statusJson().optional(),
    "encryption-secret": secretUri().optional(),
    prefix: z.string().optional(),
    resource: z.string().optional(),
    salt: z.string().optional(),
    // Plain-text fallback (no secrets): same names as the secret fields.
    username: z.string().optional(),
    password: z.string().optional(),
    uris: uriList().optional(),
    tls: wireBool().optional(),
    "tls-ca": z.string().optional(),
  }),
);

// ---------------------------------------------------------------------------------------------
// v1 (requests) databags

/** One request object (requirer → provider). Unknown keys are kept. */
export const requestObject = lazySchema(() =>
  z.looseObject({
    resource: z.string().min(1),
    "request-id": z.string().nullable().optional(),
    salt: z.string().min(1),
    "extra-user-roles": z.string().nullable().optional(),
    "extra-group-roles": z.string().nullable().optional(),
    "external-node-connectivity": z.boolean().optional(),
    "entity-type": z.enum(["USER", "GROUP"]).nullable().optional(),
    "entity-permissions": z
      .array(
        z.object({ resource_name: z.string(), resource_type: z.string(), privileges: z.array(z.string()) }),
      )
      .nullable()
      .optional(),
    "secret-mtls": secretUri().nullable().optional(),
    /** dpcharmlibs, cross-model: the Fernet token of the certificate. */
    "mtls-cert": z.string().nullable().optional(),
  }),
);

/** One response object (provider → requirer). Secret-backed fields never appear here. */
export const responseObject = lazySchema(() =>
  z.looseObject({
    resource: z.string(),
    "request-id": z.string().nullable().optional(),
    salt: z.string(),
    endpoints: endpointList().nullable().optional(),
    "read-only-endpoints": z.string().nullable().optional(),
    "secret-user": secretUri().nullable().optional(),
    "secret-tls": secretUri().nullable().optional(),
    "secret-extra": secretUri().nullable().optional(),
    "secret-entity": secretUri().nullable().optional(),
    version: z.string().nullable().optional(),
  }),
);

/** Requirer app databag, v1. */
export const requirerAppV1 = lazySchema(() =>
  z.looseObject({
    version: z.literal("v1"),
    requests: jsonString(z.array(requestObject)),
    "encryption-secret": secretUri().optional(),
    alias: z.string().optional(),
  }),
);

/** Provider app databag, v1: responses, plus `data` keyed by request id (Python v1 requirers need it). */
export const providerAppV1 = lazySchema(() =>
  z.looseObject({
    version: z.literal("v1"),
    requests: jsonString(z.array(responseObject)),
    data: jsonString(z.record(z.string(), z.record(z.string(), z.unknown()))).optional(),
    status: statusJson().optional(),
    "encryption-secret": secretUri().optional(),
  }),
);

/** Either contract, told apart by `version`. */
export const requirerApp = lazySchema(() => z.union([requirerAppV1, requirerAppV0]));
export const providerApp = lazySchema(() => z.union([providerAppV1, providerAppV0]));

// ---------------------------------------------------------------------------------------------
// Secret contents

/** `secret-user`: the etcd user (the certificate CN) and the client URLs. v0-era providers add `password: ""`. */
export const userSecret = lazySchema(() =>
  z.looseObject({
    username: z.string().min(1),
    uris: uriList(),
    password: z.string().optional(),
  }),
);

/** `secret-tls`: the CA that issued the server certificate; v0 also `tls: "True"`. */
export const tlsSecret = lazySchema(() =>
  z.looseObject({
    "tls-ca": pemCertificate(),
    tls: wireBool().optional(),
  }),
);

/** `secret-mtls` (requirer-owned): the client certificate, leaf first. */
export const mtlsSecret = lazySchema(() =>
  z.looseObject({
    "mtls-cert": pemCertificate(),
  }),
);

// ---------------------------------------------------------------------------------------------
// Types

export type RequirerAppV0 = z.output<typeof requirerAppV0>;
export type RequirerAppV1 = z.output<typeof requirerAppV1>;
export type RequirerUnit = z.output<typeof requirerUnit>;
export type ProviderAppV0 = z.output<typeof providerAppV0>;
export type ProviderAppV1 = z.output<typeof providerAppV1>;
export type RequestObject = z.output<typeof requestObject>;
export type ResponseObject = z.output<typeof responseObject>;
export type UserSecret = z.output<typeof userSecret>;
export type TlsSecret = z.output<typeof tlsSecret>;
export type MtlsSecret = z.output<typeof mtlsSecret>;

// ---------------------------------------------------------------------------------------------
// The resolved answer (plain keys + secret contents, canonical names)

/** Everything a ready requirer needs, from the resolved fields of one response. */
export const connectionFields = lazySchema(() =>
  z.object({
    endpoints: endpointList(),
    uris: uriList(),
    username: z.string().min(1),
    version: z.string().min(1),
    "tls-ca": pemCertificate().refine((v) => !isNoneCa(v), { message: "no CA" }),
    tls: wireBool().optional(),
  }),
);

export type ConnectionFields = z.output<typeof connectionFields>;

const CONNECTION_KEYS = ["endpoints", "uris", "username", "version", "tls-ca", "tls"] as const;

/**
 * Issues with the response fields that are present (missing ones only mean "not ready yet"). The
 * requirer runs this (through the engine's `validateResponse`) before the snapshot advances, so a bad
 * answer is reported and retried rather than half-applied.
 */
export function connectionIssues(fields: Readonly<Record<string, string>>): { key: string; rule: string }[] {
  const present: Record<string, string> = {};
  for (const k of CONNECTION_KEYS) if (fields[k] !== undefined) present[k] = fields[k];
  // `tls-ca` of "" / "disabled" means "no CA": not ready, not malformed.
  if (present["tls-ca"] !== undefined && isNoneCa(present["tls-ca"])) delete present["tls-ca"];
  const result = connectionFields.partial().safeParse(present);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ key: String(i.path[0] ?? "(response)"), rule: i.message }));
}

// ---------------------------------------------------------------------------------------------
// JSON Schema (what the wire carries: strings in)

export type JsonSchema = Record<string, unknown>;

/** Patterns for the JSON Schema, where zod refinements cannot express themselves. */
export const WIRE_PATTERNS = {
  secretUri:
    "^\\s*(secret:(//[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/)?)?[0-9a-z]{20}\\s*$",
  endpoints:
    "^\\s*([a-z][a-z0-9+.-]*://)?(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9_.-]+):[0-9]{1,5}/*\\s*(,\\s*(([a-z][a-z0-9+.-]*://)?(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9_.-]+):[0-9]{1,5}/*)?\\s*)*$",
  uris: "^\\s*https?://[^,\\s]+\\s*(,\\s*(https?://[^,\\s]+)?\\s*)*$",
  bool: "^\\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[Ee][Nn][Aa][Bb][Ll][Ee][Dd]|[Dd][Ii][Ss][Aa][Bb][Ll][Ee][Dd]|[Yy][Ee][Ss]|[Nn][Oo]|[Oo][Nn]|[Oo][Ff][Ff]|1|0|)\\s*$",
  pem: "-----BEGIN CERTIFICATE-----[\\s\\S]+-----END CERTIFICATE-----",
} as const;

const jsonContent = (contentSchema: JsonSchema): JsonSchema => ({
  contentMediaType: "application/json",
  contentSchema,
});
const stringArray: JsonSchema = { type: "array", items: { type: "string" } };
const statusArray: JsonSchema = {
  type: "array",
  items: {
    type: "object",
    properties: { code: { type: "integer" }, message: { type: "string" }, resolution: { type: "string" } },
    required: ["code", "message", "resolution"],
  },
};
const objectOf = (items: JsonSchema): JsonSchema => ({ type: "object", additionalProperties: items });

/** `toWireJsonSchema` plus the patterns and JSON content schemas zod refinements cannot carry. */
function wireSchema(schema: z.ZodType, title: string, extra: Record<string, JsonSchema>): JsonSchema {
  const js = toWireJsonSchema(schema);
  const props = (js.properties ?? {}) as Record<string, JsonSchema>;
  for (const [k, v] of Object.entries(extra)) if (props[k]) Object.assign(props[k], v);
  return { ...js, title };
}

function objectSchema(schema: z.ZodType, extra: Record<string, JsonSchema>): JsonSchema {
  const js = wireSchema(schema, "", extra);
  const { $schema: _, title: __, ...rest } = js;
  return rest;
}

const secretRef: JsonSchema = { pattern: WIRE_PATTERNS.secretUri };
const nullableSecretRef: JsonSchema = {
  anyOf: [{ type: "string", pattern: WIRE_PATTERNS.secretUri }, { type: "null" }],
};

/** JSON Schemas (draft 2020-12) of every databag and secret content, generated from the zod schemas. */
export function etcdClientJsonSchemas(): Record<string, JsonSchema> {
  const request = objectSchema(requestObject, { "secret-mtls": nullableSecretRef });
  const response = objectSchema(responseObject, {
    "secret-user": nullableSecretRef,
    "secret-tls": nullableSecretRef,
    "secret-extra": nullableSecretRef,
    "secret-entity": nullableSecretRef,
  });
  return {
    requirerAppV0: wireSchema(requirerAppV0, "etcd_client requirer application databag (v0)", {
      "secret-mtls": secretRef,
      "encryption-secret": secretRef,
      "requested-secrets": jsonContent(stringArray),
      "provided-secrets": jsonContent(stringArray),
    }),
    requirerAppV1: wireSchema(requirerAppV1, "etcd_client requirer application databag (v1)", {
      requests: jsonContent({ type: "array", items: request }),
      "encryption-secret": secretRef,
    }),
    requirerUnit: wireSchema(requirerUnit, "etcd_client requirer unit databag", {
      data: jsonContent({ type: "object" }),
      "requested-secrets": jsonContent(stringArray),
      "provided-secrets": jsonContent(stringArray),
    }),
    providerAppV0: wireSchema(providerAppV0, "etcd_client provider application databag (v0)", {
      endpoints: { pattern: WIRE_PATTERNS.endpoints },
      "secret-user": secretRef,
      "secret-tls": secretRef,
      "encryption-secret": secretRef,
      data: jsonContent(objectOf({ type: "string" })),
      status: jsonContent(statusArray),
      uris: { pattern: WIRE_PATTERNS.uris },
      tls: { pattern: WIRE_PATTERNS.bool },
    }),
    providerAppV1: wireSchema(providerAppV1, "etcd_client provider application databag (v1)", {
      requests: jsonContent({ type: "array", items: response }),
      data: jsonContent(objectOf({ type: "object" })),
      status: jsonContent(statusArray),
      "encryption-secret": secretRef,
    }),
    userSecret: wireSchema(userSecret, "etcd_client secret-user content", {
      uris: { pattern: WIRE_PATTERNS.uris },
    }),
    tlsSecret: wireSchema(tlsSecret, "etcd_client secret-tls content", {
      tls: { pattern: WIRE_PATTERNS.bool },
    }),
    mtlsSecret: wireSchema(mtlsSecret, "etcd_client secret-mtls content (requirer-owned)", {}),
  };
}
