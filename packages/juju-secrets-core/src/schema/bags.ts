/**
 * The protocol's databags as zod schemas, built around an interface's own fields: the keys every
 * data-interfaces bag may carry (secret lists, snapshots, statuses, secret references, the entity and
 * mTLS options, the cross-model key) are declared here once; an interface adds its resource codec and
 * its fields. Everything is a loose object: unknown keys are kept (protocol §2.1).
 */

import * as z from "zod";
import type { SECRET_GROUPS } from "../protocol/secrets.js";
import { commaList, jsonField, secretUri, wireBool } from "./codecs.js";
import { lazySchema } from "./lazy.js";
import type { SecretSchemas } from "./parse.js";

type Shape = z.ZodRawShape;

/** A JSON array of strings in a string (`requested-secrets`, `provided-secrets`). */
export const stringArrayJson = () => jsonField(z.array(z.string()));

/** One relation status (protocol §4.7). */
export const relationStatus = lazySchema(() =>
  z.object({ code: z.int(), message: z.string(), resolution: z.string() }),
);

/** The provider's `status`: a JSON array of statuses in a string. */
export const statusList = () => jsonField(z.array(relationStatus));

/** One entity permission; exactly these three keys (protocol §4.10). */
export const entityPermission = lazySchema(() =>
  z.strictObject({
    resource_name: z.string().min(1),
    resource_type: z.string().min(1),
    privileges: z.array(z.string().min(1)).min(1),
  }),
);

/** A request id: 16 lowercase hex digits. */
export const requestId = () =>
  z.string().regex(/^[0-9a-f]{16}$/, { message: "expected 16 lowercase hex digits" });

const entityType = () => z.enum(["USER", "GROUP"]);

/** Protocol §4.10: which role list goes with which entity type (both contracts). */
function entityRules(
  bag: Record<string, unknown>,
  ctx: z.RefinementCtx,
  lists: (v: unknown) => boolean,
): void {
  const type = bag["entity-type"];
  if (lists(bag["extra-user-roles"]) && type === "GROUP") {
    ctx.addIssue({
      code: "custom",
      path: ["extra-user-roles"],
      message: "only allowed without entity-type or with entity-type USER",
    });
  }
  if (lists(bag["extra-group-roles"]) && type !== "GROUP") {
    ctx.addIssue({
      code: "custom",
      path: ["extra-group-roles"],
      message: "only allowed with entity-type GROUP",
    });
  }
  if (
    bag["entity-permissions"] !== undefined &&
    bag["entity-permissions"] !== null &&
    (type === undefined || type === null)
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["entity-permissions"],
      message: "only allowed with an entity-type",
    });
  }
}

const nonEmptyList = (v: unknown) => Array.isArray(v) && v.length > 0;
const nonEmptyString = (v: unknown) => typeof v === "string" && v.trim() !== "";

// ---------------------------------------------------------------------------------------------
// v0 flat contract

/**
 * The requirer app bag (v0): the interface's resource key and options, and the protocol's keys. The
 * resource key is required; `shape` gives it (`{ database: databaseName() }`) and any further options.
 */
export function v0RequirerApp<S extends Shape>(shape: S) {
  return z
    .looseObject({
      "requested-secrets": stringArrayJson().optional(),
      "provided-secrets": stringArrayJson().optional(),
      "extra-user-roles": commaList().optional(),
      "extra-group-roles": commaList().optional(),
      "entity-type": entityType().optional(),
      "entity-permissions": jsonField(z.array(entityPermission)).optional(),
      "requested-entity-secret": secretUri().optional(),
      "external-node-connectivity": wireBool().optional(),
      "secret-mtls": secretUri().optional(),
      /** Cross-model: a Fernet token (or, before the handshake, the PEM itself). */
      "mtls-cert": z.string().min(1).optional(),
      "encryption-secret": secretUri().optional(),
      alias: z.string().optional(),
      ...shape,
    })
    .superRefine((bag, ctx) => entityRules(bag, ctx, nonEmptyList));
}

/** The secret groups' fields as optional plain keys: the plain-text fallback (protocol §4.4). */
function plainFallback(secrets: SecretSchemas): Shape {
  const out: Record<string, z.ZodType> = {};
  for (const schema of Object.values(secrets)) {
    for (const [k, v] of Object.entries(schema?.shape ?? {})) out[k] = (v as z.ZodType).optional();
  }
  return out;
}

/**
 * The provider app bag (v0) at any moment of the lifecycle (everything optional): the interface's
 * fields (its resource echo included), the plain-text fallback of its secret fields, and the protocol's
 * keys (secret references, snapshot, statuses, subordinate flag, cross-model key, a v1 provider's
 * `resource`/`salt` leftovers).
 */
