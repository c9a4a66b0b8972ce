#!/usr/bin/env node
// `check:package` of every public package: pack it exactly as `changeset publish` will (pnpm pack runs
// prepack and rewrites `workspace:` / `catalog:` ranges), then check the tarball itself: the files a
// user gets (dist/, README.md, LICENSE, CHANGELOG.md, and nothing of the build info or the tests), no
// workspace-only range left, publint --strict, and are-the-types-wrong with the ESM-only profile.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { entryPointFiles } from "./lib/entry-points.mjs";

const dir = process.cwd();
const root = resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
const problems = [];

/** A tool's bin script, from the package's own devDependencies or else the root's. */
function bin(name, command = name) {
  for (const from of [dir, root]) {
    const manifest = join(from, "node_modules", name, "package.json");
    if (!existsSync(manifest)) continue;
    const { bin } = JSON.parse(readFileSync(manifest, "utf8"));
    return join(dirname(manifest), typeof bin === "string" ? bin : bin[command]);
  }
  throw new Error(`${name} is not installed (add it to devDependencies)`);
}

const out = mkdtempSync(join(tmpdir(), "check-package-"));
try {
  execFileSync("pnpm", ["pack", "--pack-destination", out], {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const tgz = join(
    out,
    readdirSync(out).find((f) => f.endsWith(".tgz")),
  );
  const files = execFileSync("tar", ["-tzf", tgz], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ""));

  const entryPoints = entryPointFiles(pkg).map((f) => f.replace(/^\.\//, ""));
  for (const required of ["package.json", "README.md", "LICENSE", "CHANGELOG.md", ...entryPoints]) {
    if (!files.includes(required)) problems.push(`missing ${required}`);
  }
  const license = execFileSync("tar", ["-xzOf", tgz, "package/LICENSE"], { encoding: "utf8" });
  if (!license.includes("Apache License") || !license.includes("END OF TERMS AND CONDITIONS")) {
    problems.push("LICENSE is not the full Apache-2.0 text");
  }
  for (const f of files) {
    if (/\.tsbuildinfo$/.test(f)) problems.push(`build info shipped: ${f}`);
    if (/(^|\/)(test|tests|__tests__)\//.test(f) || /\.test(-d)?\.[cm]?[jt]s$/.test(f))
      problems.push(`test shipped: ${f}`);
  }
  const manifest = execFileSync("tar", ["-xzOf", tgz, "package/package.json"], { encoding: "utf8" });
  for (const m of manifest.matchAll(/"([^"]+)":\s*"((?:workspace|catalog):[^"]*)"/g)) {
    problems.push(`unpublishable range left in package.json: ${m[1]} ${m[2]}`);
  }

  const run = (label, file, args) => {
    try {
      execFileSync(process.execPath, [file, ...args], {
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
        encoding: "utf8",
      });
    } catch (e) {
      problems.push(`${label}:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
    }
  };
  run("publint", bin("publint"), ["run", tgz, "--strict"]);
  run("attw", bin("@arethetypeswrong/cli", "attw"), [
    tgz,
    "--profile",
    "esm-only",
    "--format",
    "table-flipped",
  ]);

  const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
  if (problems.length === 0) {
    console.log(
      `${pkg.name}: ${files.length} files, ${kb(statSync(tgz).size)} packed; publint and attw clean`,
    );
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(`${pkg.name}: ${problems.join("\n")}`);
  process.exit(1);
}
