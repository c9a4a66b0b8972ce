/**
 * @charm-relations/interface-kafka-client: the `kafka_client` relation interface (kafka-operator's
 * `kafka-client` endpoint) for TypeScript charms, byte-compatible with kafka-operator and the
 * data_interfaces `KafkaRequires` / v1 clients. v1 requests by default, v0 as an option; the provider
 * serves both; mTLS client certificates on both.
 */
export * from "./definition.js";
export * from "./descriptor.js";
export * from "./provider.js";
export * from "./requirer.js";
export * from "./schema.js";
