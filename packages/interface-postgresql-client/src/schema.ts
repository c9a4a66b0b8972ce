/**
 * The postgresql_client wire format (v0 flat contract), as zod schemas: the single source of truth for
 * the TypeScript types, the parsers used on remote data, and the published JSON Schema.
 *
 * Databag values are strings on the wire. Each codec below accepts the string form (with a `pattern`
 * where one exists, so the JSON Schema says something useful) and yields the typed value: comma lists →
 * `string[]`, JSON-in-a-string → the parsed value, every boolean spelling → `boolean`.
 */

import type {
  EntityPermission,
  InterfaceDefinition,
  RelationRef,
  Side,
} from "@charm-relations/juju-secrets-core";
import { groupOf, parseBool, parseCommaList, RemoteDataError } from "@charm-relations/juju-secrets-core";
import {
  bagError,
  commaList,
  jsonField,
  lazySchema,
  zodIssues,
} from "@charm-relations/juju-secrets-core/schema";
import * as z from "zod";

/** What the core engines need to know about postgresql_client. */
export const POSTGRESQL_CLIENT: InterfaceDefinition = {
  name: "postgresql_client",
  resourceKey: "database",
  // I-6: `databaseCreated` needs the credentials and somewhere to connect to.
  readyFields: ["username", "password", "endpoints"],
  // Entity requests are answered with `secret-entity`; a GROUP has no password.
  entityReadyFields: ["entity-name"],
};

/** The endpoint name the PostgreSQL and PgBouncer charms use. */
export const DEFAULT_ENDPOINT = "database";

/** PostgreSQL and PgBouncer write `tls` Python-capitalised (interfaces.md §1.3). */
export const TLS_SPELLING = "True" as const;

// ---------------------------------------------------------------------------------------------
// Codecs with JSON-Schema-visible patterns

/** A case-insensitive word as a JSON Schema (ECMA-262, no flags) character-class pattern. */
function anyCase(word: string): string {
  return [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c)).join("");
}

const BOOL_WORDS = ["true", "enabled", "yes", "on", "1", "false", "disabled", "no", "off", "0"];
/** Every boolean spelling the protocol reads (protocol §2.4), surrounding blanks allowed. */
export const WIRE_BOOL_PATTERN = `^\\s*(?:${BOOL_WORDS.map(anyCase).join("|")})?\\s*$`;

const wireBool = () =>
  z
    .string()
    .regex(new RegExp(WIRE_BOOL_PATTERN), {
      message: "expected a boolean spelling (True/False, true/false, enabled/disabled, yes/no, on/off, 1/0)",
    })
    .transform((v) => parseBool(v) === true);

/** `secret:<xid>`, `secret://<model-uuid>/<xid>` or a bare xid (juju-hook-tools.md §7.1). */
export const SECRET_URI_PATTERN =
  "^(?:secret:(?://[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/)?)?[0-9a-z]{20}$";

const secretUri = () =>
  z.string().regex(new RegExp(SECRET_URI_PATTERN), {
    message: "expected a secret URI (secret:<id> or secret://<model-uuid>/<id>)",
  });

const HOST_PORT =
  "(?:\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9_.-]+):(?:6553[0-5]|655[0-2]\\d|65[0-4]\\d{2}|6[0-4]\\d{3}|[1-5]?\\d{1,4})";
/** Comma-separated `host:port` items, no scheme (blanks around items and empty items tolerated). */
export const HOST_PORT_LIST_PATTERN = `^\\s*${HOST_PORT}\\s*(?:,\\s*(?:${HOST_PORT})?\\s*)*$`;

const hostPortList = () =>
  z
    .string()
    .regex(new RegExp(HOST_PORT_LIST_PATTERN), {
      message: "expected a comma list of host:port (port 0-65535)",
    })
    .transform((v) => parseCommaList(v));

/** `postgresql://…` or `postgres://…` connection URIs, comma-separated. */
export const URI_LIST_PATTERN = "^\\s*postgres(?:ql)?://[^,]+(?:,\\s*postgres(?:ql)?://[^,]+)*\\s*$";

const uriList = () =>
  z
    .string()
    .regex(new RegExp(URI_LIST_PATTERN), {
      message: "expected postgresql:// connection URIs (comma-separated)",
    })
    .transform((v) => parseCommaList(v));

/**
 * A string holding JSON, with the inner schema published as `contentSchema` by `toWireJsonSchema`
 * (computed when a JSON Schema is asked for, not at import: every hook imports this module).
 */
const json = jsonField;

const stringArray = () => z.array(z.string());

