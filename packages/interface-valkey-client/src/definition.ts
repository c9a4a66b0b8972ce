/**
 * valkey_client as the core engines run it: v1 requests (several key patterns per relation) and v0
 * (`DatabaseRequires`) on both sides, valkey-operator's response fields, readiness, the typed
 * connection and the event tables.
 */

import type { Contract, RelationRef } from "@charm-relations/juju-secrets-core";
import { defineInterface } from "@charm-relations/juju-secrets-core/interface";
import {
  providerAppV0,
  request,
  requirerAppV0,
  response,
  tlsSecret,
  userSecret,
  V0_SENTINEL_KEY,
} from "./schema.js";

/** Everything a client needs to connect for one answered request. */
export interface ValkeyConnection {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only. */
  readonly requestId?: string;
  /** The key pattern this user may access (`app:*`). */
  readonly resource: string;
  readonly username: string;
  readonly password: string;
  /** Read/write (primary) endpoints, `host:port`. */
  readonly endpoints: readonly string[];
  readonly readOnlyEndpoints: readonly string[];
  /** Valkey Sentinel endpoints (same credentials). */
  readonly sentinelEndpoints: readonly string[];
  /** High-availability mode (`sentinel`); any string is passed through. */
  readonly mode?: string;
  /** Valkey engine version (`9.0.1`). */
  readonly version?: string;
  readonly tls: boolean;
  /** PEM of the CA that issued the server certificate; only while TLS is on. */
  readonly tlsCa?: string;
}

/** The endpoint name valkey-operator uses (`provides: valkey-client`). */
export const DEFAULT_VALKEY_ENDPOINT = "valkey-client";

export const valkeyClient = defineInterface({
  name: "valkey_client",
  defaultEndpoint: DEFAULT_VALKEY_ENDPOINT,
  contracts: { requirer: ["v1", "v0"], provider: ["v1", "v0"] },
  // v0 requirers (`DatabaseRequires`) send the key pattern as `database`.
  resourceKey: "database",
  schemas: {
    v0: { requirerApp: requirerAppV0, providerApp: providerAppV0 },
    v1: { request, response },
    secrets: { user: userSecret, tls: tlsSecret },
  },
  // Created needs usable credentials and somewhere to connect (I-6).
  ready: { default: ["username", "password", "endpoints"] },
  connection: (f, a): ValkeyConnection => {
    const tls = f.tls ?? false;
    return {
      relation: a.relation,
      remoteApp: a.remoteApp,
      contract: a.contract,
      ...(a.requestId ? { requestId: a.requestId } : {}),
      resource: a.resource,
      username: f.username ?? "",
      password: f.password ?? "",
      endpoints: f.endpoints ?? [],
      readOnlyEndpoints: f["read-only-endpoints"] ?? [],
      sentinelEndpoints: f["sentinel-endpoints"] ?? [],
      ...(f.mode != null ? { mode: f.mode } : {}),
      ...(f.version != null ? { version: f.version } : {}),
      tls,
      // A CA left behind after TLS was switched off is not a CA to trust.
      ...(tls && f["tls-ca"] ? { tlsCa: f["tls-ca"] } : {}),
    };
  },
  created: "resourceCreated",
  changes: {
    endpoints: "endpointsChanged",
    "read-only-endpoints": "readOnlyEndpointsChanged",
    "sentinel-endpoints": "sentinelEndpointsChanged",
    mode: "modeChanged",
    version: "versionChanged",
  },
  requested: { default: "resourceRequested", entity: "resourceEntityRequested", bulk: "resourcesRequested" },
  responseExtraKeys: ["sentinel-endpoints", "mode"],
  v0Keys: { "sentinel-endpoints": V0_SENTINEL_KEY },
  // dpcharmlibs-based valkey clients and valkey-operator both emit the trailing `"mtls-cert": null`.
  trailingMtlsCert: true,
});