export function v0ProviderApp<S extends Shape>(shape: S, secrets: SecretSchemas) {
  return z.looseObject({
    ...plainFallback(secrets),
    "secret-user": secretUri().optional(),
    "secret-tls": secretUri().optional(),
    "secret-entity": secretUri().optional(),
    "secret-extra": secretUri().optional(),
    subordinated: wireBool().optional(),
    status: statusList().optional(),
    /** The provider's snapshot of the requirer bag (a Python v1 provider stores real arrays there). */
    data: jsonField(z.record(z.string(), z.unknown())).optional(),
    "encryption-secret": secretUri().optional(),
    resource: z.string().optional(),
    salt: z.string().optional(),
    ...shape,
  });
}

/**
 * A v0 provider app bag that answers a request: the interface's `required` fields (the resource echo,
 * endpoints …) and the credentials, as `secret-user` (secrets mode) or plain `username` + `password`
 * (the fallback for a requirer that sent no `requested-secrets`).
 */
export function v0AnsweredProviderApp<A extends z.ZodObject, S extends Shape>(providerApp: A, required: S) {
  return z.union([
    providerApp.extend({ ...required, "secret-user": z.string().min(1) }),
    providerApp.extend({ ...required, username: z.string().min(1), password: z.string().min(1) }),
  ]);
}

// ---------------------------------------------------------------------------------------------
// v1 requests contract

const nullableSecretUri = () => secretUri().nullable().optional();

/** One v1 request object: `resource` per the interface (in `shape`), the base keys, the interface's extras. */
export function v1Request<S extends Shape>(shape: S) {
  return z
    .looseObject({
      "request-id": requestId().nullable().optional(),
      salt: z.string().min(1),
      "extra-user-roles": z.string().nullable().optional(),
      "extra-group-roles": z.string().nullable().optional(),
      "external-node-connectivity": z.boolean().optional(),
      "entity-type": entityType().nullable().optional(),
      "entity-permissions": z.array(entityPermission).nullable().optional(),
      "secret-mtls": nullableSecretUri(),
      /** dpcharmlibs, cross-model: the Fernet token of the certificate. */
      "mtls-cert": z.string().nullable().optional(),
      ...shape,
    })
    .superRefine((bag, ctx) => entityRules(bag, ctx, nonEmptyString));
}

/** One v1 response object: the base keys, then the interface's fields (`shape`). Secret fields never appear. */
export function v1Response<S extends Shape>(shape: S) {
  return z.looseObject({
    resource: z.string(),
    "request-id": requestId().nullable().optional(),
    salt: z.string(),
    "secret-user": nullableSecretUri(),
    "secret-tls": nullableSecretUri(),
    "secret-extra": nullableSecretUri(),
    "secret-entity": nullableSecretUri(),
    /** The engine version (not the contract's). */
    version: z.string().nullable().optional(),
    "mtls-cert": z.string().nullable().optional(),
    ...shape,
  });
}

/** The requirer app bag (v1): `version: v1` and the requests. */
export function v1RequirerApp<R extends z.ZodType>(request: R) {
  return z.looseObject({
    version: z.literal("v1"),
    requests: jsonField(z.array(request)),
    "encryption-secret": secretUri().optional(),
    alias: z.string().optional(),
  });
}

/** The provider app bag (v1): `version: v1`, the responses, `data` keyed by request id (Python v1 requirers need it). */
export function v1ProviderApp<R extends z.ZodType>(response: R) {
  return z.looseObject({
    version: z.literal("v1"),
    requests: jsonField(z.array(response)).optional(),
    data: jsonField(z.record(z.string(), z.looseObject({}))).optional(),
    status: statusList().optional(),
    "encryption-secret": secretUri().optional(),
  });
}

// ---------------------------------------------------------------------------------------------
// Unit bags and secrets

/** Every requirer unit bag: its own snapshot of the provider (`data`), the leader's copies of the secret lists. */
export const requirerUnit = lazySchema(() =>
  z.looseObject({
    /** v0: the provider bag's string values; v1: an object per request id (and `status`). */
    data: jsonField(z.record(z.string(), z.union([z.string(), z.looseObject({})]))).optional(),
    "requested-secrets": stringArrayJson().optional(),
    "provided-secrets": stringArrayJson().optional(),
    alias: z.string().optional(),
  }),
);

/** Provider unit bags: only subordinate providers write `state: ready` (protocol §4.9). */
export const providerUnit = lazySchema(() => z.looseObject({ state: z.literal("ready").optional() }));

/** The requirer-owned `secret-mtls` content: the client certificate (leaf first). */
export const mtlsSecret = lazySchema(() => z.looseObject({ "mtls-cert": z.string().min(1) }));

/** The secret groups an interface has no schema for: any string content. */
export function secretSchemasOf(secrets: SecretSchemas): Record<keyof typeof SECRET_GROUPS, z.ZodType> {
  const any = z.looseObject({});
  return {
    user: secrets.user ?? any,
    tls: secrets.tls ?? any,
    entity: secrets.entity ?? any,
    extra: secrets.extra ?? any,
    mtls: secrets.mtls ?? mtlsSecret,
  };
}
