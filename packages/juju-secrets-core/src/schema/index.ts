/**
 * @charm-relations/juju-secrets-core/schema: zod building blocks for an interface's schemas — value
 * codecs (booleans, comma lists, secret URIs, JSON in a string …), the protocol's databags built
 * around an interface's fields, and remote data through a schema into typed errors.
 *
 * Separate entry point so that charms that never validate do not load zod.
 */
export * from "./bags.js";
export * from "./codecs.js";
export * from "./lazy.js";
export * from "./parse.js";
export * from "./secrets.js";
