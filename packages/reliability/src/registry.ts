/**
 * Everything the suite runs: the lifecycles (generic engines, then each interface package) and the
 * hostile targets, plus the interface bugs found so far that the suite reports instead of failing on
 * (interface packages are not ours to edit; each entry says what is wrong and where).
 */

import { derivedEntries, registryLifecycle, registryTargets } from "./from-registry.js";
import type { PasswordMode } from "./generic.js";
import type { HostileFinding, HostileTarget } from "./hostile.js";
import { genericTargets } from "./hostile-generic.js";
import type { HygieneOptions } from "./hygiene.js";
import { connectLifecycle, connectTargets } from "./interfaces/connect.js";
import { etcdClientLifecycle, etcdClientTargets } from "./interfaces/etcd-client.js";
import { etcdLegacyLifecycle, etcdLegacyTargets, LEGACY_CREDS } from "./interfaces/etcd-legacy.js";
import { kafkaLifecycle, kafkaTargets } from "./interfaces/kafka.js";
import { postgresqlLifecycle, postgresqlTargets } from "./interfaces/postgresql.js";
import { valkeyLifecycle, valkeyTargets } from "./interfaces/valkey.js";
import { kvLifecycle, type LifecycleSpec, pgLifecycle, type Step } from "./lifecycle.js";
import type { FaultFinding, RetryFinding } from "./sweep.js";

export interface LifecycleEntry {
  readonly name: string;
  /** Key for the counts (`generic v0`, `postgresql_client`, …). */
  readonly subject: string;
  readonly spec: (options?: { passwords?: PasswordMode }) => LifecycleSpec;
  readonly hygiene?: HygieneOptions;
  /** Values that must never show in argv, logs, statuses or errors (legacy etcd's private keys). */
  readonly extraSecrets?: readonly string[];
  /** Inject every fault kind at every position (small lifecycles). */
  readonly exhaustive?: boolean;
  /** A step that rotates credentials (for the leadership sweep); absent: no secrets at all. */
  readonly rotate?: Step;
}

export const LIFECYCLES: LifecycleEntry[] = [
  {
    name: "generic engines, postgresql_client-shaped v0",
    subject: "generic engines",
    spec: (o) => pgLifecycle(o),
    exhaustive: true,
    rotate: { op: "configure", app: "provider", config: { rotate: "9" } },
  },
  {
    name: "generic engines, valkey_client-shaped v1 + v0",
    subject: "generic engines",
    spec: (o) => kvLifecycle(o),
    rotate: { op: "configure", app: "valkey", config: { rotate: "9" } },
  },
  {
    name: "interface-postgresql-client (v0 + v1)",
    subject: "postgresql_client",
    spec: (o) => postgresqlLifecycle(o),
    rotate: { op: "configure", app: "postgresql", config: { rotate: "9" } },
  },
  {
    name: "interface-valkey-client (v1 + v0)",
    subject: "valkey_client",
    spec: (o) => valkeyLifecycle(o),
    rotate: { op: "configure", app: "valkey", config: { rotate: "9" } },
  },
  {
    name: "interface-etcd-client (v1 + v0)",
    subject: "etcd_client",
    spec: () => etcdClientLifecycle(),
    rotate: { op: "configure", app: "etcd", config: { rotate: "9" } },
  },
  {
    name: "interface-connect-client (v0 + v1)",
    subject: "connect_client",
    spec: (o) => connectLifecycle(o),
    rotate: { op: "configure", app: "connect", config: { rotate: "9" } },
  },
  {
    name: "interface-kafka-client (v1 mTLS + v0)",
    subject: "kafka_client",
    spec: (o) => kafkaLifecycle(o),
    rotate: { op: "configure", app: "kafka", config: { rotate: "9" } },
  },
  {
    name: "interface-etcd (legacy, plain unit databags)",
    subject: "etcd (legacy)",
    spec: () => etcdLegacyLifecycle(),
    // The legacy protocol puts the client key in plain unit databags: allowed there, nowhere else.
    hygiene: { allowPlainBags: true },
    extraSecrets: LEGACY_CREDS.map((c) => c.key),
  },
  // Every other interface of the CLI registry: its `/testing` scenario's charms.
  ...derivedEntries().map(
    (entry): LifecycleEntry => ({
      name: `${entry.descriptor.package} (${entry.testing.scenario.contracts.join(" + ")}, from the registry)`,
      subject: entry.descriptor.name,
      spec: () => registryLifecycle(entry),
      rotate: registryLifecycle(entry).steps.find((s) => s.op === "configure")!,
    }),
  ),
];

export const HOSTILE_TARGETS: () => HostileTarget[] = () => [
  ...genericTargets(),
  ...postgresqlTargets(),
  ...valkeyTargets(),
  ...etcdClientTargets(),
  ...connectTargets(),
  ...kafkaTargets(),
  ...etcdLegacyTargets(),
  ...derivedEntries().flatMap(registryTargets),
];

// ---------------------------------------------------------------------------------------------
// Known issues (interface packages are not ours to edit; in-flight core code is someone else's)

export interface KnownIssue {
  /** Which package, and what is wrong. */
  readonly issue: string;
  readonly faults?: (f: FaultFinding) => boolean;
  readonly retries?: (f: RetryFinding) => boolean;
  readonly hostile?: (f: HostileFinding) => boolean;
}

export const KNOWN_ISSUES: KnownIssue[] = [
  // Fixed so far: etcd-client's swallowed secret-info-get errors in relation-broken; departure markers
  // cleared before commit, and cleared at all — now kept; mongodb_client database names bounded (64 bytes).
];

/** Split findings into unexplained ones and those a known issue covers. */
export function triage<F>(
  findings: readonly F[],
  pick: (k: KnownIssue) => ((f: F) => boolean) | undefined,
): { unexplained: F[]; known: Map<string, number> } {
  const unexplained: F[] = [];
  const known = new Map<string, number>();
  for (const f of findings) {
    const k = KNOWN_ISSUES.find((i) => pick(i)?.(f));
    if (k) known.set(k.issue, (known.get(k.issue) ?? 0) + 1);
    else unexplained.push(f);
  }
  return { unexplained, known };
}
