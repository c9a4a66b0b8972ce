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
import * as os from "node:os";
import { promisify } from "node:util";
import { helper } from "./helper.js";

const loaded = (m) => process.moduleLoadList.includes("NativeModule " + m);
const out = { before: { child_process: loaded("child_process"), crypto: loaded("crypto"), fsPromises: loaded("internal/fs/promises") } };
out.spawn = spawnSync("sh", ["-c", "echo spawned"], { encoding: "utf8" }).stdout.trim();
out.after = { child_process: loaded("child_process") };
out.promisified = (await promisify(execFile)("sh", ["-c", "echo hi"])).stdout.trim();
out.hash = createHash("sha256").update("x").digest("hex").slice(0, 8);
out.read = readFileSync(new URL(import.meta.url), "utf8").length > 0;
out.os = typeof os.tmpdir();
out.helper = helper();
out.url = import.meta.url;
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
  it("makes one minified ESM file that behaves like its entry, loading child_process and crypto on first use", async () => {
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
      execFileSync(process.execPath, [join(dir, "dist", "charm.mjs")], { encoding: "utf8" }),
    );
    // Node 20's own ESM loader reads files with fs/promises; later Nodes load it only when asked.
    writeFileSync(
      join(dir, "empty.mjs"),
      'console.log(process.moduleLoadList.includes("NativeModule internal/fs/promises"))',
    );
    const fsPromisesAnyway =
      execFileSync(process.execPath, [join(dir, "empty.mjs")], { encoding: "utf8" }).trim() === "true";
    expect(out).toEqual({
      before: { child_process: false, crypto: false, fsPromises: fsPromisesAnyway },
      spawn: "spawned",
      after: { child_process: true },
      promisified: "hi", // util.promisify(execFile) still resolves to { stdout, stderr }
      hash: "2d711642",
      read: true,
      os: "string",
      helper: "helped",
      url: `file://${join(dir, "dist", "charm.mjs")}`,
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
    expect(out.before).toEqual({ child_process: true, crypto: true, fsPromises: true });
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
