/** What the tools list mongodb_client by (`@charm-relations/cli/registry`). */

import { describeInterface } from "@charm-relations/juju-secrets-core/interface";
import { mongodbClient } from "./definition.js";
import { mongodbJsonSchemas, providerAppV0, providerUnit, requirerAppV0, requirerUnit } from "./schema.js";

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
  schemas: {
    provider: { v0: { app: providerAppV0, unit: providerUnit } },
    requirer: { v0: { app: requirerAppV0, unit: requirerUnit } },
  },
  jsonSchema: (side) => {
    const js = mongodbJsonSchemas();
    return side === "provider"
      ? { app: js.providerApp!, unit: js.providerUnit! }
      : { app: js.requirerApp!, unit: js.requirerUnit! };
  },
});
