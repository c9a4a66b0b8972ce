/**
 * The compile cache, built at pack time, so that the first hook on a unit starts like every later one
 * (without it the first hook compiles the whole bundle: 1.35× a bare `node -e 0` instead of 1.17×,
 * bench/pack.ts).
 *
 * The staged charm runs once through its own `dispatch` with no hook environment: Node loads and
 * compiles the bundle, the charm refuses to run outside a hook (exit 1, a normal exit, so Node writes
 * the cache) and nothing else is kept. `dispatch` sets `NODE_COMPILE_CACHE_PORTABLE=1`, so the entry
 * is keyed by the bundle's path relative to the cache directory and is accepted wherever Juju unpacks
 * the charm. Only a runtime this machine can execute warms (an arm64 runtime packed on amd64 ships no
 * cache and compiles on its first hook, as before); Node rejects an entry whose bundle checksum, Node
 * version or V8 flags differ, so a stale cache costs one recompile, never a wrong result.
 *
 * Node names the cache's directory `v<version>-<arch>-<flags hash>-<uid>`: it is renamed for uid 0,
 * the user Juju runs hooks as (machine charms, and Kubernetes charms unless `charm-user` says
 * otherwise; under another user Node simply compiles on the first hook).
 */

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { COMPILE_CACHE_DIR } from "./dispatch.js";
import type { Arch } from "./plan.js";
import { HOST_ARCH } from "./runtime.js";

export interface CacheFile {
  /** Path inside the charm, e.g. `.node-compile-cache/v24.22.3-x64-964aae3f-0/c5961c6b`. */
  readonly name: string;
  readonly content: Buffer;
}

/** Runs the staged charm once and returns its compile-cache files; none when no shipped runtime runs here. */
export function warmCompileCache(stageDir: string, arches: readonly Arch[]): CacheFile[] {
  const cache = join(stageDir, COMPILE_CACHE_DIR);
  rmSync(cache, { recursive: true, force: true });
  const host = HOST_ARCH[process.arch];
  if (!host || !arches.includes(host)) return [];
  // No JUJU_* variables and no hook tools on PATH: the charm stops at its hook context.
  spawnSync(join(stageDir, "dispatch"), [], {
    cwd: stageDir,
    env: { PATH: "/usr/bin:/bin" },
    stdio: "ignore",
    timeout: 60_000,
  });
  if (!existsSync(cache)) return [];
  for (const tag of readdirSync(cache)) {
    const root = `${tag.slice(0, tag.lastIndexOf("-") + 1)}0`;
    if (root !== tag) renameSync(join(cache, tag), join(cache, root));
  }
  return files(stageDir, COMPILE_CACHE_DIR);
}

function files(root: string, dir: string): CacheFile[] {
  return readdirSync(join(root, dir)).flatMap((entry) => {
    const name = `${dir}/${entry}`;
    const stat = statSync(join(root, name));
    if (stat.isDirectory()) return files(root, name);
    return stat.isFile() ? [{ name, content: readFileSync(join(root, name)) }] : [];
  });
}
