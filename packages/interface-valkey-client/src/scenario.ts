/**
 * valkey_client: a valkey-operator-like provider (one ACL user per key pattern, answered with
 * endpoints, sentinel endpoints, mode and version) and a client asking for its key patterns (two
 * requests in v1, one in v0). Rotation: the provider's leader sets new passwords (config
 * `password-seed`), which every client unit hears of as `credentialsRotated`.
 */

import { type Scenario, seededScenario } from "@charm-relations/juju-secrets-core/testing";
import { ValkeyProvider, ValkeyRequirer } from "./index.js";

export const valkeyClientScenario: Scenario = seededScenario({
  contracts: ["v1", "v0"],
  endpoint: "valkey-client",
  provider: {
    app: "valkey",
    create: (charm, endpoint) => new ValkeyProvider(charm, { endpoint }),
    listen: (provider, ctx, answer) => {
      provider.on("resourceRequested", ({ request }) => {
        ctx.record("resourceRequested", {
          relation: request.relation.id,
          resource: request.resource,
          username: request.username,
        });
        answer(request);
      });
      provider.on("resourcesRequested", ({ requests }) =>
        ctx.record("resourcesRequested", { resources: requests.map((r) => r.resource) }),
      );
      provider.on("requestRemoved", ({ request }) =>
        ctx.record("requestRemoved", { username: request.username }),
      );
    },
    answer: (provider, request, password) =>
      provider.publish(request, {
        username: request.username,
        password: password("valkey", request.username),
        endpoints: ["10.1.0.10:6379"],
        readOnlyEndpoints: ["10.1.0.11:6379"],
        sentinelEndpoints: ["10.1.0.10:26379", "10.1.0.11:26379"],
        mode: "sentinel",
        version: "9.0.1",
        tls: false,
      }),
  },
  requirer: {
    app: "myapp",
    create: (charm, endpoint, contract) =>
      new ValkeyRequirer(charm, {
        endpoint,
        resources: contract === "v1" ? ["myapp:*", "sessions:*"] : ["myapp:*"],
        contract,
      }),
    listen: (requirer, ctx) => {
      requirer.on("resourceCreated", ({ connection: c }) =>
        ctx.record("resourceCreated", { resource: c.resource, username: c.username, endpoints: c.endpoints }),
      );
      requirer.on("endpointsChanged", ({ connection: c }) =>
        ctx.record("endpointsChanged", { resource: c.resource, endpoints: c.endpoints }),
      );
    },
    rotated: (c) => ({ resource: c.resource }),
  },
  rotation:
    "valkey's leader sets new passwords (config password-seed=2): each secret-user gets a new revision",
});