/** One entity permission; exactly these three keys (protocol §4.10). */
export const entityPermissionSchema = lazySchema(() =>
  z.strictObject({
    resource_name: z.string().min(1),
    resource_type: z.string().min(1),
    privileges: z.array(z.string().min(1)).min(1),
  }),
);

/** Protocol §4.7: `{"code", "message", "resolution"}`. */
export const relationStatusSchema = lazySchema(() =>
  z.object({
    code: z.int(),
    message: z.string(),
    resolution: z.string(),
  }),
);

/** The shortest accepted prefix request: three characters and the `*` (postgresql 16/edge). */
export const MIN_PREFIX_LENGTH = 3;

/** A database name, or a prefix request `xyz*`. */
export const databaseNameSchema = lazySchema(() =>
  z
    .string()
    .min(1, { message: "must not be empty" })
    .refine((v) => v.trim() === v, { message: "must not have surrounding blanks" })
    .refine((v) => !v.endsWith("*") || v.length > MIN_PREFIX_LENGTH, {
      message: `a prefix request needs at least ${MIN_PREFIX_LENGTH} characters before "*"`,
    })
    .refine((v) => !v.slice(0, -1).includes("*"), {
      message: '"*" is only allowed at the end (prefix request)',
    }),
);

// ---------------------------------------------------------------------------------------------
// Databags

/** The requirer's app databag (written by its leader in relation-created). */
export const requirerAppDatabagSchema = lazySchema(() =>
  z
    .looseObject({
      database: databaseNameSchema,
      "requested-secrets": json(stringArray()).optional(),
      "provided-secrets": json(stringArray()).optional(),
      "extra-user-roles": commaList().optional(),
      "extra-group-roles": commaList().optional(),
      "entity-type": z.enum(["USER", "GROUP"]).optional(),
      "entity-permissions": json(z.array(entityPermissionSchema)).optional(),
      "requested-entity-secret": secretUri().optional(),
      "external-node-connectivity": wireBool().optional(),
      "prefix-matching": z.string().optional(),
      alias: z.string().optional(),
    })
    .superRefine((bag, ctx) => {
      // Protocol §4.10: which role list goes with which entity type.
      if (bag["extra-user-roles"]?.length && bag["entity-type"] === "GROUP") {
        ctx.addIssue({
          code: "custom",
          path: ["extra-user-roles"],
          message: "only allowed without entity-type or with entity-type USER",
        });
      }
      if (bag["extra-group-roles"]?.length && bag["entity-type"] !== "GROUP") {
        ctx.addIssue({
          code: "custom",
          path: ["extra-group-roles"],
          message: "only allowed with entity-type GROUP",
        });
      }
      if (bag["entity-permissions"] !== undefined && bag["entity-type"] === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["entity-permissions"],
          message: "only allowed with an entity-type",
        });
      }
    }),
);

/** Each requirer unit's databag: its own snapshot of the provider app bag, and the leader's list copies. */
export const requirerUnitDatabagSchema = lazySchema(() =>
  z.looseObject({
    data: json(z.record(z.string(), z.string())).optional(),
    "requested-secrets": json(stringArray()).optional(),
    "provided-secrets": json(stringArray()).optional(),
    alias: z.string().optional(),
  }),
);

const providerAppShape = lazySchema(
  () =>
    ({
      database: z.string().min(1).optional(),
      endpoints: hostPortList().optional(),
      "read-only-endpoints": hostPortList().optional(),
      version: z.string().min(1).optional(),
      "prefix-databases": commaList().optional(),
      "secret-user": secretUri().optional(),
      "secret-tls": secretUri().optional(),
      "secret-entity": secretUri().optional(),
      "secret-extra": secretUri().optional(),
      subordinated: wireBool().optional(),
      status: json(z.array(relationStatusSchema)).optional(),
      data: json(z.record(z.string(), z.string())).optional(),
      "encryption-secret": secretUri().optional(),
      // The plain-text fallback: the same names as the secret contents (interfaces.md §1.2).
      username: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
      uris: uriList().optional(),
      "read-only-uris": uriList().optional(),
      tls: wireBool().optional(),
      "tls-ca": z.string().optional(),
      "entity-name": z.string().min(1).optional(),
      "entity-password": z.string().optional(),
    }) as const,
);

/** The provider's app databag at any moment (everything optional: it fills up over the lifecycle). */
export const providerAppDatabagSchema = lazySchema(() => z.looseObject(providerAppShape));

const answeredBase = lazySchema(() => ({
  ...providerAppShape,
  database: z.string().min(1),
  endpoints: hostPortList(),
  version: z.string().min(1),
}));

