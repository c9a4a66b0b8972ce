/**
 * @charm-relations/interface-etcd-client: the etcd_client relation interface (charmed-etcd's
 * `etcd-client` endpoint) for TypeScript charms — mTLS client certificates, v1 and v0 contracts,
 * cross-model Fernet path, byte-compatible with the Python `data_interfaces` libraries.
 */
export * from "./certificate.js";
export * from "./definition.js";
export { descriptor } from "./descriptor.js";
export * from "./provider.js";
export * from "./requirer.js";
export * from "./schema.js";
