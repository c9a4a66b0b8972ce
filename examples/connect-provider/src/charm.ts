/**
 * Example Kafka Connect provider charm on `connect_client`, following kafka-connect-operator
 * (interfaces.md §5.4), minus running Kafka Connect itself:
 *
 * - every worker (unit) downloads each integrator's plugin tarball into its plugin folder with
 *   `downloadPlugin` (size limit, timeout, tarball check, never a partial file) and tells the others
 *   which plugins it holds, with its REST address, in its `workers` peer unit databag;
 * - the leader answers a request only once **every** worker holds the plugin (or the integrator sent
 *   `NOT-REQUIRED`): user `relation-<id>`, a fresh password, `http(s)://<worker>:<rest-port>` for every
 *   worker, and TLS (`enabled` + the CA from config, or `disabled`) — all in one hook;
 * - endpoint or TLS changes are republished to every answered integrator; a failed download is retried
 *   on update-status (kafka-connect-operator never retries);
 * - the `rotate-passwords` action gives every integrator a new password (a new secret revision);
 * - relation-broken removes the relation's plugin files on every unit; the user goes with the secret.
 */

import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import {
  type ConnectIntegrationRequest,
  ConnectProvider,
  downloadPlugin,
  isOfRelation,
  PluginDownloadError,
} from "@charm-relations/interface-connect-client";
import {
  type Charm,
  type CharmEventName,
  type RelationRef,
  runCharmIfMain,
} from "@charm-relations/juju-secrets-core";
import { parseCommaList } from "@charm-relations/juju-secrets-core/protocol";

export const ENDPOINT = "connect-client";
export const PEERS = "workers";
/** Peer unit-bag keys: this worker's REST address, and the plugins it holds (comma list of prefixes). */
export const PEER_ADDRESS = "address";
export const PEER_PLUGINS = "plugins";

