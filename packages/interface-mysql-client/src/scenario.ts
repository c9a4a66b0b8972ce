/**
 * mysql_client: a mysql-operator-like provider (answers every request with `relation-<id>_<uuid>`, a
 * password, endpoints, read-only endpoints and version, in one hook) and a client asking for database
 * `myapp`. Rotation: the provider's leader sets a new password (config `password-seed`).
 */

import { type Scenario, seededScenario } from "@charm-relations/juju-secrets-core/testing";
import { MysqlProvider, MysqlRequirer, relationUsername } from "./index.js";

export const mysqlClientScenario: Scenario = seededScenario({
  contracts: ["v0"],
  endpoint: "database",
  provider: {
    app: "mysql",
    create: (charm, endpoint) => new MysqlProvider(charm, { endpoint }),
    listen: (provider, ctx, answer) =>
      provider.on("databaseRequested", ({ request }) => {
        ctx.record("databaseRequested", { relation: request.relation.id, database: request.database });
        answer(request);
      }),
    answer: (provider, request, password, charm) =>
      provider.publish(request, {
        database: request.database,
        endpoints: ["10.1.0.10:3306"],
        readOnlyEndpoints: ["10.1.0.11:3306"],
        version: "8.0.39-0ubuntu0.22.04.1",
        username: relationUsername(request.relation.id, charm.model.modelUuid),
        password: password("mysql", request.relation.id).slice(0, 24),
      }),
  },
  requirer: {
    app: "myapp",
    create: (charm, endpoint) => new MysqlRequirer(charm, { endpoint, database: "myapp" }),
    listen: (requirer, ctx) => {
      requirer.on("databaseCreated", ({ connection: c }) =>
        ctx.record("databaseCreated", {
          database: c.database,
          username: c.username ?? "",
          endpoints: c.endpoints,
        }),
      );
      requirer.on("endpointsChanged", ({ connection: c }) =>
        ctx.record("endpointsChanged", { endpoints: c.endpoints }),
      );
    },
  },
  rotation: "mysql's leader sets a new password (config password-seed=2): secret-user gets a new revision",
});
