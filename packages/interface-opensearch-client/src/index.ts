/**
 * @charm-relations/interface-opensearch-client: the `opensearch_client` relation interface (the
 * `opensearch-client` endpoint of the OpenSearch charm) for TypeScript Juju charms.
 */
export * from "./definition.js";
export { descriptor } from "./descriptor.js";
export * from "./provider.js";
export * from "./requirer.js";
export * from "./schema.js";