interface Config {
  readonly restPort: number;
  readonly tlsCa: string | undefined;
  readonly pluginDir: string;
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

function readConfig(charm: Charm): Config {
  const c = charm.model.config();
  const num = (key: string, fallback: number) =>
    typeof c[key] === "number" && (c[key] as number) > 0 ? (c[key] as number) : fallback;
  const ca =
    typeof c["tls-ca"] === "string" && (c["tls-ca"] as string).trim() !== ""
      ? (c["tls-ca"] as string)
      : undefined;
  const dir =
    typeof c["plugin-dir"] === "string" && c["plugin-dir"] !== "" ? (c["plugin-dir"] as string) : "plugins";
  const base = charm.context.charmDir ?? process.cwd();
  return {
    restPort: num("rest-port", 8083),
    tlsCa: ca,
    // One folder per unit, so units that share a disk (tests, LXD bind mounts) do not see each other's files.
    pluginDir: join(isAbsolute(dir) ? dir : join(base, dir), charm.unit.replace("/", "-")),
    maxBytes: num("plugin-max-mb", 256) * 1024 * 1024,
    timeoutMs: num("plugin-timeout", 120) * 1000,
  };
}

/** Every hook-tool call is a process: reconcile where something can have changed, not on every event. */
const RECONCILE_ON: readonly CharmEventName[] = [
  "configChanged",
  "updateStatus",
  "leaderElected",
  "upgradeCharm",
  "relationChanged",
];

export function setup(charm: Charm): void {
  const provider = new ConnectProvider(charm, { endpoint: ENDPOINT });
  const model = charm.model;
  const failures = new Map<number, string>();

  const pluginPath = (config: Config, r: ConnectIntegrationRequest) =>
    join(config.pluginDir, `${r.pluginPrefix}.tar`);

  /**
   * This worker: download what is missing (for one relation's request when given: an integrator's
   * relation-changed lists no other relation); returns the prefixes it holds. The plugin folder is
   * the record: a download never leaves a partial file, and a removed relation's files are deleted.
   */
  const installPlugins = async (config: Config, only?: RelationRef): Promise<string[]> => {
    const wanted = only ? [provider.request(only)].filter((r) => r !== undefined) : provider.requests();
    for (const r of wanted) {
      if (r.pluginUrl === null) continue;
      const path = pluginPath(config, r);
      if (existsSync(path)) continue;
      try {
        const got = await downloadPlugin(r.pluginUrl, {
          destination: path,
          maxBytes: config.maxBytes,
          timeoutMs: config.timeoutMs,
        });
        failures.delete(r.relation.id);
        model.log(
          "INFO",
          `installed plugin for ${ENDPOINT}:${r.relation.id} (${got.format}, ${got.bytes} bytes, sha256 ${got.sha256.slice(0, 12)})`,
        );
      } catch (e) {
        if (!(e instanceof PluginDownloadError)) throw e;
        // Logged and retried later (update-status); the relation simply waits for its credentials.
        failures.set(r.relation.id, e.message);
        model.log("WARNING", e.message);
      }
    }
    if (!existsSync(config.pluginDir)) return [];
    return readdirSync(config.pluginDir)
      .filter((name) => name.endsWith(".tar"))
      .map((name) => name.slice(0, -4))
      .sort();
  };

  const ownAddress = (): string | undefined => model.backend.networkGet(ENDPOINT)["ingress-addresses"]?.[0];

  /** Every unit: share this worker's address and plugins with the others. */
  const announce = (address: string, held: readonly string[]) => {
    for (const peers of model.relations(PEERS)) {
      if (!peers.active) continue;
      peers.localUnit.update({ [PEER_ADDRESS]: address, [PEER_PLUGINS]: held.join(",") || undefined });
    }
  };

  /** The workers as the leader sees them: address → plugin prefixes held. */
  const workers = (address: string, held: readonly string[]): Map<string, Set<string>> => {
    const out = new Map([[address, new Set(held)]]);
    const ctx = charm.context;
    for (const peers of model.relations(PEERS)) {
      for (const unit of peers.units) {
        if (ctx.kind === "relation-departed" && ctx.departingUnit === unit) continue;
        const bag = peers.remoteUnitData(unit);
        if (bag[PEER_ADDRESS]) out.set(bag[PEER_ADDRESS], new Set(parseCommaList(bag[PEER_PLUGINS])));
      }
    }
    return out;
  };

  /** What this hook found, set at its end by collect-status (one status-set, none when unchanged). */
  let status: { name: "active" | "blocked" | "waiting"; message: string } | undefined;
  charm.on("collectStatus", (e) => {
    if (status) e.add(status.name, status.message);
  });

  const reconcile = async (): Promise<void> => {
    const ctx = charm.context;
    if (ctx.kind === "relation-departed" && ctx.departingUnit === charm.unit) return; // leaving: nothing to serve
    const config = readConfig(charm);
    const address = ownAddress();
    if (address === undefined) {
      status = { name: "waiting", message: `waiting for an address on the ${ENDPOINT} binding` };
      return;
    }
    // An integrator's relation-changed can only bring its own request: answer that one; the endpoint
    // list changes with the workers and config, whose hooks republish it everywhere.
    const own =
      ctx.kind === "relation-changed" && ctx.relation?.endpoint === ENDPOINT ? ctx.relation : undefined;
    const held = await installPlugins(config, own);
    announce(address, held);
    const failed = [...failures.values()][0];
    // One relation's hook saw only that relation's downloads: it reports a failure, and otherwise
    // leaves the status to the hooks that look at every request (a failure elsewhere stays shown).
    const report = (ok: string) => {
      if (failed) status = { name: "blocked", message: failed };
      else if (!own) status = { name: "active", message: ok };
    };
    if (!model.isLeader()) return report(`worker holds ${held.length} plugin(s)`);
    const tls = config.tlsCa !== undefined;
    const pool = workers(address, held);
    const endpoints = [...pool.keys()]
      .sort()
      .map((a) => `${tls ? "https" : "http"}://${a}:${config.restPort}`);
    const tlsFields = tls ? { tls: true, tlsCa: config.tlsCa! } : { tls: false };
    if (!own) provider.publishAll({ endpoints, ...tlsFields });
    for (const r of provider.pendingRequests(own)) {
      const everywhere =
        r.pluginUrl === null || [...pool.values()].every((plugins) => plugins.has(r.pluginPrefix));
      if (!everywhere) {
        model.log("INFO", `${ENDPOINT}:${r.relation.id} waits until every worker holds its plugin`);
        continue;
      }
      provider.publish(r, {
        endpoints,
        username: r.username,
        password: randomBytes(16).toString("hex"),
        ...tlsFields,
      });
      model.log("INFO", `published credentials for ${ENDPOINT}:${r.relation.id} (user ${r.username})`);
    }
    // Constant: a count of integrators would cost relation-ids and a status-set whenever one is added.
    report("serving integrators");
  };

  provider.on("integrationRequested", ({ request }) => {
    model.log(
      "INFO",
      `${request.remoteApp ?? "an integrator"} asked on ${ENDPOINT}:${request.relation.id} for ${request.pluginUrl ?? "no plugin"}`,
    );
  });
  provider.on("invalid", ({ relation, error }) => {
    model.log("WARNING", error.message);
    status = {
      name: "blocked",
      message: `invalid request on ${relation.endpoint}:${relation.id}: see juju debug-log`,
    };
  });
  provider.on("integrationRemoved", (e) => {
    const config = readConfig(charm);
    if (existsSync(config.pluginDir)) {
      for (const name of readdirSync(config.pluginDir)) {
        if (isOfRelation(name, e.relation.id))
          rmSync(join(config.pluginDir, name), { force: true, recursive: true });
      }
    }
    // Kafka Connect's users live in its credentials file; the secret that carried them is already gone.
    model.log(
      "INFO",
      `${ENDPOINT}:${e.relation.id} removed: deleted plugin files ${e.pluginPrefix}*${e.unitDeparting ? " (this unit is leaving)" : `, user ${e.username}`}`,
    );
  });

  for (const name of RECONCILE_ON) charm.on(name, reconcile);
  // A worker leaving changes the endpoint list; an integrator unit leaving changes nothing here.
  charm.on("relationDeparted", reconcile, { endpoint: PEERS });
  charm.on(
    "action",
    () => {
      model.requireLeader("rotate-passwords");
      const config = readConfig(charm);
      const tls = config.tlsCa !== undefined;
      for (const r of provider.answeredRequests()) {
        const current = provider.published(r);
        provider.publish(r, {
          endpoints: parseCommaList(current.endpoints),
          username: r.username,
          password: randomBytes(16).toString("hex"),
          ...(tls ? { tls: true, tlsCa: config.tlsCa! } : { tls: false }),
        });
      }
    },
    { action: "rotate-passwords" },
  );
}

void runCharmIfMain(import.meta.url, setup);
