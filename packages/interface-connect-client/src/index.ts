/**
 * @charm-relations/interface-connect-client: the `connect_client` relation interface (Kafka Connect
 * integrators) for TypeScript charms, byte-compatible with kafka-connect-operator and data_interfaces v0.
 */
export * from "./definition.js";
export { descriptor } from "./descriptor.js";
export * from "./plugin.js";
export * from "./provider.js";
export * from "./requirer.js";
export * from "./rest.js";
export * from "./schema.js";
