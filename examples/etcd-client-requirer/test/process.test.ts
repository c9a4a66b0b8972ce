/**
 * Both example charms run as real processes (`dispatch` → `node dist/charm.js`) against the hook-tool
 * fake executables, through a whole lifecycle on the Simulation: two etcd units (one non-leader) and
 * two client units, a client certificate rotation to a new CN (secret-changed across processes), and
 * relation removal. Every hook-tool call is a process here, so CA rotation and scale-in run in-process
 * in the package's tests. Builds the examples first (`tsc -b`, incremental).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  TEST_CLIENT_CERT,
  TEST_CLIENT_CERT_2,
  TEST_SERVER_CA,
} from "@charm-relations/interface-etcd-client/testing";
import { createHookToolBin, processRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const requirerDir = resolve(here, "..");
const providerDir = resolve(here, "../../etcd-client-provider");

/** juju-log lines of a unit (relation hooks prefix them with `<endpoint>:<id>: `, as Juju does). */
const logged = (sim: Simulation, unit: string, text: string): boolean =>
  sim.model.logs(unit).some((l) => l.message === text || l.message.endsWith(`: ${text}`));

function build(dir: string): void {
  execFileSync(join(dir, "node_modules", ".bin", "tsc"), ["-b"], {
    cwd: dir,
    stdio: "inherit",
    timeout: 300_000,
  });
}

describe("example charms as processes", () => {
  const dirs: string[] = [];
  const tmp = (name: string) => {
    const d = mkdtempSync(join(tmpdir(), `etcd-client-${name}-`));
    dirs.push(d);
    return d;
  };
  let binDir: string;
  beforeAll(() => {
    build(providerDir);
    build(requirerDir);
    binDir = createHookToolBin(tmp("bin"));
  }, 300_000);
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("two etcd units and two clients: relate, rotate the client certificate, remove", async () => {
    // No install/start/stop hooks: they add nothing to the relation and each costs processes.
    const sim = new Simulation({ lifecycle: false });
    const failures: string[] = [];
    const runner = (dir: string) =>
      processRunner(join(dir, "dispatch"), [], {
        cwd: dir,
        binDir,
        timeoutMs: 60_000,
        onOutput: ({ context, exitCode, stderr }) => {
          if (exitCode !== 0) failures.push(`${context.unitName} ${context.hookName}: ${stderr}`);
        },
      });
    sim.deploy("etcd", {
      runner: runner(providerDir),
      charmDir: tmp("etcd"),
      units: 2,
      endpoints: { "etcd-client": "provides:etcd_client" },
      config: { "tls-ca": TEST_SERVER_CA, endpoints: "10.1.0.10:2379,10.1.0.11:2379", version: "3.6.5" },
    });
    sim.deploy("app", {
      runner: runner(requirerDir),
      charmDir: tmp("app"),
      units: 2,
      endpoints: { "etcd-client": "requires:etcd_client" },
      config: { "mtls-cert": TEST_CLIENT_CERT, prefix: "/app/" },
    });
    const rel = sim.relate("app", "etcd");
    let r = await sim.settle();
    expect(failures).toEqual([]);
    expect(r.settled).toBe(true);
    for (const unit of ["app/0", "app/1"]) {
      expect(sim.model.unitStatus(unit)).toEqual({
        status: "active",
        message: "ready: client1.requirer-charm@https://10.1.0.10:2379 prefix /app/",
      });
    }
    expect(sim.model.unitStatus("etcd/0")).toEqual({ status: "active", message: "serving etcd clients" });
    expect(sim.model.unitStatus("etcd/1")).toEqual({
      status: "active",
      message: "trusting 1 client certificate",
    });
    // v1 on the wire, the certificate in a secret owned by the client app.
    const request = JSON.parse(sim.model.appBag(rel, "app").requests!)[0] as Record<string, string>;
    expect(sim.model.secretContent(request["secret-mtls"]!)).toEqual({ "mtls-cert": TEST_CLIENT_CERT });
    // Every hook tool ran as a process; no secret value ever reached argv.
    const argv = JSON.stringify(sim.model.calls());
    expect(argv).not.toContain("BEGIN CERTIFICATE");
    expect(sim.model.calls().some((c) => c.tool === "secret-add")).toBe(true);

    // A new client certificate with a new CN: a new user, every client unit follows.
    sim.configure("app", { "mtls-cert": TEST_CLIENT_CERT_2 });
    r = await sim.settle();
    expect(failures).toEqual([]);
    for (const unit of ["app/0", "app/1"]) {
      expect(sim.model.unitStatus(unit).message).toBe(
        "ready: client2.requirer-charm@https://10.1.0.10:2379 prefix /app/",
      );
    }
    expect(logged(sim, "etcd/0", "etcd user client1.requirer-charm deleted (client CN changed)")).toBe(true);
    expect(
      logged(
        sim,
        "etcd/0",
        "etcd user client2.requirer-charm: role client2.requirer-charm readwrite on prefix /app/",
      ),
    ).toBe(true);

    // Removal: the user is deleted, nothing is left behind.
    sim.removeRelation(rel);
    r = await sim.settle();
    expect(failures).toEqual([]);
    expect(r.settled).toBe(true);
    expect(sim.model.secrets()).toEqual([]);
    expect(logged(sim, "etcd/0", "etcd user client2.requirer-charm deleted (relation-broken)")).toBe(true);
    for (const unit of ["app/0", "app/1"]) {
      expect(sim.model.unitStatus(unit)).toEqual({
        status: "waiting",
        message: "waiting for an etcd relation",
      });
    }
  }, 900_000);
});
