/**
 * postgresql_client: a PostgreSQL-like provider (answers every request with `relation-<id>`, a password,
 * endpoints, version and TLS off, in one hook) and a client asking for database `myapp`. Rotation: the
 * provider's leader sets a new password (config `password-seed`), like `set_credentials` does.
 */

import { type Scenario, seededScenario } from "@charm-relations/juju-secrets-core/testing";
import { connectionUri, PostgresqlProvider, PostgresqlRequirer, relationUsername } from "./index.js";

const PRIMARY = "10.1.0.10:5432";
const REPLICA = "10.1.0.11:5432";

export const postgresqlClientScenario: Scenario = seededScenario({
  contracts: ["v0"],
  endpoint: "database",
  provider: {
    app: "postgresql",
    create: (charm, endpoint) => new PostgresqlProvider(charm, { endpoint }),
    listen: (provider, ctx, answer) =>
      provider.on("databaseRequested", ({ request }) => {
        ctx.record("databaseRequested", { relation: request.relation.id, database: request.database });
        answer(request);
      }),
    answer: (provider, request, seeded) => {
      const username = relationUsername(request.relation.id);
      const password = seeded("pg", request.relation.id);
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
    },
  },
  requirer: {
    app: "myapp",
    create: (charm, endpoint) => new PostgresqlRequirer(charm, { endpoint, database: "myapp" }),
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
      requirer.on("readOnlyEndpointsChanged", ({ connection: c }) =>
        ctx.record("readOnlyEndpointsChanged", { readOnlyEndpoints: c.readOnlyEndpoints }),
      );
    },
  },
  rotation:
    "postgresql's leader sets a new password (config password-seed=2): secret-user gets a new revision",
});
