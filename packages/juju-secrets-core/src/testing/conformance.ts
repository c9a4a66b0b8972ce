/**
 * Scaffolding the interface packages' conformance suites share: the error a failed check throws, the
 * charm-under-test options, and deploying / settling that charm in a `Simulation`. Nothing here
 * imports a test framework: suites return named checks (`for (const c of suite) it(c.name, c.run)`).
 */

import { CharmRelationsError } from "../errors.js";
import { encryptionSecretLabel, parseSecretLabel, requestedEntityLabel } from "../protocol/secrets.js";
import type { EndpointInput } from "./model.js";
import type { HookRunner, Simulation, SimulationOptions } from "./simulation.js";

/** A conformance check failed; the message says which rule and where (never a secret value). */
export class ConformanceError extends CharmRelationsError {
  override name = "ConformanceError";
}

/** One named check of a suite, to register with any test framework. */
export interface ConformanceCheck {
  readonly name: string;
  readonly run: () => Promise<void>;
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
