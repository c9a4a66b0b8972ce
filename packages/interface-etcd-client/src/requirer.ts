/**
 * `EtcdClientRequirer`: a client of charmed-etcd's `etcd-client` endpoint. The engine writes the
 * request (v1 by default; v0 for charmed-etcd revisions before the v1 migration), keeps the client
 * certificate in a requirer-owned secret granted to the relation (`secret-mtls`; the Fernet `mtls-cert`
 * path cross-model), snapshots the answer per unit and reads the provider's secrets.
 *
 *   const etcd = new EtcdClientRequirer(charm, { prefix: "/myapp/", mtlsCert: pem });
 *   etcd.on("etcdReady", ({ connection }) => …);
 */

import type { Charm } from "@charm-relations/juju-secrets-core";
import {
  InterfaceRequirer,
  type RequirerEvents,
  type RequirerOptionsWith,
} from "@charm-relations/juju-secrets-core/interface";
import { parseClientCertificate } from "./certificate.js";
import { etcdClient } from "./definition.js";

export interface EtcdClientRequestOptions {
  /** The key range to get read/write access to, e.g. `/myapp/` (charmed-etcd grants `--prefix=true`). */
  readonly prefix: string;
  /**
   * The client certificate (PEM; a chain must start with the leaf). Its common name becomes the etcd
   * user. May be given later with `setMtlsCert` (e.g. once a TLS provider issued it).
   */
  readonly mtlsCert?: string;
}

/** `{ endpoint?, contract?, prefix, mtlsCert? }`, or `{ endpoint?, request: () => ({ prefix, … }) }`. */
export type EtcdClientRequirerOptions = RequirerOptionsWith<EtcdClientRequestOptions>;

/** `etcdReady`, `endpointsChanged`, `versionChanged`, `caRotated`, `credentialsRotated`, … (`{ relation, remoteApp, connection }`). */
export type EtcdClientRequirerEvents = RequirerEvents<typeof etcdClient>;

export class EtcdClientRequirer extends InterfaceRequirer<typeof etcdClient, EtcdClientRequestOptions> {
  constructor(charm: Charm, options: EtcdClientRequirerOptions) {
    super(charm, etcdClient, options, ({ prefix, mtlsCert }) => {
      if (typeof prefix !== "string" || prefix === "") {
        throw new TypeError("EtcdClientRequirer: option prefix must be a non-empty string");
      }
      // Fail before any write: a CA or a garbage PEM would only be refused by the provider later.
      if (mtlsCert !== undefined) parseClientCertificate(mtlsCert, { field: "mtlsCert option" });
      return [{ resource: prefix, ...(mtlsCert ? { mtlsCert } : {}) }];
    });
  }

  /** The key range asked for. */
  get prefix(): string {
    return this.requests[0]?.resource ?? "";
  }

  /**
   * Set or rotate the client certificate on every relation (leader): `secret-set` on the existing
   * `secret-mtls` secret only when the PEM differs (cross-model: a new Fernet token). Throws a
   * `ClientCertificateError` before writing anything when the PEM is not a usable client certificate.
   */
  override setMtlsCert(pem: string): void {
    parseClientCertificate(pem, { field: "mtlsCert" });
    super.setMtlsCert(pem);
  }
}
