/**
 * Both example charms as real processes (`node dist/charm.js`) against the hook-tool fakes: the
 * ProcessBackend end to end. Build first: `pnpm build` (or turbo with
 * `--filter=@charm-relations/example-etcd-requirer... --filter=@charm-relations/example-etcd-provider...`).
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHookToolBin, type HookRunner, processRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { CREDENTIAL_FILES, ENV_FILE } from "../src/charm.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const PEMS = here("../../../packages/interface-etcd/test/fixtures/");
const PROVIDER_MAIN = here("../../etcd-provider/dist/charm.js");
const REQUIRER_MAIN = here("../dist/charm.js");

function putTls(dir: string, client: 1 | 2): void {
  copyFileSync(join(PEMS, `client${client}.key`), join(dir, "client.key"));
  copyFileSync(join(PEMS, `client${client}.pem`), join(dir, "client.crt"));
  copyFileSync(join(PEMS, "ca.pem"), join(dir, "ca.crt"));
}

describe("etcd examples as processes (ProcessBackend + hook-tool fakes)", () => {
  it("full lifecycle: 2 etcd units (one non-leader) and 2 requirer units, rotation, scale out/in, removal", async () => {
    for (const main of [PROVIDER_MAIN, REQUIRER_MAIN]) {
      if (!existsSync(main)) throw new Error(`${main} is not built: run \`pnpm build\` first`);
    }
    const binDir = createHookToolBin();
    const tls = mkdtempSync(join(tmpdir(), "etcd-tls-"));
    putTls(tls, 1);
    const dataDirs: Record<string, string> = {};
    const sim = new Simulation();
    const outputs: string[] = [];
    const onOutput = (o: { stdout: string; stderr: string }) => outputs.push(o.stdout, o.stderr);

    sim.deploy("etcd", {
      runner: processRunner("node", [PROVIDER_MAIN], { binDir, onOutput }),
      units: 2,
      endpoints: { db: "provides:etcd", cluster: "peers:etcd" },
      config: { port: 2379, "etcd-version": "3.4.22", "tls-dir": tls },
      charmDir: mkdtempSync(join(tmpdir(), "etcd-charm-")),
    });
    const requirer = processRunner("node", [REQUIRER_MAIN], { binDir, onOutput });
    // One machine per unit: give each requirer unit its own data-dir (config is per application).
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
    const rel = sim.relate("etcd:db", "kcp:etcd");
    let result = await sim.settle();
    expect(result.failed).toEqual([]);
    expect(result.settled).toBe(true);

    const address = (u: string) => sim.model.unit(u).address;
    const urls = (units: string[]) =>
      units
        .map(address)
        .sort()
        .map((a) => `https://${a}:2379`)
        .join(",");
    const expectReady = (units: string[], members: number, cs: string, key: string) => {
      for (const unit of units) {
        expect(sim.model.unitStatus(unit)).toEqual({
          status: "active",
          message: `ready: ${members} etcd members, etcd 3.4.22, client TLS`,
        });
        const dir = dataDirs[unit]!;
        expect(readFileSync(join(dir, CREDENTIAL_FILES.key), "utf8")).toBe(key);
        expect(statSync(join(dir, CREDENTIAL_FILES.key)).mode & 0o777).toBe(0o600);
        expect(readFileSync(join(dir, ENV_FILE), "utf8")).toContain(`ETCDCTL_ENDPOINTS=${cs}\n`);
        expect(sim.model.unitBag(rel, unit)).toEqual({});
      }
    };
    const key1 = readFileSync(join(PEMS, "client1.key"), "utf8");
    const key2 = readFileSync(join(PEMS, "client2.key"), "utf8");

    // Both etcd units published the same five keys; etcd/1 is not the leader.
    expect(sim.model.isLeader("etcd/1")).toBe(false);
    expect(sim.model.unitBag(rel, "etcd/1")).toEqual(sim.model.unitBag(rel, "etcd/0"));
    expect(sim.model.unitBag(rel, "etcd/1").connection_string).toBe(urls(["etcd/0", "etcd/1"]));
    expectReady(["kcp/0", "kcp/1"], 2, urls(["etcd/0", "etcd/1"]), key1);

    // A second relation-changed writes nothing anywhere.
    const again = await sim.runHook("etcd/1", "relation-changed", { relationId: rel, remoteUnit: "kcp/0" });
    expect(again.ok).toBe(true);
    expect(again.databags).toEqual([]);

    // Rotation of the shared client certificate on disk, picked up at update-status.
    putTls(tls, 2);
    for (const unit of ["etcd/0", "etcd/1"]) await sim.runHook(unit, "update-status");
    result = await sim.settle();
    expect(result.failed).toEqual([]);
    expectReady(["kcp/0", "kcp/1"], 2, urls(["etcd/0", "etcd/1"]), key2);

    // Scale out etcd and the requirer.
    sim.addUnit("etcd");
    sim.addUnit("kcp");
    result = await sim.settle();
    expect(result.failed).toEqual([]);
    expectReady(["kcp/0", "kcp/1", "kcp/2"], 3, urls(["etcd/0", "etcd/1", "etcd/2"]), key2);

    // Scale in both.
    sim.removeUnit("etcd/0");
    sim.removeUnit("kcp/1");
    result = await sim.settle();
    expect(result.failed).toEqual([]);
    expectReady(["kcp/0", "kcp/2"], 2, urls(["etcd/1", "etcd/2"]), key2);

    // Remove the relation.
    sim.removeRelation(rel);
    result = await sim.settle();
    expect(result.failed).toEqual([]);
    expect(result.settled).toBe(true);
    for (const unit of ["kcp/0", "kcp/2"]) {
      expect(sim.model.unitStatus(unit)).toEqual({ status: "blocked", message: "needs an etcd relation" });
    }

    // No private key in any argv, log line or charm output; the requirer never ran relation-set.
    const fragments = [key1, key2].map((k) => k.split("\n")[2]!);
    const texts = [
      ...sim.model.state.calls.map((c) => c.argv.join(" ")),
      ...sim.model.logs().map((l) => l.message),
      ...outputs,
    ];
    for (const f of fragments) expect(texts.some((t) => t.includes(f))).toBe(false);
    expect(sim.model.state.calls.filter((c) => c.unit.startsWith("kcp/") && c.tool === "relation-set")).toEqual([]);
    expect(sim.hooks.filter((h) => h.unit.startsWith("kcp/")).length).toBeGreaterThan(10);
  }, 600_000);
});
