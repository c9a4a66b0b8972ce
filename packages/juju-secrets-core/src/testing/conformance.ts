/**
 * Scaffolding the interface packages' conformance suites share: the error a failed check throws, the
 * charm-under-test options, and deploying / settling that charm in a `Simulation`. Nothing here
 * imports a test framework: suites return named checks (`for (const c of suite) it(c.name, c.run)`).
 */

import { CharmRelationsError } from "../errors.js";
import { encryptionSecretLabel, parseSecretLabel, requestedEntityLabel } from "../protocol/secrets.js";
import type { EndpointInput } from "./model.js";
import { type HookRunner, Simulation, type SimulationOptions } from "./simulation.js";

/** A conformance check failed; the message says which rule and where (never a secret value). */
export class ConformanceError extends CharmRelationsError {
  override name = "ConformanceError";
}

/** One named check of a suite, to register with any test framework. */
export interface ConformanceCheck {
  readonly name: string;
  readonly run: () => Promise<void>;
}

/** An interface's conformance suites, as its `/testing` entry exports them. */
export interface ConformanceSuites {
  /** Checks for a provider charm. */
  readonly providerConformance: (target: ConformanceTarget) => ConformanceCheck[];
  /** Checks for a requirer charm. */
  readonly requirerConformance: (target: ConformanceTarget) => ConformanceCheck[];
}

/** The charm under test. */
export interface ConformanceTarget {
  /** Runs your charm for one hook (`charmRunner(setup)`, or `processRunner("node", ["dist/charm.js"])`). */
  readonly runner: HookRunner;
  /** Your charm's endpoint of the interface (each suite has its default). */
  readonly endpoint?: string;
  /** Other endpoints your charm declares (e.g. a peer relation: `{ peers: "peers:my_peers" }`). */
  readonly endpoints?: Readonly<Record<string, EndpointInput>>;
  readonly config?: Readonly<Record<string, unknown>>;
  /** Units to deploy (default 2: leader and non-leader behaviour both get exercised). */
  readonly units?: number;
  /** Where your charm lives (becomes JUJU_CHARM_DIR). */
  readonly charmDir?: string;
  /** Passed to the `Simulation` (e.g. `jujuVersion`). */
  readonly simulation?: SimulationOptions;
}

/** Throw a `ConformanceError` stating `rule` unless `ok`. */
export function check(ok: unknown, rule: string): asserts ok {
  if (!ok) throw new ConformanceError(rule);
}

/**
 * Deploy the charm under test as `app` with the interface's endpoint (`defaults.endpoint` unless the
 * target names its own) in `role`, next to the target's other endpoints. Returns the endpoint name.
 */
export function deployTarget(
  sim: Simulation,
  app: string,
  role: "provides" | "requires",
  target: ConformanceTarget,
  defaults: { readonly endpoint: string; readonly interface: string },
): string {
  const endpoint = target.endpoint ?? defaults.endpoint;
  sim.deploy(app, {
    runner: target.runner,
    units: target.units ?? 2,
    endpoints: { ...target.endpoints, [endpoint]: `${role}:${defaults.interface}` },
    ...(target.config ? { config: target.config } : {}),
    ...(target.charmDir ? { charmDir: target.charmDir } : {}),
  });
  return endpoint;
}

/** Settle the model; a failed hook or a model that does not settle fails the check, naming `what`. */
export async function settleClean(sim: Simulation, what: string): Promise<void> {
  const result = await sim.settle();
  if (result.settled) return;
  const f = result.failed[0];
  const why = f
    ? `${f.unit} ${f.hook} failed: ${f.error instanceof Error ? f.error.message : String(f.error)}`
    : result.reason;
  throw new ConformanceError(`${what}: the model did not settle (${why})`);
}

/**
 * Labels of the secrets `app` owns for a relation (protocol groups of any request, and the auxiliary
 * requested-entity / encryption secrets): what must be gone once the relation is broken.
 */
export function secretsOfRelation(sim: Simulation, app: string, relationId: number): string[] {
  const uuid = sim.model.modelUuidOf(app);
  const aux = new Set([requestedEntityLabel(uuid, relationId), encryptionSecretLabel(uuid, relationId)]);
  return sim.model
    .secrets()
    .filter((s) => s.owner.kind === "application" && s.owner.app === app && s.label !== undefined)
    .filter((s) => aux.has(s.label!) || parseSecretLabel(s.label!)?.relationId === relationId)
    .map((s) => s.label!);
}

