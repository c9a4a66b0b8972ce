/** What the tools list opensearch_client by (`@charm-relations/cli/registry`). */

import { bagJsonSchemas, describeInterface } from "@charm-relations/juju-secrets-core/interface";
import { opensearchClient } from "./definition.js";
import { providerAppV0, providerUnit, requirerAppV0, requirerUnit } from "./schema.js";

const schemas = {
  provider: { v0: { app: providerAppV0, unit: providerUnit } },
  requirer: { v0: { app: requirerAppV0, unit: requirerUnit } },
} as const;

export const descriptor = describeInterface({
  name: "opensearch_client",
  package: "@charm-relations/interface-opensearch-client",
  summary: "OpenSearch indices (opensearch-operator's `opensearch-client`)",
  definition: opensearchClient,
  contracts: ["v0"],
  contractNote: "v0 flat (data_interfaces v0, what opensearch-operator serves)",
  endpoints: { provider: ["opensearch-client"], requirer: ["opensearch-client"] },
  defaultBag: "app",
  resourceKey: "index",
  charms: {
    provider: "opensearch-operator",
    requirer: "charms using OpenSearchRequires (e.g. opensearch-dashboards)",
  },
  schemas,
  jsonSchema: bagJsonSchemas(schemas),
});
