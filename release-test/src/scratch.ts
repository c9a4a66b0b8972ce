/**
 * A scratch copy of the repository to version and publish from, so the working tree is never touched:
 * every file git knows or would add (`git ls-files --cached --others --exclude-standard`), committed in
 * a fresh git repository. With `built`, each workspace package's `dist/` (with its build info, mtimes
 * kept, so `tsc -b` finds it up to date) and `node_modules` (pnpm's relative links) come along, and the
 * root `node_modules` is a link to the real one: no install, no rebuild from nothing.
 */
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type Env, sh } from "./env.js";

export const REPO = resolve(import.meta.dirname, "../..");

export function scratchRepo(dir: string, env: Env, options: { built?: boolean } = {}): string {
  mkdirSync(dir, { recursive: true });
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: REPO,
    encoding: "utf8",
  })
    .split("\0")
    .filter((f) => f !== "" && existsSync(join(REPO, f)) && statSync(join(REPO, f)).isFile());
  const list = join(dir, "..", `${dir.split("/").pop()}.files`);
  writeFileSync(list, files.join("\0"));
  execFileSync("bash", [
    "-c",
    'set -o pipefail; tar -C "$1" --null -T "$2" -cf - | tar -C "$3" -xf -',
    "-",
    REPO,
    list,
    dir,
  ]);

  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
  if (options.built) {
    const packages = files.filter((f) => f.endsWith("/package.json")).map((f) => dirname(f));
    for (const pkg of packages) {
      for (const sub of ["dist", "node_modules"]) {
        if (existsSync(join(REPO, pkg, sub)))
          execFileSync("cp", ["-a", join(REPO, pkg, sub), join(dir, pkg)]);
      }
    }
  }
  sh("git", ["init", "-q", "-b", "main"], { cwd: dir, env });
  sh("git", ["add", "-A"], { cwd: dir, env });
  sh("git", ["commit", "-q", "-m", "scratch copy"], { cwd: dir, env });
  return dir;
}

/** `changeset version` in the scratch copy, with its changesets. */
export function changesetVersion(dir: string, env: Env): void {
  sh("pnpm", ["exec", "changeset", "version"], { cwd: dir, env });
}

export function writeChangeset(
  dir: string,
  name: string,
  bumps: Record<string, string>,
  summary: string,
): void {
  const front = Object.entries(bumps).map(([pkg, bump]) => `"${pkg}": ${bump}`);
  writeFileSync(join(dir, ".changeset", `${name}.md`), ["---", ...front, "---", "", summary, ""].join("\n"));
}

export function versionOf(dir: string, pkgDir: string): string {
  return (JSON.parse(readFileSync(join(dir, pkgDir, "package.json"), "utf8")) as { version: string }).version;
}

/** Workspace package directories (relative) by package name. */
export function workspacePackages(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const group of ["packages", "examples"]) {
    const base = join(dir, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const manifest = join(base, name, "package.json");
      if (!existsSync(manifest)) continue;
      out.set((JSON.parse(readFileSync(manifest, "utf8")) as { name: string }).name, `${group}/${name}`);
    }
  }
  return out;
}
