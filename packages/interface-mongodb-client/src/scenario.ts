/**
 * mongodb_client: a mongodb-operator-like provider (answers every request with `relation-<id>`, a
 * password and its connection string in `secret-user`, the member hosts and the replica set, in one
 * hook) and a client asking for database `myapp`. Rotation: the provider's leader sets a new password
 * (config `password-seed`), which changes the connection string in the same revision.
 */

import { type Scenario, seededScenario } from "@charm-relations/juju-secrets-core/testing";
import { MongodbProvider, MongodbRequirer, mongodbUri, relationUsername } from "./index.js";

const HOSTS = ["10.1.0.10", "10.1.0.11"];

export const mongodbClientScenario: Scenario = seededScenario({
  contracts: ["v0"],
  endpoint: "database",
  provider: {
    app: "mongodb",
    create: (charm, endpoint) => new MongodbProvider(charm, { endpoint }),
    listen: (provider, ctx, answer) =>
      provider.on("databaseRequested", ({ request }) => {
        ctx.record("databaseRequested", { relation: request.relation.id, database: request.database });
        answer(request);
      }),
    answer: (provider, request, seeded, charm) => {
      const username = relationUsername(request.relation.id);
      const password = seeded("mongodb", request.relation.id);
      const replset = charm.model.appName;
      provider.publish(request, {
        database: request.database,
        username,
        password,
        uris: mongodbUri({ username, password, hosts: HOSTS, database: request.database, replset }),
        endpoints: HOSTS,
        replset,
      });
    },
  },
  requirer: {
    app: "myapp",
    create: (charm, endpoint) => new MongodbRequirer(charm, { endpoint, database: "myapp" }),
    listen: (requirer, ctx) => {
      requirer.on("databaseCreated", ({ connection: c }) =>
        ctx.record("databaseCreated", {
          database: c.database,
          username: c.username ?? "",
          endpoints: c.endpoints,
          replset: c.replset ?? "",
        }),
      );
      requirer.on("endpointsChanged", ({ connection: c }) =>
        ctx.record("endpointsChanged", { endpoints: c.endpoints }),
      );
    },
  },
  rotation:
    "mongodb's leader sets a new password (config password-seed=2): secret-user (password, uris) gets a new revision",
});
