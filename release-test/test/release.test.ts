/**
 * The release, end to end, against a local registry: `pnpm release` on a scratch copy publishes every
 * public package; charm projects outside the workspace install them with npm and with pnpm (strict),
 * typecheck the README's requirer, run it through the hook-tool fakes to `active` and bundle it; then
 * a patch of one interface is released alone, one project upgrades to it and the other, pinned, keeps
 * the old version and still works; a core minor is released alone, and a third project uses two
 * interfaces at different versions with that newer core, on the lowest zod the peer range admits.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Env, isolatedEnv, sh } from "../src/env.js";
import { CharmProject, type PackageManager } from "../src/project.js";
import { docsTsconfig, readmeInstall, readmeRequirer } from "../src/readme.js";
import { type Registry, startRegistry } from "../src/registry.js";
import { REPO, scratchRepo, workspacePackages, writeChangeset } from "../src/scratch.js";

const CORE = "@charm-relations/juju-secrets-core";
const PG = "@charm-relations/interface-postgresql-client";
const CONNECT = "@charm-relations/interface-connect-client";
const UPSTREAM = process.env.RELEASE_TEST_UPSTREAM ?? "https://registry.npmjs.org/";

const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const rootDev: Record<string, string> = json(join(REPO, "package.json")).devDependencies;
const ownDev: Record<string, string> = json(join(REPO, "release-test", "package.json")).devDependencies;
const zodCatalog = /^\s+zod:\s*(\S+)/m.exec(readFileSync(join(REPO, "pnpm-workspace.yaml"), "utf8"))![1]!;
const zodPeer: string = json(join(REPO, "packages", "juju-secrets-core", "package.json")).peerDependencies
  .zod;
/** The lowest zod the peer range admits: the two-interface charm runs on it. */
const zodFloor = zodPeer.replace(/^\^/, "");
/** What compiles and bundles the charm, pinned like the workspace's own. */
const devTools = [
  `typescript@${rootDev.typescript}`,
  `@types/node@${rootDev["@types/node"]}`,
  `esbuild@${ownDev.esbuild}`,
];

let tmp: string;
let registry: Registry;
let env: Env;
let repo: string;
let publicPackages: string[];
/** Versions in the scratch copy after each `pnpm release`. */
let first: Map<string, string>;
let second: Map<string, string>;
let third: Map<string, string>;
const released = () =>
  new Map(
    publicPackages.map((n) => [
      n,
      json(join(repo, workspacePackages(repo).get(n)!, "package.json")).version as string,
    ]),
  );
const started = Date.now();
const report: string[] = [];
const note = (line: string) => {
  report.push(line);
  console.log(line);
};

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "charm-relations-release-"));
  registry = await startRegistry(join(tmp, "registry"), UPSTREAM);
  env = isolatedEnv(join(tmp, "home"), registry);
  const names = [...workspacePackages(REPO).entries()];
  publicPackages = names
    .filter(([, dir]) => json(join(REPO, dir, "package.json")).private !== true)
    .map(([n]) => n);
});

