/**
 * `OpenSearchRequirer`: the client side of opensearch_client (a charm that needs an index on the
 * OpenSearch charm). Every requirer unit gets the events (each keeps its own snapshot); only the leader
 * writes the request.
 *
 *   const search = new OpenSearchRequirer(charm, { index: "myindex", extraUserRoles: ["admin"] });
 *   search.on("indexCreated", ({ connection }) => …);
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
import { opensearchClient } from "./definition.js";
import { indexName } from "./schema.js";

/** What to ask for. */
export interface OpenSearchRequestOptions extends EntityRequestOptions {
  /** The index to create (the provider echoes the one it created). */
  readonly index: string;
  /**
   * opensearch-operator knows `admin`, `default` and `kibana_server` (OpenSearch Dashboards); anything
   * else, or nothing, means `default`.
   */
  readonly extraUserRoles?: readonly string[];
}

/** `{ endpoint?, index, … }`, or `{ endpoint?, request: () => ({ index, … }) }` (evaluated when needed). */
export type OpenSearchRequirerOptions = RequirerOptionsWith<OpenSearchRequestOptions>;

/** `indexCreated` (`indexEntityCreated`), `endpointsChanged`, `authenticationUpdated`, … (`{ relation, remoteApp, connection }`). */
export type OpenSearchRequirerEvents = RequirerEvents<typeof opensearchClient>;

export class OpenSearchRequirer extends InterfaceRequirer<typeof opensearchClient, OpenSearchRequestOptions> {
  constructor(charm: Charm, options: OpenSearchRequirerOptions) {
    super(charm, opensearchClient, options, (o) => [
      { resource: checkedOption(indexName, o.index, "index"), ...entityRequestFields(o) },
    ]);
  }
}
