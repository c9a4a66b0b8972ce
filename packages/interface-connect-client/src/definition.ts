/**
 * connect_client as the core engines run it: v0 (what kafka-connect-operator serves) and v1, readiness,
 * the typed integration and kafka-connect's event names.
 */

import type { Contract, RelationRef } from "@charm-relations/juju-secrets-core";
import { defineInterface } from "@charm-relations/juju-secrets-core/interface";
import {
  NOT_REQUIRED,
  providerAppV0,
  request,
  requirerAppV0,
  response,
  tlsSecret,
  userSecret,
} from "./schema.js";

/** Everything an integrator needs to drive Kafka Connect's REST API for one relation. */
export interface ConnectIntegration {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only. */
  readonly requestId?: string;
  /** The plugin URL this integrator asked for; `null` for `NOT-REQUIRED`. */
  readonly pluginUrl: string | null;
  /** REST URLs with scheme, one per worker (`https://…` while TLS is on). */
  readonly endpoints: readonly string[];
  /** Basic-auth user, `relation-<id>` with kafka-connect-operator. */
  readonly username: string;
  readonly password: string;
  /** The provider's `tls` (`enabled`/`disabled` on the wire). */
  readonly tls: boolean;
  /** PEM of the workers' CA while TLS is on; `null` when off (the wire says `disabled`) or not published. */
  readonly tlsCa: string | null;
}

/** The endpoint name kafka-connect-operator uses (`provides: connect-client`). */
export const DEFAULT_CONNECT_ENDPOINT = "connect-client";

export const connectClient = defineInterface({
  name: "connect_client",
  defaultEndpoint: DEFAULT_CONNECT_ENDPOINT,
  contracts: { requirer: ["v0", "v1"], provider: ["v0", "v1"] },
  resourceKey: "plugin-url",
  schemas: {
    v0: { requirerApp: requirerAppV0, providerApp: providerAppV0 },
    v1: { request, response },
    secrets: { user: userSecret, tls: tlsSecret },
  },
  // Created needs usable REST credentials and somewhere to send them (I-6): the Python requirer fires
  // on `secret-user` alone, which kafka-connect-operator happens to publish together with endpoints.
  ready: { default: ["username", "password", "endpoints"] },
  connection: (f, a): ConnectIntegration => {
    const tls = f.tls ?? false;
    return {
      relation: a.relation,
      remoteApp: a.remoteApp,
      contract: a.contract,
      ...(a.requestId ? { requestId: a.requestId } : {}),
      pluginUrl: a.resource === NOT_REQUIRED ? null : a.resource,
      endpoints: f.endpoints ?? [],
      username: f.username ?? "",
      password: f.password ?? "",
      tls,
      // A CA only means something while TLS is on; `disabled` already reads as null.
      tlsCa: tls ? (f["tls-ca"] ?? null) : null,
    };
  },
  created: "integrationCreated",
  changes: { endpoints: "endpointsChanged" },
  requested: { default: "integrationRequested", entity: "integrationEntityRequested" },
});
