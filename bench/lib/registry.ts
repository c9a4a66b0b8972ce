/**
 * Every interface the tools know, from the built registry (`@charm-relations/cli/registry`): each
 * package's `/testing` scenario gives the two charms (built on the package's own provider and requirer
 * classes) and what "rotate credentials" means for it, so a new interface is benchmarked by adding
 * its registry line, nothing here.
 */

import { join } from "node:path";
import type { RegistryEntry } from "../../packages/cli/dist/registry.js";
import type { Contract } from "../../packages/juju-secrets-core/dist/index.js";
import type { ScenarioRun } from "../../packages/juju-secrets-core/dist/testing/index.js";
import { importBuilt, REPO } from "./paths.js";

export interface RegistryBench {
  readonly name: string;
  readonly contract: Contract;
  /** Fresh charms for one run (`scenario.build(contract)`). */
  readonly build: () => ScenarioRun;
}

/** One bench per interface and requirer contract its scenario can run; `error` when not built. */
export async function loadRegistry(): Promise<{ benches: RegistryBench[]; error?: string }> {
  const { module, error } = await importBuilt<{ REGISTRY: readonly RegistryEntry[] }>(
    join(REPO, "packages/cli/dist/registry.js"),
  );
  if (!module) return { benches: [], error: error ?? "registry not loadable" };
  return {
    benches: module.REGISTRY.flatMap(({ testing }) =>
      testing.scenario.contracts.map((contract) => ({
        name: testing.name,
        contract,
        build: () => testing.scenario.build(contract),
      })),
    ),
  };
}
