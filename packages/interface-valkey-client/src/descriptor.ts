/** What the tools list valkey_client by (`@charm-relations/cli/registry`). */

import { bagJsonSchemas, describeInterface } from "@charm-relations/juju-secrets-core/interface";
import { valkeyClient } from "./definition.js";
import {
  providerAppV0,
  providerAppV1,
  providerUnit,
  requirerAppV0,
  requirerAppV1,
  requirerUnit,
} from "./schema.js";

const schemas = {
  provider: {
    v1: { app: providerAppV1, unit: providerUnit },
    v0: { app: providerAppV0, unit: providerUnit },
  },
  requirer: {
    v1: { app: requirerAppV1, unit: requirerUnit },
    v0: { app: requirerAppV0, unit: requirerUnit },
  },
} as const;

export const descriptor = describeInterface({
  name: "valkey_client",
  package: "@charm-relations/interface-valkey-client",
  summary: "Valkey key patterns with ACL users (valkey-operator's `valkey-client`)",
  definition: valkeyClient,
  contracts: ["v1", "v0"],
  contractNote: "v1 requests (dpcharmlibs clients) or v0 flat (DatabaseRequires clients)",
  endpoints: { provider: ["valkey-client"], requirer: ["valkey-client", "valkey"] },
  defaultBag: "app",
  resourceKey: "database",
  charms: { provider: "valkey-operator", requirer: "valkey-operator's test requirer, dpcharmlibs clients" },
  schemas,
  jsonSchema: bagJsonSchemas(schemas),
});
