/**
 * etcd_client: a charmed-etcd-like provider (the client certificate's common name becomes the etcd
 * user; answers with endpoints, client URLs, version and the server CA) and a client asking for the
 * key prefix `/myapp/` with its own client certificate (kept in the requirer-owned `secret-mtls`).
 * Rotation: the server CA rotates on the provider and the client renews its certificate (same CN).
 */

import type { Charm } from "@charm-relations/juju-secrets-core";
import {
  type DemoCertificate,
  demoCertificate,
  type Scenario,
} from "@charm-relations/juju-secrets-core/testing";
import { EtcdClientProvider, type EtcdClientRef, EtcdClientRequirer, type EtcdConnection } from "./index.js";

const ENDPOINT = "etcd-client";
const ENDPOINTS = ["10.1.0.10:2379", "10.1.0.11:2379"];

/** Certificates per generation, created on first use and kept for the whole run. */
function pki() {
  const clientCa = demoCertificate({ commonName: "demo-client-ca", usage: "ca" });
  const serverCas = new Map<number, DemoCertificate>();
  const clients = new Map<number, DemoCertificate>();
  const once = (
    cache: Map<number, DemoCertificate>,
    generation: number,
    make: () => DemoCertificate,
  ): string => {
    const cert = cache.get(generation) ?? make();
    cache.set(generation, cert);
    return cert.cert;
  };
  return {
    serverCa: (generation: number): string =>
      once(serverCas, generation, () =>
        demoCertificate({ commonName: `demo-etcd-ca-${generation}`, usage: "ca" }),
      ),
    client: (generation: number): string =>
      once(clients, generation, () =>
        demoCertificate({ commonName: "myapp", usage: "client", issuer: clientCa }),
      ),
  };
}

const generation = (charm: Charm, key: string): number => Number(charm.model.config()[key] ?? 1) || 1;

export const etcdClientScenario: Scenario = {
  contracts: ["v1", "v0"],
  defaultContract: "v1",
  build: (contract) => {
    const certs = pki();
    return {
      provider: {
        app: "etcd",
        endpoint: ENDPOINT,
        units: 2,
        config: { "ca-generation": 1 },
        setup(charm, ctx) {
          const provider = new EtcdClientProvider(charm, { endpoint: ENDPOINT });
          const answer = (client: EtcdClientRef, username: string) =>
            provider.publish(client, {
              username,
              endpoints: ENDPOINTS,
              version: "3.6.5",
              tlsCa: certs.serverCa(generation(charm, "ca-generation")),
            });
          provider.on("clientRequested", (e) => {
            ctx.record("clientRequested", {
              relation: e.relation.id,
              prefix: e.prefix,
              commonName: e.commonName,
            });
            answer(e, e.commonName);
          });
          provider.on("clientCertificateChanged", (e) => {
            ctx.record("clientCertificateChanged", {
              commonName: e.commonName,
              commonNameChanged: e.commonNameChanged,
              source: e.source,
            });
            if (charm.model.isLeader() && e.commonNameChanged) answer(e, e.commonName);
          });
          provider.on("clientCertificateRejected", (e) =>
            ctx.record("clientCertificateRejected", { error: e.error.message }),
          );
          provider.on("clientRemoved", (e) =>
            ctx.record("clientRemoved", { commonName: e.commonName, reason: e.reason }),
          );
          provider.on("trustStoreRefresh", (e) =>
            ctx.record("trustStoreRefresh", {
              reason: e.reason,
              clients: e.certificates().map((c) => c.commonName),
            }),
          );
          provider.on("invalid", ({ error }) => {
            ctx.record("invalid", { error: error.message });
            charm.model.setStatus("blocked", error.message);
          });
          provider.on("gone", (e) => ctx.record("gone", { relation: e.relation.id, departing: e.departing }));
          charm.on("configChanged", () => {
            // Unchanged CA: no write and no new revision (the engine compares before secret-set).
            if (charm.model.isLeader())
              provider.publishAll({ tlsCa: certs.serverCa(generation(charm, "ca-generation")) });
          });
        },
      },
      requirer: {
        app: "myapp",
        endpoint: ENDPOINT,
        units: 2,
        config: { "cert-generation": 1 },
        setup(charm, ctx) {
          const cert = certs.client(generation(charm, "cert-generation"));
          const requirer = new EtcdClientRequirer(charm, {
            endpoint: ENDPOINT,
            prefix: "/myapp/",
            mtlsCert: cert,
            contract,
          });
          const conn = (c: EtcdConnection) => ({
            username: c.username ?? "",
            endpoints: c.endpoints,
            version: c.version ?? "",
          });
          requirer.on("etcdReady", ({ connection }) => ctx.record("etcdReady", conn(connection)));
          requirer.on("endpointsChanged", ({ connection }) =>
            ctx.record("endpointsChanged", { endpoints: connection.endpoints }),
          );
          requirer.on("versionChanged", ({ connection }) =>
            ctx.record("versionChanged", { version: connection.version ?? "" }),
          );
          requirer.on("caRotated", () => ctx.record("caRotated"));
          requirer.on("credentialsRotated", ({ connection }) =>
            ctx.record("credentialsRotated", { username: connection.username ?? "" }),
          );
          requirer.on("gone", (e) => ctx.record("gone", { relation: e.relation.id, departing: e.departing }));
          requirer.on("invalid", ({ error }) => {
            ctx.record("invalid", { error: error.message });
            charm.model.setStatus("blocked", error.message);
          });
          charm.on("configChanged", () => {
            if (charm.model.isLeader()) requirer.setMtlsCert(cert);
          });
        },
      },
      rotate: {
        description:
          "etcd rotates its server CA (secret-tls gets a new revision) and myapp renews its client certificate (secret-mtls, same CN)",
        apply(sim) {
          sim.configure("etcd", { "ca-generation": 2 });
          sim.configure("myapp", { "cert-generation": 2 });
        },
      },
    };
  },
};
