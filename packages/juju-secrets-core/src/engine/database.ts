/**
 * data_interfaces' `DatabaseRequires` / `DatabaseProvides`, the pair behind every database interface
 * (mysql_client, mongodb_client, postgresql_client): the requirer's options checked once by the
 * protocol's rules (§4.10) and turned into a request, and the request as a database provider sees it.
 */

import type { EntityPermission, ProviderRequest, RequestSpec } from "../contract/types.js";
import { ProtocolEncodeError } from "../protocol/json.js";
import type { Contract, RelationRef } from "../types.js";
import { type EntityRequestOptions, entityRequestFields } from "./options.js";

/** What a `DatabaseRequires` requirer asks for. */
export interface DatabaseRequestOptions extends EntityRequestOptions {
  /** The database to create (the `database` key). */
  readonly database: string;
  /** A custom name (and password) for the user to create, sent in a requirer-owned secret. */
  readonly requestedEntity?: { readonly name: string; readonly password?: string };
  /** Ask for endpoints reachable from outside the cluster (`external-node-connectivity: "true"`). */
  readonly externalNodeConnectivity?: boolean;
}

/**
 * The request to write for these options. A bad option throws `ProtocolEncodeError` naming it, before
 * anything is written; `databaseProblem` adds the interface's own rule for the name.
 */
export function databaseRequestSpec(
  o: DatabaseRequestOptions,
  databaseProblem?: (database: string) => string | undefined,
  extra?: Readonly<Record<string, string>>,
): RequestSpec {
  const fail = (option: string, rule: string): never => {
    throw new ProtocolEncodeError(option, rule);
  };
  if (typeof o.database !== "string" || o.database.trim() === "" || o.database.trim() !== o.database) {
    fail("database", "expected a non-empty name without surrounding blanks");
  }
  const problem = databaseProblem?.(o.database);
  if (problem) fail("database", problem);
  const entity = entityRequestFields(o);
  if (o.requestedEntity !== undefined) {
    const { name, password } = o.requestedEntity;
    if (typeof name !== "string" || name.trim() === "")
      fail("requestedEntity.name", "must be a non-empty string");
    if (password !== undefined && (typeof password !== "string" || password === "")) {
      fail("requestedEntity.password", "must be a non-empty string when given");
    }
  }
  return {
    resource: o.database,
    ...entity,
    ...(o.requestedEntity ? { requestedEntity: o.requestedEntity } : {}),
    ...(o.externalNodeConnectivity ? { externalNodeConnectivity: true } : {}),
    ...(extra ? { extra } : {}),
  };
}

/** A `DatabaseProvides` request as the provider charm sees it (one per relation for v0 requirers). */
export interface DatabaseRequest {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only. */
  readonly requestId?: string;
  /** The requested database name, as sent. */
  readonly database: string;
  readonly extraUserRoles: readonly string[];
  readonly extraGroupRoles: readonly string[];
  readonly entityType?: "USER" | "GROUP";
  readonly entityPermissions?: readonly EntityPermission[];
  readonly externalNodeConnectivity: boolean;
  /** Fields the requirer wants in secrets; undefined when it sent none (plain-text fallback). */
  readonly requestedSecrets?: readonly string[];
  /** URI of the requirer's `requested-entity-secret` (custom user name), if any. */
  readonly requestedEntitySecret?: string;
}

/** The engine's request → `DatabaseRequest`. */
export function toDatabaseRequest(r: ProviderRequest): DatabaseRequest {
  const entitySecret = r.raw["requested-entity-secret"];
  return {
    relation: r.relation,
    remoteApp: r.remoteApp,
    contract: r.contract,
    ...(r.requestId !== undefined ? { requestId: r.requestId } : {}),
    database: r.resource,
    extraUserRoles: r.extraUserRoles,
    extraGroupRoles: r.extraGroupRoles,
    ...(r.entityType ? { entityType: r.entityType } : {}),
    ...(r.entityPermissions ? { entityPermissions: r.entityPermissions } : {}),
    externalNodeConnectivity: r.externalNodeConnectivity,
    ...(r.requestedSecrets !== undefined ? { requestedSecrets: r.requestedSecrets } : {}),
    ...(typeof entitySecret === "string" && entitySecret !== ""
      ? { requestedEntitySecret: entitySecret }
      : {}),
  };
}
