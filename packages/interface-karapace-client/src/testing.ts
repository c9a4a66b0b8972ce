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
import { type KarapaceConnection, karapaceClient } from "./definition.js";
import { KarapaceProvider } from "./provider.js";
import { type KarapaceRequestOptions, KarapaceRequirer } from "./requirer.js";
import { karapaceClientScenario } from "./scenario.js";

export { type ConformanceCheck, ConformanceError, type ConformanceTarget, charmRunner };

/** The requirer app bag `KarapaceRequires` writes in relation-created. */
export function requirerAppDatabag(
  options: { subject?: string; extraUserRoles?: string; requestedSecrets?: readonly string[] | false } = {},
): Record<string, string> {
  const bag: Record<string, string> = {
    subject: options.subject ?? "test-subject",
    "provided-secrets": pyDumps(DEFAULT_PROVIDED_SECRETS),
  };
  if (options.extraUserRoles) bag["extra-user-roles"] = options.extraUserRoles;
  if (options.requestedSecrets !== false)
    bag["requested-secrets"] = pyDumps(options.requestedSecrets ?? DEFAULT_REQUESTED_SECRETS);
  return bag;
}

export interface ReferenceProviderOptions {
  readonly endpoints?: readonly string[];
  readonly tls?: boolean;
  readonly password?: () => string;
  readonly endpoint?: string;
}

/** A provider that answers like karapace-operator: endpoints, `relation-<id>` with a password, tls, subject, in one hook. */
export function referenceProvider(options: ReferenceProviderOptions = {}): HookRunner {
  let n = 0;
  const password = options.password ?? (() => `reference-password-${++n}`);
  return charmRunner((charm) => {
    const provider = new KarapaceProvider(charm, options.endpoint ? { endpoint: options.endpoint } : {});
    provider.on("subjectRequested", ({ request }) => {
      provider.publish(request, {
        endpoints: options.endpoints ?? ["10.1.0.10:8081"],
        username: `relation-${request.relation.id}`,
        password: provider.published(request).password ?? password(),
        tls: options.tls ?? false,
        subject: request.subject,
      });
    });
  });
}

/** A requirer on this package; `seen` collects every connection it was told about, per unit. */
export function referenceRequirer(
  options: Partial<KarapaceRequestOptions> & { endpoint?: string } = {},
  seen: Map<string, unknown[]> = new Map(),
): HookRunner {
  return charmRunner((charm) => {
    const requirer = new KarapaceRequirer(charm, { subject: "test-subject", ...options });
    const record = ({ connection }: { connection: KarapaceConnection }) =>
      void seen.set(charm.unit, [...(seen.get(charm.unit) ?? []), connection]);
    requirer.on("subjectAllowed", record);
    requirer.on("credentialsRotated", record);
  });
}

const suite = {
  definition: karapaceClient,
  resource: "legacy-subject",
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

/** What the tools run for karapace_client (`@charm-relations/cli/registry`): the `simulate` scenario. */
export const testingDescriptor: InterfaceTesting = {
  name: "karapace_client",
  scenario: karapaceClientScenario,
};
