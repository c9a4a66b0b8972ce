/**
 * The secret contents most data_interfaces v0 providers publish (mysql, mongodb, opensearch, karapace,
 * kafka …), built on demand so each interface package holds its own instances: credentials, TLS and
 * entity groups, read leniently (unknown keys kept). And the JSON Schemas of a set of schemas at once.
 */

import * as z from "zod";
import { toWireJsonSchema, wireBool } from "./codecs.js";

/**
 * `secret-user`: a username and, usually, its password (both non-empty); with `uri`, also the
 * connection URIs a database provider may add (`uris`, `read-only-uris`).
 */
export function credentialsSecret(): z.ZodObject<CredentialsShape, z.core.$loose>;
export function credentialsSecret<U extends z.ZodType>(
  uri: () => U,
): z.ZodObject<CredentialsShape & UrisShape<U>, z.core.$loose>;
export function credentialsSecret(uri?: () => z.ZodType) {
  const credentials = { username: z.string().min(1), password: z.string().min(1).optional() };
  return z.looseObject(
    uri ? { ...credentials, uris: uri().optional(), "read-only-uris": uri().optional() } : credentials,
  );
}

type CredentialsShape = { username: z.ZodString; password: z.ZodOptional<z.ZodString> };
type UrisShape<U extends z.ZodType> = { uris: z.ZodOptional<U>; "read-only-uris": z.ZodOptional<U> };

/** `secret-tls`: `tls` in any boolean spelling (`True`, `enabled` …), `tls-ca` a PEM chain or a "none" spelling. */
export const tlsContentSecret = () =>
  z.looseObject({ tls: wireBool().optional(), "tls-ca": z.string().optional() });

/** `secret-entity`: the user or group created for an entity request (a GROUP has no password). */
export const entityContentSecret = () =>
  z.looseObject({ "entity-name": z.string().min(1), "entity-password": z.string().optional() });

/** The wire JSON Schemas (2020-12) of named schemas, generated when called (not at import). */
export function wireJsonSchemas<K extends string>(
  schemas: Readonly<Record<K, z.ZodType>>,
): Record<K, Record<string, unknown>> {
  const out = {} as Record<K, Record<string, unknown>>;
  for (const key of Object.keys(schemas) as K[]) out[key] = toWireJsonSchema(schemas[key]);
  return out;
}
