/**
 * connect_client: a kafka-connect-operator-like provider (installs the integrator's plugin, creates the
 * REST user `relation-<id>`, answers with the workers' REST URLs and TLS `disabled`) and an integrator
 * sending its `plugin-url`. Rotation: the provider's leader sets a new REST password (config
 * `password-seed`).
 */

import { derivedPassword, type Scenario } from "@charm-relations/juju-secrets-core/testing";
import { type ConnectIntegrationRequest, ConnectProvider, ConnectRequirer } from "./index.js";

const ENDPOINT = "connect-client";
const WORKERS = ["http://10.1.0.10:8083", "http://10.1.0.11:8083"];

export const connectClientScenario: Scenario = {
  contracts: ["v0", "v1"],
  defaultContract: "v0",
  build: (contract) => ({
    provider: {
      app: "kafka-connect",
      endpoint: ENDPOINT,
      units: 2,
      config: { "password-seed": "1" },
      setup(charm, ctx) {
        const provider = new ConnectProvider(charm, { endpoint: ENDPOINT });
        const answer = (request: ConnectIntegrationRequest) =>
          provider.publish(request, {
            endpoints: WORKERS,
            username: request.username,
            password: derivedPassword(charm.model.config()["password-seed"], "connect", request.username),
            tls: false,
          });
        provider.on("integrationRequested", ({ request }) => {
          // The real charm downloads `request.pluginUrl` to every worker first; the demo skips the network.
          ctx.record("integrationRequested", {
            relation: request.relation.id,
            plugin: request.pluginUrl ?? "NOT-REQUIRED",
            username: request.username,
          });
          answer(request);
        });
        provider.on("integrationRemoved", (e) =>
          ctx.record("integrationRemoved", { username: e.username, unitDeparting: e.unitDeparting }),
        );
        provider.on("invalid", ({ error }) => {
          ctx.record("invalid", { error: error.message });
          charm.model.setStatus("blocked", error.message);
        });
        charm.on("configChanged", () => {
          if (charm.model.isLeader()) for (const request of provider.answeredRequests()) answer(request);
        });
      },
    },
    requirer: {
      app: "integrator",
      endpoint: ENDPOINT,
      units: 2,
      setup(charm, ctx) {
        const requirer = new ConnectRequirer(charm, {
          endpoint: ENDPOINT,
          pluginUrl: "http://10.1.1.200:8080/route/to/plugin.tar",
          contract,
        });
        requirer.on("integrationCreated", ({ connection: integration }) =>
          ctx.record("integrationCreated", {
            username: integration.username,
            endpoints: integration.endpoints,
            connector: requirer.connectorName(integration.relation, "demo"),
          }),
        );
        requirer.on("endpointsChanged", ({ connection: integration }) =>
          ctx.record("endpointsChanged", { endpoints: integration.endpoints }),
        );
        requirer.on("credentialsRotated", ({ groups }) => ctx.record("credentialsRotated", { groups }));
        requirer.on("gone", ({ relation }) => ctx.record("gone", { relation: relation.id }));
        requirer.on("invalid", ({ error }) => {
          ctx.record("invalid", { error: error.message });
          charm.model.setStatus("blocked", error.message);
        });
      },
    },
    rotate: {
      description:
        "kafka-connect's leader sets a new REST password (config password-seed=2): secret-user gets a new revision",
      apply: (sim) => sim.configure("kafka-connect", { "password-seed": "2" }),
    },
  }),
};
