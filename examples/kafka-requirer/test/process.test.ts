/**
 * Both example charms run as real processes (their `dispatch` scripts, `node dist/charm.js`) against
 * the hook-tool fake executables, through a whole lifecycle on the Simulation: a v1 client with a
 * client certificate and a v0 client on one broker; relate, TLS on, password rotation, certificate
 * rotation, scale out and in, removal — with no failed hook and no secret left behind. Brings the
 * examples' `dist/` up to date first (`tsc -b`).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
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
const providerDir = resolve(here, "../../kafka-provider");
const PEM = (n: string) => `-----BEGIN CERTIFICATE-----\nMIIB${n}\n-----END CERTIFICATE-----`;

/** `tsc -b` is incremental: a no-op after `pnpm build`, and never runs a stale `dist/` after a source edit. */
function ensureBuilt(dir: string): void {
  execFileSync(join(dir, "node_modules", ".bin", "tsc"), ["-b"], {
    cwd: dir,
    stdio: "inherit",
    timeout: 300_000,
  });
}

interface Client {
  username: string;
  topic: string;
  roles: string[];
  consumerGroupPrefix: string | null;
  mtls: boolean;
  passwordSha256: string;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const props = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readFileSync(join(dir, "client.properties"), "utf8")
      .trim()
      .split("\n")
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
const passwordOf = (p: Record<string, string>) =>
  /password="([^"]*)"/.exec(p["sasl.jaas.config"] ?? "")?.[1] ?? "";

