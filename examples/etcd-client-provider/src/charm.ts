/**
 * Example etcd provider for etcd_client, shaped like canonical/charmed-etcd-operator's `etcd-client`
 * endpoint: each client is identified by the common name of its client certificate, which becomes
 * its etcd user with read/write access to the key prefix it asked for. It does not run etcd: where
 * charmed-etcd would call `etcdctl user add` or rewrite its trust store and restart, it logs.
 *
 * - Leader: answers each client (endpoints without scheme, https uris, version, the server CA),
 *   refuses a CN that another client already uses and a CA as client certificate (relation status),
 *   re-answers when a client's CN changes, deletes the user when the relation goes.
 * - Every unit: rebuilds its trusted client list (the leaf certificates) whenever it may have changed.
 * - Status: `active` with `serving N client(s)` (leader) or `trusting N client certificate(s)`.
 */

import {
  EtcdClientProvider,
  type EtcdClientRef,
  type EtcdClientResponse,
  type TrustedClientCertificate,
} from "@charm-relations/interface-etcd-client";
import { type Charm, runCharmIfMain } from "@charm-relations/juju-secrets-core";

/** This example's relation status catalogue (codes in the data-interfaces ranges: 4xxx transitory, 5xxx fatal). */
export const STATUS = {
  usernameExists: (cn: string) => ({
    code: 4101,
    message: `etcd user "${cn}" already belongs to another client`,
    resolution: "use a client certificate with another common name",
  }),
  invalidCertificate: {
    code: 5101,
    message: "the client certificate cannot be used",
    resolution: "send a leaf client certificate (not a CA) with a common name, leaf first",
  },
} as const;

const str = (v: unknown): string | undefined =>
  typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;

export function setup(charm: Charm): void {
  const model = charm.model;
  const config = model.config();
  const provider = new EtcdClientProvider(charm);

  const endpoints = (): string[] => {
    const configured = str(config.endpoints);
    if (configured)
      return configured
        .split(",")
        .map((e) => e.trim())
        .filter((e) => e !== "");
    const port = typeof config["client-port"] === "number" ? config["client-port"] : 2379;
    const address = model.backend.networkGet("etcd-client")["ingress-addresses"]?.[0] ?? "127.0.0.1";
    return [`${address.includes(":") ? `[${address}]` : address}:${port}`];
  };
  const response = (username: string): EtcdClientResponse => ({
    username,
    endpoints: endpoints(),
    version: str(config.version) ?? "3.6.5",
    tlsCa: str(config["tls-ca"]) ?? "",
  });

  /** The etcd user a CN maps to is cluster-wide: refuse one that another client already has. */
  const takenBy = (client: EtcdClientRef, cn: string): boolean =>
    provider
      .servedClients()
      .some(
        (c) =>
          c.username === cn && !(c.relation.id === client.relation.id && c.requestId === client.requestId),
      );

  const serve = (client: EtcdClientRef, cn: string): void => {
    if (!str(config["tls-ca"])) return; // blocked until configured; config-changed serves the waiting clients
    if (takenBy(client, cn)) {
      model.log(
        "WARNING",
        `refusing client ${client.relation.endpoint}:${client.relation.id}: user ${cn} exists`,
      );
      provider.raiseStatus(client.relation, STATUS.usernameExists(cn));
      return;
    }
    model.log("INFO", `etcd user ${cn}: role ${cn} readwrite on prefix ${client.prefix}`);
    provider.resolveStatus(client.relation, STATUS.usernameExists(cn).code);
    provider.resolveStatus(client.relation, STATUS.invalidCertificate.code);
    provider.publish(client, response(cn));
  };

  provider.on("clientRequested", (e) => serve(e, e.commonName));
  provider.on("clientCertificateChanged", (e) => {
    if (!model.isLeader() || !e.commonNameChanged) return; // same CN: only the trust store changes
    if (e.oldCommonName) model.log("INFO", `etcd user ${e.oldCommonName} deleted (client CN changed)`);
    serve(e, e.commonName);
  });
  provider.on("clientCertificateRejected", (e) => {
    model.log("WARNING", e.error.message);
    if (!model.isLeader()) return;
    if (e.previousCommonName)
      model.log("INFO", `etcd user ${e.previousCommonName} deleted (invalid certificate)`);
    provider.resolveStatus(e.relation, STATUS.usernameExists("").code);
    provider.raiseStatus(e.relation, STATUS.invalidCertificate);
  });
  provider.on("clientRemoved", (e) => model.log("INFO", `etcd user ${e.commonName} deleted (${e.reason})`));
  provider.on("invalid", (e) => model.log("WARNING", e.error.message));

  let trusted: TrustedClientCertificate[] | undefined;
  provider.on("trustStoreRefresh", (e) => {
    // charmed-etcd writes these leaves into its client CA bundle, and restarts when that changed.
    trusted = e.certificates();
  });

  charm.on("configChanged", () => {
    if (!model.isLeader()) return;
    const ca = str(config["tls-ca"]);
    if (!ca) return;
    provider.publishAll({ tlsCa: ca });
    provider.publishAll({ endpoints: endpoints(), version: str(config.version) ?? "3.6.5" });
    // Clients that arrived while the CA was missing (or whose CN was taken) get their answer now.
    const served = provider.servedClients();
    for (const client of provider.clients()) {
      const done = served.some(
        (c) => c.relation.id === client.relation.id && c.requestId === client.requestId,
      );
      if (!done && client.certificate) serve(client, client.certificate.commonName);
    }
  });

  // End of every hook: the highest status wins; one status-set, none when it did not change.
  charm.on("collectStatus", (e) => {
    if (!str(config["tls-ca"])) {
      e.add("blocked", "set the tls-ca option (the server CA, PEM)");
    } else if (model.isLeader()) {
      const n = provider.servedClients().length;
      e.add("active", `serving ${n} client${n === 1 ? "" : "s"}`);
    } else {
      const n = (trusted ?? provider.trustedCertificates()).length;
      e.add("active", `trusting ${n} client certificate${n === 1 ? "" : "s"}`);
    }
  });
}

void runCharmIfMain(import.meta.url, setup);
