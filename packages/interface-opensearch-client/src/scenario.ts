/**
 * opensearch_client: an opensearch-operator-like provider (user `opensearch-client_<id>`, the index, the
 * CA chain, endpoints and version) and a client asking for `myindex` with the `admin` role. Rotation:
 * the provider's leader sets a new password (config `password-seed`); the client hears
 * `authenticationUpdated`.
 */

import { derivedPassword, type Scenario } from "@charm-relations/juju-secrets-core/testing";
import { OpenSearchProvider, type OpenSearchRequest, OpenSearchRequirer } from "./index.js";

const ENDPOINT = "opensearch-client";

/** A test CA chain (not a real certificate: the bytes the recording used). */
export const TEST_CA =
  "-----BEGIN CERTIFICATE-----\naGFybmVzcy1vcGVuc2VhcmNoLWFkbWluLWNhLWNoYWlu\n-----END CERTIFICATE-----";

export const opensearchClientScenario: Scenario = {
  contracts: ["v0"],
  defaultContract: "v0",
  build: () => ({
    provider: {
      app: "opensearch",
      endpoint: ENDPOINT,
      units: 2,
      config: { "password-seed": "1" },
      setup(charm, ctx) {
        const provider = new OpenSearchProvider(charm, { endpoint: ENDPOINT });
        const answer = (request: OpenSearchRequest) => {
          const username = `opensearch-client_${request.relation.id}`;
          provider.publish(request, {
            version: "2.17.0",
            username,
            password: derivedPassword(charm.model.config()["password-seed"], "opensearch", username),
            index: request.index,
            tlsCa: TEST_CA,
            endpoints: ["10.1.0.10:9200", "10.1.0.11:9200"],
          });
        };
        provider.on("indexRequested", ({ request }) => {
          ctx.record("indexRequested", {
            relation: request.relation.id,
            index: request.index,
            roles: request.extraUserRoles,
          });
          answer(request);
        });
        provider.on("gone", ({ relation, departing }) =>
          ctx.record("gone", { relation: relation.id, departing }),
        );
        provider.on("invalid", ({ error }) => ctx.record("invalid", { error: error.message }));
        charm.on("configChanged", () => {
          if (charm.model.isLeader()) for (const request of provider.answeredRequests()) answer(request);
        });
      },
    },
    requirer: {
      app: "app",
      endpoint: ENDPOINT,
      units: 2,
      setup(charm, ctx) {
        const requirer = new OpenSearchRequirer(charm, {
          endpoint: ENDPOINT,
          index: "myindex",
          extraUserRoles: ["admin"],
        });
        requirer.on("indexCreated", ({ connection: c }) =>
          ctx.record("indexCreated", { index: c.index, username: c.username ?? "", endpoints: c.endpoints }),
        );
        requirer.on("endpointsChanged", ({ connection: c }) =>
          ctx.record("endpointsChanged", { endpoints: c.endpoints }),
        );
        requirer.on("authenticationUpdated", ({ relation }) =>
          ctx.record("authenticationUpdated", { relation: relation.id }),
        );
        requirer.on("gone", ({ relation }) => ctx.record("gone", { relation: relation.id }));
        requirer.on("invalid", ({ error }) => ctx.record("invalid", { error: error.message }));
      },
    },
    rotate: {
      description:
        "opensearch's leader sets a new password (config password-seed=2): secret-user gets a new revision",
      apply: (sim) => sim.configure("opensearch", { "password-seed": "2" }),
    },
  }),
};
