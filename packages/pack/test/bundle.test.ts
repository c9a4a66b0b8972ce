/**
 * The bundle: one ESM file that runs as the entry did, with Node built-ins taken through
 * `process.getBuiltinModule` (no ESM facade) and the heavy ones loaded on first use.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanBuiltinImports } from "../src/builtins.js";
import { bundleCharm } from "../src/index.js";

const ENTRY = `
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Server } from "node:net";
import * as os from "node:os";
import { promisify } from "node:util";
import { helper } from "./helper.js";

const loaded = (m) => process.moduleLoadList.includes("NativeModule " + m);
const out = { before: { child_process: loaded("child_process"), crypto: loaded("crypto"), net: loaded("net"), fsPromises: loaded("internal/fs/promises") } };
// A class of a lazy built-in: new, extends, instanceof and statics reach the real one.
const classes = () => {
  class Mine extends Server { hello() { return "hi"; } }
  const s = new Mine();
  return { mine: s instanceof Mine, server: s instanceof Server, hello: s.hello(), listen: typeof s.listen, name: Server.name, direct: new Server() instanceof Server };
};
out.classes = classes();
out.spawn = spawnSync("sh", ["-c", "echo spawned"], { encoding: "utf8" }).stdout.trim();
out.after = { child_process: loaded("child_process") };
out.promisified = (await promisify(execFile)("sh", ["-c", "echo hi"])).stdout.trim();
out.hash = createHash("sha256").update("x").digest("hex").slice(0, 8);
out.read = readFileSync(new URL(import.meta.url), "utf8").length > 0;
out.os = typeof os.tmpdir();
out.helper = helper();
out.url = import.meta.url;
out.childCompileCache = spawnSync("sh", ["-c", "echo \${NODE_COMPILE_CACHE:-unset}"], { encoding: "utf8" }).stdout.trim();
console.log(JSON.stringify(out));
`;

function charm(): string {
  const dir = mkdtempSync(join(tmpdir(), "charm-relations-bundle-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "charm.mjs"), ENTRY);
  writeFileSync(join(dir, "src", "helper.js"), 'export const helper = () => "helped";\n');
  return dir;
}

describe("bundleCharm", () => {
  it("makes one minified ESM file that behaves like its entry, loading child_process, crypto and net on first use", async () => {
    const dir = charm();
    const bundle = await bundleCharm({
      entry: join(dir, "src", "charm.mjs"),
      charmDir: dir,
      nodeMajor: 20,
      sourcemap: true,
    });
    expect([...bundle.files.keys()].sort()).toEqual(["dist/charm.mjs", "dist/charm.mjs.map"]);
    const code = bundle.files.get("dist/charm.mjs")!.toString();
    expect(code).not.toMatch(/from\s*"node:(child_process|crypto|fs)"/);
    expect(code.trimEnd().endsWith("//# sourceMappingURL=charm.mjs.map")).toBe(true);
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "dist", "charm.mjs"), code);
    const out = JSON.parse(
      execFileSync(process.execPath, [join(dir, "dist", "charm.mjs")], {
        encoding: "utf8",
        env: { ...process.env, NODE_COMPILE_CACHE: join(dir, ".node-compile-cache") },
      }),
    );
    // Node 20's own ESM loader reads files with fs/promises; later Nodes load it only when asked.
    writeFileSync(
      join(dir, "empty.mjs"),
      'console.log(process.moduleLoadList.includes("NativeModule internal/fs/promises"))',
    );
    const fsPromisesAnyway =
      execFileSync(process.execPath, [join(dir, "empty.mjs")], { encoding: "utf8" }).trim() === "true";
    expect(out).toEqual({
      before: { child_process: false, crypto: false, net: false, fsPromises: fsPromisesAnyway },
      classes: { mine: true, server: true, hello: "hi", listen: "function", name: "Server", direct: true },
      spawn: "spawned",
      after: { child_process: true },
      promisified: "hi", // util.promisify(execFile) still resolves to { stdout, stderr }
      hash: "2d711642",
      read: true,
      os: "string",
      helper: "helped",
      url: `file://${join(dir, "dist", "charm.mjs")}`,
      // dispatch's compile cache setting stays with the charm: what it spawns does not inherit it.
      childCompileCache: "unset",
    });
  });

  it("without the stand-ins, imports built-ins the plain ESM way (eager)", async () => {
    const dir = charm();
    const bundle = await bundleCharm({
      entry: join(dir, "src", "charm.mjs"),
      charmDir: dir,
      nodeMajor: 20,
      lazyBuiltins: false,
    });
    const code = bundle.files.get("dist/charm.mjs")!.toString();
    expect(code).toMatch(/from\s*"node:child_process"/);
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "dist", "charm.mjs"), code);
    const out = JSON.parse(
      execFileSync(process.execPath, [join(dir, "dist", "charm.mjs")], { encoding: "utf8" }),
    );
    expect(out.before).toEqual({ child_process: true, crypto: true, net: true, fsPromises: true });
  });

  it("gives a bundled CommonJS dependency its `require`, and only then", async () => {
    const dir = mkdtempSync(join(tmpdir(), "charm-relations-bundle-"));
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "old.cjs"), 'module.exports = () => require("node:path").posix.sep;\n');
    writeFileSync(join(dir, "src", "charm.mjs"), 'import sep from "./old.cjs";\nconsole.log(sep());\n');
    const bundle = await bundleCharm({ entry: join(dir, "src", "charm.mjs"), charmDir: dir, nodeMajor: 20 });
    const code = bundle.files.get("dist/charm.mjs")!.toString();
    expect(code).toContain("createRequire");
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "dist", "charm.mjs"), code);
    expect(execFileSync(process.execPath, [join(dir, "dist", "charm.mjs")], { encoding: "utf8" })).toBe(
      "/\n",
    );
    const esm = await bundleCharm({ entry: join(charm(), "src", "charm.mjs"), charmDir: dir, nodeMajor: 20 });
    expect(esm.files.get("dist/charm.mjs")!.toString()).not.toContain("createRequire");
  });

  it("reads the names each built-in is imported with from esbuild's output", () => {
    const scanned = scanBuiltinImports(
      [
        'import { spawnSync } from "node:child_process";',
        'import { readFileSync, writeFileSync as writeFileSync2 } from "node:fs";',
        'import fs2, { statSync } from "fs";',
        'import * as os from "node:os";',
        'export { join } from "node:path";',
        'import { z } from "zod";',
      ].join("\n"),
    );
    expect(Object.fromEntries([...scanned].map(([k, v]) => [k, v === "*" ? v : [...v].sort()]))).toEqual({
      child_process: ["spawnSync"],
      fs: ["default", "readFileSync", "statSync", "writeFileSync"],
      os: "*",
      path: ["join"],
    });
  });
});
