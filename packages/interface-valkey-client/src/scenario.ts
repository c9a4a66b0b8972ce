/**
 * valkey_client: a valkey-operator-like provider (one ACL user per key pattern, answered with
 * endpoints, sentinel endpoints, mode and version) and a client asking for its key patterns (two
 * requests in v1, one in v0). Rotation: the provider's leader sets new passwords (config
 * `password-seed`), which every client unit hears of as `credentialsRotated`.
 */

import { derivedPassword, type Scenario } from "@charm-relations/juju-secrets-core/testing";
import { ValkeyProvider, type ValkeyRequest, ValkeyRequirer } from "./index.js";

const ENDPOINT = "valkey-client";

export const valkeyClientScenario: Scenario = {
  contracts: ["v1", "v0"],
  defaultContract: "v1",
  build: (contract) => ({
    provider: {
      app: "valkey",
      endpoint: ENDPOINT,
      units: 2,
      config: { "password-seed": "1" },
      setup(charm, ctx) {
        const provider = new ValkeyProvider(charm, { endpoint: ENDPOINT });
        const password = (request: ValkeyRequest) =>
          derivedPassword(charm.model.config()["password-seed"], "valkey", request.username);
        provider.on("resourceRequested", ({ request }) => {
          ctx.record("resourceRequested", {
            relation: request.relation.id,
            resource: request.resource,
            username: request.username,
          });
          provider.publish(request, {
            username: request.username,
            password: password(request),
            endpoints: ["10.1.0.10:6379"],
            readOnlyEndpoints: ["10.1.0.11:6379"],
            sentinelEndpoints: ["10.1.0.10:26379", "10.1.0.11:26379"],
            mode: "sentinel",
            version: "9.0.1",
            tls: false,
          });
        });
        provider.on("resourcesRequested", ({ requests }) =>
          ctx.record("resourcesRequested", { resources: requests.map((r) => r.resource) }),
        );
        provider.on("requestRemoved", ({ request }) =>
          ctx.record("requestRemoved", { username: request.username }),
        );
        provider.on("invalid", ({ error }) => {
          ctx.record("invalid", { error: error.message });
          charm.model.setStatus("blocked", error.message);
        });
        provider.on("gone", ({ relation }) => ctx.record("gone", { relation: relation.id }));
        charm.on("configChanged", () => {
          if (!charm.model.isLeader()) return;
          // Same seed, same password: publishing again writes nothing and mints no revision.
          for (const request of provider.answeredRequests())
            provider.publish(request, { password: password(request) });
        });
      },
    },
    requirer: {
      app: "myapp",
      endpoint: ENDPOINT,
      units: 2,
      setup(charm, ctx) {
        const requirer = new ValkeyRequirer(charm, {
          endpoint: ENDPOINT,
          resources: contract === "v1" ? ["myapp:*", "sessions:*"] : ["myapp:*"],
          contract,
        });
        requirer.on("resourceCreated", ({ connection }) =>
          ctx.record("resourceCreated", {
            resource: connection.resource,
            username: connection.username,
            endpoints: connection.endpoints,
          }),
        );
        requirer.on("endpointsChanged", ({ connection }) =>
          ctx.record("endpointsChanged", { resource: connection.resource, endpoints: connection.endpoints }),
        );
        requirer.on("credentialsRotated", ({ connection, groups }) =>
          ctx.record("credentialsRotated", { resource: connection.resource, groups }),
        );
        requirer.on("gone", ({ relation }) => ctx.record("gone", { relation: relation.id }));
        requirer.on("invalid", ({ error }) => {
          ctx.record("invalid", { error: error.message });
          charm.model.setStatus("blocked", error.message);
        });
      },
    },
    rotate: {
      description:
        "valkey's leader sets new passwords (config password-seed=2): each secret-user gets a new revision",
      apply: (sim) => sim.configure("valkey", { "password-seed": "2" }),
    },
  }),
};