/** The first issue of a failed zod `safeParse`, as `path: message` (empty when it succeeded). */
export function firstIssue(result: {
  readonly success: boolean;
  readonly error?: {
    readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];
  };
}): string {
  const first = result.error?.issues[0];
  return first ? `${first.path.map(String).join(".") || "(bag)"}: ${first.message}` : "";
}

/**
 * A fresh model with the charm under test as `provider` or `requirer` (per `role`) and `counterpart`
 * as the other side (2 units, the interface's default endpoint), settled and related. Returns the
 * model, the relation id and the target's endpoint.
 */
export async function relateTarget(
  target: ConformanceTarget,
  role: "provides" | "requires",
  counterpart: HookRunner,
  defaults: { readonly endpoint: string; readonly interface: string },
): Promise<{ sim: Simulation; id: number; endpoint: string }> {
  const sim = new Simulation({ lifecycle: true, ...target.simulation });
  const provides = role === "provides";
  const endpoint = deployTarget(sim, provides ? "provider" : "requirer", role, target, defaults);
  sim.deploy(provides ? "requirer" : "provider", {
    runner: counterpart,
    units: 2,
    endpoints: { [defaults.endpoint]: `${provides ? "requires" : "provides"}:${defaults.interface}` },
  });
  await settleClean(sim, "deploy");
  const id = sim.relate(
    `provider:${provides ? endpoint : defaults.endpoint}`,
    `requirer:${provides ? defaults.endpoint : endpoint}`,
  );
  await settleClean(sim, "relate");
  return { sim, id, endpoint };
}

/**
 * Run relation-changed again on every unit of `app`: it must succeed and write no databag (and, with
 * `secrets`, create or update no secret). Idempotence is what keeps a settled model quiet.
 */
export async function checkReplayWritesNothing(
  sim: Simulation,
  app: string,
  relationId: number,
  options: { readonly secrets?: boolean } = {},
): Promise<void> {
  for (const unit of sim.model.application(app).units) {
    const h = await sim.runHook(unit, "relation-changed", { relationId });
    check(h.ok, `${unit} relation-changed failed on repeat`);
    check(h.databags.length === 0, `${unit} rewrote databags on a repeated relation-changed`);
    if (options.secrets) {
      check(
        (h.secrets?.updated.length ?? 0) === 0 && (h.secrets?.created.length ?? 0) === 0,
        `${unit} touched secrets on a repeat`,
      );
    }
  }
}

/**
 * The provider rotates the `secret-user` password (a new revision of the same secret): every requirer
 * unit must get secret-changed and handle it.
 */
export async function checkPasswordRotation(sim: Simulation, id: number, password: string): Promise<void> {
  const uri = sim.model.appBag(id, "provider")["secret-user"];
  check(uri !== undefined, "reference provider published no secret-user");
  const content = { ...sim.model.secretContent(uri!)!, password };
  await sim.runHook(sim.model.leaderOf("provider")!, "config-changed", {
    runner: async (b) => void b.secretSet(uri!, { content }),
  });
  await settleClean(sim, "rotation");
  const changed = sim.hooks.filter((h) => h.kind === "secret-changed" && h.unit.startsWith("requirer/"));
  check(
    changed.length === sim.model.application("requirer").units.length,
    "every requirer unit must get secret-changed",
  );
  check(
    changed.every((h) => h.ok),
    "secret-changed failed on a requirer unit",
  );
}

/** Remove the relation and settle: `app` must leave none of its secrets of the relation behind. */
export async function checkRemovalLeavesNoSecrets(
  sim: Simulation,
  app: string,
  relationId: number,
): Promise<void> {
  sim.removeRelation(relationId);
  await settleClean(sim, "remove-relation");
  const left = secretsOfRelation(sim, app, relationId);
  check(left.length === 0, `${app} secrets left behind after relation-broken: ${left.join(", ")}`);
}

/**
 * Before the requirer asked for anything the provider app (`provider`) may only have written the
 * `allowed` keys (protocol §4.5: endpoints and the like) and no secret of the relation.
 */
export function checkNoPrematureWrites(
  sim: Simulation,
  relationId: number,
  allowed: readonly string[],
): void {
  for (const k of Object.keys(sim.model.appBag(relationId, "provider"))) {
    check(
      allowed.includes(k),
      `provider wrote "${k}" before the requirer asked for anything (premature write)`,
    );
  }
  check(
    secretsOfRelation(sim, "provider", relationId).length === 0,
    "provider created secrets before the request arrived",
  );
}