/**
 * A provider app databag that answers a request: the database echo, endpoints, version and the user
 * credentials, either as `secret-user` (secrets mode) or as plain `username` + `password` (fallback).
 */
export const providerAnsweredAppDatabagSchema = lazySchema(() =>
  z.union([
    z.looseObject({ ...answeredBase, "secret-user": secretUri() }),
    z.looseObject({ ...answeredBase, username: z.string().min(1), password: z.string().min(1) }),
  ]),
);

/** Provider unit databags: only subordinate providers (PgBouncer on machines) write `state`. */
export const providerUnitDatabagSchema = lazySchema(() =>
  z.looseObject({
    state: z.literal("ready").optional(),
  }),
);

// ---------------------------------------------------------------------------------------------
// Secret contents (interfaces.md §1.3)

/** `secret-user`: the client's login. */
export const userSecretSchema = lazySchema(() =>
  z.looseObject({
    username: z.string().min(1),
    password: z.string().min(1).optional(),
    uris: uriList().optional(),
    "read-only-uris": uriList().optional(),
  }),
);

/** `secret-tls`: `tls` is `True`/`False`; `tls-ca` is a PEM chain, or `""` when TLS is off. */
export const tlsSecretSchema = lazySchema(() =>
  z.looseObject({
    tls: wireBool().optional(),
    "tls-ca": z.string().optional(),
  }),
);

/** `secret-entity`: a custom user or group created for an entity request. */
export const entitySecretSchema = lazySchema(() =>
  z.looseObject({
    "entity-name": z.string().min(1),
    "entity-password": z.string().optional(),
  }),
);

/** The requirer-owned `requested-entity-secret`: v0 spells the password `password`, v1 `entity-password`. */
export const requestedEntitySecretSchema = lazySchema(() =>
  z.looseObject({
    "entity-name": z.string().min(1),
    password: z.string().optional(),
    "entity-password": z.string().optional(),
  }),
);

// ---------------------------------------------------------------------------------------------
// Types

export type RequirerAppDatabag = z.output<typeof requirerAppDatabagSchema>;
export type RequirerUnitDatabag = z.output<typeof requirerUnitDatabagSchema>;
export type ProviderAppDatabag = z.output<typeof providerAppDatabagSchema>;
export type ProviderUnitDatabag = z.output<typeof providerUnitDatabagSchema>;
export type UserSecret = z.output<typeof userSecretSchema>;
export type TlsSecret = z.output<typeof tlsSecretSchema>;
export type EntitySecret = z.output<typeof entitySecretSchema>;
export type RequestedEntitySecret = z.output<typeof requestedEntitySecretSchema>;
export type { EntityPermission };

// ---------------------------------------------------------------------------------------------
// Validation used by the requirer and provider (remote data → typed error naming the key)

/** Check a remote bag; `undefined` when it is fine, else the typed error (key names, never values). */
export function checkBag(
  schema: z.ZodType,
  bag: unknown,
  relation: RelationRef,
  side: Side,
  kind: "app" | "unit" = "app",
): RemoteDataError | undefined {
  return bagError(schema, bag, { relation, side, bag: kind });
}

/**
 * Check the content of the provider's secrets as resolved over the plain keys. A field that came from
 * a secret is reported as `secret-<group>/<field>` so the operator knows where to look.
 */
export function checkResolvedFields(
  fields: Readonly<Record<string, string>>,
  fromSecret: ReadonlySet<string>,
  relation: RelationRef,
): RemoteDataError | undefined {
  const checks: [z.ZodType, Record<string, string>][] = [];
  const pick = (keys: readonly string[]) =>
    Object.fromEntries(keys.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]!]));
  const user = pick(["username", "password", "uris", "read-only-uris"]);
  if (Object.keys(user).length) checks.push([userSecretSchema.partial(), user]);
  const tls = pick(["tls", "tls-ca"]);
  if (Object.keys(tls).length) checks.push([tlsSecretSchema, tls]);
  const entity = pick(["entity-name", "entity-password"]);
  if (Object.keys(entity).length) checks.push([entitySecretSchema.partial(), entity]);
  const issues = checks.flatMap(([schema, value]) => {
    const r = schema.safeParse(value);
    return r.success ? [] : zodIssues(r.error, value, { relation, side: "provider", bag: "app" });
  });
  if (issues.length === 0) return undefined;
  return new RemoteDataError(
    // A field that came from a secret is named after the group's key (which secret to look at).
    issues.map((i) => (fromSecret.has(i.key) ? { ...i, key: `secret-${groupOf(i.key)}/${i.key}` } : i)),
  );
}
