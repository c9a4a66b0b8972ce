/**
 * JSON Schema (draft 2020-12) of every postgresql_client databag and secret, generated from the zod
 * schemas (the wire form: every value a string, with patterns and `contentSchema` for JSON-in-a-string),
 * each with real examples that it accepts.
 */

import { toWireJsonSchema } from "@charm-relations/juju-secrets-core/schema";
import type * as z from "zod";
import {
  EXAMPLE_ENTITY_REQUIRER_APP_DATABAG,
  EXAMPLE_ENTITY_SECRET,
  EXAMPLE_PLAIN_PROVIDER_APP_DATABAG,
  EXAMPLE_PROVIDER_APP_DATABAG,
  EXAMPLE_REQUIRER_APP_DATABAG,
  EXAMPLE_REQUIRER_UNIT_DATABAG,
  EXAMPLE_TLS_SECRET,
  EXAMPLE_USER_SECRET,
} from "./examples.js";
import {
  entitySecret,
  providerAnsweredAppV0,
  providerAppV0,
  providerUnit,
  requestedEntitySecret,
  requirerAppV0,
  requirerUnit,
  tlsSecret,
  userSecret,
} from "./schema.js";

export type JsonSchema = Record<string, unknown>;

const DEFINITIONS: Record<
  string,
  { schema: z.ZodType; title: string; description: string; examples: unknown[] }
> = {
  "requirer-app": {
    schema: requirerAppV0,
    title: "postgresql_client requirer application databag (v0)",
    description: "Written by the requirer leader in relation-created, all in one hook.",
    examples: [EXAMPLE_REQUIRER_APP_DATABAG, EXAMPLE_ENTITY_REQUIRER_APP_DATABAG, { database: "myapp" }],
  },
  "requirer-unit": {
    schema: requirerUnit,
    title: "postgresql_client requirer unit databag (v0)",
    description: "Each unit's own snapshot (`data`) of the provider application databag.",
    examples: [EXAMPLE_REQUIRER_UNIT_DATABAG],
  },
  "provider-app": {
    schema: providerAppV0,
    title: "postgresql_client provider application databag (v0)",
    description: "Written by the provider leader; any stage of the lifecycle.",
    examples: [
      EXAMPLE_PROVIDER_APP_DATABAG,
      EXAMPLE_PLAIN_PROVIDER_APP_DATABAG,
      { endpoints: "10.1.0.10:5432" },
    ],
  },
  "provider-app-answered": {
    schema: providerAnsweredAppV0,
    title: "postgresql_client provider application databag, once a request is answered (v0)",
    description:
      "Database echo, endpoints, version and the user credentials (secret-user, or plain fallback).",
    examples: [EXAMPLE_PROVIDER_APP_DATABAG, EXAMPLE_PLAIN_PROVIDER_APP_DATABAG],
  },
  "provider-unit": {
    schema: providerUnit,
    title: "postgresql_client provider unit databag",
    description: "Subordinate providers write `state: ready` once the unit can serve.",
    examples: [{}, { state: "ready" }],
  },
  "secret-user": {
    schema: userSecret,
    title: "postgresql_client secret-user content",
    description: "username, password, uris, read-only-uris.",
    examples: [EXAMPLE_USER_SECRET],
  },
  "secret-tls": {
    schema: tlsSecret,
    title: "postgresql_client secret-tls content",
    description: 'tls ("True"/"False") and tls-ca (PEM, or "" when TLS is off).',
    examples: [EXAMPLE_TLS_SECRET],
  },
  "secret-entity": {
    schema: entitySecret,
    title: "postgresql_client secret-entity content",
    description: "entity-name and entity-password of a custom user or group.",
    examples: [EXAMPLE_ENTITY_SECRET],
  },
  "requested-entity-secret": {
    schema: requestedEntitySecret,
    title: "postgresql_client requested-entity-secret content (requirer-owned)",
    description: "entity-name plus password (v0) or entity-password (v1).",
    examples: [{ "entity-name": "myapp_owner" }, { "entity-name": "myapp_owner", password: "s3cr3t-pw" }],
  },
};

export type JsonSchemaName = keyof typeof DEFINITIONS;
export const JSON_SCHEMA_NAMES: readonly string[] = Object.keys(DEFINITIONS);

const cache = new Map<string, JsonSchema>();

/** One JSON Schema by name (`requirer-app`, `provider-app`, `secret-user`, …). Built on first use. */
export function jsonSchema(name: JsonSchemaName): JsonSchema {
  let out = cache.get(name);
  if (!out) {
    const def = DEFINITIONS[name];
    if (!def) throw new Error(`no JSON Schema named "${name}" (known: ${JSON_SCHEMA_NAMES.join(", ")})`);
    out = {
      ...toWireJsonSchema(def.schema),
      title: def.title,
      description: def.description,
      examples: def.examples,
    };
    cache.set(name, out);
  }
  return structuredClone(out);
}

/** Every JSON Schema of the interface, by name. */
export function jsonSchemas(): Record<string, JsonSchema> {
  return Object.fromEntries(JSON_SCHEMA_NAMES.map((n) => [n, jsonSchema(n)]));
}
