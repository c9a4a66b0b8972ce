#!/usr/bin/env node
// `prepack` of every public package (npm, pnpm and `changeset publish` run it before packing):
// 1. build it: `tsc -b` is incremental, so a fresh dist/ costs a second and a stale or missing one
//    is rebuilt, with the packages it references;
// 2. refuse to pack if a file that `exports` or `bin` points at is still missing from dist/;
// 3. copy the repository's LICENSE in: npm packs a LICENSE from the package root, never from above.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { entryPointFiles } from "./lib/entry-points.mjs";

const dir = process.cwd();
const root = resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));

const tsc = createRequire(join(dir, "package.json")).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-b"], { cwd: dir, stdio: "inherit" });

const wanted = entryPointFiles(pkg);
const missing = wanted.filter((f) => !existsSync(join(dir, f)));
if (missing.length > 0) {
  console.error(`prepack ${pkg.name}: refusing to pack, missing after the build: ${missing.join(", ")}`);
  process.exit(1);
}

copyFileSync(join(root, "LICENSE"), join(dir, "LICENSE"));
