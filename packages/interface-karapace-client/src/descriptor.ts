/** What the tools list karapace_client by (`@charm-relations/cli/registry`). */

import { bagJsonSchemas, describeInterface } from "@charm-relations/juju-secrets-core/interface";
import { karapaceClient } from "./definition.js";
import { providerAppV0, providerUnit, requirerAppV0, requirerUnit } from "./schema.js";

const schemas = {
  provider: { v0: { app: providerAppV0, unit: providerUnit } },
  requirer: { v0: { app: requirerAppV0, unit: requirerUnit } },
} as const;

export const descriptor = describeInterface({
  name: "karapace_client",
  package: "@charm-relations/interface-karapace-client",
  summary: "Karapace schema registry subjects (karapace-operator's `karapace`)",
  definition: karapaceClient,
  contracts: ["v0"],
  contractNote: "v0 flat (data_interfaces v0, what karapace-operator serves)",
  endpoints: { provider: ["karapace"], requirer: ["karapace"] },
  defaultBag: "app",
  resourceKey: "subject",
  charms: { provider: "karapace-operator", requirer: "charms using KarapaceRequires" },
  schemas,
  jsonSchema: bagJsonSchemas(schemas),
});
