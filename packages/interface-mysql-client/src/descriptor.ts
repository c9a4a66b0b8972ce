/** What the tools list mysql_client by (`@charm-relations/cli/registry`). */

import { bagJsonSchemas, describeInterface } from "@charm-relations/juju-secrets-core/interface";
import { mysqlClient } from "./definition.js";
import { providerAppV0, providerUnit, requirerAppV0, requirerUnit } from "./schema.js";

const schemas = {
  provider: { v0: { app: providerAppV0, unit: providerUnit } },
  requirer: { v0: { app: requirerAppV0, unit: requirerUnit } },
} as const;

export const descriptor = describeInterface({
  name: "mysql_client",
  package: "@charm-relations/interface-mysql-client",
  summary: "Databases from MySQL and MySQL Router (the `database` endpoint)",
  definition: mysqlClient,
  contracts: ["v0"],
  contractNote: "v0 flat (the contract the MySQL charms serve)",
  endpoints: { provider: ["database"], requirer: ["database", "backend-database"] },
  defaultBag: "app",
  resourceKey: "database",
  charms: {
    provider: "mysql(-k8s)-operator, mysql-router(-k8s)-operator",
    requirer: "any DatabaseRequires client; mysql-router's backend-database",
  },
  schemas,
  jsonSchema: bagJsonSchemas(schemas),
});
