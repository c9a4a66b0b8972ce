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

import type { InterfaceDefinition } from "@charm-relations/juju-secrets-core";
import { isNoneCa, parseCommaList } from "@charm-relations/juju-secrets-core";
import {
  jsonField,
  lazySchema,
  secretUri,
  toWireJsonSchema,
  wireBool,
} from "@charm-relations/juju-secrets-core/schema";
import * as z from "zod";

/** The Juju interface name. */
export const CONNECT_CLIENT_INTERFACE = "connect_client";
/** The endpoint name kafka-connect-operator uses (`provides: connect-client`). */
export const DEFAULT_CONNECT_ENDPOINT = "connect-client";
/** The `plugin-url` sentinel of integrators that need no connector plugin (MirrorMaker-style). */
export const NOT_REQUIRED = "NOT-REQUIRED";
/** Kafka Connect's REST port, used by kafka-connect-operator for every worker. */
export const DEFAULT_REST_PORT = 8083;

/** What the engines need to know about `connect_client` (protocol logic lives in the core). */
export const CONNECT_CLIENT: InterfaceDefinition = {
  name: CONNECT_CLIENT_INTERFACE,
  resourceKey: "plugin-url",
  // Created needs usable REST credentials and somewhere to send them (I-6): the Python requirer fires
  // on `secret-user` alone, which kafka-connect-operator happens to publish together with endpoints.
  readyFields: ["username", "password", "endpoints"],
};

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
const URL_LIST_PATTERN = /^\s*https?:\/\/[^\s,]+\s*(,\s*https?:\/\/[^\s,]+\s*)*,?\s*$/;

/**
 * `plugin-url`: an http(s) URL, or `NOT-REQUIRED`. Parses to the URL, or `null` for "no plugin".
 */
export const pluginUrl = () =>
  z
    .string()
    .regex(NOT_REQUIRED_OR_URL, { message: `expected an http:// or https:// URL, or ${NOT_REQUIRED}` })
    .superRefine((v, ctx) => {
      const problem = pluginUrlProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem, input: v });
    })
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

/** `endpoints`: a comma list of REST URLs with scheme, at least one. */
export const restEndpointList = () =>
  z
    .string()
    .regex(URL_LIST_PATTERN, { message: "expected a comma list of http(s) REST URLs" })
    .transform((v) => parseCommaList(v))
    .pipe(z.array(restEndpoint()).min(1, { message: "expected at least one REST URL" }));

/** `tls-ca`: a PEM bundle, or `"disabled"` / `""` for none (read as `null`). */
export const tlsCa = () => z.string().transform((v) => (isNoneCa(v) ? null : v));

const stringArray = () => jsonField(z.array(z.string()));
const statusList = () =>
  jsonField(z.array(z.object({ code: z.number().int(), message: z.string(), resolution: z.string() })));
/** A v0 `data` snapshot: the other side's app bag, every value a string. */
const snapshot = () => jsonField(z.record(z.string(), z.string()));

// ---------------------------------------------------------------------------------------------
// Databags

/** Requirer app bag (written by the requirer leader in relation-created, all in one hook). */
export const requirerAppBag = lazySchema(() =>
  z.looseObject({
    /** The URL serving one tarball of connector JARs, or `NOT-REQUIRED`. The resource key. */
    "plugin-url": pluginUrl(),
    /** Provider fields that must travel in secrets; absent means the plain-text fallback. */
    "requested-secrets": stringArray().optional(),
    /** `["mtls-cert"]`; absent in cross-model relations. */
    "provided-secrets": stringArray().optional(),
  }),
);
export type RequirerAppBag = z.output<typeof requirerAppBag>;

/** Requirer unit bag: each unit's own snapshot of the provider app bag (and the leader's list copies). */
export const requirerUnitBag = lazySchema(() =>
  z.looseObject({
    data: snapshot().optional(),
    "requested-secrets": stringArray().optional(),
    "provided-secrets": stringArray().optional(),
  }),
);
export type RequirerUnitBag = z.output<typeof requirerUnitBag>;

/**
 * Provider app bag. `endpoints`, `secret-user` and `secret-tls` arrive together once the plugin is
 * installed; plain `username`/`password`/`tls`/`tls-ca` only appear for a requirer that sent no
 * `requested-secrets` (pre-secrets Juju). `data` is the provider's snapshot of the requirer app bag.
 */
export const providerAppBag = lazySchema(() =>
  z.looseObject({
    endpoints: restEndpointList().optional(),
    "secret-user": secretUri().optional(),
    "secret-tls": secretUri().optional(),
    data: snapshot().optional(),
    status: statusList().optional(),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    tls: wireBool().optional(),
    "tls-ca": tlsCa().optional(),
  }),
);
export type ProviderAppBag = z.output<typeof providerAppBag>;

/** Provider unit bags stay empty (kafka-connect-operator is not a subordinate). */
export const providerUnitBag = lazySchema(() => z.looseObject({}));

// ---------------------------------------------------------------------------------------------
// Secret contents

/** `secret-user`: Kafka Connect REST basic-auth credentials; `username` is `relation-<id>`. */
export const userSecret = lazySchema(() =>
  z.looseObject({
    username: z.string().min(1),
    password: z.string().min(1),
  }),
);
export type UserSecret = z.output<typeof userSecret>;

/** `secret-tls`: `tls` is `enabled`/`disabled` (any boolean spelling is read); `tls-ca` PEM or `disabled`. */
export const tlsSecret = lazySchema(() =>
  z.looseObject({
    tls: wireBool().optional(),
    "tls-ca": tlsCa().optional(),
  }),
);
export type TlsSecret = z.output<typeof tlsSecret>;

/**
 * A resolved provider answer: plain keys with the secret contents over them, as the requirer engine
 * hands it over. This is what `integrationCreated` and friends are built from.
 */
export const connectResponse = lazySchema(() =>
  z.looseObject({
    endpoints: restEndpointList(),
    username: z.string().min(1),
    password: z.string().min(1),
    tls: wireBool().optional(),
    "tls-ca": tlsCa().optional(),
  }),
);
export type ConnectResponse = z.output<typeof connectResponse>;

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
 * The published JSON Schemas (2020-12) of every databag and secret, generated from the zod schemas on
 * demand (not at import: charms that never ask pay nothing). Unlike the upstream README's dead links,
 * these validate the real bags: dashed keys, JSON-valued strings, `enabled`/`disabled`.
 */
export function connectJsonSchemas(): ConnectJsonSchemas {
  return {
    requirerApp: toWireJsonSchema(requirerAppBag),
    requirerUnit: toWireJsonSchema(requirerUnitBag),
    providerApp: toWireJsonSchema(providerAppBag),
    providerUnit: toWireJsonSchema(providerUnitBag),
    userSecret: toWireJsonSchema(userSecret),
    tlsSecret: toWireJsonSchema(tlsSecret),
  };
}
