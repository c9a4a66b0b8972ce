/**
 * @charm-relations/interface-karapace-client: the `karapace_client` relation interface (the `karapace`
 * endpoint of the Karapace schema registry charm) for TypeScript Juju charms.
 */
export * from "./definition.js";
export { descriptor } from "./descriptor.js";
export * from "./provider.js";
export * from "./requirer.js";
export * from "./schema.js";
