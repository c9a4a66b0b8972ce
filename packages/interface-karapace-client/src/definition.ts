/**
 * karapace_client as the core engines run it: the v0 flat contract, readiness, the typed connection
 * and data_interfaces' `KarapaceRequires` / `KarapaceProvides` event names.
 */

import type { RelationRef } from "@charm-relations/juju-secrets-core";
import { defineInterface } from "@charm-relations/juju-secrets-core/interface";
import { isNoneCa } from "@charm-relations/juju-secrets-core/protocol";
import { entitySecret, providerAppV0, requirerAppV0, tlsSecret, userSecret } from "./schema.js";

/** What a requirer unit knows about its subject on one relation, with secrets resolved. */
export interface KarapaceConnection {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  /** The provider's subject echo, or what we asked for while there is none. */
  readonly subject: string;
  /** Absent for entity requests answered with the entity only. */
  readonly username?: string;
  readonly password?: string;
  /** `host:port` of the registry units, no scheme (`https://` while `tls`). */
  readonly endpoints: readonly string[];
  /** The provider's `tls` (`enabled`/`disabled` on the wire). */
  readonly tls: boolean;
  /** A CA chain, should a provider publish one (karapace-operator does not). */
  readonly tlsCa?: string;
  /** Entity requests: the created user or group. */
  readonly entityName?: string;
  readonly entityPassword?: string;
  /** `plain`: the provider wrote credentials as plain keys (a requirer that sent no `requested-secrets`). */
  readonly mode: "secrets" | "plain";
}

/** The endpoint name karapace-operator uses (`provides: karapace`). */
export const DEFAULT_ENDPOINT = "karapace";

export const karapaceClient = defineInterface({
  name: "karapace_client",
  defaultEndpoint: DEFAULT_ENDPOINT,
  contracts: { requirer: ["v0"], provider: ["v0"] },
  resourceKey: "subject",
  schemas: {
    v0: { requirerApp: requirerAppV0, providerApp: providerAppV0 },
    secrets: { user: userSecret, tls: tlsSecret, entity: entitySecret },
  },
  // Python's `subject_allowed` fires on `secret-user`; karapace-operator writes the endpoints first, in
  // the same hook, and a connection needs them.
  ready: { default: ["username", "password", "endpoints"], entity: ["entity-name"] },
  connection: (f, a): KarapaceConnection => ({
    relation: a.relation,
    remoteApp: a.remoteApp,
    subject: f.subject ?? a.resource,
    ...(f.username !== undefined ? { username: f.username } : {}),
    ...(f.password !== undefined ? { password: f.password } : {}),
    endpoints: f.endpoints ?? [],
    tls: f.tls === true,
    ...(f["tls-ca"] !== undefined && !isNoneCa(f["tls-ca"]) ? { tlsCa: f["tls-ca"] } : {}),
    ...(f["entity-name"] !== undefined ? { entityName: f["entity-name"] } : {}),
    ...(f["entity-password"] ? { entityPassword: f["entity-password"] } : {}),
    mode: f.username !== undefined && !a.secrets.includes("user") ? "plain" : "secrets",
  }),
  created: { default: "subjectAllowed", entity: "subjectEntityCreated" },
  // data_interfaces names the endpoints event of karapace_client `server_changed`.
  changes: { endpoints: "serverChanged" },
  requested: {
    default: "subjectRequested",
    entity: "subjectEntityRequested",
    permissions: "subjectEntityPermissionsChanged",
  },
});
