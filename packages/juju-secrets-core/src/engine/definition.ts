/**
 * What an interface package declares about itself. The engines (`DataProvider`, `DataRequirer`) hold
 * all protocol logic; an interface is this declaration plus its zod schemas and event names.
 */

import type { Contract } from "../types.js";

export type { Contract };

export interface InterfaceDefinition {
  /** Juju interface name, e.g. `postgresql_client`. */
  readonly name: string;
  /** The v0 requirer key that carries the request: `database`, `prefix`, `plugin-url`. */
  readonly resourceKey: string;
  /**
   * Provider fields the requirer must be able to read before `created` fires (I-6, I-23): e.g.
   * `username`, `password`, `endpoints` for databases; `username`, `endpoints` for etcd.
   */
  readonly readyFields: readonly string[];
  /** v1 response keys after `version` (valkey: `sentinel-endpoints`, `mode`). */
  readonly responseExtraKeys?: readonly string[];
  /** v1 request keys after the base keys. */
  readonly requestExtraKeys?: readonly string[];
  /** Emit the trailing `"mtls-cert": null` in v1 objects (dpcharmlibs-based charms do). */
  readonly trailingMtlsCert?: boolean;
  /**
   * v0 flat spelling of a field when it differs from the canonical (v1) one, e.g. valkey
   * `sentinel-endpoints` → `sentinel_endpoints`. Readers accept both.
   */
  readonly v0Keys?: Readonly<Record<string, string>>;
  /** Provider fields that travel in the `extra` secret group in v1 (v0 follows `requested-secrets`). */
  readonly extraSecretFields?: readonly string[];
  /** Providers create an `encryption-secret` in cross-model relations (etcd's Fernet mTLS path). */
  readonly crossModelEncryption?: boolean;
  /** Requirer requests may carry a client certificate in a requirer-owned `mtls` secret. */
  readonly mtls?: boolean;
  /**
   * Ready fields for entity requests (`entity-type` set): the provider answers those with the
   * `entity` group, not necessarily with a user. Default: `readyFields`.
   */
  readonly entityReadyFields?: readonly string[];
}

/** One entity permission of an entity request (protocol §4.10). */
export interface EntityPermission {
  readonly resource_name: string;
  readonly resource_type: string;
  readonly privileges: readonly string[];
}

/** What a requirer asks for (one per relation in v0, one or more in v1). */
export interface RequestSpec {
  /** Database name / prefix `xyz*`, key prefix, key pattern, plugin URL. */
  readonly resource: string;
  readonly extraUserRoles?: readonly string[];
  readonly extraGroupRoles?: readonly string[];
  readonly externalNodeConnectivity?: boolean;
  readonly entityType?: "USER" | "GROUP";
  readonly entityPermissions?: readonly EntityPermission[];
  /** PEM client certificate (chain allowed) for mTLS interfaces. */
  readonly mtlsCert?: string;
  /**
   * A custom entity name (and optional password) for the provider to create, sent in the requirer-owned
   * `requested-entity-secret` (protocol §4.10); removed by the requirer leader once answered.
   */
  readonly requestedEntity?: { readonly name: string; readonly password?: string };
  /** Further v0 flat option keys (e.g. `prefix-matching`), written verbatim. */
  readonly extra?: Readonly<Record<string, string>>;
}
