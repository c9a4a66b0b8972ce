/**
 * The request options every data_interfaces v0 requirer takes besides its resource (`extra-user-roles`,
 * `extra-group-roles`, `entity-type`, `entity-permissions`), checked once here so a bad option fails in
 * the charm's constructor, before anything reaches a provider (protocol §4.10); and the same options as
 * a provider sees them.
 */

import type { EntityPermission, ProviderRequest, RequestSpec } from "../contract/types.js";
import { ProtocolEncodeError } from "../protocol/json.js";
import { entityPermission } from "../schema/bags.js";

export interface EntityRequestOptions {
  /** Roles for the relation user; not with `entityType: "GROUP"`. */
  readonly extraUserRoles?: readonly string[];
  /** Roles for a requested group; only with `entityType: "GROUP"`. */
  readonly extraGroupRoles?: readonly string[];
  /** Ask for a custom user or group instead of (or besides) the relation user. */
  readonly entityType?: "USER" | "GROUP";
  /** Privileges of the entity: `[{ resource_name, resource_type, privileges: [...] }]`. */
  readonly entityPermissions?: readonly EntityPermission[];
}

/** The checked options as `RequestSpec` fields (absent when empty); throws `ProtocolEncodeError` naming the option. */
export function entityRequestFields(o: EntityRequestOptions): Omit<RequestSpec, "resource"> {
  for (const key of ["extraUserRoles", "extraGroupRoles"] as const) {
    for (const role of o[key] ?? []) {
      if (typeof role !== "string" || role.trim() === "" || role.includes(","))
        throw new ProtocolEncodeError(key, "each role must be a non-empty string without ','");
    }
  }
  if (o.entityType !== undefined && o.entityType !== "USER" && o.entityType !== "GROUP")
    throw new ProtocolEncodeError("entityType", 'expected "USER" or "GROUP"');
  if (o.extraUserRoles?.length && o.entityType === "GROUP")
    throw new ProtocolEncodeError(
      "extraUserRoles",
      'not allowed with entityType "GROUP" (use extraGroupRoles)',
    );
  if (o.extraGroupRoles?.length && o.entityType !== "GROUP")
    throw new ProtocolEncodeError("extraGroupRoles", 'only allowed with entityType "GROUP"');
  if (o.entityPermissions !== undefined) {
    if (o.entityType === undefined) throw new ProtocolEncodeError("entityPermissions", "needs an entityType");
    if (!entityPermission.array().safeParse(o.entityPermissions).success)
      throw new ProtocolEncodeError(
        "entityPermissions",
        "expected [{ resource_name, resource_type, privileges[] }]",
      );
  }
  return {
    ...(o.extraUserRoles?.length ? { extraUserRoles: o.extraUserRoles } : {}),
    ...(o.extraGroupRoles?.length ? { extraGroupRoles: o.extraGroupRoles } : {}),
    ...(o.entityType ? { entityType: o.entityType } : {}),
    ...(o.entityPermissions ? { entityPermissions: o.entityPermissions } : {}),
  };
}

/** What `checkedOption` needs of a schema (any zod schema). */
export interface OptionSchema {
  safeParse(value: unknown):
    | { readonly success: true }
    | {
        readonly success: false;
        readonly error: { readonly issues: readonly { readonly message: string }[] };
      };
}

/** A requirer option through its schema: the first problem throws `ProtocolEncodeError` naming the option. */
export function checkedOption<T>(schema: OptionSchema, value: T, option: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ProtocolEncodeError(option, parsed.error.issues[0]?.message ?? "invalid");
  return value;
}

/** A v0 request's common part as a provider sees it (one request per relation). */
export interface EntityRequest {
  readonly relation: ProviderRequest["relation"];
  readonly remoteApp: string | null;
  /** As sent. */
  readonly extraUserRoles: readonly string[];
  readonly extraGroupRoles: readonly string[];
  readonly entityType?: "USER" | "GROUP";
  readonly entityPermissions?: readonly EntityPermission[];
  /** Fields the requirer wants in secrets; undefined when it sent none (plain-text fallback). */
  readonly requestedSecrets?: readonly string[];
}

/** The common part of a request (an interface adds its resource under its own name). */
export function entityRequestOf(r: ProviderRequest): EntityRequest {
  return {
    relation: r.relation,
    remoteApp: r.remoteApp,
    extraUserRoles: r.extraUserRoles,
    extraGroupRoles: r.extraGroupRoles,
    ...(r.entityType ? { entityType: r.entityType } : {}),
    ...(r.entityPermissions ? { entityPermissions: r.entityPermissions } : {}),
    ...(r.requestedSecrets !== undefined ? { requestedSecrets: r.requestedSecrets } : {}),
  };
}
