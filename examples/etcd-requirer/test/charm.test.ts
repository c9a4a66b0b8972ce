import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type EtcdClientCredentials, EtcdProvider } from "@charm-relations/interface-etcd";
import { checkEtcdRequirerCharm } from "@charm-relations/interface-etcd/testing";
import { Charm } from "@charm-relations/juju-secrets-core";
import { type HookRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { CREDENTIAL_FILES, ENV_FILE, setup } from "../src/charm.js";

// TEST-ONLY PEMs of the interface package (client1/client2 signed by ca.pem).
const PEMS = fileURLToPath(new URL("../../../packages/interface-etcd/test/fixtures/", import.meta.url));
const pem = (name: string) => readFileSync(join(PEMS, name), "utf8");
const CREDS_1: EtcdClientCredentials = {
  key: pem("client1.key"),
  cert: pem("client1.pem"),
  ca: pem("ca.pem"),
};
const CREDS_2: EtcdClientCredentials = {
  key: pem("client2.key"),
  cert: pem("client2.pem"),
  ca: pem("ca.pem"),
};

const runner =
  (fn: (charm: Charm) => void): HookRunner =>
  async (backend, context) => {
    const charm = new Charm({ backend, context });
    fn(charm);
    await charm.dispatch();
  };

/** An etcd stand-in publishing whatever `published` holds, on every hook. */
function provider(published: { urls: string[]; version: string; creds?: EtcdClientCredentials }): HookRunner {
  return runner((charm) => {
    const etcd = new EtcdProvider(charm, { endpoint: "db" });
    const publish = () => {
      etcd.setConnectionString(published.urls, published.version);
      if (published.creds) etcd.setClientCredentials(published.creds);
      else etcd.clearClientCredentials();
    };
    charm.on("configChanged", publish);
    etcd.on("connected", publish);
  });
}

function deploy(published: { urls: string[]; version: string; creds?: EtcdClientCredentials }) {
  const sim = new Simulation();
  sim.deploy("etcd", { runner: provider(published), units: 2, endpoints: { db: "provides:etcd" } });
  const dirs = {
    "kcp/0": mkdtempSync(join(tmpdir(), "kcp0-")),
    "kcp/1": mkdtempSync(join(tmpdir(), "kcp1-")),
  };
  const charmDir = mkdtempSync(join(tmpdir(), "kcp-charm-"));
  // Each unit gets its own data-dir through its own config view (a real unit has its own machine).
  const kcp: HookRunner = async (backend, context) => {
    const dataDir = dirs[context.unitName as keyof typeof dirs];
    const original = backend.configGet.bind(backend);
    backend.configGet = () => ({ ...original(), "data-dir": dataDir });
    await runner(setup)(backend, context);
  };
  sim.deploy("kcp", { runner: kcp, units: 2, endpoints: { etcd: "requires:etcd" }, charmDir });
  return { sim, dirs };
}

describe("example etcd-requirer", () => {
  it("passes the interface's requirer conformance run", async () => {
    const report = await checkEtcdRequirerCharm(runner(setup), {
      config: { "data-dir": mkdtempSync(join(tmpdir(), "kcp-conf-")) },
      charmDir: mkdtempSync(join(tmpdir(), "kcp-charm-")),
    });
    expect(report.problems).toEqual([]);
    expect(report.simulation.model.unitStatus("charm/0")).toEqual({
      status: "blocked",
      message: "needs an etcd relation",
    });
  });

  it("is blocked without a relation, then ready with files saved (0600) and the env rendered", async () => {
    const published = {
      urls: ["https://10.5.0.12:2379", "https://10.5.0.11:2379"],
      version: "3.4.22",
      creds: CREDS_1,
    };
    const { sim, dirs } = deploy(published);
    await sim.settle();
    expect(sim.model.unitStatus("kcp/0")).toEqual({ status: "blocked", message: "needs an etcd relation" });
    const rel = sim.relate("etcd:db", "kcp:etcd");
    const result = await sim.settle();
    expect(result.failed).toEqual([]);
    for (const [unit, dir] of Object.entries(dirs)) {
      expect(sim.model.unitStatus(unit)).toEqual({
        status: "active",
        message: "ready: 2 etcd members, etcd 3.4.22, client TLS",
      });
      expect(readFileSync(join(dir, CREDENTIAL_FILES.key), "utf8")).toBe(CREDS_1.key);
      expect(readFileSync(join(dir, CREDENTIAL_FILES.cert), "utf8")).toBe(CREDS_1.cert);
      expect(readFileSync(join(dir, CREDENTIAL_FILES.ca), "utf8")).toBe(CREDS_1.ca);
      for (const f of Object.values(CREDENTIAL_FILES))
        expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(dir, ENV_FILE), "utf8")).toBe(
        [
          "ETCDCTL_ENDPOINTS=https://10.5.0.11:2379,https://10.5.0.12:2379",
          "ETCD_VERSION=3.4.22",
          "ETCDCTL_API=3",
          `ETCDCTL_CACERT=${join(dir, CREDENTIAL_FILES.ca)}`,
          `ETCDCTL_CERT=${join(dir, CREDENTIAL_FILES.cert)}`,
          `ETCDCTL_KEY=${join(dir, CREDENTIAL_FILES.key)}`,
          "",
        ].join("\n"),
      );
      expect(sim.model.unitBag(rel, unit)).toEqual({});
    }
    // The key never reaches a log line.
    const keyLine = CREDS_1.key.split("\n")[1]!;
    expect(sim.model.logs().some((l) => l.message.includes(keyLine))).toBe(false);
  });

  it("re-saves on rotation, re-renders on version change (etcd 2.x), and waits after removal", async () => {
    const published: { urls: string[]; version: string; creds?: EtcdClientCredentials } = {
      urls: ["https://10.5.0.11:2379"],
      version: "3.4.22",
      creds: CREDS_1,
    };
    const { sim, dirs } = deploy(published);
    const rel = sim.relate("etcd:db", "kcp:etcd");
    await sim.settle();

    published.creds = CREDS_2;
    published.version = "";
    sim.configure("etcd", {});
    expect((await sim.settle()).failed).toEqual([]);
    expect(readFileSync(join(dirs["kcp/1"], CREDENTIAL_FILES.key), "utf8")).toBe(CREDS_2.key);
    expect(readFileSync(join(dirs["kcp/1"], ENV_FILE), "utf8")).toContain(
      "ETCD_VERSION=2.x\nETCDCTL_API=2\n",
    );
    expect(sim.model.unitStatus("kcp/1").message).toBe("ready: 1 etcd member, etcd 2.x, client TLS");
    const saves = sim.model.logs("kcp/1").filter((l) => l.message.includes("etcd client credentials saved"));
    expect(saves.length).toBe(2); // first time and rotation, not on every hook

    sim.removeRelation(rel);
    expect((await sim.settle()).failed).toEqual([]);
    expect(sim.model.unitStatus("kcp/0")).toEqual({ status: "blocked", message: "needs an etcd relation" });
    expect(existsSync(join(dirs["kcp/0"], ENV_FILE))).toBe(true); // the workload keeps its last configuration
  });

  it("without client credentials it is ready without TLS and writes no key file", async () => {
    const { sim, dirs } = deploy({ urls: ["https://10.5.0.11:2379"], version: "3.5.9" });
    sim.relate("etcd:db", "kcp:etcd");
    await sim.settle();
    expect(sim.model.unitStatus("kcp/0").message).toBe("ready: 1 etcd member, etcd 3.5.9, no client TLS");
    expect(existsSync(join(dirs["kcp/0"], CREDENTIAL_FILES.key))).toBe(false);
    expect(readFileSync(join(dirs["kcp/0"], ENV_FILE), "utf8")).not.toContain("ETCDCTL_KEY");
  });
});