afterAll(async () => {
  await registry?.stop();
  note(`release test: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (process.env.RELEASE_TEST_KEEP) console.log(`kept ${tmp}`);
  else if (tmp) rmSync(tmp, { recursive: true, force: true });
});

type Packument = { versions: Record<string, Record<string, unknown>> };

/**
 * What the local registry holds for a package, straight from its API (no npm process). A fresh
 * connection each time: a pooled one may have been closed by verdaccio during a long step.
 */
function packument(name: string): Promise<Packument | undefined> {
  return new Promise((resolve, reject) => {
    get(`${registry.url}${name.replace("/", "%2f")}`, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => {
        body += d;
      });
      res.on("end", () => {
        if (res.statusCode === 404) resolve(undefined);
        else if (res.statusCode !== 200) reject(new Error(`${name}: HTTP ${res.statusCode}`));
        else resolve(JSON.parse(body) as Packument);
      });
    }).on("error", reject);
  });
}

/** The README's requirer reached active against the reference provider, and said so in its log. */
function expectActive(project: CharmProject, entry: string): void {
  const run = project.simulate(entry, ["postgresql"]);
  expect(run, entry).toMatchObject({ settled: true, failed: [], status: { status: "active" } });
  expect(run.status.message).toMatch(/^ready: relation-\d+@10\.1\.0\.10:5432\/myapp$/);
  expect(run.logs.some((l) => l.endsWith("database myapp ready"))).toBe(true);
}

/**
 * Typecheck + compile the README's requirer, run it to active, bundle it (no zod locale may come
 * along); with `runBundle`, the bundle goes through the hook-tool fakes too.
 */
function checkRequirer(project: CharmProject, label: string, options: { runBundle?: boolean } = {}): void {
  project.write("src/charm.ts", readmeRequirer());
  project.compile();
  expectActive(project, "dist/charm.js");
  const bundle = project.bundle("src/charm.ts", "bundle/charm.mjs");
  expect(bundle.zodLocales, "zod locales in the bundle").toEqual([]);
  if (options.runBundle) expectActive(project, "bundle/charm.mjs");
  note(`${label}: bundle ${(bundle.bytes / 1024).toFixed(1)} kB minified`);
}

/** One physical copy of the core, and it is the one each interface resolves. */
function expectOneCore(project: CharmProject, interfaces: readonly string[]): void {
  expect(project.copies(CORE)).toHaveLength(1);
  for (const i of interfaces) expect(project.resolvedFrom(i, CORE), i).toBe(project.resolved(CORE));
  expect(project.copies("zod")).toHaveLength(1);
}

describe.sequential("release to a local registry", () => {
  const projects = new Map<string, CharmProject>();
  const project = (name: string, pm: PackageManager) => {
    const p = CharmProject.create(join(tmp, name), pm, env, docsTsconfig());
    projects.set(name, p);
    return p;
  };

  it("the registry holds nothing of the scope and is on 127.0.0.1", async () => {
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    for (const name of publicPackages) expect(await packument(name), name).toBeUndefined();
  });

  it("pnpm release versions, builds, checks and publishes every public package", async () => {
    repo = scratchRepo(join(tmp, "repo"), env, { built: true });
    sh("pnpm", ["release"], { cwd: repo, env });
    first = released();
    const tags = sh("git", ["tag"], { cwd: repo, env }).split("\n");
    for (const [name, version] of first) {
      expect(version, name).toMatch(/^[1-9]\d*\./); // never a 0.x: a peer range ^0.x spans one minor
      const meta = (await packument(name))?.versions[version];
      expect(meta?.version, name).toBe(version);
      expect(tags).toContain(`${name}@${version}`);
      expect(JSON.stringify(meta)).not.toMatch(/workspace:|catalog:/);
    }
    // Interfaces take the core as a peer spanning its major, never as a dependency.
    const pg = (await packument(PG))?.versions[first.get(PG)!];
    expect(pg).toMatchObject({ peerDependencies: { [CORE]: `^${first.get(CORE)}`, zod: zodPeer } });
    expect((pg?.dependencies as Record<string, string> | undefined)?.[CORE]).toBeUndefined();
    for (const [name, dir] of workspacePackages(REPO)) {
      if (json(join(REPO, dir, "package.json")).private === true) {
        expect(await packument(name), name).toBeUndefined();
      }
    }
  });

  it("(a) npm: the README's install with the interface pinned exactly", () => {
    const a = project("a-npm", "npm");
    const install = readmeInstall();
    expect(install).toEqual([PG, CORE, "zod"]);
    a.add([`${PG}@${first.get(PG)}`, CORE, `zod@${zodCatalog}`], { exact: true });
    expect(a.manifest().dependencies?.[PG]).toBe(first.get(PG));
    note(`(a) npm ls --all:\n${a.ls()}`);
    note(`(a) node_modules of the README's install: ${(a.nodeModulesBytes() / 1e6).toFixed(2)} MB`);
    a.add(devTools, { dev: true, exact: true });
    expectOneCore(a, [PG]);
    // What ships: dist, README, LICENSE, CHANGELOG; no build info, no tests.
    const files = sh("find", ["node_modules/@charm-relations", "-type", "f"], { cwd: a.dir, env }).split(
      "\n",
    );
    for (const f of ["interface-postgresql-client/LICENSE", "interface-postgresql-client/CHANGELOG.md"]) {
      expect(files).toContain(`node_modules/@charm-relations/${f}`);
    }
    expect(files.filter((f) => /tsbuildinfo|\/test\//.test(f))).toEqual([]);
    checkRequirer(a, "(a) npm", { runBundle: true });
  });

  it("(b) pnpm, strict peers: the same install", () => {
    const b = project("b-pnpm", "pnpm");
    b.add([`${PG}@${first.get(PG)}`, CORE, `zod@${zodCatalog}`], { exact: true });
    note(`(b) node_modules of the README's install: ${(b.nodeModulesBytes() / 1e6).toFixed(2)} MB`);
    b.add(devTools, { dev: true, exact: true });
    expectOneCore(b, [PG]);
    checkRequirer(b, "(b) pnpm");
  });

  it("prepack rebuilds a missing dist/ and refuses to pack an entry point the build does not produce", () => {
    const dir = join(repo, "packages", "interface-etcd");
    const out = mkdtempSync(join(tmp, "pack-"));
    rmSync(join(dir, "dist"), { recursive: true, force: true });
    sh("pnpm", ["pack", "--pack-destination", out], { cwd: dir, env });
    const tgz = join(out, readdirSync(out).find((f) => f.endsWith(".tgz"))!);
    const files = sh("tar", ["-tzf", tgz], { cwd: out, env }).split("\n");
    expect(files).toEqual(
      expect.arrayContaining(["package/dist/index.js", "package/LICENSE", "package/CHANGELOG.md"]),
    );
    expect(files.filter((f) => /tsbuildinfo|\/test\//.test(f))).toEqual([]);

    const manifest = json(join(dir, "package.json"));
    manifest.exports["./missing"] = { types: "./dist/missing.d.ts", default: "./dist/missing.js" };
    writeFileSync(join(dir, "package.json"), JSON.stringify(manifest));
    expect(() => sh("pnpm", ["pack", "--pack-destination", out], { cwd: dir, env })).toThrow(
      /refusing to pack, missing after the build: \.\/dist\/missing\.d\.ts, \.\/dist\/missing\.js/,
    );
    sh("git", ["checkout", "--", "packages/interface-etcd/package.json"], { cwd: repo, env });
  });

  it("pnpm release with a patch changeset publishes that interface alone", async () => {
    writeChangeset(
      repo,
      "pg-patch",
      { [PG]: "patch" },
      "A patch release of the postgresql_client interface.",
    );
    sh("git", ["add", "-A"], { cwd: repo, env });
    sh("git", ["commit", "-qm", "pg patch"], { cwd: repo, env });
    sh("pnpm", ["release"], { cwd: repo, env });
    second = released();
    const [major, minor, patch] = first.get(PG)!.split(".").map(Number);
    expect(second.get(PG)).toBe(`${major}.${minor}.${patch! + 1}`);
    expect(Object.keys((await packument(PG))?.versions ?? {})).toEqual([first.get(PG), second.get(PG)]);
    for (const name of publicPackages.filter((n) => n !== PG)) {
      expect(second.get(name), name).toBe(first.get(name));
      expect(Object.keys((await packument(name))?.versions ?? {}), name).toEqual([first.get(name)]);
    }
  });

  it("(a) upgrades the interface alone; (b), pinned, keeps the old one and still works", () => {
    const a = projects.get("a-npm")!;
    a.add([`${PG}@${second.get(PG)}`], { exact: true });
    expect(a.version(PG)).toBe(second.get(PG));
    expect(a.version(CORE)).toBe(first.get(CORE));
    expectOneCore(a, [PG]);
    checkRequirer(a, "(a) npm after the upgrade");

    const b = projects.get("b-pnpm")!;
    b.install();
    b.run("pnpm", ["update"]);
    expect(b.manifest().dependencies?.[PG]).toBe(first.get(PG));
    expect(b.version(PG)).toBe(first.get(PG));
    expectActive(b, "dist/charm.js");
  });

  it("pnpm release with a core minor publishes the core alone (the interfaces' peer range still holds)", async () => {
    writeChangeset(repo, "core-minor", { [CORE]: "minor" }, "A minor release of the core.");
    sh("git", ["add", "-A"], { cwd: repo, env });
    sh("git", ["commit", "-qm", "core minor"], { cwd: repo, env });
    sh("pnpm", ["release"], { cwd: repo, env });
    third = released();
    const [major, minor] = second.get(CORE)!.split(".").map(Number);
    expect(third.get(CORE)).toBe(`${major}.${minor! + 1}.0`);
    for (const name of publicPackages.filter((n) => n !== CORE))
      expect(third.get(name), name).toBe(second.get(name));
    expect(Object.keys((await packument(CORE))?.versions ?? {})).toEqual([first.get(CORE), third.get(CORE)]);
  });

  it(`(c) pnpm: two interfaces at different versions and a newer core share one core, on zod ${zodFloor}`, () => {
    // The interfaces were built against the older core; before the peer model this gave two cores and
    // "'#private' … different member" type errors.
    const c = project("c-two", "pnpm");
    c.add(
      [
        `${PG}@${second.get(PG)}`,
        `${CONNECT}@${first.get(CONNECT)}`,
        `${CORE}@${third.get(CORE)}`,
        `zod@${zodFloor}`,
      ],
      {
        exact: true,
      },
    );
    c.add(devTools, { dev: true, exact: true });
    expect([c.version(PG), c.version(CONNECT), c.version(CORE), c.version("zod")]).toEqual([
      second.get(PG),
      first.get(CONNECT),
      third.get(CORE),
      zodFloor,
    ]);
    expectOneCore(c, [PG, CONNECT]);
    c.write("src/charm.ts", readmeRequirer());
    c.write(
      "src/both.ts",
      readFileSync(join(import.meta.dirname, "..", "fixtures", "two-interfaces.ts"), "utf8"),
    );
    c.compile();
    for (const entry of ["dist/both.js", "bundle/both.mjs"]) {
      if (entry.startsWith("bundle/")) expect(c.bundle("src/both.ts", entry).zodLocales).toEqual([]);
      const run = c.simulate(entry, ["postgresql", "connect"]);
      expect(run, entry).toMatchObject({ settled: true, failed: [], status: { status: "active" } });
      expect(run.logs.some((l) => l.endsWith("kafka connect ready: http://10.1.0.10:8083"))).toBe(true);
    }
  });
});
