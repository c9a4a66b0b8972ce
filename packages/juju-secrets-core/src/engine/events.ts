/** Event payloads both engines emit, shared by the interface packages that forward them. */

import type { RelationRef } from "../backend/types.js";
import type { RemoteDataError } from "../errors.js";
import type { Emitter, EventMap } from "../hook/emitter.js";
import type { Model } from "../model/model.js";
import type { RelationStatus } from "../protocol/status.js";

/**
 * relation-broken. Unless `departing`, the leader already removed the secrets this app created for
 * the relation. `departing`: only this unit leaves (scale-in, LP#1979811); the relation, its secrets
 * and (on a provider) its user live on for the other units.
 */
export interface RelationGoneEvent {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly departing: boolean;
}

/** The remote side's databag could not be understood; nothing was written for that relation. */
export interface RelationInvalidEvent {
  readonly relation: RelationRef;
  readonly error: RemoteDataError;
}

/** A relation status code the provider raised or resolved (protocol §8). */
export interface RelationStatusEvent {
  readonly relation: RelationRef;
  readonly status: RelationStatus;
}

/**
 * Hand a problem with remote data to the charm: emit `name` when it listens, else set the unit blocked
 * with the error's message (it names relation and key, never a value). Never a crash.
 */
export async function emitOrBlock<E extends EventMap, K extends keyof E>(
  events: Emitter<E>,
  name: K,
  payload: E[K] & { readonly error: { readonly message: string } },
  model: Model,
): Promise<void> {
  if (events.listenerCount(name) > 0) await events.emit(name, payload);
  else model.setStatus("blocked", payload.error.message);
}
