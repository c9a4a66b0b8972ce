/**
 * Test helpers for charms using the legacy `etcd` interface: databag builders in the exact shape
 * layer-etcd writes, bag checks, and conformance runs of a whole charm against a reference
 * counterpart on the core's simulated Juju model.
 */

import type { RemoteDataError } from "@charm-relations/juju-secrets-core";
import { parseBag } from "@charm-relations/juju-secrets-core/schema";
import type { InterfaceTesting } from "@charm-relations/juju-secrets-core/testing";
import {
  charmRunner,
  deployTarget,
  type EndpointInput,
  type HookRunner,
  Simulation,
} from "@charm-relations/juju-secrets-core/testing";
import { EtcdRequirer } from "./requirer.js";
import { etcdScenario } from "./scenario.js";
import { ETCD_KEYS, type EtcdClientCredentials, providerUnit, requirerUnit } from "./schema.js";

export interface EtcdProviderBagInput {
  /** A ready connection string, or the member URLs (sorted and joined as layer-etcd does). */
  readonly connectionString?: string | readonly string[];
  /** `""` (or omitted) is written as no key, as Juju stores an empty value. */
  readonly version?: string;
  readonly credentials?: EtcdClientCredentials;
}

/** A provider unit databag as layer-etcd leaves it (without Juju's own address keys). */
export function etcdProviderUnitBag(input: EtcdProviderBagInput = {}): Record<string, string> {
  const bag: Record<string, string> = {};
  const cs = input.connectionString;
  if (cs !== undefined) {
    const value = typeof cs === "string" ? cs : [...new Set(cs)].sort().join(",");
    if (value !== "") bag[ETCD_KEYS.connectionString] = value;
  }
  if (input.version) bag[ETCD_KEYS.version] = input.version;
  if (input.credentials) {
    bag[ETCD_KEYS.clientCa] = input.credentials.ca;
    bag[ETCD_KEYS.clientCert] = input.credentials.cert;
    bag[ETCD_KEYS.clientKey] = input.credentials.key;
  }
  return bag;
}

/** The `https://<address>:<port>` URLs layer-etcd builds from member addresses (port 2379 by default). */
export function etcdMemberUrls(addresses: readonly string[], port = 2379, scheme = "https"): string[] {
  return [...addresses].sort().map((a) => `${scheme}://${a}:${port}`);
}

export type EtcdBagCheck = { readonly ok: true } | { readonly ok: false; readonly error: RemoteDataError };

const REF = { endpoint: "etcd", id: 0 } as const;

/** Does a provider unit bag your charm wrote parse as the real requirers expect? */
export function checkEtcdProviderUnitBag(bag: Readonly<Record<string, string>>): EtcdBagCheck {
  const r = parseBag(providerUnit, bag, { relation: REF, side: "provider", bag: "unit" });
  return r.ok ? { ok: true } : { ok: false, error: r.error };
}

/** The requirer must write nothing but Juju's own keys. */
export function checkEtcdRequirerUnitBag(bag: Readonly<Record<string, string>>): EtcdBagCheck {
  const r = parseBag(requirerUnit, bag, { relation: REF, side: "requirer", bag: "unit" });
  return r.ok ? { ok: true } : { ok: false, error: r.error };
}

// ---------------------------------------------------------------------------------------------
// Conformance: run a charm against a reference counterpart in a simulated model.

export interface EtcdConformanceOptions {
  /** The charm's endpoint of the `etcd` interface (default `db` for a provider, `etcd` for a requirer). */
  readonly endpoint?: string;
  /** Units of the charm under test (default 2: a leader and a non-leader). */
  readonly units?: number;
  /** Other endpoints the charm declares (peers, …), as in `Simulation.deploy`. */
  readonly endpoints?: Readonly<Record<string, EndpointInput>>;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly charmDir?: string;
}

export interface EtcdConformanceReport {
  readonly ok: boolean;
  /** One sentence per problem found (names units and keys, never a value). */
  readonly problems: readonly string[];
  /** The simulation, for further assertions. */
  readonly simulation: Simulation;
}

/**
 * Relate a provider charm to a reference requirer (2 units) and check what real requirers rely on:
 * no hook fails; every provider unit (leader or not) publishes a schema-valid bag with a
 * `connection_string`; all units publish the same values; no app databag is written; publishing
 * again writes nothing; the reference requirer sees `available`; removing the relation fails nothing.
 */
