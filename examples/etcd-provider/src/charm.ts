/**
 * Example etcd charm serving the legacy reactive `etcd` interface the way charmed-kubernetes'
 * layer-etcd does (interfaces.md §3.2), minus running etcd itself:
 *
 * - every unit (leader or not) publishes on every hook, so all units converge on the same data and
 *   a rotation on disk is picked up at the next hook (update-status at the latest);
 * - the member list is this unit's `db` address plus the `db-ingress-address` each peer publishes
 *   on the `cluster` peer relation, as `https://<address>:<port>`, sorted;
 * - the shared client credentials are read from `<tls-dir>/client.key`, `client.crt` and `ca.crt`
 *   (layer-etcd keeps them in /etc/ssl/etcd); without them only the connection string is served.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EtcdInputError, EtcdProvider } from "@charm-relations/interface-etcd";
import { type Charm, type CharmEventName, runCharmIfMain } from "@charm-relations/juju-secrets-core";

export const TLS_FILES = { key: "client.key", cert: "client.crt", ca: "ca.crt" } as const;
export const PEER_ADDRESS_KEY = "db-ingress-address";

const PUBLISH_ON: readonly CharmEventName[] = [
  "install",
  "start",
  "configChanged",
  "upgradeCharm",
  "updateStatus",
  "leaderElected",
  "relationCreated",
  "relationJoined",
  "relationChanged",
  "relationDeparted",
  "relationBroken",
];

export function setup(charm: Charm): void {
  const etcd = new EtcdProvider(charm, { endpoint: "db" });
  const model = charm.model;

  const publish = (): void => {
    const ctx = charm.context;
    if (
      ctx.kind === "stop" ||
      ctx.kind === "remove" ||
      (ctx.kind === "relation-departed" && ctx.departingUnit === charm.unit)
    ) {
      // This unit is leaving: stop advertising it so consumers move to the remaining members.
      etcd.clear();
      return;
    }
    const config = model.config();
    const port = Number(config.port ?? 2379);
    const version = typeof config["etcd-version"] === "string" ? config["etcd-version"] : "";
    const own = model.backend.networkGet("db")["ingress-addresses"]?.[0];
    if (own === undefined) {
      model.setStatus("waiting", "waiting for an address on the db binding");
      return;
    }
    const members = new Set([own]);
    for (const peers of model.relations("cluster")) {
      if (!peers.active) continue;
      peers.localUnit.set(PEER_ADDRESS_KEY, own);
      for (const unit of peers.units) {
        const address = peers.remoteUnitData(unit)[PEER_ADDRESS_KEY];
        if (address) members.add(address);
      }
    }
    etcd.setConnectionString(
      [...members].map((address) => `https://${address}:${port}`),
      version,
    );

    const tlsDir = typeof config["tls-dir"] === "string" ? config["tls-dir"] : "/etc/ssl/etcd";
    const tls = readTls(tlsDir);
    let tlsNote = "no client TLS";
    if (tls) {
      try {
        etcd.setClientCredentials(tls);
        tlsNote = "client TLS";
      } catch (error) {
        if (!(error instanceof EtcdInputError)) throw error;
        // The message names the field only; the previously published credentials stay in place.
        model.setStatus("blocked", `bad client credentials in ${tlsDir}: ${error.message}`);
        return;
      }
    } else {
      etcd.clearClientCredentials();
    }
    const clients = etcd.relations.length;
    model.setStatus(
      "active",
      `serving ${clients} client relation${clients === 1 ? "" : "s"}, ${members.size} member${members.size === 1 ? "" : "s"}, ${tlsNote}`,
    );
  };

  for (const name of PUBLISH_ON) charm.on(name, publish);
}

/** The three PEM files, or undefined when any is missing (TLS not set up yet). */
function readTls(dir: string): { key: string; cert: string; ca: string } | undefined {
  try {
    return {
      key: readFileSync(join(dir, TLS_FILES.key), "utf8"),
      cert: readFileSync(join(dir, TLS_FILES.cert), "utf8"),
      ca: readFileSync(join(dir, TLS_FILES.ca), "utf8"),
    };
  } catch {
    return undefined;
  }
}

void runCharmIfMain(import.meta.url, setup);
