/**
 * @charm-relations/interface-mysql-client: the `mysql_client` relation interface (the `database`
 * endpoint of mysql, mysql-k8s and mysql-router) for TypeScript Juju charms.
 */
export * from "./definition.js";
export { descriptor } from "./descriptor.js";
export * from "./provider.js";
export * from "./requirer.js";
export * from "./schema.js";
