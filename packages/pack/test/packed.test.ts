/**
 * The packed example charms on a "bare unit": each `.charm` unpacked outside the repository, run hook
 * by hook through its own `dispatch` against the hook-tool fakes, with no `node` anywhere on PATH and a
 * working directory that is not the charm's. What runs is what the .charm holds: the bundle on the
 * shipped Node runtime. (The runtime comes from the cache, downloaded once per machine.)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packCharm } from "../src/index.js";
import { parseYaml11 } from "../src/project.js";
import {
  EXAMPLES,
  HOST_ARCH,
  hookToolBin,
  REPO,
  readZip,
  systemBin,
  unpackCharm,
  type ZipFileEntry,
} from "./helpers.js";

const PLATFORM = `ubuntu@24.04:${HOST_ARCH}`;
const root = mkdtempSync(join(tmpdir(), "charm-relations-packed-"));
const charms: Record<string, { path: string; dir: string; entries: ZipFileEntry[] }> = {};

beforeAll(async () => {
  expect(root.startsWith(REPO)).toBe(false);
  for (const example of ["postgresql-provider", "postgresql-requirer"]) {
    const result = await packCharm({
      charmDir: join(EXAMPLES, example),
      outDir: join(root, "out"),
      platform: PLATFORM,
      conditions: ["@charm-relations/source"],
    });
    const path = result.charms[0]!.path;
    const dir = join(root, example);
    charms[example] = { path, dir, entries: await unpackCharm(path, dir) };
  }
}, 600_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("a packed .charm", () => {
  it("is named like charmcraft names it, holds charmcraft's layout with modes, and stays under 50 MB", () => {
    const { path, entries } = charms["postgresql-requirer"]!;
    expect(path.endsWith(`/postgresql-requirer_ubuntu@24.04-${HOST_ARCH}.charm`)).toBe(true);
    expect(readFileSync(path).length).toBeLessThanOrEqual(50 * 1024 * 1024);
    const modes = Object.fromEntries(entries.map((e) => [e.name, e.mode]));
    expect(modes).toMatchObject({
      dispatch: 0o755,
      [`node/${HOST_ARCH}/node`]: 0o755,
      [`node/${HOST_ARCH}/LICENSE`]: 0o644,
      "dist/charm.mjs": 0o644,
      "metadata.yaml": 0o644,
      "config.yaml": 0o644,
      "manifest.yaml": 0o644,
    });
    expect(entries.every((e) => e.madeBy === 3)).toBe(true);
    // No node_modules, no sources, no second copy of anything: the bundle is the code.
    expect(entries.some((e) => e.name.startsWith("node_modules/") || e.name.startsWith("src/"))).toBe(false);
    // Stack traces name files as in the charm's project: its own, and its packages by name.
    const map = JSON.parse(entries.find((e) => e.name === "dist/charm.mjs.map")!.data.toString()) as {
      sources: string[];
    };
    expect(map.sources).toContain("../src/charm.ts");
    expect(map.sources).toContain(
      "../node_modules/@charm-relations/juju-secrets-core/src/backend/process.ts",
    );
    expect(map.sources.filter((s) => s.startsWith("../../"))).toEqual([]);
  });

  it("lives through a relation's lifecycle with no node on PATH, from another working directory", async () => {
    const tools = hookToolBin(join(root, "hook-tools"));
    const PATH = `${tools}:${systemBin(join(root, "system-bin"))}`;
    expect(spawnSync("/bin/sh", ["-c", "command -v node"], { env: { PATH } }).status).not.toBe(0);
    const elsewhere = mkdtempSync(join(root, "cwd-"));
    const runner = (dir: string) =>
      processRunner(join(dir, "dispatch"), [], {
        cwd: elsewhere,
        binDir: tools,
        env: { PATH },
        timeoutMs: 60_000,
      });

    const sim = new Simulation({ lifecycle: false });
    const provider = charms["postgresql-provider"]!.dir;
    const requirer = charms["postgresql-requirer"]!.dir;
    sim.deploy("postgresql", {
      runner: runner(provider),
      units: 1,
      endpoints: { database: "provides:postgresql_client", "postgresql-peers": "peers:postgresql_peers" },
      charmDir: provider,
      config: { endpoints: "10.1.0.10:5432", version: "16.8.1", "tls-ca": "", "password-generation": 0 },
    });
    sim.deploy("app", {
      runner: runner(requirer),
      units: 1,
      endpoints: { database: "requires:postgresql_client" },
      charmDir: requirer,
      config: { database: "myapp", "extra-user-roles": "" },
    });
    const settle = async () => {
      const r = await sim.settle();
      expect(r.failed.map((f) => `${f.unit} ${f.hook}: ${String(f.error)}`)).toEqual([]);
      expect(r.settled).toBe(true);
    };
    await settle();
    expect(sim.model.unitStatus("app/0")).toMatchObject({ status: "waiting" });

    const id = sim.relate("postgresql", "app");
    await settle();
    const ready = sim.model.unitStatus("app/0");
    expect(ready).toMatchObject({ status: "active" });
    expect(ready?.message.startsWith("ready")).toBe(true);
    expect(ready?.message).toBe(`ready: relation-${id}@10.1.0.10:5432/myapp`);
    const userUri = sim.model.appBag(id, "postgresql")["secret-user"]!;
    const before = sim.model.secretContent(userUri)!.password;

    sim.configure("postgresql", { "password-generation": 1 }); // rotate the password
    await settle();
    expect(sim.model.secretContent(userUri)!.password).not.toBe(before);
    expect(sim.model.unitStatus("app/0")?.message.startsWith("ready")).toBe(true);

    sim.removeRelation(id);
    await settle();
    expect(sim.model.unitStatus("app/0")).toMatchObject({ status: "waiting" });
    expect(sim.model.secrets()).toEqual([]);

    // Every hook ran the shipped runtime, which kept its compiled bundle in the unit's charm directory.
    expect(sim.hooks.length).toBeGreaterThan(8);
    for (const dir of [provider, requirer]) {
      expect(readdirSync(join(dir, ".node-compile-cache")).length).toBeGreaterThan(0);
    }
    expect(existsSync(join(elsewhere, ".node-compile-cache"))).toBe(false);
  }, 600_000);

  it("carries metadata.yaml, config.yaml, actions.yaml and manifest.yaml that say what charmcraft.yaml says", async () => {
    const connect = await packCharm({
      charmDir: join(EXAMPLES, "connect-provider"),
      outDir: join(root, "out"),
      platform: PLATFORM,
      conditions: ["@charm-relations/source"],
    });
    const cases: [string, ZipFileEntry[]][] = [
      ["postgresql-provider", charms["postgresql-provider"]!.entries],
      ["postgresql-requirer", charms["postgresql-requirer"]!.entries],
      ["connect-provider", await readZip(connect.charms[0]!.path)],
    ];
    for (const [example, entries] of cases) {
      const file = (name: string) => {
        const e = entries.find((x) => x.name === name);
        return e ? (parseYaml11(e.data.toString("utf8"), name) as Record<string, unknown>) : undefined;
      };
      const cc = parseYaml11(
        readFileSync(join(EXAMPLES, example, "charmcraft.yaml"), "utf8"),
        example,
      ) as Record<string, unknown>;
      const meta = file("metadata.yaml")!;
      expect(meta).toEqual({
        name: cc.name,
        "display-name": cc.title,
        summary: cc.summary,
        description: cc.description,
        ...Object.fromEntries(
          ["provides", "requires", "peers"].filter((k) => k in cc).map((k) => [k, cc[k]]),
        ),
      });
      expect(file("config.yaml")).toEqual(cc.config);
      expect(file("actions.yaml")).toEqual(cc.actions);
      const manifest = file("manifest.yaml")!;
      expect(manifest).toEqual({
        "charmcraft-version": expect.stringMatching(/^@charm-relations\/pack \d+\.\d+\.\d+/),
        "charmcraft-started-at": expect.any(String),
        bases: [{ name: "ubuntu", channel: "24.04", architectures: [HOST_ARCH] }],
        analysis: {
          attributes: [
            { name: "language", result: "unknown" },
            { name: "framework", result: "unknown" },
          ],
        },
      });
      expect(Number.isNaN(Date.parse(manifest["charmcraft-started-at"] as string))).toBe(false);
    }
    expect(cases[2]![1].some((e) => e.name === "actions.yaml")).toBe(true);
    expect(cases[1]![1].some((e) => e.name === "actions.yaml")).toBe(false);
  }, 300_000);
});
