/**
 * Example consumer of the legacy reactive `etcd` interface, shaped like kubernetes-control-plane:
 *
 * - `credentialsChanged` (first time and on every rotation): save the shared client key,
 *   certificate and CA to `<data-dir>/client-{key,cert,ca}.pem`, mode 0600;
 * - `connectionChanged` (first time, scale out/in, version change): re-render `<data-dir>/etcd.env`
 *   for the workload — always re-render, never "render once" (kubernetes/kubernetes#43461);
 * - status: `active` with a message starting with `ready` while etcd is available, else `waiting`
 *   or `blocked`, recomputed in every hook from the requirer's properties.
 *
 * The client key is only ever written to the 0600 file; it is never logged.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EtcdRequirer } from "@charm-relations/interface-etcd";
import { type Charm, runCharmIfMain } from "@charm-relations/juju-secrets-core";

export const CREDENTIAL_FILES = {
  key: "client-key.pem",
  cert: "client-cert.pem",
  ca: "client-ca.pem",
} as const;
export const ENV_FILE = "etcd.env";

export function setup(charm: Charm): void {
  const etcd = new EtcdRequirer(charm, { endpoint: "etcd" });
  const model = charm.model;
  const dataDir = (): string => {
    const v = model.config()["data-dir"];
    return typeof v === "string" && v !== "" ? v : "/root/cdk/etcd";
  };
  const paths = () => {
    const dir = dataDir();
    return {
      key: join(dir, CREDENTIAL_FILES.key),
      cert: join(dir, CREDENTIAL_FILES.cert),
      ca: join(dir, CREDENTIAL_FILES.ca),
    };
  };

  const saveCredentials = (): void => {
    if (!etcd.tlsAvailable) return;
    if (etcd.saveClientCredentials(paths()).changed) {
      model.log("INFO", `etcd client credentials saved in ${dataDir()}; restarting the workload`);
    }
  };

  const renderEnv = (): void => {
    if (!etcd.available || etcd.connectionString === undefined) return;
    const major = etcd.majorVersion ?? 3;
    const lines = [
      `ETCDCTL_ENDPOINTS=${etcd.connectionString}`,
      `ETCD_VERSION=${etcd.version === "" ? "2.x" : etcd.version}`,
      `ETCDCTL_API=${major >= 3 ? 3 : 2}`,
    ];
    if (etcd.tlsAvailable) {
      const p = paths();
      lines.push(`ETCDCTL_CACERT=${p.ca}`, `ETCDCTL_CERT=${p.cert}`, `ETCDCTL_KEY=${p.key}`);
    }
    const file = join(dataDir(), ENV_FILE);
    const content = `${lines.join("\n")}\n`;
    let current: string | undefined;
    try {
      current = readFileSync(file, "utf8");
    } catch {
      current = undefined;
    }
    if (current !== content) {
      mkdirSync(dataDir(), { recursive: true });
      writeFileSync(file, content, { mode: 0o644 });
      model.log(
        "INFO",
        `rendered ${file} for ${etcd.endpoints.length} etcd member(s); restarting the workload`,
      );
    }
  };

  etcd.on("credentialsChanged", () => {
    saveCredentials();
    renderEnv();
  });
  etcd.on("connectionChanged", renderEnv);
  etcd.on("unavailable", (e) =>
    model.log("INFO", `etcd unavailable (${e.reason}); the workload keeps its last configuration`),
  );
  etcd.on("invalid", (e) =>
    model.log("WARNING", `ignoring bad etcd data from ${e.unit}: ${e.error.message}`),
  );
  // A new data-dir: write everything there at once.
  charm.on("configChanged", () => {
    saveCredentials();
    renderEnv();
  });

  // End of every hook: the highest status wins; one status-set, none when it did not change.
  charm.on("collectStatus", (e) => {
    if (charm.context.kind === "relation-departed" && charm.context.departingUnit === charm.unit) {
      e.add("waiting", "leaving the etcd relation");
    } else if (!etcd.connected) {
      e.add("blocked", "needs an etcd relation");
    } else if (!etcd.available) {
      e.add("waiting", "waiting for etcd to publish its connection string");
    } else {
      const members = etcd.endpoints.length;
      const version = etcd.version === "" ? "2.x" : etcd.version;
      e.add(
        "active",
        `ready: ${members} etcd member${members === 1 ? "" : "s"}, etcd ${version}, ${etcd.tlsAvailable ? "client TLS" : "no client TLS"}`,
      );
    }
  });
}

void runCharmIfMain(import.meta.url, setup);
