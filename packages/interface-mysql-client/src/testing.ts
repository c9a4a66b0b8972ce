/**
 * `@charm-relations/interface-mysql-client/testing`: what a charm author needs to test a charm that
 * speaks mysql_client: databag builders with the real wire bytes, reference counterpart charms, and the
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
import type { MysqlConnection } from "./definition.js";
import { MysqlProvider, relationUsername } from "./provider.js";
import { type MysqlRequestOptions, MysqlRequirer } from "./requirer.js";
import { mysqlClientScenario } from "./scenario.js";
import { providerAnsweredAppV0, requirerAppV0, requirerUnit, userSecret } from "./schema.js";

export { type ConformanceCheck, ConformanceError, type ConformanceTarget, charmRunner };

/** The version the recorded mysql-operator published. */
export const RECORDED_VERSION = "8.0.39-0ubuntu0.22.04.1";

/** The requirer app bag `DatabaseRequires` writes in relation-created (recorded bytes). */
export function requirerAppDatabag(
  options: { database?: string; requestedSecrets?: readonly string[] } = {},
): Record<string, string> {
  return v0RequirerAppBag("database", options.database ?? "myapp", options);
}

export interface ReferenceProviderOptions extends ReferenceProviderBase {
  readonly endpoints?: string;
  readonly readOnlyEndpoints?: string;
  readonly version?: string;
}

/**
 * A provider that answers like mysql-operator: user `relation-<id>_<uuid hex>`[:26] with a password,
 * database echo, endpoints, read-only endpoints and version, all in the requested hook.
 */
export function referenceProvider(options: ReferenceProviderOptions = {}): HookRunner {
  const endpoints = options.endpoints ?? "10.1.0.10:3306";
  return referenceProviderRunner(
    options,
    (charm, o) => new MysqlProvider(charm, o),
    (provider, charm, password) =>
      provider.on("databaseRequested", ({ request }) =>
        provider.publish(request, {
          database: request.database,
          username: relationUsername(request.relation.id, charm.model.modelUuid),
          password: password(request),
          endpoints,
          readOnlyEndpoints: options.readOnlyEndpoints ?? endpoints,
          version: options.version ?? RECORDED_VERSION,
        }),
      ),
  );
}

/** A requirer on this package; `seen` collects every connection it was told about, per unit. */
export function referenceRequirer(
  options: Partial<MysqlRequestOptions> & { endpoint?: string } = {},
  seen: Map<string, MysqlConnection[]> = new Map(),
): HookRunner {
  return referenceRequirerRunner(seen, (charm, record) => {
    const requirer = new MysqlRequirer(charm, { database: "myapp", ...options });
    requirer.on("databaseCreated", record);
    requirer.on("credentialsRotated", record);
  });
}

/** mysql_client for the core's database suites. */
const SUITE: DatabaseSuite = {
  interface: "mysql_client",
  endpoint: "database",
  referenceProvider: () => referenceProvider(),
  referenceRequirer: (seen) => referenceRequirer({}, seen as Map<string, MysqlConnection[]> | undefined),
  answered: providerAnsweredAppV0,
  requirerApp: requirerAppV0,
  requirerUnit,
  userSecret,
  beforeRequest: ["endpoints", "read-only-endpoints", "encryption-secret"],
};

/** Checks for a provider charm (against this package's requirer and a pre-secrets requirer) and for a requirer charm (against this package's reference provider). */
export const { providerConformance, requirerConformance } = databaseConformance(SUITE);

export * from "./scenario.js";

/** What the tools run mysql_client with (`@charm-relations/cli/registry`). */
export const testingDescriptor: InterfaceTesting = { name: "mysql_client", scenario: mysqlClientScenario };
