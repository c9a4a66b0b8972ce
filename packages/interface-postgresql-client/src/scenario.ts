/**
 * postgresql_client: a PostgreSQL-like provider (answers every request with `relation-<id>`, a password,
 * endpoints, version and TLS off, in one hook) and a client asking for database `myapp`. Rotation: the
 * provider's leader sets a new password (config `password-seed`), like `set_credentials` does.
 */

import { derivedPassword, type Scenario } from "@charm-relations/juju-secrets-core/testing";
import {
  connectionUri,
  PostgresqlProvider,
  type PostgresqlRequest,
  PostgresqlRequirer,
  relationUsername,
} from "./index.js";

const ENDPOINT = "database";
const PRIMARY = "10.1.0.10:5432";
const REPLICA = "10.1.0.11:5432";

export const postgresqlClientScenario: Scenario = {
  contracts: ["v0"],
  defaultContract: "v0",
  build: () => ({
    provider: {
      app: "postgresql",
      endpoint: ENDPOINT,
      units: 2,
      config: { "password-seed": "1" },
      setup(charm, ctx) {
        const provider = new PostgresqlProvider(charm, { endpoint: ENDPOINT });
        const answer = (request: PostgresqlRequest) => {
          const username = relationUsername(request.relation.id);
          const password = derivedPassword(charm.model.config()["password-seed"], "pg", request.relation.id);
          provider.publish(request, {
            database: request.database,
            endpoints: [PRIMARY],
            readOnlyEndpoints: [REPLICA],
            version: "16.8.1",
            username,
            password,
            uris: connectionUri({ username, password, endpoint: PRIMARY, database: request.database }),
            tls: false,
          });
        };
        provider.on("databaseRequested", ({ request }) => {
          ctx.record("databaseRequested", { relation: request.relation.id, database: request.database });
          answer(request);
        });
        provider.on("invalid", ({ error }) => {
          ctx.record("invalid", { error: error.message });
          charm.model.setStatus("blocked", error.message);
        });
        provider.on("gone", ({ relation, departing }) =>
          ctx.record("gone", { relation: relation.id, departing }),
        );
        charm.on("configChanged", () => {
          // A new password seed is a credential rotation: republish for every request (in place).
          if (charm.model.isLeader()) for (const request of provider.requests()) answer(request);
        });
      },
    },
    requirer: {
      app: "myapp",
      endpoint: ENDPOINT,
      units: 2,
      setup(charm, ctx) {
        const requirer = new PostgresqlRequirer(charm, { endpoint: ENDPOINT, database: "myapp" });
        requirer.on("databaseCreated", ({ connection }) =>
          ctx.record("databaseCreated", {
            database: connection.database,
            username: connection.username ?? "",
            endpoints: connection.endpoints,
          }),
        );
        requirer.on("endpointsChanged", ({ connection }) =>
          ctx.record("endpointsChanged", { endpoints: connection.endpoints }),
        );
        requirer.on("readOnlyEndpointsChanged", ({ connection }) =>
          ctx.record("readOnlyEndpointsChanged", { readOnlyEndpoints: connection.readOnlyEndpoints }),
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
        "postgresql's leader sets a new password (config password-seed=2): secret-user gets a new revision",
      apply: (sim) => sim.configure("postgresql", { "password-seed": "2" }),
    },
  }),
};
