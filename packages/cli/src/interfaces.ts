/**
 * The registry: one entry per relation interface this repository implements, filled in from what each
 * interface package exports — its zod schemas per side and contract (what `validate` checks), its
 * JSON Schemas (what `schema` prints), and a `simulate` scenario built on its provider and requirer
 * classes. Nothing here re-implements a wire format: where a package lacks something, the gap is
 * listed in the entry's `notes`.
 */

import { createRequire } from "node:module";
import type { Contract } from "@charm-relations/juju-secrets-core";
import type {
  BagSchemas,
  InterfaceDescriptor,
  JsonSchema,
  Side,
} from "@charm-relations/juju-secrets-core/interface";
import type { Scenario } from "@charm-relations/juju-secrets-core/testing";
import { REGISTRY } from "./registry.js";
import { type SimulateOptions, type SimulationReport, simulate } from "./simulate.js";

export type { BagSchemas, JsonSchema };

export type InterfaceName = string;

export const SIDES: readonly Side[] = ["provider", "requirer"];

/** A registry entry: the package's descriptor, plus what the CLI adds (version, default, scenario). */
export interface InterfaceEntry extends Omit<InterfaceDescriptor, "definition" | "notes"> {
  readonly version: string;
  /** What our requirer speaks unless told otherwise. */
  readonly defaultContract: Contract;
  readonly scenario: Scenario;
  /** Run the lifecycle scenario on the in-memory model. */
  simulate(options?: SimulateOptions): Promise<SimulationReport>;
  /** Gaps in what the package exports, worked around here. */
  readonly notes: readonly string[];
}

const require = createRequire(import.meta.url);

/** The package's version, from its own package.json (resolved like any import). */
function versionOf(pkg: string): string {
  try {
    return String((require(`${pkg}/package.json`) as { version?: unknown }).version ?? "unknown");
  } catch {
    return "unknown";
  }
}

/** Every interface of the registry, in its order. */
export const INTERFACES: readonly InterfaceEntry[] = REGISTRY.map(({ descriptor: d, testing }) => {
  const e: InterfaceEntry = {
    name: d.name,
    package: d.package,
    version: versionOf(d.package),
    summary: d.summary,
    contracts: d.contracts,
    defaultContract: d.contracts[0] ?? "v0",
    contractNote: d.contractNote,
    endpoints: d.endpoints,
    defaultBag: d.defaultBag,
    resourceKey: d.resourceKey,
    charms: d.charms,
    schemas: d.schemas,
    jsonSchema: (side, contract) => d.jsonSchema(side, contract),
    scenario: testing.scenario,
    simulate: (options) => simulate(e, options),
    notes: d.notes ?? [],
  };
  return e;
});

/** The interface names, in the registry's order. */
export const INTERFACE_NAMES: readonly InterfaceName[] = INTERFACES.map((e) => e.name);

/** Look an interface up by name (also accepts `-` for `_`, and the package name). */
export function findInterface(name: string): InterfaceEntry | undefined {
  const n = name.trim().toLowerCase().replace(/-/g, "_");
  return INTERFACES.find(
    (e) => e.name === n || e.package === name || e.package.endsWith(`/interface-${name.toLowerCase()}`),
  );
}

/** The interfaces whose known endpoint names include `endpoint` (on either side). */
export function interfacesForEndpoint(endpoint: string): InterfaceEntry[] {
  return INTERFACES.filter(
    (e) => e.endpoints.provider.includes(endpoint) || e.endpoints.requirer.includes(endpoint),
  );
}
