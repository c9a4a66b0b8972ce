/**
 * Every lifecycle the suite runs: the generic engines, then one or more per interface package.
 */
import type { HygieneOptions } from "./hygiene.js";
import { kvLifecycle, type LifecycleSpec, pgLifecycle, type Step } from "./lifecycle.js";
import type { PasswordMode } from "./generic.js";

export interface LifecycleEntry {
  readonly name: string;
  /** Key for the counts (`generic`, `postgresql_client`, …). */
  readonly subject: string;
  readonly spec: (options?: { passwords?: PasswordMode }) => LifecycleSpec;
  readonly hygiene?: HygieneOptions;
  /** Inject every fault kind at every position (small lifecycles). */
  readonly exhaustive?: boolean;
  /** A step that rotates credentials (for the leadership sweep). */
  readonly rotate?: Step;
}

export const LIFECYCLES: LifecycleEntry[] = [
  { name: "generic engines, postgresql_client-shaped v0", subject: "generic v0", spec: (o) => pgLifecycle(o), exhaustive: true,
    rotate: { op: "configure", app: "provider", config: { rotate: "9" } } },
  { name: "generic engines, valkey_client-shaped v1 + v0", subject: "generic v1", spec: (o) => kvLifecycle(o),
    rotate: { op: "configure", app: "valkey", config: { rotate: "9" } } },
];
