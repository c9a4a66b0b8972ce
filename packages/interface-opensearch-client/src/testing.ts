/**
 * `@charm-relations/interface-opensearch-client/testing`: what a charm author needs to test a charm
 * that speaks opensearch_client: a runner for in-process charms, the requirer bag as the Python library
 * writes it, reference counterpart charms, and the conformance suites (`providerConformance`,
 * `requirerConformance`) to run against your own provider or requirer charm.
 *
 * Nothing here imports a test framework: the suites return named checks you register with yours
 * (`for (const c of providerConformance(…)) it(c.name, c.run)`).
 */

import {
  DEFAULT_PROVIDED_SECRETS,
  DEFAULT_REQUESTED_SECRETS,
  pyDumps,
} from "@charm-relations/juju-secrets-core/protocol";
import {
  type ConformanceCheck,
  ConformanceError,
  type ConformanceTarget,
  charmRunner,
  type HookRunner,
  type InterfaceTesting,
  v0ProviderConformance,
  v0RequirerConformance,
} from "@charm-relations/juju-secrets-core/testing";
import { type OpenSearchConnection, opensearchClient } from "./definition.js";
import { OpenSearchProvider } from "./provider.js";
import { type OpenSearchRequestOptions, OpenSearchRequirer } from "./requirer.js";
import { opensearchClientScenario, TEST_CA } from "./scenario.js";

export { type ConformanceCheck, ConformanceError, type ConformanceTarget, charmRunner };

/** The requirer app bag `OpenSearchRequires` writes in relation-created. */
export function requirerAppDatabag(
  options: { index?: string; extraUserRoles?: string; requestedSecrets?: readonly string[] | false } = {},
): Record<string, string> {
  const bag: Record<string, string> = {
    index: options.index ?? "myindex",
    "provided-secrets": pyDumps(DEFAULT_PROVIDED_SECRETS),
  };
  if (options.extraUserRoles) bag["extra-user-roles"] = options.extraUserRoles;
  if (options.requestedSecrets !== false)
    bag["requested-secrets"] = pyDumps(options.requestedSecrets ?? DEFAULT_REQUESTED_SECRETS);
  return bag;
}

export interface ReferenceProviderOptions {
  readonly endpoints?: readonly string[];
  readonly version?: string;
  readonly password?: () => string;
  readonly endpoint?: string;
}

/**
 * A provider that answers like opensearch-operator: `opensearch-client_<id>` (`kibanaserver` for the
 * `kibana_server` role) with a password, the index, the CA chain, endpoints and version, in one hook.
 */
export function referenceProvider(options: ReferenceProviderOptions = {}): HookRunner {
  let n = 0;
  const password = options.password ?? (() => `reference-password-${++n}`);
  return charmRunner((charm) => {
    const provider = new OpenSearchProvider(charm, options.endpoint ? { endpoint: options.endpoint } : {});
    provider.on("indexRequested", ({ request }) => {
      provider.publish(request, {
        version: options.version ?? "2.17.0",
        username: request.extraUserRoles.includes("kibana_server")
          ? "kibanaserver"
          : `opensearch-client_${request.relation.id}`,
        password: provider.published(request).password ?? password(),
        index: request.index,
        tlsCa: TEST_CA,
        endpoints: options.endpoints ?? ["10.1.0.10:9200"],
      });
    });
  });
}

/** A requirer on this package; `seen` collects every connection it was told about, per unit. */
export function referenceRequirer(
  options: Partial<OpenSearchRequestOptions> & { endpoint?: string } = {},
  seen: Map<string, unknown[]> = new Map(),
): HookRunner {
  return charmRunner((charm) => {
    const requirer = new OpenSearchRequirer(charm, { index: "myindex", ...options });
    const record = ({ connection }: { connection: OpenSearchConnection }) =>
      void seen.set(charm.unit, [...(seen.get(charm.unit) ?? []), connection]);
    requirer.on("indexCreated", record);
    requirer.on("authenticationUpdated", record);
  });
}

const suite = {
  definition: opensearchClient,
  resource: "legacy",
  referenceRequirer: (seen: Map<string, unknown[]>) => referenceRequirer({}, seen),
  referenceProvider: (o?: { password?: () => string }) => referenceProvider(o ?? {}),
};

/** Checks for a provider charm, against this package's requirer and a pre-secrets requirer. */
export const providerConformance = (target: ConformanceTarget): ConformanceCheck[] =>
  v0ProviderConformance(suite, target);
/** Checks for a requirer charm, against this package's reference provider. */
export const requirerConformance = (target: ConformanceTarget): ConformanceCheck[] =>
  v0RequirerConformance(suite, target);

export * from "./scenario.js";

/** What the tools run for opensearch_client (`@charm-relations/cli/registry`): the `simulate` scenario. */
export const testingDescriptor: InterfaceTesting = {
  name: "opensearch_client",
  scenario: opensearchClientScenario,
};
