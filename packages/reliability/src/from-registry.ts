/**
 * Lifecycles and hostile targets derived from the CLI registry (`@charm-relations/cli/registry`): each
 * interface's `/testing` scenario gives the two reference charms (on the package's own classes) and
 * what "rotate" means; the descriptor gives the interface name and the contracts. Interfaces with a
 * hand-written suite (`interfaces/*.ts`) are not derived again; `REGISTRY_SUBJECTS` maps them.
 */

import { REGISTRY, type RegistryEntry } from "@charm-relations/cli/registry";
import type { Charm, Contract } from "@charm-relations/juju-secrets-core";
import type {
  ScenarioApp,
  ScenarioContext,
  ScenarioRun,
  Simulation,
} from "@charm-relations/juju-secrets-core/testing";
import { charmRunner } from "@charm-relations/juju-secrets-core/testing";
import { EventLog } from "./generic.js";
import type { BagRoles, HostileTarget } from "./hostile.js";
import { providerBases, requirerBases, settledWorld } from "./hostile-bases.js";
import { V0_ANSWER_ROLES, V0_REQUEST_ROLES, V1_ANSWER_ROLES, V1_REQUEST_ROLES } from "./hostile-generic.js";
import type { LifecycleSpec, Step } from "./lifecycle.js";

/** Registry interface name → the subject of its hand-written suite (the others are derived here). */
export const HAND_WRITTEN: Readonly<Record<string, string>> = {
  postgresql_client: "postgresql_client",
  etcd_client: "etcd_client",
  etcd: "etcd (legacy)",
  valkey_client: "valkey_client",
  connect_client: "connect_client",
  kafka_client: "kafka_client",
};

/** Registry entries the suite derives its charms for. */
export function derivedEntries(): RegistryEntry[] {
  return REGISTRY.filter((e) => !(e.descriptor.name in HAND_WRITTEN));
}

/** The subject (counts key) each registry interface is reported under. */
export function registrySubject(name: string): string {
  return HAND_WRITTEN[name] ?? name;
}

/**
 * A scenario app as a charm. Refusals the scenario reports through `record("invalid")` become a
 * blocked status with the error's message — what the engine does when no `invalid` listener is set.
 */
function asCharm(app: ScenarioApp, contract: Contract, log?: EventLog): (charm: Charm) => Promise<void> {
  return async (charm) => {
    const ctx: ScenarioContext = {
      contract,
      record(event, detail = {}) {
        log?.add(charm.unit, event, JSON.stringify(detail));
        const error = detail.error;
        if (!log && /invalid/i.test(event) && typeof error === "string")
          charm.model.setStatus("blocked", error);
      },
    };
    await app.setup(charm, ctx);
  };
}

/** The configure calls a scenario's rotation makes, as lifecycle steps (what rotate means, generically). */
export function rotationSteps(run: ScenarioRun): Step[] {
  const steps: Step[] = [];
  const sim = {
    configure(app: string, config: Readonly<Record<string, unknown>>) {
      steps.push({ op: "configure", app, config });
    },
  } as unknown as Simulation;
  const result = run.rotate.apply(sim);
  if (result instanceof Promise) throw new Error("asynchronous rotations cannot be derived");
  if (!steps.length) throw new Error(`${run.rotate.description}: the rotation is not a configure call`);
  return steps;
}

function apps(run: ScenarioRun, name: string, contract: Contract, log: EventLog | undefined, suffix = "") {
  const { provider, requirer } = run;
  return {
    provider: {
      name: provider.app,
      units: provider.units,
      endpoints: { [provider.endpoint]: `provides:${name}` as const },
      runner: charmRunner(asCharm(provider, contract, log)),
    },
    requirer: {
      name: `${requirer.app}${suffix}`,
      units: requirer.units,
      endpoints: { [requirer.endpoint]: `requires:${name}` as const },
      runner: charmRunner(asCharm(requirer, contract, log)),
    },
  };
}

/**
 * One requirer app per contract against one provider: relate each, rotate, scale the requirers out,
 * move the provider's leadership, rotate back, scale in, move leaders out, remove the relations.
 */
