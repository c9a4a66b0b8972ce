/**
 * Subprocesses and scratch files for the hardening tests: the `charm-relations` CLI (on its sources,
 * like the CLI's own `runCli` test helper) and small TypeScript scripts. Unlike `runCli`, every child
 * is tracked so that a test guarding against a hang can fail by its timeout and still leave no process
 * behind. Call `cleanUp()` in `afterEach`.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
/** The CLI package (a devDependency), whose `src/bin.ts` runs with tsx and the source condition. */
export const CLI_DIR = dirname(require.resolve("@charm-relations/cli/package.json"));

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Text written to stdin, or a file descriptor to hand over as stdin (e.g. `/dev/zero`). */
  readonly stdin?: string | number;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
}

const children = new Set<ChildProcess>();
const dirs: string[] = [];
const servers: Server[] = [];

/** Kill every child still running (a test that timed out left it hanging), stop servers, remove dirs. */
export function cleanUp(): void {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
  for (const server of servers.splice(0)) server.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh folder, removed by `cleanUp()`. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "hardening-"));
  dirs.push(dir);
  return dir;
}

/** A Unix socket listening at `path` (until `cleanUp()`). */
export async function listenOn(path: string): Promise<void> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
}

/** Node with tsx and the workspace's source condition: TypeScript sources run as they are. */
export function runTs(
  script: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ProcessResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // A developer's colour settings must not change what the tests see.
    if (v !== undefined && k !== "FORCE_COLOR" && k !== "NO_COLOR") env[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--conditions=@charm-relations/source", "--import", "tsx", script, ...args],
      {
        cwd: options.cwd ?? CLI_DIR,
        env: { ...env, ...options.env },
        stdio: [typeof options.stdin === "number" ? options.stdin : "pipe", "pipe", "pipe"],
      },
    );
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
    if (typeof options.stdin !== "number") child.stdin?.end(options.stdin ?? "");
  });
}

/** `charm-relations <args>` as a user runs it. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  return runTs(join(CLI_DIR, "src", "bin.ts"), args, options);
}
