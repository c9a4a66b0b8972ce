/**
 * `@charm-relations/interface-karapace-client/testing`: what a charm author needs to test a charm that
 * speaks karapace_client: a runner for in-process charms, the requirer bag as the Python library writes
 * it, reference counterpart charms, and the conformance suites (`providerConformance`,
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
import { karapaceClient } from "./definition.js";
import { KarapaceProvider } from "./provider.js";
import { type KarapaceRequestOptions, KarapaceRequirer } from "./requirer.js";
import { karapaceClientScenario } from "./scenario.js";

export { type ConformanceCheck, ConformanceError, type ConformanceTarget, charmRunner };

/** The requirer app bag `KarapaceRequires` writes in relation-created. */
export function requirerAppDatabag(
  options: V0RequirerBagOptions & { subject?: string } = {},
): Record<string, string> {
  return v0RequirerAppBag("subject", options.subject ?? "test-subject", options);
}

export interface ReferenceProviderOptions extends ReferenceProviderBase {
  readonly endpoints?: readonly string[];
  readonly tls?: boolean;
}

/** A provider that answers like karapace-operator: endpoints, `relation-<id>` with a password, tls, subject, in one hook. */
export function referenceProvider(options: ReferenceProviderOptions = {}): HookRunner {
  return referenceProviderRunner(
    options,
    (charm, o) => new KarapaceProvider(charm, o),
    (provider, _charm, password) =>
      provider.on("subjectRequested", ({ request }) =>
        provider.publish(request, {
          endpoints: options.endpoints ?? ["10.1.0.10:8081"],
          username: `relation-${request.relation.id}`,
          password: password(request),
          tls: options.tls ?? false,
          subject: request.subject,
        }),
      ),
  );
}

/** A requirer on this package; `seen` collects every connection it was told about, per unit. */
export function referenceRequirer(
  options: Partial<KarapaceRequestOptions> & { endpoint?: string } = {},
  seen: Map<string, unknown[]> = new Map(),
): HookRunner {
  return referenceRequirerRunner(seen, (charm, record) => {
    const requirer = new KarapaceRequirer(charm, { subject: "test-subject", ...options });
    requirer.on("subjectAllowed", record);
    requirer.on("credentialsRotated", record);
  });
}

/** Checks for a provider charm (against this package's requirer and a pre-secrets requirer) and for a requirer charm (against this package's reference provider). */
export const { providerConformance, requirerConformance } = v0Conformance({
  definition: karapaceClient,
  resource: "legacy-subject",
  referenceRequirer: (seen) => referenceRequirer({}, seen),
  referenceProvider: (o) => referenceProvider(o ?? {}),
});

export * from "./scenario.js";

/** What the tools run for karapace_client (`@charm-relations/cli/registry`): the `simulate` scenario. */
export const testingDescriptor: InterfaceTesting = {
  name: "karapace_client",
  scenario: karapaceClientScenario,
};
