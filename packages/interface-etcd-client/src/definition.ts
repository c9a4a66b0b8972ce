/**
 * etcd_client as the core engines run it: v1 (current charmed-etcd) and v0, mTLS client certificates
 * in a requirer-owned secret (Fernet cross-model), readiness as the Python library has it, the typed
 * connection and the event tables.
 */

import type { Contract, RelationRef } from "@charm-relations/juju-secrets-core";
import { defineInterface } from "@charm-relations/juju-secrets-core/interface";
import { isNoneCa } from "@charm-relations/juju-secrets-core/protocol";
import {
  mtlsSecret,
  providerAppV0,
  request,
  requirerAppV0,
  response,
  tlsSecret,
  userSecret,
} from "./schema.js";

/** Everything needed to connect: `etcdctl --endpoints <uris> --cert … --key … --cacert <tlsCa>`. */
export interface EtcdConnection {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only. */
  readonly requestId?: string;
  readonly prefix: string;
  /** `host:port` items, no scheme (the `endpoints` key). */
  readonly endpoints: readonly string[];
  /**
   * `https://host:port` client URLs: the user secret's `uris`, or, when the provider left them out,
   * `https://<endpoint>` (the endpoints are the members with client TLS on).
   */
  readonly uris: readonly string[];
  /** The etcd user: the common name of our certificate. */
  readonly username: string;
  /** etcd server version, e.g. `3.5.18`, once published. */
  readonly version?: string;
  /** The CA of the server certificate (PEM), once published (then `caRotated`). */
  readonly tlsCa?: string;
  /** `tls` as the provider wrote it (v0: `"True"`); absent in v1. */
  readonly tls?: boolean;
}

/** Default endpoint name of both sides (charmed-etcd's `etcd-client`). */
export const DEFAULT_ENDPOINT = "etcd-client";

export const etcdClient = defineInterface({
  name: "etcd_client",
  defaultEndpoint: DEFAULT_ENDPOINT,
  contracts: { requirer: ["v1", "v0"], provider: ["v1", "v0"] },
  resourceKey: "prefix",
  schemas: {
    v0: { requirerApp: requirerAppV0, providerApp: providerAppV0 },
    v1: { request, response },
    secrets: { user: userSecret, tls: tlsSecret, mtls: mtlsSecret },
  },
  // As the Python v1 library: created on `secret-user` (the etcd user), plus somewhere to connect.
  ready: { default: ["username", "endpoints"] },
  connection: (f, a): EtcdConnection => {
    const endpoints = f.endpoints ?? [];
    return {
      relation: a.relation,
      remoteApp: a.remoteApp,
      contract: a.contract,
      ...(a.requestId ? { requestId: a.requestId } : {}),
      prefix: a.resource,
      endpoints,
      uris: f.uris ?? endpoints.map((e) => `https://${e}`),
      username: f.username ?? "",
      ...(f.version != null ? { version: f.version } : {}),
      ...(f["tls-ca"] !== undefined && !isNoneCa(f["tls-ca"]) ? { tlsCa: f["tls-ca"] } : {}),
      ...(f.tls !== undefined ? { tls: f.tls } : {}),
    };
  },
  created: "etcdReady",
  changes: { endpoints: "endpointsChanged", version: "versionChanged" },
  rotations: { tls: "caRotated" },
  mtls: true,
  crossModelEncryption: true,
});
