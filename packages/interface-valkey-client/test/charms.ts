/**
 * In-process test charms for Simulation lifecycles: a Valkey provider that keeps its ACL users in a
 * fake server (what valkey-operator keeps in peer data and ACL files), and a client charm whose key
 * patterns and contract come from config. Every wrapper event is recorded per unit.
 */
import { randomBytes } from "node:crypto";
import type { Charm, Contract } from "@charm-relations/juju-secrets-core";
import { ValkeyProvider, type ValkeyProviderEvents } from "../src/provider.js";
import { ValkeyRequirer, type ValkeyRequirerEvents } from "../src/requirer.js";
import { isUsernameOfRelation } from "../src/schema.js";
import { ENDPOINT, type EventLog } from "./harness.js";

export const TEST_CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----";

/** The provider's view of its Valkey: ACL users and units that are being removed. */
export class FakeValkey {
  readonly users = new Map<string, { password: string; resource: string }>();
  readonly departing = new Set<string>();
}

const PROVIDER_EVENTS: (keyof ValkeyProviderEvents)[] = [
  "resourceRequested",
  "resourcesRequested",
  "requestRemoved",
  "invalid",
  "gone",
];

const REQUIRER_EVENTS: (keyof ValkeyRequirerEvents)[] = [
  "resourceCreated",
  "endpointsChanged",
  "readOnlyEndpointsChanged",
  "sentinelEndpointsChanged",
  "modeChanged",
  "versionChanged",
  "credentialsRotated",
  "statusRaised",
  "statusResolved",
  "gone",
  "invalid",
];

const list = (v: unknown, fallback: string): string[] =>
  String(v ?? fallback)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** Provider config: `endpoints`, `read-only-endpoints`, `sentinel-endpoints`, `version`, `tls`, `tls-ca`. */
export function providerCharm(server: FakeValkey, log: EventLog) {
  return (charm: Charm) => {
    const provider = new ValkeyProvider(charm, {
      endpoint: ENDPOINT,
      retainSecretsOnBroken: () => server.departing.has(charm.unit),
    });
    for (const name of PROVIDER_EVENTS) provider.on(name, (p) => log.record(charm.unit, name, p));
    const shared = () => {
      const cfg = charm.model.config();
      const tls = cfg.tls === true;
      return {
        endpoints: list(cfg.endpoints, "10.1.0.10:6379"),
        readOnlyEndpoints: list(cfg["read-only-endpoints"], "10.1.0.11:6379"),
        sentinelEndpoints: list(cfg["sentinel-endpoints"], "10.1.0.10:26379,10.1.0.11:26379"),
        mode: "sentinel",
        version: String(cfg.version ?? "9.0.1"),
        tls,
        ...(tls ? { tlsCa: String(cfg["tls-ca"] ?? TEST_CA) } : {}),
      };
    };
    provider.on("resourceRequested", ({ request }) => {
      const password = randomBytes(16).toString("hex");
      server.users.set(request.username, { password, resource: request.resource });
      provider.publish(request, { username: request.username, password, ...shared() });
    });
    provider.on("requestRemoved", ({ request }) => {
      server.users.delete(request.username);
    });
    provider.on("gone", ({ relation }) => {
      if (server.departing.has(charm.unit)) return; // the relation lives on for the other units
      for (const u of [...server.users.keys()])
        if (isUsernameOfRelation(u, relation.id)) server.users.delete(u);
    });
    charm.on("relationDeparted", (e) => {
      if (e.departingUnit === charm.unit) server.departing.add(charm.unit);
    });
    charm.on("configChanged", () => {
      if (charm.model.isLeader()) provider.publishAll(shared());
    });
    charm.on(
      "action",
      () => {
        for (const request of provider.answeredRequests()) {
          const password = randomBytes(16).toString("hex");
          server.users.set(request.username, { password, resource: request.resource });
          provider.publish(request, { password });
        }
      },
      { action: "rotate-passwords" },
    );
  };
}

/** Requirer config: `resources` (comma list) and `contract` (`v1` default). */
export function requirerCharm(log: EventLog, onRequirer?: (r: ValkeyRequirer, charm: Charm) => void) {
  return (charm: Charm) => {
    const cfg = charm.model.config();
    const requirer = new ValkeyRequirer(charm, {
      endpoint: ENDPOINT,
      resources: list(cfg.resources, "requirer-charm:*,*"),
      contract: (cfg.contract as Contract | undefined) ?? "v1",
    });
    for (const name of REQUIRER_EVENTS) requirer.on(name, (p) => log.record(charm.unit, name, p));
    charm.on("configChanged", () => requirer.syncRequests());
    onRequirer?.(requirer, charm);
  };
}
