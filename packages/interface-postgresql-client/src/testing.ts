/**
 * `@charm-relations/interface-postgresql-client/testing`: what a charm author needs to test a charm
 * that speaks postgresql_client: a runner for in-process charms, databag builders with the real wire
 * bytes, reference counterpart charms, and the conformance suite (`providerConformance`,
 * `requirerConformance`) to run against your own provider or requirer charm.
 *
 * Nothing here imports a test framework: the suites return named checks you register with yours
 * (`for (const c of providerConformance(…)) it(c.name, c.run)`).
 */

import {
  DEFAULT_PROVIDED_SECRETS,
  DEFAULT_REQUESTED_SECRETS,
  formatCommaList,
  pyDumps,
  v0Snapshot,
} from "@charm-relations/juju-secrets-core/protocol";
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
} from "@charm-relations/juju-secrets-core/testing";
import type { PostgresqlConnection } from "./definition.js";
import { connectionUri, relationUsername } from "./helpers.js";
import { PostgresqlProvider } from "./provider.js";
import { type PostgresqlRequestOptions, PostgresqlRequirer } from "./requirer.js";
import { postgresqlClientScenario } from "./scenario.js";
import {
  entitySecret,
  providerAnsweredAppV0,
  requirerAppV0,
  requirerUnit,
  tlsSecret,
  userSecret,
} from "./schema.js";

/** The conformance scaffolding, shared with the other interface packages (from the core's testing module). */
export { type ConformanceCheck, ConformanceError, type ConformanceTarget, charmRunner };

// ---------------------------------------------------------------------------------------------
// Databag builders (the bytes the Python library writes)

/** The requirer app bag `DatabaseRequires` writes in relation-created. */
export function requirerAppDatabag(
  options: {
    database?: string;
    extraUserRoles?: readonly string[];
    /** `false` builds a pre-secrets requirer (no `requested-secrets`: the plain-text fallback). */
    requestedSecrets?: readonly string[] | false;
    providedSecrets?: readonly string[] | false;
    externalNodeConnectivity?: boolean;
  } = {},
): Record<string, string> {
  const bag: Record<string, string> = { database: options.database ?? "myapp" };
  if (options.requestedSecrets !== false) {
    bag["requested-secrets"] = pyDumps(options.requestedSecrets ?? DEFAULT_REQUESTED_SECRETS);
  }
  const provided =
    options.providedSecrets === false ? [] : (options.providedSecrets ?? DEFAULT_PROVIDED_SECRETS);
  if (provided.length) bag["provided-secrets"] = pyDumps(provided);
  if (options.extraUserRoles?.length) bag["extra-user-roles"] = formatCommaList(options.extraUserRoles);
  if (options.externalNodeConnectivity) bag["external-node-connectivity"] = "true";
  return bag;
}

/** A provider app bag in the plain-text fallback (what a provider writes for a pre-secrets requirer). */
export function plainProviderAppDatabag(
  requirerBag: Readonly<Record<string, string>>,
  options: {
    relationId?: number;
    password?: string;
    endpoints?: string;
    version?: string;
    tls?: boolean;
  } = {},
): Record<string, string> {
  const database = requirerBag.database ?? "myapp";
  const username = relationUsername(options.relationId ?? 0);
  const password = options.password ?? "03e46721fbb4139b883356f13d49aaa1";
  const endpoints = options.endpoints ?? "10.1.0.10:5432";
  return {
    data: v0Snapshot(requirerBag),
    database,
    endpoints,
    password,
    "read-only-endpoints": endpoints,
    tls: options.tls ? "True" : "False",
    uris: connectionUri({ username, password, endpoint: endpoints.split(",")[0]!, database }),
    username,
    version: options.version ?? "16.8.1",
  };
}

// ---------------------------------------------------------------------------------------------
// Reference counterparts (built on this package)

export interface ReferenceProviderOptions extends ReferenceProviderBase {
  readonly endpoints?: string;
  readonly version?: string;
}

/**
 * A provider that answers like the postgresql charm: `relation-<id>` with a password, `uris`, the
 * endpoints (read-only = read-write), version and `tls: False`, all in the requested hook.
 */
export function referenceProvider(options: ReferenceProviderOptions = {}): HookRunner {
  const endpoints = options.endpoints ?? "10.1.0.10:5432";
  return referenceProviderRunner(
    options,
    (charm, o) => new PostgresqlProvider(charm, o),
    (provider, _charm, password) =>
      provider.on("databaseRequested", ({ request }) => {
        const username = relationUsername(request.relation.id);
        const pw = password(request);
        const primary = endpoints.split(",")[0]!;
        provider.publish(request, {
          database: request.database,
          username,
          password: pw,
          uris: connectionUri({ username, password: pw, endpoint: primary, database: request.database }),
          endpoints,
          readOnlyEndpoints: endpoints,
          version: options.version ?? "16.8.1",
          tls: false,
        });
      }),
  );
}

/** A requirer on this package; `seen` collects every connection it was told about, per unit. */
export function referenceRequirer(
  options: Partial<PostgresqlRequestOptions> & { endpoint?: string } = {},
  seen: Map<string, PostgresqlConnection[]> = new Map(),
): HookRunner {
  return referenceRequirerRunner(seen, (charm, record) => {
    const requirer = new PostgresqlRequirer(charm, { database: "myapp", ...options });
    requirer.on("databaseCreated", record);
    requirer.on("credentialsRotated", record);
  });
}

// ---------------------------------------------------------------------------------------------
// Conformance suites

/** postgresql_client for the core's database suites, with its TLS spelling and entity secrets checked. */
const SUITE: DatabaseSuite = {
  interface: "postgresql_client",
  endpoint: "database",
  referenceProvider: () => referenceProvider(),
  referenceRequirer: (seen) => referenceRequirer({}, seen as Map<string, PostgresqlConnection[]> | undefined),
  answered: providerAnsweredAppV0,
  requirerApp: requirerAppV0,
  requirerUnit,
  userSecret,
  beforeRequest: ["endpoints", "read-only-endpoints", "encryption-secret"],
  tlsSecret,
  tlsSpellings: ["True", "False"],
  entitySecret,
  neverPlain: ["read-only-uris"],
};

/**
 * Checks for a provider charm (answered against this package's requirer in secrets mode and against a
 * pre-secrets requirer in plain text, with the wire rules of the Python library) and for a requirer
 * charm (same-hook request, per-unit snapshots, rotation, removal, against the reference provider).
 */
export const { providerConformance, requirerConformance } = databaseConformance(SUITE);

export * from "./scenario.js";

/** What the tools run postgresql_client with (`@charm-relations/cli/registry`). */
export const testingDescriptor: InterfaceTesting = {
  name: "postgresql_client",
  scenario: postgresqlClientScenario,
};
