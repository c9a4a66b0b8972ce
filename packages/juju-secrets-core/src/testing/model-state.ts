/**
 * The in-memory Juju model's state, as plain JSON (`ModelState`) so the executable fakes can load it
 * from a file and save it back, and the options that build it.
 */

import type { RotatePolicy } from "../backend/types.js";

export type EndpointRole = "provides" | "requires" | "peers";

export interface EndpointSpec {
  readonly role: EndpointRole;
  readonly interface: string;
}

/** An endpoint as `{ role, interface }` or the shorthand `"requires:postgresql_client"`. */
export type EndpointInput = EndpointSpec | `${EndpointRole}:${string}`;

export interface StatusRecord {
  status: string;
  message: string;
}

export interface StatusHistoryEntry extends StatusRecord {
  seq: number;
  hook?: string;
}

export interface ApplicationState {
  name: string;
  endpoints: Record<string, EndpointSpec>;
  /** Unit names, in creation order. */
  units: string[];
  leader: string | null;
  nextUnit: number;
  config: Record<string, unknown>;
  status: StatusRecord;
  statusHistory: StatusHistoryEntry[];
  /** Set when the app lives in another model (the remote side of a cross-model relation). */
  modelUuid?: string;
}

export interface UnitState {
  name: string;
  app: string;
  address: string;
  status: StatusRecord;
  statusHistory: StatusHistoryEntry[];
  workloadVersion: string;
  workloadVersionHistory: string[];
  /**
   * Files on the unit's own disk, under `<charm dir>/.charm-relations` (the runtime's unit-local state:
   * status cache, notes, departure markers), by file name. Not Juju data: never rolled back.
   */
  localFiles?: Record<string, string>;
}

export interface RelationEndpointRef {
  app: string;
  endpoint: string;
}

export interface RelationState {
  id: number;
  interface: string;
  /** Two endpoints, or one for a peer relation. */
  endpoints: RelationEndpointRef[];
  /** App databags by app name. */
  appData: Record<string, Record<string, string>>;
  /** Unit databags by unit name (kept for departed units for the relation's lifetime, as Juju does). */
  unitData: Record<string, Record<string, string>>;
  /** Per unit: the remote units whose relation-joined it has seen (what `relation-list` prints). */
  members: Record<string, string[]>;
  /** The relation is being removed (departed/broken hooks are running). */
  dying: boolean;
  /** Units that ran relation-broken: the relation is gone for them. */
  left: string[];
}

export type SecretOwnerRef = { kind: "application"; app: string } | { kind: "unit"; unit: string };

export interface SecretRevisionState {
  revision: number;
  /** Decoded values (Juju stores them base64-encoded; sizes are checked on the encoded form). */
  content: Record<string, string>;
}

export interface SecretGrantState {
  relationId: number;
  kind: "application" | "unit";
  /** App name or unit name. */
  target: string;
}

export interface SecretState {
  xid: string;
  owner: SecretOwnerRef;
  /** Owner label. */
  label?: string;
  description?: string;
  /** RFC 3339, UTC. */
  expiry?: string;
  rotation?: RotatePolicy;
  revisions: SecretRevisionState[];
  latestRevision: number;
  /** Consumer unit → tracked revision. */
  tracking: Record<string, number>;
  /** Consumer unit → its private label. */
  consumerLabels: Record<string, string>;
  grants: SecretGrantState[];
  removedRevisions: number[];
  /** Revisions for which secret-remove was already queued (the simulator's bookkeeping). */
  obsoleteNotified: number[];
}

export interface JujuLogLine {
  seq: number;
  unit: string;
  hook?: string;
  level: string;
  message: string;
}

/** One hook-tool invocation: tool and argv as the charm passed them (secret values redacted). */
export interface HookToolCall {
  seq: number;
  unit: string;
  hook?: string;
  tool: string;
  argv: string[];
  exitCode: number;
}

export interface ModelState {
  name: string;
  uuid: string;
  type: "iaas" | "caas";
  jujuVersion: string;
  applications: Record<string, ApplicationState>;
  units: Record<string, UnitState>;
  /** By relation id (as a string key). */
  relations: Record<string, RelationState>;
  /** By xid. */
  secrets: Record<string, SecretState>;
  counters: { relation: number; secret: number; address: number; seq: number };
  logs: JujuLogLine[];
  calls: HookToolCall[];
}

export interface JujuModelOptions {
  readonly name?: string;
  readonly uuid?: string;
  readonly jujuVersion?: string;
  readonly type?: "iaas" | "caas";
}

export interface AddApplicationOptions {
  readonly endpoints?: Readonly<Record<string, EndpointInput>>;
  /** Number of units to create (default 1). */
  readonly units?: number;
  /** Leader: unit index or unit name; `null` for none. Default: the first unit. */
  readonly leader?: number | string | null;
  readonly config?: Readonly<Record<string, unknown>>;
  /** Put the app in another model (cross-model relations). */
  readonly modelUuid?: string;
}

export interface AddSecretOptions {
  /** Owning app name, or unit name for a unit-owned secret. */
  readonly owner: string;
  readonly content: Readonly<Record<string, string>>;
  readonly label?: string;
  readonly description?: string;
  readonly expiry?: string;
  readonly rotation?: RotatePolicy;
  /** Extra revisions after the first (each a full content). */
  readonly moreRevisions?: readonly Readonly<Record<string, string>>[];
  /** Grant view to the remote app of each relation (or to one unit of it). */
  readonly grants?: readonly { readonly relationId: number; readonly unit?: string }[];
  /** Consumer unit → tracked revision. */
  readonly tracking?: Readonly<Record<string, number>>;
  /** Consumer unit → label. */
  readonly consumerLabels?: Readonly<Record<string, string>>;
}
