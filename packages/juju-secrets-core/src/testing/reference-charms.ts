/**
 * Building blocks of an interface package's `/testing` entry: requirer databags in the bytes the
 * Python libraries write, and reference counterpart charms on the package's own classes (a provider
 * that keeps the password it published, a requirer that records what it is told).
 */

import type { AnyDefinition } from "../engine/definition.js";
import type { PublishTarget } from "../engine/provider.js";
import type { Charm } from "../hook/charm.js";
import type { StringBag } from "../protocol/bag.js";
import { pyDumps } from "../protocol/json.js";
import { DEFAULT_PROVIDED_SECRETS, DEFAULT_REQUESTED_SECRETS } from "../protocol/secrets.js";
import {
  computeRequestId,
  formatRequests,
  generateSalt,
  serializeRequestObject,
  type V1Object,
} from "../protocol/v1.js";
import { charmRunner } from "./charm-runner.js";
import type { HookRunner } from "./simulation.js";

/** What a v0 requirer asks for besides its resource. */
export interface V0RequirerBagOptions {
  /** As written (a comma list). */
  readonly extraUserRoles?: string;
  /** `false`: a pre-secrets requirer (no `requested-secrets`: the plain-text fallback). */
  readonly requestedSecrets?: readonly string[] | false;
}

/**
 * The app bag a v0 requirer (`DatabaseRequires`, `OpenSearchRequires` …) writes in relation-created:
 * its resource under the interface's key, `provided-secrets`, the roles and `requested-secrets`.
 */
export function v0RequirerAppBag(
  resourceKey: string,
  resource: string,
  options: V0RequirerBagOptions = {},
): Record<string, string> {
  const bag: Record<string, string> = {
    [resourceKey]: resource,
    "provided-secrets": pyDumps(DEFAULT_PROVIDED_SECRETS),
  };
  if (options.extraUserRoles) bag["extra-user-roles"] = options.extraUserRoles;
  if (options.requestedSecrets !== false)
    bag["requested-secrets"] = pyDumps(options.requestedSecrets ?? DEFAULT_REQUESTED_SECRETS);
  return bag;
}

/**
 * A v1 requirer app bag with one request per entry (`resource` and any request fields), each with a
 * salt (random unless given) and its request id, in the definition's key order.
 */
export function v1RequirerAppBag(
  definition: AnyDefinition,
  requests: readonly (Readonly<V1Object> & { readonly resource: string })[],
  salts: readonly string[] = [],
): Record<string, string> {
  const objects = requests.map((request, i) => {
    const salt = salts[i] ?? generateSalt();
    return serializeRequestObject(
      { ...request, "request-id": computeRequestId(request.resource, salt), salt },
      {
        extraKeys: [...(definition.requestExtraKeys ?? [])],
        trailingMtlsCert: definition.trailingMtlsCert ?? false,
      },
    );
  });
  return { version: "v1", requests: formatRequests(objects) };
}

/** What a reference provider takes: the endpoint and where new passwords come from. */
export interface ReferenceProviderBase {
  readonly endpoint?: string;
  /** Makes each new password (default `reference-password-<n>`). */
  readonly password?: () => string;
}

/**
 * A reference provider on an interface's provider class. `password(request)` is the password already
 * published for the request (an answer again keeps it), else a new one.
 */
export function referenceProviderRunner<P extends { published(target: PublishTarget): StringBag }>(
  options: ReferenceProviderBase,
  create: (charm: Charm, options: { endpoint?: string }) => P,
  listen: (provider: P, charm: Charm, password: (request: PublishTarget) => string) => void,
): HookRunner {
  let n = 0;
  const next = options.password ?? (() => `reference-password-${++n}`);
  return charmRunner((charm) => {
    const provider = create(charm, options.endpoint ? { endpoint: options.endpoint } : {});
    listen(provider, charm, (request) => provider.published(request).password ?? next());
  });
}

/** A reference requirer: `setup` builds it and passes `record` to the events whose connections `seen` keeps, per unit. */
export function referenceRequirerRunner<C>(
  seen: Map<string, C[]>,
  setup: (charm: Charm, record: (event: { readonly connection: C }) => void) => void,
): HookRunner {
  return charmRunner((charm) =>
    setup(
      charm,
      ({ connection }) => void seen.set(charm.unit, [...(seen.get(charm.unit) ?? []), connection]),
    ),
  );
}
