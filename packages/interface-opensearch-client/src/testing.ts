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
  type ConformanceCheck,
  ConformanceError,
  type ConformanceTarget,
  charmRunner,
  type HookRunner,
  type InterfaceTesting,
  type ReferenceProviderBase,
  referenceProviderRunner,
  referenceRequirerRunner,
  type V0RequirerBagOptions,
  v0Conformance,
  v0RequirerAppBag,
} from "@charm-relations/juju-secrets-core/testing";
import { opensearchClient } from "./definition.js";
import { OpenSearchProvider } from "./provider.js";
import { type OpenSearchRequestOptions, OpenSearchRequirer } from "./requirer.js";
import { opensearchClientScenario, TEST_CA } from "./scenario.js";

export { type ConformanceCheck, ConformanceError, type ConformanceTarget, charmRunner };

/** The requirer app bag `OpenSearchRequires` writes in relation-created. */
export function requirerAppDatabag(
  options: V0RequirerBagOptions & { index?: string } = {},
): Record<string, string> {
  return v0RequirerAppBag("index", options.index ?? "myindex", options);
}

export interface ReferenceProviderOptions extends ReferenceProviderBase {
  readonly endpoints?: readonly string[];
  readonly version?: string;
}

/**
 * A provider that answers like opensearch-operator: `opensearch-client_<id>` (`kibanaserver` for the
 * `kibana_server` role) with a password, the index, the CA chain, endpoints and version, in one hook.
 */
export function referenceProvider(options: ReferenceProviderOptions = {}): HookRunner {
  return referenceProviderRunner(
    options,
    (charm, o) => new OpenSearchProvider(charm, o),
    (provider, _charm, password) =>
      provider.on("indexRequested", ({ request }) =>
        provider.publish(request, {
          version: options.version ?? "2.17.0",
          username: request.extraUserRoles.includes("kibana_server")
            ? "kibanaserver"
            : `opensearch-client_${request.relation.id}`,
          password: password(request),
          index: request.index,
          tlsCa: TEST_CA,
          endpoints: options.endpoints ?? ["10.1.0.10:9200"],
        }),
      ),
  );
}

/** A requirer on this package; `seen` collects every connection it was told about, per unit. */
export function referenceRequirer(
  options: Partial<OpenSearchRequestOptions> & { endpoint?: string } = {},
  seen: Map<string, unknown[]> = new Map(),
): HookRunner {
  return referenceRequirerRunner(seen, (charm, record) => {
    const requirer = new OpenSearchRequirer(charm, { index: "myindex", ...options });
    requirer.on("indexCreated", record);
    requirer.on("authenticationUpdated", record);
  });
}

/** Checks for a provider charm (against this package's requirer and a pre-secrets requirer) and for a requirer charm (against this package's reference provider). */
export const { providerConformance, requirerConformance } = v0Conformance({
  definition: opensearchClient,
  resource: "legacy",
  referenceRequirer: (seen) => referenceRequirer({}, seen),
  referenceProvider: (o) => referenceProvider(o ?? {}),
});

export * from "./scenario.js";

/** What the tools run for opensearch_client (`@charm-relations/cli/registry`): the `simulate` scenario. */
export const testingDescriptor: InterfaceTesting = {
  name: "opensearch_client",
  scenario: opensearchClientScenario,
};
