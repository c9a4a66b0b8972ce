/** What the tools list postgresql_client by (`@charm-relations/cli/registry`). */

import { describeInterface } from "@charm-relations/juju-secrets-core/interface";
import { postgresqlClient } from "./definition.js";
import { jsonSchema } from "./json-schema.js";
import { providerAppV0, providerUnit, requirerAppV0, requirerUnit } from "./schema.js";

export const descriptor = describeInterface({
  name: "postgresql_client",
  package: "@charm-relations/interface-postgresql-client",
  summary: "Databases from PostgreSQL and PgBouncer (the `database` endpoint)",
  definition: postgresqlClient,
  contracts: ["v0"],
  contractNote: "v0 flat (the contract the PostgreSQL charms serve)",
  endpoints: { provider: ["database"], requirer: ["database", "backend-database"] },
  defaultBag: "app",
  resourceKey: "database",
  charms: {
    provider: "postgresql(-k8s)-operator, pgbouncer(-k8s)-operator",
    requirer: "any DatabaseRequires client; pgbouncer's backend-database",
  },
  schemas: {
    provider: { v0: { app: providerAppV0, unit: providerUnit } },
    requirer: { v0: { app: requirerAppV0, unit: requirerUnit } },
  },
  jsonSchema: (side) =>
    side === "provider"
      ? { app: jsonSchema("provider-app"), unit: jsonSchema("provider-unit") }
      : { app: jsonSchema("requirer-app"), unit: jsonSchema("requirer-unit") },
});
