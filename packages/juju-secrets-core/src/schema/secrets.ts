/**
 * The secret contents most data_interfaces v0 providers publish (mysql, mongodb, opensearch, karapace,
 * kafka …), built on demand so each interface package holds its own instances: credentials, TLS and
 * entity groups, read leniently (unknown keys kept). And the JSON Schemas of a set of schemas at once.
 */

import * as z from "zod";
import { toWireJsonSchema, wireBool } from "./codecs.js";

/** `secret-user`: a username and, usually, its password (both non-empty). */
export const credentialsSecret = () =>
  z.looseObject({ username: z.string().min(1), password: z.string().min(1).optional() });

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
