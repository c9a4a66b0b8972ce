/** Event payloads both engines emit, shared by the interface packages that forward them. */

import type { RelationRef } from "../backend/types.js";

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
