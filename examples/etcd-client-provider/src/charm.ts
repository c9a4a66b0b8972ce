/**
 * Example etcd provider for etcd_client, shaped like canonical/charmed-etcd-operator's `etcd-client`
 * endpoint: each client is identified by the common name of its client certificate, which becomes
 * its etcd user with read/write access to the key prefix it asked for. It does not run etcd: where
 * charmed-etcd would call `etcdctl user add` or rewrite its trust store and restart, it logs.
 *
 * - Leader: answers each client (endpoints without scheme, https uris, version, the server CA),
 *   refuses a CN that another client already uses and a CA as client certificate (relation status),
 *   re-answers when a client's CN changes, deletes the user when the relation goes.
 * - Every unit: rebuilds its trusted client list (the leaf certificates) whenever it may have changed.
 * - Status: `active` with `serving etcd clients` (leader) or `trusting N client certificate(s)`.
 */

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  EtcdClientProvider,
  type EtcdClientRef,
  type EtcdClientResponse,
  type TrustedClientCertificate,
} from "@charm-relations/interface-etcd-client";
import { type Charm, type RelationRef, runCharmIfMain } from "@charm-relations/juju-secrets-core";

/** This example's relation status catalogue (codes in the data-interfaces ranges: 4xxx transitory, 5xxx fatal). */
export const STATUS = {
  usernameExists: (cn: string) => ({
    code: 4101,
    message: `etcd user "${cn}" already belongs to another client`,
    resolution: "use a client certificate with another common name",
  }),
  invalidCertificate: {
    code: 5101,
    message: "the client certificate cannot be used",
    resolution: "send a leaf client certificate (not a CA) with a common name, leaf first",
  },
} as const;

const str = (v: unknown): string | undefined =>
  typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;

