/**
 * Example etcd client for etcd_client: asks charmed-etcd (or the `etcd-client-provider` example) for
 * read/write access to a key prefix, authenticating with a client certificate whose common name is
 * its etcd user. The certificate travels in a secret owned by this app (`secret-mtls`), or encrypted
 * in the databag across models; changing the `mtls-cert` option rotates it.
 *
 * Status: `blocked` when the certificate is unusable or the provider's answer is unreadable,
 * `waiting` until the answer is complete, then `active` with a message that starts with `ready`.
 * The client would run `etcdctl --endpoints <uris> --cert <cert> --key <key> --cacert <tls-ca>`.
 */

import { EtcdClientRequirer, parseClientCertificate } from "@charm-relations/interface-etcd-client";
import { type Charm, CharmRelationsError, runCharmIfMain } from "@charm-relations/juju-secrets-core";

const str = (v: unknown): string | undefined =>
  typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;

export function setup(charm: Charm): void {
  const model = charm.model;
  const config = model.config();
  const prefix = str(config.prefix) ?? "/requirer/";
  const contract = str(config.contract) === "v0" ? "v0" : "v1";
  // A bad certificate blocks the unit instead of failing every hook; the request goes out without one.
  let certProblem: string | undefined;
  let cert = str(config["mtls-cert"]);
  if (cert) {
    try {
      cert = `${cert}\n`;
      parseClientCertificate(cert, { field: "mtls-cert option" });
    } catch (e) {
      if (!(e instanceof CharmRelationsError)) throw e;
      certProblem = e.message;
      cert = undefined;
    }
  }
  const requirer = new EtcdClientRequirer(charm, {
    endpoint: "etcd-client",
    prefix,
    contract,
    ...(cert ? { mtlsCert: cert } : {}),
  });
  let invalid: string | undefined;

  requirer.on("etcdReady", ({ connection: c }) =>
    model.log("INFO", `etcd ready: user ${c.username}, ${c.uris.join(",")}, etcd ${c.version ?? "?"}`),
  );
  requirer.on("endpointsChanged", ({ connection: c }) =>
    model.log("INFO", `etcd endpoints changed: ${c.endpoints.join(",")}`),
  );
  requirer.on("versionChanged", ({ connection: c }) => model.log("INFO", `etcd version ${c.version ?? "?"}`));
  // A real client writes the new CA to its --cacert file here.
  requirer.on("caRotated", () => model.log("INFO", "etcd server CA rotated"));
  requirer.on("credentialsRotated", ({ connection: c, groups }) => {
    if (groups.includes("user")) model.log("INFO", `etcd user is now ${c.username}`);
  });
  requirer.on("statusRaised", ({ status }) =>
    model.log("WARNING", `etcd says ${status.code}: ${status.message}`),
  );
  requirer.on("gone", ({ relation, departing }) =>
    model.log(
      "INFO",
      `relation ${relation.endpoint}:${relation.id} ${departing ? "left by this unit" : "removed"}`,
    ),
  );
  requirer.on("invalid", ({ error }) => {
    invalid = error.message;
  });

  charm.on("configChanged", () => {
    if (cert && model.isLeader()) requirer.setMtlsCert(cert);
  });

  // End of every hook: the highest status wins; one status-set, none when it did not change.
  charm.on("collectStatus", (e) => {
    const c = certProblem || invalid ? undefined : requirer.connection();
    if (certProblem || invalid) e.add("blocked", (certProblem ?? invalid)!);
    else if (c) e.add("active", `ready: ${c.username}@${c.uris[0]} prefix ${c.prefix}`);
    else if (!cert) e.add("blocked", "set the mtls-cert option (client certificate, PEM)");
    else {
      const related = model.relations(requirer.endpoint).length > 0;
      e.add("waiting", related ? "waiting for etcd to create the user" : "waiting for an etcd relation");
    }
  });
}

void runCharmIfMain(import.meta.url, setup);
