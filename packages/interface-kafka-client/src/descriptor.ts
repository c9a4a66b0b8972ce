/** What the tools list kafka_client by (`@charm-relations/cli/registry`). */

import { bagJsonSchemas, describeInterface } from "@charm-relations/juju-secrets-core/interface";
import { toWireJsonSchema } from "@charm-relations/juju-secrets-core/schema";
import { kafkaClient } from "./definition.js";
import * as s from "./schema.js";

const schemas = {
  provider: {
    v1: { app: s.providerAppV1, unit: s.providerUnit },
    v0: { app: s.providerAppV0, unit: s.providerUnit },
  },
  requirer: {
    v1: { app: s.requirerAppV1, unit: s.requirerUnit },
    v0: { app: s.requirerAppV0, unit: s.requirerUnit },
  },
} as const;

/** JSON Schemas of the secrets' contents (the databags': `descriptor.jsonSchema(side, contract)`). */
export const kafkaSecretJsonSchemas = () => ({
  user: toWireJsonSchema(s.userSecret),
  tls: toWireJsonSchema(s.tlsSecret),
  extra: toWireJsonSchema(s.extraSecret),
  mtls: toWireJsonSchema(s.mtlsSecret),
});

export const descriptor = describeInterface({
  name: "kafka_client",
  package: "@charm-relations/interface-kafka-client",
  summary: "Kafka topics with SCRAM users and mTLS client certificates (kafka-operator's `kafka-client`)",
  definition: kafkaClient,
  contracts: ["v1", "v0"],
  contractNote: "v1 requests (data_interfaces v1, kafka-operator since 2025-11) or v0 flat (KafkaRequires)",
  endpoints: { provider: ["kafka-client"], requirer: ["kafka-client", "kafka"] },
  defaultBag: "app",
  resourceKey: "topic",
  charms: {
    provider: "kafka-operator (kafka, kafka-k8s)",
    requirer: "kafka-test-app, data-integrator, karapace",
  },
  schemas,
  jsonSchema: bagJsonSchemas(schemas),
});
