/**
 * `processRunner`: a `HookRunner` that runs a real charm process per hook, with Juju's environment,
 * the hook-tool fakes first on PATH and the session in a state file.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { CharmRelationsError } from "../errors.js";
import type { HookContext } from "../hook/types.js";
import { createHookToolBin } from "./bin.js";
import { jujuEnvFor } from "./env.js";
import type { HookRunner } from "./hook-events.js";
import { MemoryBackend } from "./memory-backend.js";
import { FAKE_STATE_ENV, loadSession, saveSession } from "./state-file.js";
import { readUnitFiles, writeUnitFiles } from "./unit-files.js";

/** A charm process exited non-zero (or was killed). */
export class CharmProcessError extends CharmRelationsError {
  override name = "CharmProcessError";
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  constructor(
    hook: string,
    exitCode: number | null,
    signal: NodeJS.Signals | null,
    stdout: string,
    stderr: string,
  ) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    const tail = stderr.trim().split("\n").slice(-5).join("\n");
    super(`charm process for ${hook} ${how}${tail ? `:\n${tail}` : ""}`);
    this.exitCode = exitCode;
    this.signal = signal;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

export interface ProcessRunnerOptions {
  /** Working directory (default the context's charm dir, else the current one). */
  readonly cwd?: string;
  /** Extra environment for the charm. */
  readonly env?: Readonly<Record<string, string>>;
  /** Bin dir of hook-tool fakes (default: one per process, created on first use, removed at exit). */
  readonly binDir?: string;
  readonly timeoutMs?: number;
  /** Sees each hook's output (stdout is the charm's free debug log). */
  readonly onOutput?: (output: {
    context: HookContext;
    exitCode: number | null;
    stdout: string;
    stderr: string;
  }) => void;
}

/**
 * A runner that spawns a real charm entry point (e.g. `node dist/charm.js`) for each hook, with
 * Juju's environment for the context, the hook-tool fakes first on PATH and the session in a state
 * file. Exit 0 resolves (commit); anything else rejects with `CharmProcessError` (rollback).
 */
export function processRunner(
  command: string,
  args: readonly string[] = [],
  options: ProcessRunnerOptions = {},
): HookRunner {
  let binDir = options.binDir;
  return async (backend, context) => {
    if (!(backend instanceof MemoryBackend)) {
      throw new CharmRelationsError("processRunner needs the MemoryBackend of a Simulation or runOnce");
    }
    binDir ??= sharedHookToolBin();
    const dir = mkdtempSync(join(tmpdir(), "charm-relations-hook-"));
    const stateFile = join(dir, "state.json");
    // Juju always gives a charm dir. Without one from the test, the unit's files in the model become
    // a charm dir for this hook, and what the process leaves there goes back into the model.
    const charmDir =
      context.charmDir === undefined && options.env?.JUJU_CHARM_DIR === undefined
        ? join(dir, "charm")
        : undefined;
    try {
      if (charmDir) writeUnitFiles(backend.model, context.unitName, charmDir);
      saveSession(stateFile, backend);
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env)) {
        if (v !== undefined && !k.startsWith("JUJU_") && k !== "CHARM_DIR" && k !== "OPERATOR_DISPATCH")
          env[k] = v;
      }
      Object.assign(env, jujuEnvFor(context), {
        PATH: `${binDir}${delimiter}${process.env.PATH ?? ""}`,
        [FAKE_STATE_ENV]: stateFile,
        ...(charmDir ? { JUJU_CHARM_DIR: charmDir, CHARM_DIR: charmDir } : {}),
        ...options.env,
      });
      const cwd = options.cwd ?? context.charmDir ?? process.cwd();
      const out = await spawnCollect(command, args, { cwd, env, timeoutMs: options.timeoutMs ?? 60_000 });
      loadSession(stateFile, backend);
      if (charmDir) readUnitFiles(backend.model, context.unitName, charmDir);
      options.onOutput?.({ context, exitCode: out.code, stdout: out.stdout, stderr: out.stderr });
      if (out.code !== 0)
        throw new CharmProcessError(context.hookName, out.code, out.signal, out.stdout, out.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

let sharedBin: string | undefined;

/** One bin dir of fakes per process, removed when the process exits. */
function sharedHookToolBin(): string {
  if (sharedBin === undefined) {
    const dir = createHookToolBin();
    sharedBin = dir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return sharedBin;
}

function spawnCollect(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
