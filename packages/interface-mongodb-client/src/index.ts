/**
 * @charm-relations/interface-mongodb-client: the `mongodb_client` relation interface (the `database`
 * endpoint of mongodb and mongos) for TypeScript Juju charms.
 */
export * from "./definition.js";
export { descriptor } from "./descriptor.js";
export * from "./provider.js";
export * from "./requirer.js";
export * from "./schema.js";
