/** What the tools list mongodb_client by (`@charm-relations/cli/registry`). */

import { bagJsonSchemas, describeInterface } from "@charm-relations/juju-secrets-core/interface";
import { mongodbClient } from "./definition.js";
import { providerAppV0, providerUnit, requirerAppV0, requirerUnit } from "./schema.js";

const schemas = {
  provider: { v0: { app: providerAppV0, unit: providerUnit } },
  requirer: { v0: { app: requirerAppV0, unit: requirerUnit } },
} as const;

export const descriptor = describeInterface({
  name: "mongodb_client",
  package: "@charm-relations/interface-mongodb-client",
  summary: "Databases from MongoDB and mongos (the `database` endpoint)",
  definition: mongodbClient,
  contracts: ["v0"],
  contractNote: "v0 flat (the contract mongodb-operator serves)",
  endpoints: { provider: ["database"], requirer: ["database"] },
  defaultBag: "app",
  resourceKey: "database",
  charms: { provider: "mongodb(-k8s)-operator, mongos", requirer: "any DatabaseRequires client" },
  schemas,
  jsonSchema: bagJsonSchemas(schemas),
});
