/**
 * @charm-relations/interface-valkey-client: the `valkey_client` relation interface (Valkey's
 * `valkey-client` endpoint) for TypeScript charms, byte-compatible with valkey-operator and the
 * dpcharmlibs / data_interfaces clients. v1 requests by default (several key patterns per relation),
 * v0 (`DatabaseRequires`) as an option; the provider serves both.
 */
export * from "./acl.js";
export * from "./definition.js";
export { descriptor } from "./descriptor.js";
export * from "./provider.js";
export * from "./requirer.js";
export * from "./schema.js";
