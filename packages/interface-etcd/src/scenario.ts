/**
 * Legacy reactive `etcd`: a layer-etcd-like provider (every unit publishes the connection string,
 * version and the shared client key, certificate and CA in its own unit databag; no secrets, no
 * leader) and a kubernetes-control-plane-like consumer that writes nothing. Rotation: the provider
 * issues new client credentials (config `credentials-generation`), which every consumer unit sees.
 */

import type { Charm } from "@charm-relations/juju-secrets-core";
import type { Scenario } from "@charm-relations/juju-secrets-core/testing";
import { type DemoCertificate, demoCertificate } from "@charm-relations/juju-secrets-core/testing";
import { EtcdProvider, EtcdRequirer } from "./index.js";

const MEMBERS = ["https://10.1.0.10:2379", "https://10.1.0.11:2379"];

function pki() {
  const byGeneration = new Map<number, { ca: DemoCertificate; client: DemoCertificate }>();
  return (generation: number) => {
    let set = byGeneration.get(generation);
    if (!set) {
      const ca = demoCertificate({ commonName: `demo-etcd-ca-${generation}`, usage: "ca" });
      set = { ca, client: demoCertificate({ commonName: "etcd-client", usage: "client", issuer: ca }) };
      byGeneration.set(generation, set);
    }
    return { key: set.client.key, cert: set.client.cert, ca: set.ca.cert };
  };
}

const generation = (charm: Charm): number => Number(charm.model.config()["credentials-generation"] ?? 1) || 1;

export const etcdScenario: Scenario = {
  contracts: ["v0"],
  defaultContract: "v0",
  build: () => {
    const credentials = pki();
    return {
      provider: {
        app: "etcd",
        endpoint: "db",
        units: 2,
        config: { "credentials-generation": 1 },
        setup(charm, ctx) {
          const provider = new EtcdProvider(charm, { endpoint: "db" });
          // Any unit publishes (no leadership in this protocol); unchanged values cost no write.
          const publish = () => {
            provider.setConnectionString(MEMBERS, "3.5.18");
            provider.setClientCredentials(credentials(generation(charm)));
          };
          provider.on("connected", publish);
          provider.on("gone", (e) => ctx.record("gone", { relation: e.relation.id, departing: e.departing }));
          charm.on("configChanged", publish);
        },
      },
      requirer: {
        app: "kubernetes-control-plane",
        endpoint: "etcd",
        units: 2,
        setup(charm, ctx) {
          const requirer = new EtcdRequirer(charm, { endpoint: "etcd" });
          requirer.on("connectionChanged", (e) =>
            ctx.record("connectionChanged", {
              endpoints: e.connection.endpoints,
              version: e.connection.version,
            }),
          );
          // The event carries the private key: record only that it fired.
          requirer.on("credentialsChanged", () => ctx.record("credentialsChanged"));
          requirer.on("unavailable", (e) => ctx.record("unavailable", { reason: e.reason }));
          requirer.on("invalid", (e) => {
            ctx.record("invalid", { error: e.error.message });
            charm.model.setStatus("blocked", e.error.message);
          });
        },
      },
      rotate: {
        description:
          "every etcd unit publishes a new client key, certificate and CA (plain unit databags: no secrets)",
        apply: (sim) => sim.configure("etcd", { "credentials-generation": 2 }),
      },
    };
  },
};
