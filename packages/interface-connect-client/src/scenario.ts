/**
 * connect_client: a kafka-connect-operator-like provider (installs the integrator's plugin, creates the
 * REST user `relation-<id>`, answers with the workers' REST URLs and TLS `disabled`) and an integrator
 * sending its `plugin-url`. Rotation: the provider's leader sets a new REST password (config
 * `password-seed`).
 */

import { type Scenario, seededScenario } from "@charm-relations/juju-secrets-core/testing";
import { ConnectProvider, ConnectRequirer } from "./index.js";

const WORKERS = ["http://10.1.0.10:8083", "http://10.1.0.11:8083"];

export const connectClientScenario: Scenario = seededScenario({
  contracts: ["v0", "v1"],
  endpoint: "connect-client",
  provider: {
    app: "kafka-connect",
    create: (charm, endpoint) => new ConnectProvider(charm, { endpoint }),
    listen: (provider, ctx, answer) => {
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
    },
    answer: (provider, request, password) =>
      provider.publish(request, {
        endpoints: WORKERS,
        username: request.username,
        password: password("connect", request.username),
        tls: false,
      }),
  },
  requirer: {
    app: "integrator",
    create: (charm, endpoint, contract) =>
      new ConnectRequirer(charm, {
        endpoint,
        pluginUrl: "http://10.1.1.200:8080/route/to/plugin.tar",
        contract,
      }),
    listen: (requirer, ctx) => {
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
    },
  },
  rotation:
    "kafka-connect's leader sets a new REST password (config password-seed=2): secret-user gets a new revision",
});
