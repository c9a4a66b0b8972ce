/**
 * The etcd_client wire format as zod schemas: the single source of truth for the TypeScript types,
 * the parsers and the published JSON Schema. Databag values are strings; the codecs turn comma lists
 * into arrays, JSON-in-string into values and every boolean spelling into booleans.
 *
 * Unlike the upstream `schema.py` (fields declared next to `unit`/`app`, snake_case, no dash
 * aliases), these schemas validate the bags real charms write (interfaces.md §2.9).
 */

import {
  isHostPort,
  isNoneCa,
  parseCommaList,
  pemBlocks,
  trimTrailing,
} from "@charm-relations/juju-secrets-core/protocol";
import {
  commaListPattern,
  HOST_PORT_PATTERN,
  lazySchema,
  pemText,
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

// ---------------------------------------------------------------------------------------------
// Value codecs

/**
 * One etcd client endpoint, `host:port` without a scheme. The first spec revision showed
 * `https://ip:2379`; such items are accepted and reduced to `host:port`.
 */
export function normaliseEndpoint(item: string): string | undefined {
  const bare = trimTrailing(item.replace(/^[a-z][a-z0-9+.-]*:\/\//i, ""), "/");
  return isHostPort(bare) ? bare : undefined;
}

/** `endpoints`: comma list of `host:port`, at least one. */
export const endpointList = () =>
  z
    .string()
    .meta({ pattern: commaListPattern(`(?:[a-z][a-z0-9+.-]*://)?${HOST_PORT_PATTERN}/*`) })
    .transform((v, ctx) => {
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
  z
    .string()
    .meta({ pattern: commaListPattern("https?://[^,\\s]+") })
    .transform((v, ctx) => {
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

/** A PEM text with at least one certificate block (found in one linear pass). */
export const pemCertificate = () => pemText();

// ---------------------------------------------------------------------------------------------
// Secret contents

/**
 * `secret-user`: the etcd user (the certificate CN) and the client URLs. `uris` is optional as in the
 * Python v1 model (a provider may leave it out); v0-era providers add `password: ""`.
 */
export const userSecret = lazySchema(() =>
  z.looseObject({
    username: z.string().min(1),
    uris: uriList().optional(),
    password: z.string().optional(),
  }),
);

/** `tls-ca`: a PEM chain, or `""` / `disabled` for none (protocol §2.4). */
const tlsCa = () =>
  z
    .string()
    .refine((v) => isNoneCa(v) || pemBlocks(v).length > 0, { message: "expected a PEM certificate" })
    .meta({ pattern: "-----BEGIN CERTIFICATE-----|^(?:\\s*[dD][iI][sS][aA][bB][lL][eE][dD])?\\s*$" });

/** `secret-tls`: the CA that issued the server certificate; v0 also `tls: "True"`. */
export const tlsSecret = lazySchema(() => z.looseObject({ "tls-ca": tlsCa(), tls: wireBool().optional() }));

/** `secret-mtls` (requirer-owned): the client certificate, leaf first. */
export const mtlsSecret = lazySchema(() => z.looseObject({ "mtls-cert": pemCertificate() }));

// ---------------------------------------------------------------------------------------------
// Databags

/** Requirer app databag, v0. `secret-mtls` same-model; `mtls-cert` + `encryption-secret` cross-model. */
export const requirerAppV0 = lazySchema(() => v0RequirerApp({ prefix: z.string().min(1) }));

/**
 * Provider app databag, v0. A v1 provider answering a v0 requirer also echoes `prefix` and adds
 * `resource` and `salt`; a provider without secrets writes the credentials as plain keys.
 */
export const providerAppV0 = lazySchema(() =>
  v0ProviderApp(
    {
      endpoints: endpointList().optional(),
      version: z.string().min(1).optional(),
      prefix: z.string().optional(),
    },
    { user: userSecret, tls: tlsSecret },
  ),
);

/** One request object (requirer → provider): the key prefix. Unknown keys are kept. */
export const request = lazySchema(() => v1Request({ resource: z.string().min(1) }));

/** One response object (provider → requirer). Secret-backed fields never appear here. */
export const response = lazySchema(() =>
  v1Response({
    endpoints: endpointList().nullable().optional(),
    "read-only-endpoints": z.string().nullable().optional(),
  }),
);

export const requirerAppV1 = lazySchema(() => v1RequirerApp(request));
export const providerAppV1 = lazySchema(() => v1ProviderApp(response));
export { providerUnit, requirerUnit };

// ---------------------------------------------------------------------------------------------
// Types

export type RequirerAppV0 = z.output<typeof requirerAppV0>;
export type RequirerAppV1 = z.output<typeof requirerAppV1>;
export type ProviderAppV0 = z.output<typeof providerAppV0>;
export type ProviderAppV1 = z.output<typeof providerAppV1>;
export type RequestObject = z.output<typeof request>;
export type ResponseObject = z.output<typeof response>;
export type UserSecret = z.output<typeof userSecret>;
export type TlsSecret = z.output<typeof tlsSecret>;
export type MtlsSecret = z.output<typeof mtlsSecret>;

// ---------------------------------------------------------------------------------------------
// JSON Schema (what the wire carries: strings in)

export type JsonSchema = Record<string, unknown>;

/** JSON Schemas (draft 2020-12) of every databag and secret content, generated from the zod schemas. */
export function etcdClientJsonSchemas(): Record<string, JsonSchema> {
  const titled = (schema: z.ZodType, title: string) => ({ ...toWireJsonSchema(schema), title });
  return {
    requirerAppV0: titled(requirerAppV0, "etcd_client requirer application databag (v0)"),
    requirerAppV1: titled(requirerAppV1, "etcd_client requirer application databag (v1)"),
    requirerUnit: titled(requirerUnit, "etcd_client requirer unit databag"),
    providerAppV0: titled(providerAppV0, "etcd_client provider application databag (v0)"),
    providerAppV1: titled(providerAppV1, "etcd_client provider application databag (v1)"),
    userSecret: titled(userSecret, "etcd_client secret-user content"),
    tlsSecret: titled(tlsSecret, "etcd_client secret-tls content"),
    mtlsSecret: titled(mtlsSecret, "etcd_client secret-mtls content (requirer-owned)"),
  };
}
