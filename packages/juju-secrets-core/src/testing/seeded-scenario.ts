/**
 * The `simulate` scenario most interfaces share: a provider that answers every request in the hook it
 * arrives and rotates passwords when its `password-seed` config changes, and a requirer that records
 * what it is told. An interface package gives only what is its own: its two classes, its events and
 * what its provider publishes.
 */

import type { ConnectionEvent, RelationGoneEvent, RelationInvalidEvent } from "../engine/events.js";
import type { Charm } from "../hook/charm.js";
import type { Emitter } from "../hook/emitter.js";
import type { Contract } from "../types.js";
import { derivedPassword, type EventDetail, type Scenario, type ScenarioContext } from "./scenario.js";

/** The provider events and lookups every interface's provider class has. */
export type ScenarioProvider<Req> = Pick<
  Emitter<{ invalid: RelationInvalidEvent; gone: RelationGoneEvent }>,
  "on"
> & { answeredRequests(): Req[] };

/** The requirer events every interface's requirer class has. */
export type ScenarioRequirer<C> = Pick<
  Emitter<{
    invalid: RelationInvalidEvent;
    gone: RelationGoneEvent;
    credentialsRotated: ConnectionEvent<C> & { readonly groups: readonly string[] };
  }>,
  "on"
> & { connections(): C[] };

/** The request type of a provider class. */
type RequestOf<P> = P extends { answeredRequests(): (infer Q)[] } ? Q : never;

/** The connection type of a requirer class. */
type ConnectionOf<R> = R extends { connections(): (infer C)[] } ? C : never;

/** A stable password for the current `password-seed` (the parts make it per user). */
export type SeededPassword = (...parts: readonly (string | number)[]) => string;

// biome-ignore lint/suspicious/noExplicitAny: any provider or requirer class; its types are inferred
type AnyProvider = ScenarioProvider<any>;
// biome-ignore lint/suspicious/noExplicitAny: idem
type AnyRequirer = ScenarioRequirer<any>;

export interface SeededScenarioSpec<P extends AnyProvider, R extends AnyRequirer> {
  /** The requirer contracts it runs; the first is the default. */
  readonly contracts: readonly [Contract, ...Contract[]];
  /** The endpoint of both charms. */
  readonly endpoint: string;
  readonly provider: {
    readonly app: string;
    readonly create: (charm: Charm, endpoint: string) => P;
    /** Listen for the interface's own events; call `answer(request)` on its request event. */
    readonly listen: (provider: P, ctx: ScenarioContext, answer: (request: RequestOf<P>) => void) => void;
    /** Publish the whole answer to a request (publishing it again unchanged writes nothing). */
    readonly answer: (provider: P, request: RequestOf<P>, password: SeededPassword, charm: Charm) => void;
  };
  readonly requirer: {
    readonly app: string;
    readonly create: (charm: Charm, endpoint: string, contract: Contract) => R;
    /** Record the interface's own events (created, changes). */
    readonly listen: (requirer: R, ctx: ScenarioContext) => void;
    /**
     * What `credentialsRotated` records besides the groups; `false`: not recorded (the interface
     * names its rotation event itself, e.g. opensearch's `authenticationUpdated`).
     */
    readonly rotated?: false | ((connection: ConnectionOf<R>) => EventDetail);
  };
  /** The transcript line of the rotation (the provider's leader sets `password-seed=2`). */
  readonly rotation: string;
}

const SEED = "password-seed";

function recordInvalid(charm: Charm, ctx: ScenarioContext, message: string): void {
  ctx.record("invalid", { error: message });
  charm.model.setStatus("blocked", message);
}

/** A scenario from an interface's spec: the common wiring (invalid → blocked, gone, rotation). */
export function seededScenario<P extends AnyProvider, R extends AnyRequirer>(
  spec: SeededScenarioSpec<P, R>,
): Scenario {
  const { endpoint, provider: p, requirer: r } = spec;
  return {
    contracts: spec.contracts,
    defaultContract: spec.contracts[0],
    build: (contract) => ({
      provider: {
        app: p.app,
        endpoint,
        units: 2,
        config: { [SEED]: "1" },
        setup(charm, ctx) {
          const provider = p.create(charm, endpoint);
          const password: SeededPassword = (...parts) =>
            derivedPassword(charm.model.config()[SEED], ...parts);
          const answer = (request: RequestOf<P>) => p.answer(provider, request, password, charm);
          p.listen(provider, ctx, answer);
          provider.on("invalid", ({ error }) => recordInvalid(charm, ctx, error.message));
          provider.on("gone", ({ relation, departing }) =>
            ctx.record("gone", { relation: relation.id, departing }),
          );
          charm.on("configChanged", () => {
            // A new seed is a credential rotation: answer again (only the password differs).
            if (charm.model.isLeader()) for (const request of provider.answeredRequests()) answer(request);
          });
        },
      },
      requirer: {
        app: r.app,
        endpoint,
        units: 2,
        setup(charm, ctx) {
          const requirer = r.create(charm, endpoint, contract);
          r.listen(requirer, ctx);
          const rotated = r.rotated;
          if (rotated !== false) {
            requirer.on("credentialsRotated", ({ connection, groups }) =>
              ctx.record("credentialsRotated", { ...rotated?.(connection), groups }),
            );
          }
          requirer.on("gone", ({ relation }) => ctx.record("gone", { relation: relation.id }));
          requirer.on("invalid", ({ error }) => recordInvalid(charm, ctx, error.message));
        },
      },
      rotate: {
        description: spec.rotation,
        apply: (sim) => sim.configure(p.app, { [SEED]: "2" }),
      },
    }),
  };
}
