/**
 * The two example charms related in one simulated model, through the same scenario twice:
 * - in-process (fast, with install/config-changed/start/stop/remove hooks);
 * - as real processes (`node dist/charm.js`) against the hook-tool fakes: the ProcessBackend end to
 *   end. Build first: `pnpm build` (or turbo with `--filter=@charm-relations/example-etcd-requirer...`).
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setup as providerSetup } from "@charm-relations/example-etcd-provider";
import { Charm } from "@charm-relations/juju-secrets-core";
import {
  createHookToolBin,
  type HookRunner,
  processRunner,
  Simulation,
} from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { CREDENTIAL_FILES, ENV_FILE, setup as requirerSetup } from "../src/charm.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const PEMS = here("../../../packages/interface-etcd/test/fixtures/");
const PROVIDER_MAIN = here("../../etcd-provider/dist/charm.js");
const REQUIRER_MAIN = here("../dist/charm.js");
const KEY_1 = readFileSync(join(PEMS, "client1.key"), "utf8");
const KEY_2 = readFileSync(join(PEMS, "client2.key"), "utf8");

function putTls(dir: string, client: 1 | 2): void {
  copyFileSync(join(PEMS, `client${client}.key`), join(dir, "client.key"));
  copyFileSync(join(PEMS, `client${client}.pem`), join(dir, "client.crt"));
  copyFileSync(join(PEMS, "ca.pem"), join(dir, "ca.crt"));
}

const inProcess =
  (setup: (charm: Charm) => void): HookRunner =>
  async (backend, context) => {
    const charm = new Charm({ backend, context });
    setup(charm);
    await charm.dispatch();
  };

type Mode = "in-process" | "process";

async function scenario(mode: Mode): Promise<void> {
  const outputs: string[] = [];
  let provider: HookRunner;
  let requirer: HookRunner;
  if (mode === "process") {
    for (const main of [PROVIDER_MAIN, REQUIRER_MAIN]) {
      if (!existsSync(main)) throw new Error(`${main} is not built: run \`pnpm build\` first`);
    }
    const binDir = createHookToolBin();
    const onOutput = (o: { stdout: string; stderr: string }) => void outputs.push(o.stdout, o.stderr);
    provider = processRunner("node", [PROVIDER_MAIN], { binDir, onOutput });
    requirer = processRunner("node", [REQUIRER_MAIN], { binDir, onOutput });
  } else {
    provider = inProcess(providerSetup);
    requirer = inProcess(requirerSetup);
  }
  const tls = mkdtempSync(join(tmpdir(), "etcd-tls-"));
  putTls(tls, 1);
  // Process hooks cost ~0.5 s per hook-tool call here: skip the non-relation lifecycle hooks there.
  const sim = new Simulation({ lifecycle: mode === "in-process" });
  const dataDirs: Record<string, string> = {};
  sim.deploy("etcd", {
    runner: provider,
    units: 2,
    endpoints: { db: "provides:etcd", cluster: "peers:etcd" },
    config: { port: 2379, "etcd-version": "3.4.22", "tls-dir": tls },
    charmDir: mkdtempSync(join(tmpdir(), "etcd-charm-")),
  });
  // One machine per unit: each requirer unit gets its own data-dir (config is per application).
  const perUnit: HookRunner = async (backend, context) => {
    dataDirs[context.unitName] ??= mkdtempSync(join(tmpdir(), "kcp-data-"));
    sim.model.application("kcp").config["data-dir"] = dataDirs[context.unitName];
    await requirer(backend, context);
  };
  sim.deploy("kcp", {
    runner: perUnit,
    units: 2,
    endpoints: { etcd: "requires:etcd" },
    charmDir: mkdtempSync(join(tmpdir(), "kcp-charm-")),
  });

  const settle = async () => {
    const result = await sim.settle();
    expect(result.failed).toEqual([]);
    expect(result.settled).toBe(true);
  };
  const urls = (units: string[]) =>
    units
      .map((u) => sim.model.unit(u).address)
      .sort()
      .map((a) => `https://${a}:2379`)
      .join(",");
  const expectReady = (rel: number, units: string[], etcdUnits: string[], key: string) => {
    const cs = urls(etcdUnits);
    for (const unit of etcdUnits) expect(sim.model.unitBag(rel, unit).connection_string).toBe(cs);
    for (const unit of units) {
      expect(sim.model.unitStatus(unit)).toEqual({
        status: "active",
        message: `ready: ${etcdUnits.length} etcd member${etcdUnits.length === 1 ? "" : "s"}, etcd 3.4.22, client TLS`,
      });
      const dir = dataDirs[unit]!;
      expect(readFileSync(join(dir, CREDENTIAL_FILES.key), "utf8")).toBe(key);
      expect(statSync(join(dir, CREDENTIAL_FILES.key)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(dir, ENV_FILE), "utf8")).toContain(`ETCDCTL_ENDPOINTS=${cs}\n`);
      expect(sim.model.unitBag(rel, unit)).toEqual({});
    }
  };

  await settle();
  if (mode === "in-process") {
    expect(sim.model.unitStatus("kcp/0")).toEqual({ status: "blocked", message: "needs an etcd relation" });
  }
  const rel = sim.relate("etcd:db", "kcp:etcd");
  await settle();
  // Both etcd units published the same five keys; etcd/1 is not the leader.
  expect(sim.model.isLeader("etcd/1")).toBe(false);
  expect(Object.keys(sim.model.unitBag(rel, "etcd/1")).sort()).toEqual([
    "client_ca",
    "client_cert",
    "client_key",
    "connection_string",
    "version",
  ]);
  expect(sim.model.unitBag(rel, "etcd/1")).toEqual(sim.model.unitBag(rel, "etcd/0"));
  expectReady(rel, ["kcp/0", "kcp/1"], ["etcd/0", "etcd/1"], KEY_1);

  // A second relation-changed writes nothing anywhere.
  const again = await sim.runHook("etcd/1", "relation-changed", { relationId: rel, remoteUnit: "kcp/0" });
  expect(again.ok).toBe(true);
  expect(again.databags).toEqual([]);

  // Rotation of the shared client certificate on disk, picked up at update-status.
  putTls(tls, 2);
  for (const unit of ["etcd/0", "etcd/1"]) await sim.runHook(unit, "update-status");
  await settle();
  expectReady(rel, ["kcp/0", "kcp/1"], ["etcd/0", "etcd/1"], KEY_2);

  // Scale out both applications (in-process only: each process hook costs seconds on a busy machine).
  const scaleOut = mode === "in-process";
  if (scaleOut) {
    sim.addUnit("etcd");
    sim.addUnit("kcp");
    await settle();
    expectReady(rel, ["kcp/0", "kcp/1", "kcp/2"], ["etcd/0", "etcd/1", "etcd/2"], KEY_2);
  }

  // Scale in both (etcd/0 is the leader and the unit the requirers read first).
  sim.removeUnit("etcd/0");
  sim.removeUnit("kcp/1");
  await settle();
  const remaining = scaleOut ? ["kcp/0", "kcp/2"] : ["kcp/0"];
  expectReady(rel, remaining, scaleOut ? ["etcd/1", "etcd/2"] : ["etcd/1"], KEY_2);
  expect(sim.model.isLeader("etcd/1")).toBe(true);

  sim.removeRelation(rel);
  await settle();
  for (const unit of remaining) {
    expect(sim.model.unitStatus(unit)).toEqual({ status: "blocked", message: "needs an etcd relation" });
  }

  // No private key in any argv, log line or charm output; the requirer never ran relation-set.
  const fragments = [KEY_1, KEY_2].map((k) => k.split("\n")[2]!);
  const texts = [
    ...sim.model.state.calls.map((c) => c.argv.join(" ")),
    ...sim.model.logs().map((l) => l.message),
    ...outputs,
  ];
  for (const f of fragments) expect(texts.some((t) => t.includes(f))).toBe(false);
  expect(sim.model.state.calls.filter((c) => c.unit.startsWith("kcp/") && c.tool === "relation-set")).toEqual(
    [],
  );
  expect(sim.hooks.filter((h) => h.unit.startsWith("kcp/")).length).toBeGreaterThan(10);
  const kinds = new Set(sim.hooks.filter((h) => h.unit.startsWith("kcp/")).map((h) => h.kind));
  for (const kind of [
    "relation-created",
    "relation-joined",
    "relation-changed",
    "relation-departed",
    "relation-broken",
  ]) {
    expect(kinds.has(kind as never), kind).toBe(true);
  }
}

describe("etcd example charms related", () => {
  it("in-process: relate, rotate, scale out and in, remove", async () => {
    await scenario("in-process");
  });

  it("as processes (ProcessBackend + hook-tool fakes): relate, rotate, scale in, remove", async () => {
    await scenario("process");
  }, 900_000);
});
