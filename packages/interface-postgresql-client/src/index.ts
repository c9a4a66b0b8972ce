/**
 * @charm-relations/interface-postgresql-client: the `postgresql_client` relation interface (the
 * `database` endpoint of the PostgreSQL and PgBouncer charms) for TypeScript Juju charms.
 */
export * from "./definition.js";
export { descriptor } from "./descriptor.js";
export * from "./examples.js";
export * from "./helpers.js";
export * from "./json-schema.js";
export * from "./provider.js";
export * from "./requirer.js";
export * from "./schema.js";
