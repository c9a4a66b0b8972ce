/**
 * mongodb_client: a mongodb-operator-like provider (answers every request with `relation-<id>`, a
 * password and its connection string in `secret-user`, the member hosts and the replica set, in one
 * hook) and a client asking for database `myapp`. Rotation: the provider's leader sets a new password
 * (config `password-seed`), which changes the connection string in the same revision.
 */

import { derivedPassword, type Scenario } from "@charm-relations/juju-secrets-core/testing";
import {
  MongodbProvider,
  type MongodbRequest,
  MongodbRequirer,
  mongodbUri,
  relationUsername,
} from "./index.js";

const ENDPOINT = "database";
const HOSTS = ["10.1.0.10", "10.1.0.11"];

export const mongodbClientScenario: Scenario = {
  contracts: ["v0"],
  defaultContract: "v0",
  build: () => ({
    provider: {
      app: "mongodb",
      endpoint: ENDPOINT,
      units: 2,
      config: { "password-seed": "1" },
      setup(charm, ctx) {
        const provider = new MongodbProvider(charm, { endpoint: ENDPOINT });
        const answer = (request: MongodbRequest) => {
          const username = relationUsername(request.relation.id);
          const password = derivedPassword(
            charm.model.config()["password-seed"],
            "mongodb",
            request.relation.id,
          );
          const replset = charm.model.appName;
          provider.publish(request, {
            database: request.database,
            username,
            password,
            uris: mongodbUri({ username, password, hosts: HOSTS, database: request.database, replset }),
            endpoints: HOSTS,
            replset,
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
          if (charm.model.isLeader()) for (const request of provider.requests()) answer(request);
        });
      },
    },
    requirer: {
      app: "myapp",
      endpoint: ENDPOINT,
      units: 2,
      setup(charm, ctx) {
        const requirer = new MongodbRequirer(charm, { endpoint: ENDPOINT, database: "myapp" });
        requirer.on("databaseCreated", ({ connection }) =>
          ctx.record("databaseCreated", {
            database: connection.database,
            username: connection.username ?? "",
            endpoints: connection.endpoints,
            replset: connection.replset ?? "",
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
        "mongodb's leader sets a new password (config password-seed=2): secret-user (password, uris) gets a new revision",
      apply: (sim) => sim.configure("mongodb", { "password-seed": "2" }),
    },
  }),
};