export async function checkEtcdProviderCharm(
  runner: HookRunner,
  options: EtcdConformanceOptions = {},
): Promise<EtcdConformanceReport> {
  const problems: string[] = [];
  const sim = new Simulation();
  const endpoint = deployTarget(
    sim,
    "charm",
    "provides",
    { ...options, runner },
    { endpoint: "db", interface: "etcd" },
  );
  const units = sim.model.application("charm").units;
  const seen: Record<string, boolean> = {};
  sim.deploy("reference-requirer", {
    runner: charmRunner((charm) => {
      const requirer = new EtcdRequirer(charm, { endpoint: "etcd", stateDir: false });
      requirer.on("available", () => {
        seen[charm.unit] = true;
      });
    }),
    units: 2,
    endpoints: { etcd: "requires:etcd" },
  });
  const rel = sim.relate(`charm:${endpoint}`, "reference-requirer:etcd");
  await settleInto(sim, problems, "relating");
  const bags = units.map((u) => [u, sim.model.unitBag(rel, u)] as const);
  for (const [unit, bag] of bags) {
    const check = checkEtcdProviderUnitBag(bag);
    if (!check.ok) problems.push(`${unit}: ${check.error.message}`);
    if (!bag[ETCD_KEYS.connectionString]) problems.push(`${unit} published no connection_string`);
  }
  const first = bags[0];
  for (const [unit, bag] of bags.slice(1)) {
    if (!first) break;
    const differing = [...new Set([...Object.keys(bag), ...Object.keys(first[1])])].filter(
      (k) => bag[k] !== first[1][k],
    );
    if (differing.length > 0)
      problems.push(`${unit} and ${first[0]} publish different ${differing.join(", ")}`);
  }
  if (Object.keys(sim.model.appBag(rel, "charm")).length > 0)
    problems.push("the provider wrote its application databag");
  for (const unit of ["reference-requirer/0", "reference-requirer/1"]) {
    if (!seen[unit]) problems.push(`${unit} never saw etcd available`);
  }
  for (const unit of units) {
    const again = await sim.runHook(unit, "relation-changed", {
      relationId: rel,
      remoteUnit: "reference-requirer/0",
    });
    if (!again.ok) problems.push(`${unit}: relation-changed failed on a second run`);
    else if (again.databags.length > 0)
      problems.push(`${unit}: a second relation-changed wrote its databag again`);
  }
  await settleInto(sim, problems, "re-running relation-changed");
  sim.removeRelation(rel);
  await settleInto(sim, problems, "removing the relation");
  return { ok: problems.length === 0, problems, simulation: sim };
}

/**
 * Relate a requirer charm to a reference etcd (2 units writing layer-etcd's bags, with the spec's
 * abbreviated PEMs: schema-valid, not parseable) and check: no hook fails while relating, when an etcd unit
 * departs and when the relation is removed; the requirer writes nothing in any databag.
 */
export async function checkEtcdRequirerCharm(
  runner: HookRunner,
  options: EtcdConformanceOptions = {},
): Promise<EtcdConformanceReport> {
  const problems: string[] = [];
  const sim = new Simulation();
  const endpoint = deployTarget(
    sim,
    "charm",
    "requires",
    { ...options, runner },
    { endpoint: "etcd", interface: "etcd" },
  );
  sim.deploy("reference-etcd", {
    runner: charmRunner((charm) => {
      const publish = () => {
        for (const relation of charm.model.relations("db")) {
          if (relation.active) relation.localUnit.update(REFERENCE_PROVIDER_BAG);
        }
      };
      charm.on("relationCreated", publish);
      charm.on("relationJoined", publish);
    }),
    units: 2,
    endpoints: { db: "provides:etcd" },
  });
  const rel = sim.relate("reference-etcd:db", `charm:${endpoint}`);
  await settleInto(sim, problems, "relating");
  const wrote = () => {
    for (const unit of sim.model.application("charm").units) {
      const bag = sim.model.unitBag(rel, unit);
      if (Object.keys(bag).length > 0)
        problems.push(`${unit} wrote ${Object.keys(bag).join(", ")} in its unit databag`);
    }
    if (Object.keys(sim.model.appBag(rel, "charm")).length > 0)
      problems.push("the requirer wrote its application databag");
  };
  wrote();
  sim.removeUnit("reference-etcd/0");
  await settleInto(sim, problems, "an etcd unit departing");
  wrote();
  sim.removeRelation(rel);
  await settleInto(sim, problems, "removing the relation");
  return { ok: problems.length === 0, problems, simulation: sim };
}

/** layer-etcd's bag with the spec's abbreviated (schema-valid, unparseable) PEMs. */
export const REFERENCE_PROVIDER_BAG: Readonly<Record<string, string>> = etcdProviderUnitBag({
  connectionString: ["https://10.5.0.11:2379", "https://10.5.0.12:2379"],
  version: "3.4.22",
  credentials: {
    ca: "-----BEGIN CERTIFICATE-----\nMIID…\n-----END CERTIFICATE-----",
    cert: "-----BEGIN CERTIFICATE-----\nMIID…\n-----END CERTIFICATE-----",
    key: "-----BEGIN RSA PRIVATE KEY-----\nMIIE…\n-----END RSA PRIVATE KEY-----",
  },
});

async function settleInto(sim: Simulation, problems: string[], step: string): Promise<void> {
  const result = await sim.settle();
  for (const f of result.failed) {
    problems.push(
      `${step}: ${f.unit} failed ${f.hook}: ${f.error instanceof Error ? f.error.name : "error"}`,
    );
  }
  if (result.failed.length === 0 && !result.settled)
    problems.push(`${step}: the model did not settle (${result.reason})`);
}

export * from "./scenario.js";

/** What the tools run etcd with (`@charm-relations/cli/registry`). */
export const testingDescriptor: InterfaceTesting = { name: "etcd", scenario: etcdScenario };
