/**
 * The entry-point guard of a charm's dist/charm.js: `void runCharmIfMain(import.meta.url, setup)`.
 * A wrong "not main" skips every hook without a word, so each way node may be started is tested,
 * first on paths, then with real node processes (one of them on an esbuild bundle). The processes
 * run without JUJU_* variables: a hook that runs fails with `HookContextError` (exit 1), a skipped
 * one exits 0 silently.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { CharmRelationsError } from "../src/errors.js";
import { isMainModule, runCharmIfMain } from "../src/hook/main.js";

const root = realpathSync(mkdtempSync(join(tmpdir(), "hook-main-")));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Directory names that need URL-encoding, each in its own charm dir. */
const AWKWARD = ["with space", "per%cent", "100%25", "accentué-日本", "hash#and?query", "tab\tname"];

function charmFile(dirName: string, content = ""): string {
  const dir = join(root, dirName, "dist");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "charm.js");
  writeFileSync(file, content);
  return file;
}

describe("isMainModule", () => {
  it.each(AWKWARD)("compares files, not URL text: %s", (name) => {
    const file = charmFile(name);
    const url = pathToFileURL(file).href;
    expect(url).not.toContain(`/${name}/`); // the URL is encoded, the path is not
    expect(isMainModule(url, ["node", file])).toBe(true);
    expect(isMainModule(url, ["node", join(dirname(file), "other.js")])).toBe(false);
  });

  it("takes argv[1] the way node does: relative, without .js, a directory", () => {
    const file = charmFile("lookup");
    const url = pathToFileURL(file).href;
    expect(isMainModule(url, ["node", relative(process.cwd(), file)])).toBe(true);
    expect(isMainModule(url, ["node", file.replace(/\.js$/, "")])).toBe(true);
    const pkg = join(root, "lookup-dir");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ main: "../lookup/dist/charm.js" }));
    expect(isMainModule(url, ["node", pkg])).toBe(true);
  });

  it("sees through symlinks on either side (symlinked charm dir, --preserve-symlinks-main)", () => {
    const file = charmFile("real charm");
    const link = join(root, "linked charm");
    symlinkSync(join(root, "real charm"), link);
    const viaLink = join(link, "dist", "charm.js");
    expect(isMainModule(pathToFileURL(file).href, ["node", viaLink])).toBe(true);
    expect(isMainModule(pathToFileURL(viaLink).href, ["node", file])).toBe(true);
    expect(isMainModule(pathToFileURL(viaLink).href, ["node", viaLink])).toBe(true);
  });

  it("is not main without a script, or when the files do not exist", () => {
    const file = charmFile("plain");
    const url = pathToFileURL(file).href;
    expect(isMainModule(url, ["node"])).toBe(false);
    expect(isMainModule(url, ["node", ""])).toBe(false);
    const gone = pathToFileURL(join(root, "gone.js")).href;
    expect(isMainModule(gone, ["node", join(root, "gone.js")])).toBe(false);
  });

  it("throws, never answers false, for something that is not import.meta.url of a module file", () => {
    for (const bad of [
      undefined,
      "",
      "charm.js",
      "/abs/charm.js",
      "https://example.com/charm.js",
      "file://host/x",
    ]) {
      expect(() => isMainModule(bad as unknown as string, ["node", "x"])).toThrow(CharmRelationsError);
    }
    expect(() => isMainModule(undefined as unknown as string)).toThrow(/CommonJS bundle has none/);
  });

  it("runCharmIfMain runs nothing when imported (as by tests)", () => {
    let ran = false;
    expect(
      runCharmIfMain(pathToFileURL(charmFile("imported")).href, () => {
        ran = true;
      }),
    ).toBeUndefined();
    expect(ran).toBe(false);
  });
});

// -- real processes --------------------------------------------------------------------------

const CORE_DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const CORE_SRC = fileURLToPath(new URL("../src/index.ts", import.meta.url));

const ENTRY = (core: string) =>
  [
    `import { runCharmIfMain } from ${JSON.stringify(core)};`,
    `export function setup() {}`,
    "void runCharmIfMain(import.meta.url, setup);",
    "",
  ].join("\n");

/** node <args> with no JUJU_* variables: 1 + HookContextError = the hook ran; 0 + silence = skipped. */
function node(args: readonly string[], cwd = root) {
  const r = spawnSync(process.execPath, [...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "" },
    encoding: "utf8",
  });
  return { code: r.status, ran: r.status === 1 && r.stderr.includes("HookContextError: missing") };
}

describe("runCharmIfMain in a node process (compiled core: build first)", () => {
  it.each(AWKWARD)("runs the hook from a charm dir named %s", (name) => {
    const file = charmFile(`proc-${name}`, ENTRY(pathToFileURL(CORE_DIST).href));
    expect(node([file])).toEqual({ code: 1, ran: true });
    expect(node(["./dist/charm.js"], dirname(dirname(file)))).toEqual({ code: 1, ran: true });
  });

  it("runs it through a symlinked charm dir and with node's own lookup (no .js)", () => {
    const file = charmFile("proc-real", ENTRY(pathToFileURL(CORE_DIST).href));
    symlinkSync(join(root, "proc-real"), join(root, "proc-link"));
    expect(node([join(root, "proc-link", "dist", "charm.js")])).toEqual({ code: 1, ran: true });
    expect(node(["--preserve-symlinks-main", join(root, "proc-link", "dist", "charm.js")])).toEqual({
      code: 1,
      ran: true,
    });
    expect(node([file.replace(/\.js$/, "")])).toEqual({ code: 1, ran: true });
  });

  it("does not run it when the module is imported by another script", () => {
    const file = charmFile("proc-imported", ENTRY(pathToFileURL(CORE_DIST).href));
    const other = join(root, "proc-imported", "test.mjs");
    writeFileSync(other, `import { setup } from ${JSON.stringify(pathToFileURL(file).href)};\nsetup();\n`);
    expect(node([other])).toEqual({ code: 0, ran: false });
  });

  it("runs it from an esbuild bundle (import.meta.url is the bundle's), in an awkward, symlinked dir", {
    timeout: 60_000,
  }, async () => {
    const dir = join(root, "bündle 100% ready");
    mkdirSync(join(dir, "src"), { recursive: true });
    writeFileSync(join(dir, "src", "charm.ts"), ENTRY(CORE_SRC));
    const outfile = join(dir, "dist", "charm.js");
    await build({
      entryPoints: [join(dir, "src", "charm.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile,
      logLevel: "silent",
      conditions: ["@charm-relations/source"],
    });
    expect(node([outfile])).toEqual({ code: 1, ran: true });
    symlinkSync(dir, join(root, "bundle-link"));
    expect(node([join(root, "bundle-link", "dist", "charm.js")])).toEqual({ code: 1, ran: true });

    // A CommonJS bundle has no import.meta.url: a loud failure, not a silently skipped hook.
    const cjs = join(dir, "dist", "charm.cjs");
    await build({
      entryPoints: [join(dir, "src", "charm.ts")],
      bundle: true,
      platform: "node",
      format: "cjs",
      outfile: cjs,
      logLevel: "silent",
      conditions: ["@charm-relations/source"],
    });
    const r = spawnSync(process.execPath, [cjs], { env: { PATH: process.env.PATH ?? "" }, encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("expected import.meta.url of the charm's ES module");
  });
});
