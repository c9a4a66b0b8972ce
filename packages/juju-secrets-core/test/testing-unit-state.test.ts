/**
 * Unit-local state (the status record, notes) the same three ways: files in a real charm dir, the
 * in-memory model's `localFiles`, and a charm process against the hook-tool fakes. The spawned test
 * runs the compiled core: build first (`pnpm exec tsc -b`, CI does).
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { Charm } from "../src/hook/charm.js";
import {
  charmRunner,
  type HookRunner,
  linkCharmDir,
  processRunner,
  Simulation,
} from "../src/testing/index.js";

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const setup = (charm: Charm) => void charm.on("collectStatus", (e) => e.add("active", "ready"));

/** The tools each hook of `script` called, for one unit. */
async function callsPerHook(runner: HookRunner, charmDir?: string) {
  const sim = new Simulation({ lifecycle: false });
  sim.deploy("app", { runner, endpoints: {}, ...(charmDir ? { charmDir } : {}) });
  const out: string[][] = [];
  for (const kind of [
    "start",
    "config-changed",
    "update-status",
    "config-changed",
    "upgrade-charm",
  ] as const) {
    const h = await sim.runHook("app/0", kind);
    expect(h.ok, String(h.error)).toBe(true);
    out.push(h.calls.map((c) => c.tool));
  }
  return { sim, out };
}

const EXPECTED = [["status-set"], [], ["status-set"], [], ["status-set"]];

describe("the status record", () => {
  it("in memory: kept in the unit's localFiles, part of the model's state", async () => {
    const { sim, out } = await callsPerHook(charmRunner(setup));
    expect(out).toEqual(EXPECTED);
    expect(sim.model.toJSON().units["app/0"]?.localFiles).toEqual({
      "status.app-0.json": '{"unit":{"status":"active","message":"ready"}}\n',
    });
  });

  it("in a charm dir: a file under .charm-relations; an unreadable file is no record", async () => {
    const dir = tempDir("status-dir-");
    const { sim, out } = await callsPerHook(charmRunner(setup), dir);
    expect(out).toEqual(EXPECTED);
    const file = join(dir, ".charm-relations", "status.app-0.json");
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ unit: { status: "active", message: "ready" } });
    expect(sim.model.unit("app/0").localFiles).toBeUndefined();
    writeFileSync(file, '{"unit": {"status": "activ');
    expect((await sim.runHook("app/0", "config-changed")).calls.map((c) => c.tool)).toEqual(["status-set"]);
  });

  it("a charm process against the fakes makes the same calls as in memory, and keeps the record in the model", {
    timeout: 120_000,
  }, async () => {
    const core = pathToFileURL(fileURLToPath(new URL("../dist/index.js", import.meta.url))).href;
    const dir = tempDir("status-process-");
    const script = join(dir, "charm.mjs");
    writeFileSync(
      script,
      [
        `import { runCharmIfMain } from ${JSON.stringify(core)};`,
        `export const setup = (charm) => void charm.on("collectStatus", (e) => e.add("active", "ready"));`,
        "void runCharmIfMain(import.meta.url, setup);",
        "",
      ].join("\n"),
    );
    const { sim, out } = await callsPerHook(processRunner(process.execPath, [script]));
    expect(out).toEqual(EXPECTED);
    expect(sim.model.unit("app/0").localFiles).toEqual({
      "status.app-0.json": '{"unit":{"status":"active","message":"ready"}}\n',
    });
    expect(sim.model.unitStatus("app/0")).toEqual({ status: "active", message: "ready" });
  });
});

describe("linkCharmDir", () => {
  it("links the charm's files into a fresh dir without the source's unit-local state", () => {
    const source = tempDir("charm-src-");
    mkdirSync(join(source, "dist"));
    writeFileSync(join(source, "dist", "charm.js"), "export {};\n");
    writeFileSync(join(source, "dispatch"), "#!/bin/sh\n");
    mkdirSync(join(source, ".charm-relations"));
    writeFileSync(join(source, ".charm-relations", "status.app-0.json"), "{}");
    const dir = linkCharmDir(source, join(tempDir("charm-dst-"), "app"));
    expect(readdirSync(dir).sort()).toEqual(["dispatch", "dist"]);
    expect(realpathSync(join(dir, "dist", "charm.js"))).toBe(realpathSync(join(source, "dist", "charm.js")));
    writeFileSync(join(mkdirSync(join(dir, ".charm-relations"), { recursive: true })!, "x"), "");
    expect(readdirSync(join(source, ".charm-relations"))).toEqual(["status.app-0.json"]);
  });
});
