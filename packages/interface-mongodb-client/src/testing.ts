/**
 * `@charm-relations/interface-mongodb-client/testing`: what a charm author needs to test a charm that
 * speaks mongodb_client: databag builders with the real wire bytes, reference counterpart charms, and the
 * conformance suites (`providerConformance`, `requirerConformance`) to run against your own charm.
 *
 * Nothing here imports a test framework: the suites return named checks you register with yours
 * (`for (const c of providerConformance(…)) it(c.name, c.run)`).
 */

import {
  type ConformanceCheck,
  ConformanceError,
  type ConformanceTarget,
  charmRunner,
  type DatabaseSuite,
  databaseConformance,
  type HookRunner,
  type InterfaceTesting,
  type ReferenceProviderBase,
  referenceProviderRunner,
  referenceRequirerRunner,
  v0RequirerAppBag,
} from "@charm-relations/juju-secrets-core/testing";
import type { MongodbConnection } from "./definition.js";
import { MongodbProvider, mongodbUri, relationUsername } from "./provider.js";
import { type MongodbRequestOptions, MongodbRequirer } from "./requirer.js";
import { mongodbClientScenario } from "./scenario.js";
import { providerAnsweredAppV0, requirerAppV0, requirerUnit, userSecret } from "./schema.js";

export { type ConformanceCheck, ConformanceError, type ConformanceTarget, charmRunner };

/** The requirer app bag `DatabaseRequires` writes in relation-created (recorded bytes). */
export function requirerAppDatabag(
  options: { database?: string; requestedSecrets?: readonly string[] } = {},
): Record<string, string> {
  return v0RequirerAppBag("database", options.database ?? "myapp", options);
}

export interface ReferenceProviderOptions extends ReferenceProviderBase {
  /** Replica-set member IPs, comma-separated (default `10.1.0.10`). */
  readonly endpoints?: string;
  /** Default `mongodb` (the application name, as mongodb-operator sets it). */
  readonly replset?: string;
}

/**
 * A provider that answers like mongodb-operator: user `relation-<id>` with a password and its
 * connection string in `secret-user`, database echo, member IPs and replica-set name, in one hook.
 */
export function referenceProvider(options: ReferenceProviderOptions = {}): HookRunner {
  const endpoints = options.endpoints ?? "10.1.0.10";
  const replset = options.replset ?? "mongodb";
  return referenceProviderRunner(
    options,
    (charm, o) => new MongodbProvider(charm, o),
    (provider, _charm, password) =>
      provider.on("databaseRequested", ({ request }) => {
        const username = relationUsername(request.relation.id);
        const pw = password(request);
        const hosts = endpoints.split(",");
        provider.publish(request, {
          database: request.database,
          username,
          password: pw,
          uris: mongodbUri({ username, password: pw, hosts, database: request.database, replset }),
          endpoints,
          replset,
        });
      }),
  );
}

/** A requirer on this package; `seen` collects every connection it was told about, per unit. */
export function referenceRequirer(
  options: Partial<MongodbRequestOptions> & { endpoint?: string } = {},
  seen: Map<string, MongodbConnection[]> = new Map(),
): HookRunner {
  return referenceRequirerRunner(seen, (charm, record) => {
    const requirer = new MongodbRequirer(charm, { database: "myapp", ...options });
    requirer.on("databaseCreated", record);
    requirer.on("credentialsRotated", record);
  });
}

/** mongodb_client for the core's database suites. */
const SUITE: DatabaseSuite = {
  interface: "mongodb_client",
  endpoint: "database",
  referenceProvider: () => referenceProvider(),
  referenceRequirer: (seen) => referenceRequirer({}, seen as Map<string, MongodbConnection[]> | undefined),
  answered: providerAnsweredAppV0,
  requirerApp: requirerAppV0,
  requirerUnit,
  userSecret,
  beforeRequest: ["endpoints", "read-only-endpoints", "replset", "encryption-secret"],
};

/** Checks for a provider charm (against this package's requirer and a pre-secrets requirer) and for a requirer charm (against this package's reference provider). */
export const { providerConformance, requirerConformance } = databaseConformance(SUITE);

export * from "./scenario.js";

/** What the tools run mongodb_client with (`@charm-relations/cli/registry`). */
export const testingDescriptor: InterfaceTesting = {
  name: "mongodb_client",
  scenario: mongodbClientScenario,
};
