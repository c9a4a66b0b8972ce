/**
 * The `connect_client` wire format as zod schemas: the single source of truth for parsing, the
 * TypeScript types and the published JSON Schema (interfaces.md §5). Databag values are strings on
 * the wire; JSON-valued keys (`data`, `requested-secrets`, `status`) are strings holding JSON, and the
 * schemas describe their inner shape.
 *
 * What kafka-connect-operator really writes (and the upstream README does not say):
 * - `tls` is `"enabled"` / `"disabled"`, not a boolean; `tls-ca` is the literal `"disabled"` when off;
 * - `secret-tls` is always published, TLS or not;
 * - `endpoints` are REST URLs **with** scheme (`http://10.1.0.10:8083`);
 * - the requirer's `plugin-url` is an http(s) URL or the sentinel `NOT-REQUIRED`.
 */

import { isNoneCa } from "@charm-relations/juju-secrets-core/protocol";
import {
  commaListOf,
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

/** The `plugin-url` sentinel of integrators that need no connector plugin (MirrorMaker-style). */
export const NOT_REQUIRED = "NOT-REQUIRED";
/** Kafka Connect's REST port, used by kafka-connect-operator for every worker. */
export const DEFAULT_REST_PORT = 8083;

// ---------------------------------------------------------------------------------------------
// Value rules (plain functions, shared by the schemas and by the option checks)

/** Why `value` is not an http(s) URL with a host, or undefined when it is one. */
export function httpUrlProblem(value: string): string | undefined {
  if (value.trim() !== value || value === "")
    return "expected an http:// or https:// URL without surrounding spaces";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "expected an http:// or https:// URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return "only http:// and https:// URLs are allowed";
  if (url.hostname === "") return "the URL has no host";
  return undefined;
}

/** Why `value` is not a valid `plugin-url` (an http(s) URL or `NOT-REQUIRED`), or undefined. */
export function pluginUrlProblem(value: string): string | undefined {
  if (value === NOT_REQUIRED) return undefined;
  const problem = httpUrlProblem(value);
  return problem ? `${problem}, or ${NOT_REQUIRED}` : undefined;
}

/** Why `value` is not a Kafka Connect REST endpoint (`http(s)://host[:port]`), or undefined. */
export function restEndpointProblem(value: string): string | undefined {
  const problem = httpUrlProblem(value);
  if (problem) return problem;
  const url = new URL(value);
  // Credentials travel in the user secret, never in a plain databag URL.
  if (url.username !== "" || url.password !== "") return "REST endpoints must not carry credentials";
  return undefined;
}

/** The username kafka-connect-operator creates for a relation (v0), or per request (v1). */
export function connectUsername(relationId: number, requestId?: string): string {
  return requestId ? `relation-${relationId}-${requestId}` : `relation-${relationId}`;
}

// ---------------------------------------------------------------------------------------------
// Building blocks

const URL_PATTERN = /^https?:\/\/\S+$/;
const NOT_REQUIRED_OR_URL = /^(NOT-REQUIRED|https?:\/\/\S+)$/;

/**
 * `plugin-url`: an http(s) URL, or `NOT-REQUIRED`. Parses to the URL, or `null` for "no plugin".
 */
export const pluginUrl = () =>
  z
    .string()
    .superRefine((v, ctx) => {
      const problem = pluginUrlProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem, input: v });
    })
    .meta({ pattern: NOT_REQUIRED_OR_URL.source })
    .transform((v) => (v === NOT_REQUIRED ? null : v));

/** One REST endpoint with scheme (`http://10.1.0.10:8083`). */
export const restEndpoint = () =>
  z
    .string()
    .regex(URL_PATTERN, { message: "expected an http:// or https:// URL" })
    .superRefine((v, ctx) => {
      const problem = restEndpointProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem, input: v });
    });

