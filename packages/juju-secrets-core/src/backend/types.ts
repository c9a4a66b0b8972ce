/**
 * The seam between the charm runtime and Juju: one method per hook-tool operation.
 *
 * Two implementations share this contract:
 * - `ProcessBackend` spawns the real hook tools (exact argv of ops, JSON on stdin, secrets via files);
 * - `MemoryBackend` (in `/testing`) acts on an in-memory Juju model with the same semantics and errors.
 *
 * The interface is synchronous on purpose: a hook is one process running hook tools one after another,
 * exactly like ops' `subprocess.run`. Everything above the backend (model caches, protocol engines)
 * is therefore plain synchronous code; only user handlers may be async.
 *
 * Relations are named `endpoint:id` on the wire (`JUJU_RELATION_ID`, `-r db:7`); here a relation is a
 * `RelationRef` so both parts are always at hand.
 */

import type { Databag, RelationRef } from "../types.js";

export type { Databag, RelationRef };

export type SecretOwner = "application" | "unit";
export type RotatePolicy = "never" | "hourly" | "daily" | "weekly" | "monthly" | "quarterly" | "yearly";
export type StatusName = "maintenance" | "blocked" | "waiting" | "active";
export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";

export interface SecretAddOptions {
  readonly label?: string;
  readonly description?: string;
  readonly expire?: string;
  readonly rotate?: RotatePolicy;
  readonly owner?: SecretOwner;
}

export interface SecretSetOptions {
  /** New full content (replaces the old content); omit for a metadata-only update. */
  readonly content?: Readonly<Record<string, string>>;
  readonly label?: string;
  readonly description?: string;
  readonly expire?: string;
  readonly rotate?: RotatePolicy;
}

/** `secret-get` addressing: by id, by label, or by id + label (binds the label). */
export interface SecretGetOptions {
  readonly id?: string;
  readonly label?: string;
  /** Return the latest revision once, without moving tracking. */
  readonly peek?: boolean;
  /** Return the latest revision and track it from now on. */
  readonly refresh?: boolean;
}

export interface SecretAccess {
  readonly target: string;
  readonly scope: string;
  readonly role: string;
}

/** `secret-info-get` result (owner-only metadata). */
export interface SecretInfo {
  /** The bare xid, as keyed in Juju's JSON. */
  readonly id: string;
  readonly revision: number;
  readonly label?: string;
  readonly owner: SecretOwner;
  readonly description?: string;
  readonly rotation?: RotatePolicy;
  readonly expiry?: string;
  readonly access?: readonly SecretAccess[];
}

export interface NetworkInfo {
  readonly "bind-addresses"?: readonly unknown[];
  readonly "egress-subnets"?: readonly string[];
  readonly "ingress-addresses"?: readonly string[];
}

export interface StatusInfo {
  readonly status: string;
  readonly message: string;
}

export interface Backend {
  /** `relation-ids <endpoint>`: ids of the endpoint's live relations (broken ones excluded). */
  relationIds(endpoint: string): number[];
  /** `relation-list -r`: remote unit names. */
  relationList(relation: RelationRef): string[];
  /** `relation-list --app -r`: remote app name, or null if Juju does not know it. */
  relationRemoteApp(relation: RelationRef): string | null;
  /** `relation-get - <unit>` or `relation-get --app - <app>`. */
  relationGet(relation: RelationRef, unitOrApp: string, isApp: boolean): Record<string, string>;
  /** `relation-set --file -` (JSON on stdin); `""` deletes a key. */
  relationSet(relation: RelationRef, data: Databag, isApp: boolean): void;
  /** `relation-model-get`: remote model uuid; null when the tool is missing (Juju < 3.6.2). */
  relationModelGet(relation: RelationRef): string | null;
  /** `is-leader`. */
  isLeader(): boolean;
  /** `config-get`. */
  configGet(): Record<string, unknown>;
  /** `network-get`. */
  networkGet(binding: string, relation?: RelationRef): NetworkInfo;

  /** `secret-add`; returns the URI exactly as printed. */
  secretAdd(content: Readonly<Record<string, string>>, options?: SecretAddOptions): string;
  /** `secret-get`. */
  secretGet(options: SecretGetOptions): Record<string, string>;
  /** `secret-info-get` by id or by label (never both). */
  secretInfoGet(options: { readonly id: string } | { readonly label: string }): SecretInfo;
  /** `secret-set`. */
  secretSet(id: string, options: SecretSetOptions): void;
  /** `secret-grant --relation <id> [--unit u] <uri>`. */
  secretGrant(id: string, relation: RelationRef, unit?: string): void;
  /** `secret-revoke --relation <id> [--unit u] <uri>`. */
  secretRevoke(id: string, relation: RelationRef, unit?: string): void;
  /** `secret-remove <uri> [--revision N]`. */
  secretRemove(id: string, revision?: number): void;
  /** `secret-ids`: xids of secrets this unit (or its app, if leader) owns. */
  secretIds(): string[];

  /** `juju-log`. */
  jujuLog(level: LogLevel, message: string): void;
  /** `status-set`; applied immediately, not transactional. */
  statusSet(status: StatusName, message: string, isApp: boolean): void;
  /** `status-get`. */
  statusGet(isApp: boolean): StatusInfo;
  /** `application-version-set`. */
  applicationVersionSet(version: string): void;
}

/** Every hook-tool name the backends speak, for call logs and fakes. */
export const HOOK_TOOLS = [
  "relation-ids",
  "relation-list",
  "relation-get",
  "relation-set",
  "relation-model-get",
  "is-leader",
  "config-get",
  "network-get",
  "secret-add",
  "secret-get",
  "secret-info-get",
  "secret-set",
  "secret-grant",
  "secret-revoke",
  "secret-remove",
  "secret-ids",
  "juju-log",
  "status-set",
  "status-get",
  "application-version-set",
] as const;
export type HookTool = (typeof HOOK_TOOLS)[number];