export function registryLifecycle(entry: RegistryEntry, options: { log?: EventLog } = {}): LifecycleSpec {
  const name = entry.descriptor.name;
  const scenario = entry.testing.scenario;
  const log = options.log ?? new EventLog();
  const contracts = scenario.contracts;
  const runs = contracts.map((c) => ({ contract: c, run: scenario.build(c) }));
  const first = runs[0]!.run;
  const provider = apps(first, name, runs[0]!.contract, log).provider;
  const requirers = runs.map(
    ({ contract, run }, i) => apps(run, name, contract, log, i ? `-${contract}` : "").requirer,
  );
  const rotate = rotationSteps(first);
  const p = first.provider;
  const steps: Step[] = [
    ...requirers.map((r) => ({
      op: "relate" as const,
      a: `${p.app}:${p.endpoint}`,
      b: `${r.name}:${first.requirer.endpoint}`,
    })),
    ...rotate,
    ...requirers.map((r) => ({ op: "add-unit" as const, app: r.name })),
  ];
  if (p.units > 1) steps.push({ op: "set-leader", unit: `${p.app}/1` });
  steps.push(...rotationSteps(scenario.build(runs[0]!.contract)).map(bump));
  const r0 = requirers[0]!;
  steps.push({ op: "set-leader", unit: `${r0.name}/1` }, { op: "remove-unit", unit: `${r0.name}/0` });
  for (const index of requirers.keys()) steps.push({ op: "remove-relation", index });
  return {
    name: `${name} (${contracts.join(" + ")}, from the registry)`,
    apps: [provider, ...requirers],
    steps,
  };
}

/** A second rotation: every configured value gets a `-2` (a new generation for any seed-like option). */
function bump(step: Step): Step {
  if (step.op !== "configure") return step;
  return {
    ...step,
    config: Object.fromEntries(Object.entries(step.config).map(([k, v]) => [k, `${String(v)}-2`])),
  };
}

/** Provider and requirer targets per contract, with the generic roles of that contract. */
export function registryTargets(entry: RegistryEntry): HostileTarget[] {
  const name = entry.descriptor.name;
  const scenario = entry.testing.scenario;
  const spec = registryLifecycle(entry);
  let world:
    | Promise<{ state: Awaited<ReturnType<typeof settledWorld>>["state"]; relations: number[] }>
    | undefined;
  const settled = () => {
    world ??= settledWorld(spec);
    return world;
  };
  const resourceKey = entry.descriptor.resourceKey;
  return scenario.contracts.flatMap((contract, i): HostileTarget[] => {
    const run = scenario.build(contract);
    const requirerApp = spec.apps[1 + i]!.name;
    const providerApp = run.provider.app;
    const v1 = contract === "v1";
    const providerRoles: BagRoles = v1
      ? { ...V1_REQUEST_ROLES, v1: { ...V1_REQUEST_ROLES.v1!, free: ["resource"] } }
      : {
          ...V0_REQUEST_ROLES,
          immutable: resourceKey ? [resourceKey] : [],
          free: resourceKey ? [resourceKey] : [],
        };
    const requirerRoles: BagRoles = v1
      ? { ...V1_ANSWER_ROLES, v1: { ...V1_ANSWER_ROLES.v1!, free: ["version"] } }
      : { ...V0_ANSWER_ROLES, free: ["version"] };
    return [
      {
        name: `${name} provider ${contract} (from the registry)`,
        subject: name,
        endpoint: run.provider.endpoint,
        setup: asCharm(run.provider, contract),
        roles: providerRoles,
        bases: async () => {
          const w = await settled();
          return providerBases(w.state, {
            relationId: w.relations[i]!,
            local: providerApp,
            remote: requirerApp,
          });
        },
      },
      {
        name: `${name} requirer ${contract} (from the registry)`,
        subject: name,
        endpoint: run.requirer.endpoint,
        setup: asCharm(run.requirer, contract),
        roles: requirerRoles,
        bases: async () => {
          const w = await settled();
          return requirerBases(w.state, {
            relationId: w.relations[i]!,
            local: requirerApp,
            remote: providerApp,
          });
        },
      },
    ];
  });
}