export function setup(charm: Charm): void {
  const model = charm.model;
  const config = model.config();
  const provider = new EtcdClientProvider(charm);

  const endpoints = (): string[] => {
    const configured = str(config.endpoints);
    if (configured)
      return configured
        .split(",")
        .map((e) => e.trim())
        .filter((e) => e !== "");
    const port = typeof config["client-port"] === "number" ? config["client-port"] : 2379;
    const address = model.backend.networkGet("etcd-client")["ingress-addresses"]?.[0] ?? "127.0.0.1";
    return [`${address.includes(":") ? `[${address}]` : address}:${port}`];
  };
  const response = (username: string): EtcdClientResponse => ({
    username,
    endpoints: endpoints(),
    version: str(config.version) ?? "3.6.5",
    tlsCa: str(config["tls-ca"]) ?? "",
  });

  /**
   * The etcd users (CN → the client holding it): charmed-etcd asks etcd (`etcdctl user list`); this
   * example keeps a stand-in file in `data-dir`, so serving a client lists no other relation. Rebuilt
   * from the served clients when absent (a new leader, a fresh dir).
   */
  const dataDir =
    str(config["data-dir"]) ?? (charm.context.charmDir && join(charm.context.charmDir, "etcd-data"));
  const usersFile = dataDir && join(dataDir, "users.json");
  const owner = (c: { readonly relation: RelationRef; readonly requestId?: string | undefined }) =>
    `${c.relation.id}/${c.requestId ?? ""}`;
  let users: Record<string, string> | undefined;
  const loadUsers = (): Record<string, string> => {
    if (users) return users;
    try {
      if (usersFile) users = JSON.parse(readFileSync(usersFile, "utf8")) as Record<string, string>;
    } catch {
      // absent or unreadable: rebuilt below
    }
    users ??= Object.fromEntries(provider.servedClients().map((c) => [c.username, owner(c)]));
    return users;
  };
  const saveUsers = (change: (u: Record<string, string>) => void): void => {
    const u = loadUsers();
    change(u);
    if (!usersFile) return;
    mkdirSync(dirname(usersFile), { recursive: true });
    writeFileSync(usersFile, `${JSON.stringify(u)}\n`, { mode: 0o600 });
  };

  // This unit's record may be stale after another unit led: rebuild it from the relations once.
  charm.on("leaderElected", () => {
    users = undefined;
    if (usersFile) rmSync(usersFile, { force: true });
    saveUsers(() => {});
  });

  /** The etcd user a CN maps to is cluster-wide: refuse one that another client already has. */
  const takenBy = (client: EtcdClientRef, cn: string): boolean => {
    const holder = Object.hasOwn(loadUsers(), cn) ? loadUsers()[cn] : undefined;
    return holder !== undefined && holder !== owner(client);
  };

  const serve = (client: EtcdClientRef, cn: string): void => {
    if (!str(config["tls-ca"])) return; // blocked until configured; config-changed serves the waiting clients
    if (takenBy(client, cn)) {
      model.log(
        "WARNING",
        `refusing client ${client.relation.endpoint}:${client.relation.id}: user ${cn} exists`,
      );
      provider.raiseStatus(client.relation, STATUS.usernameExists(cn));
      return;
    }
    model.log("INFO", `etcd user ${cn}: role ${cn} readwrite on prefix ${client.prefix}`);
    provider.resolveStatus(client.relation, STATUS.usernameExists(cn).code);
    provider.resolveStatus(client.relation, STATUS.invalidCertificate.code);
    provider.publish(client, response(cn));
    saveUsers((u) => {
      for (const [name, o] of Object.entries(u)) if (o === owner(client) && name !== cn) delete u[name];
      u[cn] = owner(client);
    });
  };

  provider.on("clientRequested", (e) => serve(e, e.commonName));
  provider.on("clientCertificateChanged", (e) => {
    if (!model.isLeader() || !e.commonNameChanged) return; // same CN: only the trust store changes
    if (e.oldCommonName) model.log("INFO", `etcd user ${e.oldCommonName} deleted (client CN changed)`);
    serve(e, e.commonName);
  });
  provider.on("clientCertificateRejected", (e) => {
    model.log("WARNING", e.error.message);
    if (!model.isLeader()) return;
    const previous = e.previousCommonName;
    if (previous) {
      model.log("INFO", `etcd user ${previous} deleted (invalid certificate)`);
      saveUsers((u) => {
        if (u[previous] === owner(e)) delete u[previous];
      });
    }
    provider.resolveStatus(e.relation, STATUS.usernameExists("").code);
    provider.raiseStatus(e.relation, STATUS.invalidCertificate);
  });
  provider.on("clientRemoved", (e) => {
    model.log("INFO", `etcd user ${e.commonName} deleted (${e.reason})`);
    const gone = `${e.relation.id}/${e.requestId ?? ""}`;
    if (model.isLeader())
      saveUsers((u) => {
        if (u[e.commonName] === gone) delete u[e.commonName];
      });
  });
  provider.on("invalid", (e) => model.log("WARNING", e.error.message));

  /**
   * The trusted client leaves, per client (`<relation>/<request>` → fingerprint), kept in `data-dir`
   * beside the user list: a relation's hook refreshes only that relation's entries (no `relation-ids`);
   * without the file (a fresh dir, no data-dir) it is rebuilt from every relation.
   */
  const trustFile = dataDir && join(dataDir, "trusted.json");
  let trusted: Record<string, string> | undefined;
  const readTrusted = (): Record<string, string> | undefined => {
    try {
      return trustFile ? (JSON.parse(readFileSync(trustFile, "utf8")) as Record<string, string>) : undefined;
    } catch {
      return undefined;
    }
  };
  const entries = (certs: readonly TrustedClientCertificate[]) =>
    Object.fromEntries(certs.map((c) => [owner(c), c.fingerprint256]));
  const saveTrusted = (record: Record<string, string>): void => {
    trusted = record;
    if (!trustFile) return;
    mkdirSync(dirname(trustFile), { recursive: true });
    writeFileSync(trustFile, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  };
  provider.on("trustStoreRefresh", (e) => {
    // charmed-etcd writes these leaves into its client CA bundle, and restarts when that changed.
    const known = e.relation ? readTrusted() : undefined;
    if (!known || !e.relation) return saveTrusted(entries(e.certificates()));
    const id = String(e.relation.id);
    const mine = e.reason === "relation-broken" ? [] : provider.trustedCertificates(e.relation);
    const others = Object.entries(known).filter(([k]) => k.split("/")[0] !== id);
    saveTrusted({ ...Object.fromEntries(others), ...entries(mine) });
  });
  // Both records start (or restart) complete in the hooks that come before any relation's: install
  // and config-changed (upgrade-charm runs config-changed too).
  charm.on("configChanged", () => {
    if (trustFile && !readTrusted()) saveTrusted(entries(provider.trustedCertificates()));
    if (usersFile && model.isLeader() && !existsSync(usersFile)) saveUsers(() => {});
  });

  charm.on("configChanged", () => {
    if (!model.isLeader()) return;
    const ca = str(config["tls-ca"]);
    if (!ca) return;
    provider.publishAll({ tlsCa: ca });
    provider.publishAll({ endpoints: endpoints(), version: str(config.version) ?? "3.6.5" });
    // Clients that arrived while the CA was missing (or whose CN was taken) get their answer now.
    const served = provider.servedClients();
    for (const client of provider.clients()) {
      const done = served.some(
        (c) => c.relation.id === client.relation.id && c.requestId === client.requestId,
      );
      if (!done && client.certificate) serve(client, client.certificate.commonName);
    }
  });

  // End of every hook: the highest status wins; one status-set, none when it did not change.
  charm.on("collectStatus", (e) => {
    if (!str(config["tls-ca"])) {
      e.add("blocked", "set the tls-ca option (the server CA, PEM)");
    } else if (model.isLeader()) {
      // Constant: a count of clients would cost a status-set in every hook that serves one.
      e.add("active", "serving etcd clients");
    } else {
      const n = Object.keys(trusted ?? readTrusted() ?? entries(provider.trustedCertificates())).length;
      e.add("active", `trusting ${n} client certificate${n === 1 ? "" : "s"}`);
    }
  });
}

void runCharmIfMain(import.meta.url, setup);
