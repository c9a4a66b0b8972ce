/**
 * The events of every interface, one payload shape per kind (the same in every package): the event
 * names come from the interface's definition, the payloads from here.
 */

import type { ProviderRequest } from "../contract/types.js";
import type { RemoteDataError } from "../errors.js";
import type { Emitter, EventMap } from "../hook/emitter.js";
import type { StatusNotes } from "../hook/status-notes.js";
import type { StringBag } from "../protocol/bag.js";
import type { RelationStatus } from "../protocol/status.js";
import type { RelationRef } from "../types.js";
import type {
  BulkName,
  ChangeName,
  ConnectionOf,
  CreatedName,
  RequestedName,
  RotationName,
} from "./definition.js";

/** Every event names its relation and the application on the other side. */
export interface RelationEventBase {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
}

/** created, each change event, each rotation event. */
export interface ConnectionEvent<C> extends RelationEventBase {
  readonly connection: C;
}

/** A relation status code the provider raised or resolved (protocol §4.7). */
export interface RelationStatusEvent extends RelationEventBase {
  readonly status: RelationStatus;
}

/**
 * relation-broken. Unless `departing`, the leader already removed the secrets this app created for
 * the relation. `departing`: only this unit leaves (scale-in, LP#1979811); the relation, its secrets
 * and (on a provider) its user live on for the other units.
 */
export interface RelationGoneEvent extends RelationEventBase {
  readonly departing: boolean;
}

/** The remote side's databag could not be understood; nothing was written for that relation. */
export interface RelationInvalidEvent extends RelationEventBase {
  readonly error: RemoteDataError;
}

/** A provider request event. */
export interface RequestEvent<R> extends RelationEventBase {
  readonly request: R;
}

/** A withdrawn v1 request: its response and secrets are gone; `published` is what it had been given. */
export interface RequestRemovedEvent<R> extends RequestEvent<R> {
  readonly published: Readonly<StringBag>;
}

/** The client certificate of a request appeared or changed (mTLS interfaces). */
export interface MtlsCertEvent extends RelationEventBase {
  readonly requestId?: string;
  /** relation-changed: the request arrived in this very change (leader); secret-changed: false. */
  readonly fresh: boolean;
  readonly oldCert?: string;
  readonly cert: string;
}

/** The requirer events of a definition: its named events plus the generic ones. */
export type RequirerEvents<D> = {
  [K in CreatedName<D> | ChangeName<D> | RotationName<D>]: ConnectionEvent<ConnectionOf<D>>;
} & {
  /** Plain fields added, changed or removed after created (canonical names). */
  changed: ConnectionEvent<ConnectionOf<D>> & { readonly keys: readonly string[] };
  /** Secret groups that got a new revision or URI (and, plain mode, credential fields that changed). */
  credentialsRotated: ConnectionEvent<ConnectionOf<D>> & { readonly groups: readonly string[] };
  statusRaised: RelationStatusEvent;
  statusResolved: RelationStatusEvent;
  gone: RelationGoneEvent;
  invalid: RelationInvalidEvent;
};

/** The provider events of a definition, with requests of type `R`. */
export type ProviderEvents<D, R = ProviderRequest> = {
  [K in RequestedName<D>]: RequestEvent<R>;
} & {
  [K in BulkName<D>]: RelationEventBase & { readonly requests: readonly R[] };
} & {
  requestRemoved: RequestRemovedEvent<R>;
  mtlsCertUpdated: MtlsCertEvent;
  invalid: RelationInvalidEvent;
  gone: RelationGoneEvent;
};

/**
 * Hand a problem with remote data to the charm: emit `name` when it listens, else keep a `blocked`
 * note for that relation (its message names relation and key, never a value) that every hook's
 * collect-status adds until the relation parses again or goes (`clearInvalid`). A status set directly
 * would be overwritten by the charm's own evaluators at the end of the same hook. Never a crash.
 */
export async function emitOrBlock<E extends EventMap, K extends keyof E>(
  events: Emitter<E>,
  name: K,
  payload: E[K] & { readonly relation: RelationRef; readonly error: { readonly message: string } },
  notes: StatusNotes,
): Promise<void> {
  if (events.listenerCount(name) > 0) await events.emit(name, payload);
  else notes.set(invalidKey(payload.relation), "blocked", payload.error.message);
}

/** The relation's remote data is valid again, or the relation is gone: drop its `blocked` note. */
export function clearInvalid(notes: StatusNotes, relation: RelationRef): void {
  notes.delete(invalidKey(relation));
}

const invalidKey = (relation: RelationRef) => `invalid:${relation.id}`;
