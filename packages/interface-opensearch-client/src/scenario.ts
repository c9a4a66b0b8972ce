/**
 * opensearch_client: an opensearch-operator-like provider (user `opensearch-client_<id>`, the index, the
 * CA chain, endpoints and version) and a client asking for `myindex` with the `admin` role. Rotation:
 * the provider's leader sets a new password (config `password-seed`); the client hears
 * `authenticationUpdated`.
 */

import { type Scenario, seededScenario } from "@charm-relations/juju-secrets-core/testing";
import { OpenSearchProvider, OpenSearchRequirer } from "./index.js";

/** A test CA chain (not a real certificate: the bytes the recording used). */
export const TEST_CA =
  "-----BEGIN CERTIFICATE-----\naGFybmVzcy1vcGVuc2VhcmNoLWFkbWluLWNhLWNoYWlu\n-----END CERTIFICATE-----";

export const opensearchClientScenario: Scenario = seededScenario({
  contracts: ["v0"],
  endpoint: "opensearch-client",
  provider: {
    app: "opensearch",
    create: (charm, endpoint) => new OpenSearchProvider(charm, { endpoint }),
    listen: (provider, ctx, answer) =>
      provider.on("indexRequested", ({ request }) => {
        ctx.record("indexRequested", {
          relation: request.relation.id,
          index: request.index,
          roles: request.extraUserRoles,
        });
        answer(request);
      }),
    answer: (provider, request, password) => {
      const username = `opensearch-client_${request.relation.id}`;
      provider.publish(request, {
        version: "2.17.0",
        username,
        password: password("opensearch", username),
        index: request.index,
        tlsCa: TEST_CA,
        endpoints: ["10.1.0.10:9200", "10.1.0.11:9200"],
      });
    },
  },
  requirer: {
    app: "app",
    create: (charm, endpoint) =>
      new OpenSearchRequirer(charm, { endpoint, index: "myindex", extraUserRoles: ["admin"] }),
    listen: (requirer, ctx) => {
      requirer.on("indexCreated", ({ connection: c }) =>
        ctx.record("indexCreated", { index: c.index, username: c.username ?? "", endpoints: c.endpoints }),
      );
      requirer.on("endpointsChanged", ({ connection: c }) =>
        ctx.record("endpointsChanged", { endpoints: c.endpoints }),
      );
      requirer.on("authenticationUpdated", ({ relation }) =>
        ctx.record("authenticationUpdated", { relation: relation.id }),
      );
    },
    rotated: false,
  },
  rotation:
    "opensearch's leader sets a new password (config password-seed=2): secret-user gets a new revision",
});
