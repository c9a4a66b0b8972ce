/**
 * A simulation scenario: the two demo charms of an interface (built on the package's own provider and
 * requirer classes) and what "rotate credentials" means for it. The lifecycle itself (deploy, relate,
 * settle, rotate, scale out and in, remove) is the same for every interface: see `simulate.ts`.
 */

import { createHash } from "node:crypto";
import type { Charm } from "../hook/charm.js";
import type { Contract } from "../types.js";
import type { Simulation } from "./simulation.js";

/** Event details are small, non-secret facts (relation, resource, changed keys, usernames). */
export type EventDetailValue = string | number | boolean | readonly string[];
export type EventDetail = Readonly<Record<string, EventDetailValue>>;

export interface ScenarioContext {
  /** The contract the requirer speaks in this run. */
  readonly contract: Contract;
  /** Record an interface event fired in the current hook. Never pass a password or a key. */
  record(event: string, detail?: EventDetail): void;
}

export interface ScenarioApp {
  readonly app: string;
  readonly endpoint: string;
  readonly units: number;
  readonly config?: Readonly<Record<string, unknown>>;
  /** Builds the charm for one hook: the same shape as a real charm's `setup(charm)`. */
  readonly setup: (charm: Charm, ctx: ScenarioContext) => void | Promise<void>;
}

export interface RotateStep {
  /** One line for the transcript: what rotates and who notices. */
  readonly description: string;
  /** Trigger the rotation (usually `sim.configure(...)`); the driver settles afterwards. */
  apply(sim: Simulation): void | Promise<void>;
}

export interface ScenarioRun {
  readonly provider: ScenarioApp;
  readonly requirer: ScenarioApp;
  readonly rotate: RotateStep;
}

export interface Scenario {
  /** Requirer contracts this scenario can run. */
  readonly contracts: readonly Contract[];
  readonly defaultContract: Contract;
  /** Fresh charms (and fresh per-run state such as keys) for one run. */
  build(contract: Contract): ScenarioRun;
}

/** A stable stand-in password: changes only when the rotation seed changes (no state to keep). */
export function derivedPassword(seed: unknown, ...parts: readonly (string | number)[]): string {
  // The demo's passwords are fake, but they must look like passwords; the transcript never prints them.
  return createHash("sha256")
    .update(`${String(seed ?? "1")}:${parts.join(":")}`)
    .digest("hex")
    .slice(0, 32);
}

/** `a,b, c` → `["a","b","c"]`. */
export function configList(value: unknown, fallback: string): string[] {
  return String(value ?? fallback)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/**
 * What an interface package's `/testing` entry gives the tools (`@charm-relations/cli/registry`):
 * the `simulate` scenario, built on the package's own provider and requirer classes.
 */
export interface InterfaceTesting {
  /** The Juju interface name, as in the package's descriptor. */
  readonly name: string;
  readonly scenario: Scenario;
}
