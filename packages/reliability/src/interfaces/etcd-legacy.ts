/**
 * The legacy reactive `etcd` interface through `@charm-relations/interface-etcd`: plain unit databags,
 * no secrets, no app databag. The provider (layer-etcd's `db`) publishes the connection string and the
 * shared client credentials from every unit; the requirer (kubernetes-control-plane's `etcd`) reads
 * them. Only the requirer reads remote data, so hostile cases exist for that side alone.
 */

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type EtcdClientCredentials, EtcdProvider, EtcdRequirer } from "@charm-relations/interface-etcd";
import type { Charm } from "@charm-relations/juju-secrets-core";
import { charmRunner } from "@charm-relations/juju-secrets-core/testing";
import fc from "fast-check";
import { EventLog } from "../generic.js";
import type { HostileBase, HostileTarget } from "../hostile.js";
import { settledWorld } from "../hostile-bases.js";
import type { LifecycleSpec } from "../lifecycle.js";

const pem = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/etcd-legacy/${name}`, import.meta.url)), "utf8");

/** TEST-ONLY credentials (copied from packages/interface-etcd/test/fixtures, made with openssl). */
export const LEGACY_CREDS: readonly EtcdClientCredentials[] = [
  { key: pem("client1.key"), cert: pem("client1.pem"), ca: pem("ca.pem") },
  { key: pem("client2.key"), cert: pem("client2.pem"), ca: pem("ca.pem") },
];

const SUBJECT = "etcd (legacy)";

export interface CharmOptions {
  readonly log?: EventLog;
}

export function etcdLegacyProvider(options: CharmOptions = {}): (charm: Charm) => void {
  return (charm) => {
    const provider = new EtcdProvider(charm, { endpoint: "db" });
    const log = (e: string, d = "") => options.log?.add(charm.unit, e, d);
    const publish = () => {
      const generation = Number(charm.model.config().rotate ?? 0);
      provider.setConnectionString(["https://10.1.0.10:2379", "https://10.1.0.11:2379"], "3.5.18");
      provider.setClientCredentials(LEGACY_CREDS[generation % LEGACY_CREDS.length]!);
    };
    provider.on("connected", (e) => {
      log("connected", String(e.relation.id));
      publish();
    });
    provider.on("gone", (e) => log("disconnected", String(e.relation.id)));
    charm.on("configChanged", publish);
  };
}

/** The requirer remembers what it last saw in a state file in the unit's charm directory (the default). */
export function etcdLegacyRequirer(options: CharmOptions = {}): (charm: Charm) => void {
  return (charm) => {
    const requirer = new EtcdRequirer(charm, { endpoint: "etcd" });
    const log = (e: string, d = "") => options.log?.add(charm.unit, e, d);
    requirer.on("tlsAvailable", () => log("tlsAvailable"));
    requirer.on("connectionChanged", () => log("connectionChanged"));
    requirer.on("unavailable", (e) => log("unavailable", e.reason));
    if (options.log) requirer.on("invalid", ({ error }) => log("invalid", error.message));
  };
}

export function etcdLegacyLifecycle(options: CharmOptions = {}): LifecycleSpec {
  const o = { log: options.log ?? new EventLog() };
  return {
    name: "etcd (legacy reactive)",
    apps: [
      {
        name: "etcd",
        units: 2,
        endpoints: { db: "provides:etcd" },
        runner: charmRunner(etcdLegacyProvider(o)),
      },
      {
        name: "kcp",
        units: 2,
        endpoints: { etcd: "requires:etcd" },
        runner: charmRunner(etcdLegacyRequirer(o)),
      },
    ],
    steps: [
      { op: "relate", a: "etcd:db", b: "kcp:etcd" },
      { op: "configure", app: "etcd", config: { rotate: "1" } },
      { op: "add-unit", app: "etcd" },
      { op: "set-leader", unit: "etcd/1" },
      { op: "remove-unit", unit: "etcd/2" },
      { op: "add-unit", app: "kcp" },
      { op: "remove-relation", index: 0 },
    ],
  };
}

const notPem = fc.constantFrom(
  "not a pem",
  "-----BEGIN CERTIFICATE-----",
  "MIIB...",
  "-----BEGIN PRIVATE KEY-----",
);
const badUrls = fc.constantFrom("10.1.0.10:2379", "https://a b:2379", "https://x:1,,nope", "://x", "etcd");
const badVersion = fc.constantFrom("3.5 18", "3.5,18", "v3;rm -rf", "3.5\n18");

export function etcdLegacyTargets(): HostileTarget[] {
  return [
    {
      name: "etcd (legacy) requirer, provider unit databag",
      subject: SUBJECT,
      endpoint: "etcd",
      setup: etcdLegacyRequirer(),
      // One target only (the provider reads nothing remote): more cases per base.
      runs: 110,
      roles: {
        strict: {
          connection_string: badUrls,
          version: badVersion,
          client_ca: notPem,
          client_cert: notPem,
          client_key: notPem,
        },
        free: ["connection_string", "version"],
      },
      bases: async (): Promise<HostileBase[]> => {
        const w = await settledWorld(etcdLegacyLifecycle());
        const id = w.relations[0]!;
        const units = ["kcp/0", "kcp/1"];
        return ["etcd/0", "etcd/1"].map((remoteUnit) => ({
          state: w.state,
          relationId: id,
          remoteApp: "etcd",
          remoteUnit,
          units,
          label: `answered by ${remoteUnit}`,
        }));
      },
    },
  ];
}
