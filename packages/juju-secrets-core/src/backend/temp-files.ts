/**
 * Private temp dirs for secret values on their way to `secret-add` / `secret-set` (`key#file=`). ops
 * leaves such files behind when the hook is killed meanwhile; here nothing outlives the process:
 *
 * - every dir lives under one 0700 base dir per process (`juju-secret-<pid>-…`), removed at exit;
 * - a tiny detached watcher (`/bin/sh`, started with the first secret write of a hook, in its own
 *   session so a signal to the hook's process group does not reach it) removes the base dir as soon as
 *   the process is gone — SIGTERM, SIGINT, SIGKILL alike. No signal listener is installed: Node loses
 *   signals that arrive during `spawnSync`, and a listener would change how the hook dies;
 * - should the watcher be killed too, the next hook on the machine removes the base dirs of processes
 *   that no longer exist.
 */

import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PREFIX = "juju-secret-";
let base: string | undefined;

// Poll the hook process; once it is gone (or the base dir is), remove the base dir.
const WATCHER =
  'while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 0.2 2>/dev/null || sleep 1; done; rm -rf "$2"';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Remove the secret dirs of processes that are gone (killed together with their watcher). */
function sweepStale(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split("-")[0]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
  }
}

function baseDir(): string {
  if (base !== undefined) return base;
  const tmp = tmpdir();
  sweepStale(tmp);
  const dir = mkdtempSync(join(tmp, `${PREFIX}${process.pid}-`));
  chmodSync(dir, 0o700);
  base = dir;
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  try {
    const watcher = spawn("/bin/sh", ["-c", WATCHER, "sh", String(process.pid), dir], {
      detached: true,
      stdio: "ignore",
    });
    watcher.on("error", () => {}); // no shell: the sweep of the next hook is the fallback
    watcher.unref();
  } catch {
    // as above
  }
  return dir;
}

/** Run `use` with a fresh private dir for secret files; removed afterwards, or with the process. */
export function withSecretDir<T>(use: (dir: string) => T): T {
  const dir = mkdtempSync(join(baseDir(), "s-"));
  try {
    chmodSync(dir, 0o700);
    return use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
