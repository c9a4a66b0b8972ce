/** What the tools list connect_client by (`@charm-relations/cli/registry`). */

import { bagJsonSchemas, describeInterface } from "@charm-relations/juju-secrets-core/interface";
import { connectClient } from "./definition.js";
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
    v0: { app: providerAppV0, unit: providerUnit },
    v1: { app: providerAppV1, unit: providerUnit },
  },
  requirer: {
    v0: { app: requirerAppV0, unit: requirerUnit },
    v1: { app: requirerAppV1, unit: requirerUnit },
  },
} as const;

export const descriptor = describeInterface({
  name: "connect_client",
  package: "@charm-relations/interface-connect-client",
  summary: "Kafka Connect integrators (kafka-connect-operator's `connect-client`)",
  definition: connectClient,
  contracts: ["v0", "v1"],
  contractNote: "v0 flat (what kafka-connect-operator serves); our requirer can also speak v1",
  endpoints: { provider: ["connect-client"], requirer: ["connect-client"] },
  defaultBag: "app",
  resourceKey: "plugin-url",
  charms: {
    provider: "kafka-connect(-k8s)-operator",
    requirer: "kafkacl integrators (template-connect-integrator)",
  },
  schemas,
  jsonSchema: bagJsonSchemas(schemas),
});
