/**
 * karapace_client as the core engines run it: the v0 flat contract, readiness, the typed connection
 * and data_interfaces' `KarapaceRequires` / `KarapaceProvides` event names.
 */

import {
  type CredentialConnection,
  credentialConnection,
  defineInterface,
} from "@charm-relations/juju-secrets-core/interface";
import { entitySecret, providerAppV0, requirerAppV0, tlsSecret, userSecret } from "./schema.js";

/** What a requirer unit knows about its subject on one relation, with secrets resolved. */
export interface KarapaceConnection extends CredentialConnection {
  /** The provider's subject echo, or what we asked for while there is none. */
  readonly subject: string;
  /** `host:port` of the registry units, no scheme (`https://` while `tls`). */
  readonly endpoints: readonly string[];
  /** The provider's `tls` (`enabled`/`disabled` on the wire). */
  readonly tls: boolean;
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
    ...credentialConnection(f, a),
    subject: f.subject ?? a.resource,
    endpoints: f.endpoints ?? [],
    tls: f.tls === true,
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
