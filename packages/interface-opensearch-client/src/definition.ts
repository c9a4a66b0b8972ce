/**
 * opensearch_client as the core engines run it: the v0 flat contract, readiness, the typed connection
 * and data_interfaces' `OpenSearchRequires` / `OpenSearchProvides` event names.
 */

import {
  type CredentialConnection,
  credentialConnection,
  defineInterface,
} from "@charm-relations/juju-secrets-core/interface";
import { entitySecret, providerAppV0, requirerAppV0, tlsSecret, userSecret } from "./schema.js";

/** What a requirer unit knows about its index on one relation, with secrets resolved. */
export interface OpenSearchConnection extends CredentialConnection {
  /** The index as the provider created it (its echo), or what we asked for while there is none. */
  readonly index: string;
  /** `host:port` of the nodes, no scheme (HTTPS: OpenSearch always runs TLS). */
  readonly endpoints: readonly string[];
  /** The cluster's version, e.g. `2.17.0`. */
  readonly version?: string;
}

/** The endpoint name opensearch-operator uses (`provides: opensearch-client`). */
export const DEFAULT_ENDPOINT = "opensearch-client";

export const opensearchClient = defineInterface({
  name: "opensearch_client",
  defaultEndpoint: DEFAULT_ENDPOINT,
  contracts: { requirer: ["v0"], provider: ["v0"] },
  resourceKey: "index",
  schemas: {
    v0: { requirerApp: requirerAppV0, providerApp: providerAppV0 },
    secrets: { user: userSecret, tls: tlsSecret, entity: entitySecret },
  },
  // Python's `index_created` fires on `secret-user`; opensearch-operator publishes the endpoints in the
  // same hook, and a connection needs them.
  ready: { default: ["username", "password", "endpoints"], entity: ["entity-name"] },
  connection: (f, a): OpenSearchConnection => ({
    ...credentialConnection(f, a),
    index: f.index ?? a.resource,
    endpoints: f.endpoints ?? [],
    ...(f.version !== undefined ? { version: f.version } : {}),
  }),
  created: { default: "indexCreated", entity: "indexEntityCreated" },
  changes: { endpoints: "endpointsChanged" },
  // The Python requirer is the only one here that follows secret-changed (`authentication_updated`).
  rotations: { user: "authenticationUpdated", tls: "authenticationUpdated" },
  requested: {
    default: "indexRequested",
    entity: "indexEntityRequested",
    permissions: "indexEntityPermissionsChanged",
  },
});