describe("example charms as processes", () => {
  const dirs: string[] = [];
  const tmp = (name: string) => {
    const d = mkdtempSync(join(tmpdir(), `kafka-${name}-`));
    dirs.push(d);
    return d;
  };
  let binDir: string;
  beforeAll(() => {
    // Unit-local state (last status set, departure markers) lives in <charm dir>/.charm-relations and
    // would survive from an earlier run of this test on the same directories: start from none.
    for (const dir of [providerDir, requirerDir]) {
      const state = join(dir, ".charm-relations");
      if (!existsSync(state)) continue;
      for (const f of readdirSync(state, { withFileTypes: true }))
        if (f.isFile()) rmSync(join(state, f.name));
    }
    ensureBuilt(providerDir);
    ensureBuilt(requirerDir);
    binDir = createHookToolBin(tmp("bin"));
  }, 300_000);
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("serve a v1 mTLS client and a v0 client through relate, rotate, scale out and in, and removal", async () => {
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
    const brokerData = tmp("broker");
    const appData = tmp("app");
    const legacyData = tmp("legacy");
    sim.deploy("kafka", {
      runner: runner(providerDir),
      charmDir: linkCharmDir(providerDir, tmp("provider-charm")), // fresh unit-local state
      units: 1,
      endpoints: { "kafka-client": "provides:kafka_client" },
      config: { "data-dir": brokerData, hosts: "10.1.0.11,10.1.0.10" },
    });
    sim.deploy("app", {
      runner: runner(requirerDir),
      charmDir: linkCharmDir(requirerDir, tmp("requirer-charm-1")),
      units: 1,
      endpoints: { "kafka-client": "requires:kafka_client" },
      config: { "data-dir": appData, topic: "orders", "mtls-cert": PEM("one") },
    });
    sim.deploy("legacy", {
      runner: runner(requirerDir),
      charmDir: linkCharmDir(requirerDir, tmp("requirer-charm-2")),
      units: 1,
      endpoints: { "kafka-client": "requires:kafka_client" },
      config: {
        "data-dir": legacyData,
        contract: "v0",
        roles: "consumer",
        "consumer-group-prefix": "legacy-",
      },
    });
    const settle = async () => {
      const r = await sim.settle();
      expect(failures).toEqual([]);
      expect(r.failed).toEqual([]);
      expect(r.settled).toBe(true);
    };
    const v1 = sim.relate("kafka", "app");
    const v0 = sim.relate("kafka", "legacy");
    await settle();

    const clients = () =>
      (JSON.parse(readFileSync(join(brokerData, "clients.json"), "utf8")) as { clients: Client[] }).clients;
    expect(statSync(join(brokerData, "clients.json")).mode & 0o777).toBe(0o600);
    const app = props(appData);
    expect(statSync(join(appData, "client.properties")).mode & 0o777).toBe(0o600);
    expect(app["bootstrap.servers"]).toBe("10.1.0.10:9092,10.1.0.11:9092");
    expect(app["security.protocol"]).toBe("SASL_PLAINTEXT");
    const legacy = props(legacyData);
    expect(legacy["group.id"]).toBe("legacy-legacy-events");
    const byUser = new Map(clients().map((c) => [c.username, c]));
    const appUser = /username="([^"]*)"/.exec(app["sasl.jaas.config"]!)![1]!;
    expect(appUser).toMatch(new RegExp(`^relation-${v1}-[0-9a-f]{16}$`));
    expect(byUser.get(appUser)).toMatchObject({
      topic: "orders",
      roles: ["producer", "consumer"],
      mtls: true,
      passwordSha256: sha256(passwordOf(app)),
    });
    expect(byUser.get(`relation-${v0}`)).toMatchObject({
      topic: "legacy-events",
      consumerGroupPrefix: "legacy-",
      passwordSha256: sha256(passwordOf(legacy)),
    });
    expect(readdirSync(join(brokerData, "truststore"))).toHaveLength(1);
    expect(sim.model.unitStatus("app/0")).toEqual({
      status: "active",
      message: `ready: ${appUser} on topic orders (v1)`,
    });
    expect(sim.model.unitStatus("legacy/0")).toEqual({
      status: "active",
      message: `ready: relation-${v0} on topic legacy-events (v0)`,
    });

    // TLS on: the mTLS client moves to the SSL listener, the v0 client to SASL_SSL with enabled/disabled.
    sim.configure("kafka", { tls: true, "tls-ca": PEM("CA") });
    await settle();
    expect(sim.model.unitStatus("kafka/0")).toMatchObject({ status: "active" });
    expect(props(appData)["bootstrap.servers"]).toBe("10.1.0.10:9094,10.1.0.11:9094");
    expect(props(appData)["security.protocol"]).toBe("SSL");
    expect(props(legacyData)["bootstrap.servers"]).toBe("10.1.0.10:9093,10.1.0.11:9093");
    expect(sim.model.secretContent(sim.model.appBag(v0, "kafka")["secret-tls"]!)).toEqual({
      tls: "enabled",
      "tls-ca": PEM("CA"),
    });

    // Password rotation (action) and certificate rotation (config): the new values arrive everywhere.
    const rotated = await sim.runHook("kafka/0", "action", { actionName: "rotate-passwords" });
    expect(rotated.ok).toBe(true);
    sim.configure("app", { "mtls-cert": PEM("two") });
    await settle();
    expect(passwordOf(props(legacyData))).not.toBe(passwordOf(legacy));
    expect(clients().find((c) => c.username === `relation-${v0}`)!.passwordSha256).toBe(
      sha256(passwordOf(props(legacyData))),
    );
    const [cert] = readdirSync(join(brokerData, "truststore"));
    expect(readFileSync(join(brokerData, "truststore", cert!), "utf8")).toBe(PEM("two"));

    // Scale the client out and in: the new unit reads the current credentials at once.
    const [added] = [sim.addUnit("legacy")];
    await settle();
    expect(sim.model.unitStatus(added!)).toMatchObject({ status: "active" });
    sim.removeUnit(added!);
    await settle();
    expect(clients()).toHaveLength(2);

    // Remove both relations: users, certificates and every secret of both sides are gone.
    sim.removeRelation(v1);
    sim.removeRelation(v0);
    await settle();
    expect(clients()).toEqual([]);
    expect(readdirSync(join(brokerData, "truststore"))).toEqual([]);
    expect(sim.model.secrets()).toEqual([]);
    expect(existsSync(join(appData, "client.properties"))).toBe(true);
    expect(readFileSync(join(appData, "client.properties"), "utf8")).toBe("");
    expect(sim.model.unitStatus("app/0")).toEqual({
      status: "blocked",
      message: "needs a kafka-client relation",
    });

    // Secrets never travel in argv or logs.
    const leaked = JSON.stringify([sim.model.state.calls, sim.model.state.logs]);
    for (const p of [passwordOf(app), passwordOf(legacy)]) expect(leaked).not.toContain(p);
    const changed = sim.hooks.filter((h) => h.kind === "relation-changed");
    const per = (app: string) => {
      const hooks = changed.filter((h) => h.unit.startsWith(`${app}/`));
      const n = hooks.reduce((s, h) => s + h.calls.filter((c) => c.tool !== "juju-log").length, 0);
      return `${app}: ${hooks.length} relation-changed, ${(n / hooks.length).toFixed(1)} calls each`;
    };
    if (process.env.KAFKA_CALLS) console.log(["kafka", "app", "legacy"].map(per).join("\n"));
  }, 600_000);
});
