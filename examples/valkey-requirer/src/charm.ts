/**
 * Example Valkey client charm on `valkey_client`. It asks for two key patterns by default (config
 * `resources`, e.g. `<app>:*` for its data and `cache:*` for a cache), one ACL user each, over the v1
 * contract; `contract: v0` speaks like a data_interfaces `DatabaseRequires` client (one pattern).
 *
 * - every answer, endpoint move, failover of Sentinel endpoints, password rotation or TLS switch
 *   re-renders `<data-dir>/valkey.json` (mode 0600) for the workload;
 * - changing `resources` on a live relation adds and withdraws requests (the provider creates and
 *   deletes exactly those users);
 * - status: `active` once every pattern has a user on every relation, else `waiting`/`blocked`.
 *
 * Passwords are only ever written to the 0600 file; logs name users and endpoints, never passwords.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ValkeyConnection, ValkeyRequirer } from "@charm-relations/interface-valkey-client";
import { type Charm, runCharmIfMain } from "@charm-relations/juju-secrets-core";

export const CONNECTION_FILE = "valkey.json";

/** The key patterns to request: config `resources`, else `<app>:*` and `cache:*`. */
export function resourcesOf(charm: Charm): string[] {
  const raw = charm.model.config().resources;
  const list = (typeof raw === "string" ? raw : "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return list.length ? list : [`${charm.app}:*`, "cache:*"];
}

export function setup(charm: Charm): void {
  const model = charm.model;
  const cfg = model.config();
  const contract = cfg.contract === "v0" ? "v0" : "v1";
  const wanted = resourcesOf(charm);
  // v0 carries exactly one pattern per relation.
  const resources = contract === "v0" ? wanted.slice(0, 1) : wanted;
  const valkey = new ValkeyRequirer(charm, { endpoint: "valkey-client", resources, contract });
  const dataDir = (): string =>
    typeof cfg["data-dir"] === "string" && cfg["data-dir"] !== ""
      ? cfg["data-dir"]
      : "/var/lib/valkey-client";

  /** Write what the workload needs; only when it changed (a real charm restarts its workload then). */
  const render = (): void => {
    const connections = valkey.connections().map((c) => ({
      resource: c.resource,
      username: c.username,
      password: c.password,
      endpoints: c.endpoints,
      readOnlyEndpoints: c.readOnlyEndpoints,
      sentinelEndpoints: c.sentinelEndpoints,
      mode: c.mode ?? null,
      tls: c.tls,
      tlsCa: c.tlsCa ?? null,
    }));
    const file = join(dataDir(), CONNECTION_FILE);
    const content = `${JSON.stringify({ connections }, null, 2)}\n`;
    let current: string | undefined;
    try {
      current = readFileSync(file, "utf8");
    } catch {
      current = undefined;
    }
    if (current === content) return;
    mkdirSync(dataDir(), { recursive: true });
    writeFileSync(file, content, { mode: 0o600 });
    model.log("INFO", `rendered ${file} with ${connections.length} Valkey user(s)`);
  };
  const describe = (c: ValkeyConnection): string =>
    `${c.username} for ${c.resource} at ${c.endpoints.join(",")} (tls ${c.tls ? "on" : "off"})`;

  valkey.on("resourceCreated", ({ connection }) => {
    model.log("INFO", `Valkey user ready: ${describe(connection)}`);
    render();
  });
  for (const name of [
    "endpointsChanged",
    "readOnlyEndpointsChanged",
    "sentinelEndpointsChanged",
    "versionChanged",
  ] as const) {
    valkey.on(name, ({ connection }) => {
      model.log("INFO", `${name}: ${describe(connection)}`);
      render();
    });
  }
  valkey.on("credentialsRotated", ({ connection, groups }) => {
    model.log("INFO", `${groups.join(" and ")} secret rotated for ${connection.username}; reconnecting`);
    render();
  });
  valkey.on("gone", () => render());
  valkey.on("invalid", ({ error }) => model.log("WARNING", `ignoring Valkey data: ${error.message}`));
  // New patterns in config: ask for them (and withdraw the old ones) on every live relation.
  charm.on("configChanged", () => {
    valkey.syncRequests();
    render();
  });

  // End of every hook: the highest status wins; one status-set, none when it did not change.
  charm.on("collectStatus", (e) => {
    const relations = model.relations("valkey-client");
    if (relations.length === 0) {
      e.add("blocked", "needs a valkey-client relation");
    } else if (!valkey.isReady()) {
      const have = valkey.connections().length;
      e.add("waiting", `waiting for Valkey users (${have}/${relations.length * resources.length})`);
    } else {
      const n = valkey.connections().length;
      e.add("active", `ready: ${n} Valkey user${n === 1 ? "" : "s"} (${contract})`);
    }
  });
}

void runCharmIfMain(import.meta.url, setup);
