/**
 * `MongodbRequirer`: the client side of mongodb_client (a charm that needs a database from mongodb or
 * mongos), on the v0 flat contract. Every requirer unit gets the events (each keeps its own snapshot);
 * only the leader writes the request.
 *
 *   const db = new MongodbRequirer(charm, { database: "myapp" });
 *   db.on("databaseCreated", ({ connection }) => connect(connection.uri));
 */

import type { Charm } from "@charm-relations/juju-secrets-core";
import {
  type DatabaseRequestOptions,
  databaseRequestSpec,
  InterfaceRequirer,
  type RequirerEvents,
  type RequirerOptionsWith,
} from "@charm-relations/juju-secrets-core/interface";
import { mongodbClient } from "./definition.js";

/** What to ask for: the database, `extraUserRoles` (absent means mongodb-operator's `default`), entities. */
export type MongodbRequestOptions = DatabaseRequestOptions;

/** `{ endpoint?, database, … }`, or `{ endpoint?, request: () => ({ database, … }) }` (evaluated when needed). */
export type MongodbRequirerOptions = RequirerOptionsWith<MongodbRequestOptions>;

/** `databaseCreated` (`databaseEntityCreated`), `endpointsChanged`, `credentialsRotated`, … */
export type MongodbRequirerEvents = RequirerEvents<typeof mongodbClient>;

export class MongodbRequirer extends InterfaceRequirer<typeof mongodbClient, MongodbRequestOptions> {
  constructor(charm: Charm, options: MongodbRequirerOptions) {
    // A bad option throws ProtocolEncodeError naming it, before anything is written.
    super(charm, mongodbClient, options, (o) => [databaseRequestSpec(o)]);
  }
}
