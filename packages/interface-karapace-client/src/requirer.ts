/**
 * `KarapaceRequirer`: the client side of karapace_client (a charm that needs a schema registry subject
 * from the Karapace charm). Every requirer unit gets the events (each keeps its own snapshot); only the
 * leader writes the request. Unlike the Python `KarapaceRequires`, it follows password rotations
 * (`credentialsRotated`).
 *
 *   const registry = new KarapaceRequirer(charm, { subject: "orders-value", extraUserRoles: ["user"] });
 *   registry.on("subjectAllowed", ({ connection }) => …);
 */

import type { Charm } from "@charm-relations/juju-secrets-core";
import {
  checkedOption,
  type EntityRequestOptions,
  entityRequestFields,
  InterfaceRequirer,
  type RequirerEvents,
  type RequirerOptionsWith,
} from "@charm-relations/juju-secrets-core/interface";
import { karapaceClient } from "./definition.js";
import { subjectName } from "./schema.js";

/** What to ask for. */
export interface KarapaceRequestOptions extends EntityRequestOptions {
  /** The subject (not the wildcard `*`). */
  readonly subject: string;
  /** karapace-operator knows `user` (read `Config:` and the subject) and `admin` (write everything). */
  readonly extraUserRoles?: readonly string[];
}

/** `{ endpoint?, subject, … }`, or `{ endpoint?, request: () => ({ subject, … }) }` (evaluated when needed). */
export type KarapaceRequirerOptions = RequirerOptionsWith<KarapaceRequestOptions>;

/** `subjectAllowed` (`subjectEntityCreated`), `serverChanged`, `credentialsRotated`, … (`{ relation, remoteApp, connection }`). */
export type KarapaceRequirerEvents = RequirerEvents<typeof karapaceClient>;

export class KarapaceRequirer extends InterfaceRequirer<typeof karapaceClient, KarapaceRequestOptions> {
  constructor(charm: Charm, options: KarapaceRequirerOptions) {
    super(charm, karapaceClient, options, (o) => [
      { resource: checkedOption(subjectName, o.subject, "subject"), ...entityRequestFields(o) },
    ]);
  }
}