/**
 * `endpoints`: a comma list of REST URLs with scheme, at least one (one trailing comma tolerated).
 * Checked item by item: one pattern over the whole list would backtrack on hostile input.
 */
export const restEndpointList = () =>
  commaListOf((item) => URL_ITEM.test(item), {
    message: "expected a comma list of http(s) REST URLs",
    itemPattern: "https?://[^\\s,]+",
    strict: true,
  }).pipe(z.array(restEndpoint()).min(1, { message: "expected at least one REST URL" }));

const URL_ITEM = /^https?:\/\/[^\s,]+$/;

/** `tls-ca`: a PEM bundle, or `"disabled"` / `""` for none (read as `null`). */
export const tlsCa = () => z.string().transform((v) => (isNoneCa(v) ? null : v));

// ---------------------------------------------------------------------------------------------
// Secret contents

/** `secret-user`: Kafka Connect REST basic-auth credentials; `username` is `relation-<id>`. */
export const userSecret = lazySchema(() =>
  z.looseObject({ username: z.string().min(1), password: z.string().min(1) }),
);
export type UserSecret = z.output<typeof userSecret>;

/** `secret-tls`: `tls` is `enabled`/`disabled` (any boolean spelling is read); `tls-ca` PEM or `disabled`. */
export const tlsSecret = lazySchema(() =>
  z.looseObject({ tls: wireBool().optional(), "tls-ca": tlsCa().optional() }),
);
export type TlsSecret = z.output<typeof tlsSecret>;

const secrets = { user: userSecret, tls: tlsSecret };

// ---------------------------------------------------------------------------------------------
// Databags

/** Requirer app bag (v0, written by the requirer leader in relation-created, all in one hook). */
export const requirerAppV0 = lazySchema(() =>
  v0RequirerApp({
    /** The URL serving one tarball of connector JARs, or `NOT-REQUIRED`. The resource key. */
    "plugin-url": pluginUrl(),
  }),
);

/**
 * Provider app bag (v0). `endpoints`, `secret-user` and `secret-tls` arrive together once the plugin
 * is installed; plain `username`/`password`/`tls`/`tls-ca` only appear for a requirer that sent no
 * `requested-secrets` (pre-secrets Juju).
 */
export const providerAppV0 = lazySchema(() =>
  v0ProviderApp({ endpoints: restEndpointList().optional() }, secrets),
);

/** One v1 request: the plugin URL as `resource`. */
export const request = lazySchema(() => v1Request({ resource: pluginUrl() }));
/** One v1 response: the REST endpoints. */
export const response = lazySchema(() => v1Response({ endpoints: restEndpointList().nullable().optional() }));
export const requirerAppV1 = lazySchema(() => v1RequirerApp(request));
export const providerAppV1 = lazySchema(() => v1ProviderApp(response));
export { providerUnit, requirerUnit };

// ---------------------------------------------------------------------------------------------
// JSON Schema

export interface ConnectJsonSchemas {
  readonly requirerApp: Record<string, unknown>;
  readonly requirerUnit: Record<string, unknown>;
  readonly providerApp: Record<string, unknown>;
  readonly providerUnit: Record<string, unknown>;
  readonly userSecret: Record<string, unknown>;
  readonly tlsSecret: Record<string, unknown>;
}

/**
 * The published JSON Schemas (2020-12) of the v0 databags and secrets, generated from the zod schemas
 * on demand (not at import). Unlike the upstream README's dead links, these validate the real bags:
 * dashed keys, JSON-valued strings, `enabled`/`disabled`.
 */
export function connectJsonSchemas(): ConnectJsonSchemas {
  return {
    requirerApp: toWireJsonSchema(requirerAppV0),
    requirerUnit: toWireJsonSchema(requirerUnit),
    providerApp: toWireJsonSchema(providerAppV0),
    providerUnit: toWireJsonSchema(providerUnit),
    userSecret: toWireJsonSchema(userSecret),
    tlsSecret: toWireJsonSchema(tlsSecret),
  };
}
