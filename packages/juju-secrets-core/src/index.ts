/**
 * @charm-relations/juju-secrets-core: what a charm author uses — the hook runtime (`Charm`, the start
 * function, events), the model (relations, databags, secrets), and the errors a charm catches.
 *
 * Everything else sits behind its own entry: `/interface` (defining interfaces: `defineInterface`,
 * the engines and base classes), `/protocol` (the wire format as pure functions), `/schema` (zod
 * building blocks), `/backend` (the hook-tool seam) and `/testing` (the in-memory Juju).
 */
export type { LogLevel, StatusName } from "./backend/types.js";
export {
  CharmRelationsError,
  HookContextError,
  HookToolError,
  LeadershipError,
  NotLeaderError,
  PermissionDeniedError,
  PrematureWriteError,
  RelationNotFoundError,
  RemoteDataError,
  type RemoteDataIssue,
  RequestChangedError,
  SecretNotFoundError,
} from "./errors.js";
export {
  type ActionEvent,
  Charm,
  type CharmEvent,
  type CharmEventName,
  type CharmEvents,
  type CharmHandler,
  type CharmOptions,
  type CollectStatusEvent,
  type PebbleEvent,
  type RelationEvent,
  runCharm,
  type SecretEvent,
  type StorageEvent,
} from "./hook/charm.js";
export type { Handler } from "./hook/emitter.js";
export { runCharmIfMain } from "./hook/main.js";
export { StatusNotes } from "./hook/status-notes.js";
export type { HookContext, HookKind } from "./hook/types.js";
export { type LocalDatabag, Model, type Relation, type SecretRead, type SecretStore } from "./model/model.js";
export type { WorkloadStatus } from "./model/status.js";
export { ProtocolEncodeError } from "./protocol/json.js";
export type { RelationStatus } from "./protocol/status.js";
export type { Contract, RelationRef } from "./types.js";
