/**
 * `MysqlRequirer`: the client side of mysql_client (a charm that needs a database from mysql,
 * mysql-k8s or mysql-router), on the v0 flat contract. Every requirer unit gets the events (each keeps
 * its own snapshot); only the leader writes the request.
 *
 *   const db = new MysqlRequirer(charm, { database: "myapp" });
 *   db.on("databaseCreated", ({ connection }) => …);
 */

import type { Charm } from "@charm-relations/juju-secrets-core";
import {
  type DatabaseRequestOptions,
  databaseRequestSpec,
  InterfaceRequirer,
  type RequirerEvents,
  type RequirerOptionsWith,
} from "@charm-relations/juju-secrets-core/interface";
import { mysqlClient } from "./definition.js";

/**
 * What to ask for: the database, `extraUserRoles` (mysql-router sends `mysqlrouter` for
 * `mysql_innodb_cluster_metadata`), `externalNodeConnectivity` (honoured by mysql-router), entities.
 */
export type MysqlRequestOptions = DatabaseRequestOptions;

/** `{ endpoint?, database, … }`, or `{ endpoint?, request: () => ({ database, … }) }` (evaluated when needed). */
export type MysqlRequirerOptions = RequirerOptionsWith<MysqlRequestOptions>;

/** `databaseCreated` (`databaseEntityCreated`), `endpointsChanged`, `readOnlyEndpointsChanged`, `credentialsRotated`, … */
export type MysqlRequirerEvents = RequirerEvents<typeof mysqlClient>;

export class MysqlRequirer extends InterfaceRequirer<typeof mysqlClient, MysqlRequestOptions> {
  constructor(charm: Charm, options: MysqlRequirerOptions) {
    // A bad option throws ProtocolEncodeError naming it, before anything is written.
    super(charm, mysqlClient, options, (o) => [databaseRequestSpec(o)]);
  }
}
