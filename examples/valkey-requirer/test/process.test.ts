/**
 * Both example charms run as real processes (their `dispatch` scripts, `node dist/charm.js`) against
 * the hook-tool fake executables, through a whole lifecycle on the Simulation: a v1 client with two
 * key patterns and a v0 client on one Valkey provider, password rotation, a live change of the
 * requested patterns, and relation removal. Brings the examples' `dist/` up to date first (`tsc -b`).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createHookToolBin,
  linkCharmDir,
  processRunner,
  Simulation,
} from "@charm-relations/juju-secrets-core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const requirerDir = resolve(here, "..");
const providerDir = resolve(here, "../../valkey-provider");

/** `tsc -b` is incremental: a no-op after `pnpm build`, and never runs a stale `dist/` after a source edit. */
function ensureBuilt(dir: string): void {
  execFileSync(join(dir, "node_modules", ".bin", "tsc"), ["-b"], {
    cwd: dir,
    stdio: "inherit",
    timeout: 300_000,
  });
}

interface Connection {
  resource: string;
  username: string;
  password: string;
  endpoints: string[];
  sentinelEndpoints: string[];
  tls: boolean;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

describe("example charms as processes", () => {
  const dirs: string[] = [];
  const tmp = (name: string) => {
    const d = mkdtempSync(join(tmpdir(), `valkey-${name}-`));
    dirs.push(d);
    return d;
  };
  let binDir: string;
  beforeAll(() => {
    ensureBuilt(providerDir);
    ensureBuilt(requirerDir);
    binDir = createHookToolBin(tmp("bin"));
  }, 300_000);
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("serve a v1 and a v0 client, rotate, change patterns live, and clean up", async () => {
    // One unit each and no install/start hooks: every hook-tool call is a process here, and the
    // multi-unit scenarios run in-process in the package's own tests.
    const sim = new Simulation({ lifecycle: false });
    const failures: string[] = [];
    const runner = (dir: string) =>
      processRunner(join(dir, "dispatch"), [], {
        binDir,
        timeoutMs: 60_000,
        onOutput: ({ context, exitCode, stderr }) => {
          if (exitCode !== 0) failures.push(`${context.unitName} ${context.hookName}: ${stderr}`);
        },
      });
    const valkeyData = tmp("provider");
    const appData = tmp("app");
    const legacyData = tmp("legacy");
    sim.deploy("valkey", {
      runner: runner(providerDir),
      charmDir: linkCharmDir(providerDir, tmp("provider-charm")), // fresh unit-local state
      units: 1,
      endpoints: { "valkey-client": "provides:valkey_client" },
      config: {
        "data-dir": valkeyData,
        endpoints: "10.1.0.10:6379",
        "read-only-endpoints": "10.1.0.11:6379",
        "sentinel-endpoints": "10.1.0.10:26379,10.1.0.11:26379",
      },
    });
    sim.deploy("app", {
      runner: runner(requirerDir),
      charmDir: linkCharmDir(requirerDir, tmp("requirer-charm-1")),
      units: 1,
      endpoints: { "valkey-client": "requires:valkey_client" },
      config: { "data-dir": appData },
    });
    sim.deploy("legacy", {
      runner: runner(requirerDir),
      charmDir: linkCharmDir(requirerDir, tmp("requirer-charm-2")),
      units: 1,
      endpoints: { "valkey-client": "requires:valkey_client" },
      config: { "data-dir": legacyData, contract: "v0", resources: "legacy:*" },
    });
    const v1 = sim.relate("valkey", "app");
    const v0 = sim.relate("valkey", "legacy");
    const settle = async () => {
      const r = await sim.settle();
      expect(failures).toEqual([]);
      expect(r.failed).toEqual([]);
      expect(r.settled).toBe(true);
    };
    await settle();
    // lifecycle hooks are off: apply the config once, as Juju's first config-changed would.
    sim.configure("valkey", {});
    sim.configure("app", {});
    sim.configure("legacy", {});
    await settle();

    const acl = () => readFileSync(join(valkeyData, "users.acl"), "utf8").trim().split("\n");
    const connections = (dir: string) =>
      (JSON.parse(readFileSync(join(dir, "valkey.json"), "utf8")) as { connections: Connection[] })
        .connections;
    /** Every client password matches its hash in the provider's ACL file. */
    const expectAclMatches = (list: Connection[]) => {
      for (const c of list) {
        expect(acl()).toContain(
          `user ${c.username} on #${sha256(c.password)} -@all +@read +@write +@keyspace +@pubsub +@transaction +info ~${c.resource} &${c.resource}`,
        );
      }
    };

    expect(acl()[0]).toBe("user default off");
    expect(acl()).toHaveLength(4);
    expect(statSync(join(valkeyData, "users.acl")).mode & 0o777).toBe(0o600);
    const app = connections(appData);
    expect(app.map((c) => c.resource)).toEqual(["app:*", "cache:*"]);
    for (const c of app) {
      expect(c.username).toMatch(new RegExp(`^relation-${v1}-[0-9a-f]{16}$`));
      expect(c.endpoints).toEqual(["10.1.0.10:6379"]);
      expect(c.sentinelEndpoints).toEqual(["10.1.0.10:26379", "10.1.0.11:26379"]);
      expect(c.tls).toBe(false);
    }
    expect(statSync(join(appData, "valkey.json")).mode & 0o777).toBe(0o600);
    const legacy = connections(legacyData);
    expect(legacy.map((c) => [c.resource, c.username])).toEqual([["legacy:*", `relation-${v0}`]]);
    expect(legacy[0]!.sentinelEndpoints).toEqual(["10.1.0.10:26379", "10.1.0.11:26379"]);
    expectAclMatches([...app, ...legacy]);
    // The v0 client got valkey-operator's flat spelling.
    expect(sim.model.appBag(v0, "valkey").sentinel_endpoints).toBe("10.1.0.10:26379,10.1.0.11:26379");
    expect(sim.model.appBag(v1, "valkey").version).toBe("v1");
    expect(sim.model.unitStatus("app/0")).toEqual({
      status: "active",
      message: "ready: 2 Valkey users (v1)",
    });
    expect(sim.model.unitStatus("legacy/0")).toEqual({
      status: "active",
      message: "ready: 1 Valkey user (v0)",
    });
    expect(sim.model.unitStatus("valkey/0")).toEqual({ status: "active", message: "serving valkey clients" });

    // Rotation through the action: every client re-renders with the new password.
    const rotated = await sim.runHook("valkey/0", "action", { actionName: "rotate-passwords" });
    expect(rotated.ok).toBe(true);
    await settle();
    const after = connections(appData);
    expect(after.map((c) => c.password)).not.toEqual(app.map((c) => c.password));
    expectAclMatches([...after, ...connections(legacyData)]);

    // The client drops a pattern on the live relation: its user goes, the other stays.
    sim.configure("app", { resources: "app:*" });
    await settle();
    expect(connections(appData).map((c) => c.resource)).toEqual(["app:*"]);
    expect(acl()).toHaveLength(3);
    expect(sim.model.unitStatus("app/0")).toEqual({ status: "active", message: "ready: 1 Valkey user (v1)" });

    // Removing the v0 relation deletes its user and secrets.
    sim.removeRelation(v0);
    await settle();
    expect(acl()).toHaveLength(2);
    expect(connections(legacyData)).toEqual([]);
    expect(sim.model.unitStatus("legacy/0")).toEqual({
      status: "blocked",
      message: "needs a valkey-client relation",
    });
    expect(sim.model.secrets().every((s) => s.label?.startsWith(`valkey-client.${v1}.`))).toBe(true);
    expect(sim.model.secrets()).toHaveLength(2);

    // Secrets never travel in argv or logs.
    const passwords = [...after, ...legacy].map((c) => c.password);
    const leaked = JSON.stringify([sim.model.state.calls, sim.model.state.logs]);
    for (const p of passwords) expect(leaked).not.toContain(p);
  }, 600_000);
});
