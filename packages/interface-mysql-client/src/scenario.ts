/**
 * mysql_client: a mysql-operator-like provider (answers every request with `relation-<id>_<uuid>`, a
 * password, endpoints, read-only endpoints and version, in one hook) and a client asking for database
 * `myapp`. Rotation: the provider's leader sets a new password (config `password-seed`).
 */

import { derivedPassword, type Scenario } from "@charm-relations/juju-secrets-core/testing";
import { MysqlProvider, type MysqlRequest, MysqlRequirer, relationUsername } from "./index.js";

const ENDPOINT = "database";

export const mysqlClientScenario: Scenario = {
  contracts: ["v0"],
  defaultContract: "v0",
  build: () => ({
    provider: {
      app: "mysql",
      endpoint: ENDPOINT,
      units: 2,
      config: { "password-seed": "1" },
      setup(charm, ctx) {
        const provider = new MysqlProvider(charm, { endpoint: ENDPOINT });
        const answer = (request: MysqlRequest) =>
          provider.publish(request, {
            database: request.database,
            endpoints: ["10.1.0.10:3306"],
            readOnlyEndpoints: ["10.1.0.11:3306"],
            version: "8.0.39-0ubuntu0.22.04.1",
            username: relationUsername(request.relation.id, charm.model.modelUuid),
            password: derivedPassword(
              charm.model.config()["password-seed"],
              "mysql",
              request.relation.id,
            ).slice(0, 24),
          });
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
        const requirer = new MysqlRequirer(charm, { endpoint: ENDPOINT, database: "myapp" });
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
        "mysql's leader sets a new password (config password-seed=2): secret-user gets a new revision",
      apply: (sim) => sim.configure("mysql", { "password-seed": "2" }),
    },
  }),
};
