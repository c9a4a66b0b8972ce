#!/usr/bin/env node
/**
 * The hook-tool fakes: what each Juju hook tool does, run per call by the fake server behind the bash
 * clients of `createHookToolBin` (`fake-server.ts`), or as an executable itself (a symlink to this file
 * named like the tool, or `node hook-tool-cli.js <tool> …`). Each call loads the state file
 * named by `CHARM_RELATIONS_FAKE_STATE`, parses argv the way Juju does (flags anywhere, `-r x`,
 * `--relation=x`, `--format json`, `--`, `key=value`, `key#file=`, `key#base64=`, `--file -`), runs the
 * same `MemoryBackend` code the in-memory harness uses, prints Juju's output (JSON as Go encodes it,
 * with a trailing newline), reports failures as `ERROR <message>` with exit 2 for argument errors and
 * 1 at run time, and saves the state.
 */

import { readFileSync, realpathSync } from "node:fs";
import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import { HOOK_TOOLS } from "../backend/types.js";
import { HookToolError } from "../errors.js";
import type { HookKind } from "../hook/types.js";
import {
  type Handler,
  type HookToolIO,
  MissingTool,
  RunError,
  type ToolCall,
  UsageError,
} from "./hook-tool-args.js";
import { RELATION_TOOLS } from "./hook-tool-relations.js";
import { SECRET_TOOLS } from "./hook-tool-secrets.js";
import { UNIT_TOOLS } from "./hook-tool-unit.js";
import { MemoryBackend, type SessionState } from "./memory-backend.js";
import type { JujuModel } from "./model.js";
import { FAKE_STATE_ENV, FAKE_STATE_FILES, type FakeStateStore } from "./state-file.js";

export type { HookToolIO } from "./hook-tool-args.js";
export { goJson } from "./hook-tool-format.js";

/**
 * Thrown by a `HookToolIO.stdin` that has no input yet (Juju's `ErrNoStdin`): `hookToolMain` then
 * saves nothing and rethrows, and the caller runs the call again with the input.
 */
export class StdinRequired extends Error {}

export interface HookToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const HANDLERS: Record<string, Handler> = { ...RELATION_TOOLS, ...UNIT_TOOLS, ...SECRET_TOOLS };

/** Run one hook tool against a session, in-process. Never throws for Juju-level failures. */
export function runHookTool(
  tool: string,
  argv: readonly string[],
  backend: MemoryBackend,
  io: HookToolIO = {},
): HookToolResult {
  const call: ToolCall = {
    tool,
    argv,
    backend,
    io: {
      stdin: io.stdin ?? (() => ""),
      readFile: io.readFile ?? ((path: string) => readFileSync(path, "utf8")),
    },
    stderr: "",
  };
  const handler = HANDLERS[tool];
  if (!handler) return { stdout: "", stderr: `ERROR unknown hook tool "${tool}"\n`, exitCode: 2 };
  try {
    return { stdout: handler(call), stderr: call.stderr, exitCode: 0 };
  } catch (e) {
    if (e instanceof MissingTool)
      return { stdout: "", stderr: `${tool}: command not found\n`, exitCode: 127 };
    if (e instanceof UsageError)
      return { stdout: "", stderr: `${call.stderr}ERROR ${e.message}\n`, exitCode: 2 };
    if (e instanceof RunError)
      return { stdout: "", stderr: `${call.stderr}ERROR ${e.message}\n`, exitCode: 1 };
    if (e instanceof HookToolError)
      return { stdout: "", stderr: call.stderr + e.stderr, exitCode: e.exitCode ?? 1 };
    // Client-side validation errors of the backend (non-string values…) and bugs.
    const err = e as Error;
    return { stdout: "", stderr: `ERROR ${err.message}\n`, exitCode: 1 };
  }
}

/** Secret values given as `key=value` / `key#base64=value` never reach the call log. */
export function redactArgv(tool: string, argv: readonly string[]): string[] {
  if (tool !== "secret-add" && tool !== "secret-set") return [...argv];
  let afterDashDash = false;
  return argv.map((a) => {
    if (a === "--") afterDashDash = true;
    if (!afterDashDash && a.startsWith("-")) return a;
    const m = /^([^=]+?)=[\s\S]*$/.exec(a);
    if (!m || m[1]!.endsWith("#file")) return a;
    return `${m[1]}=<redacted>`;
  });
}

const KIND_SUFFIXES: [string, HookKind][] = [
  ["-relation-created", "relation-created"],
  ["-relation-joined", "relation-joined"],
  ["-relation-changed", "relation-changed"],
  ["-relation-departed", "relation-departed"],
  ["-relation-broken", "relation-broken"],
];

/** A session from JUJU_* variables, for a state file that holds only a model. */
function sessionFromEnv(env: NodeJS.ProcessEnv): SessionState {
  const unit = env.JUJU_UNIT_NAME;
  if (!unit) throw new RunError(`${FAKE_STATE_ENV} holds no hook session and JUJU_UNIT_NAME is not set`);
  const session: SessionState = { unit, working: { relations: {}, secrets: {} } };
  const relId = env.JUJU_RELATION_ID;
  if (relId) {
    const id = Number.parseInt(relId.slice(relId.lastIndexOf(":") + 1), 10);
    session.relation = { endpoint: env.JUJU_RELATION ?? relId.slice(0, relId.lastIndexOf(":")), id };
  }
  if (env.JUJU_REMOTE_UNIT) session.remoteUnit = env.JUJU_REMOTE_UNIT;
  if (env.JUJU_REMOTE_APP) session.remoteApp = env.JUJU_REMOTE_APP;
  if (env.JUJU_DEPARTING_UNIT) session.departingUnit = env.JUJU_DEPARTING_UNIT;
  const hook = env.JUJU_HOOK_NAME;
  if (hook) {
    session.hookName = hook;
    const kind = KIND_SUFFIXES.find(([suffix]) => hook.endsWith(suffix))?.[1];
    if (kind) session.kind = kind;
  }
  return session;
}

/**
 * What one executable does: load the state file, run the tool, log the call (secret values
 * redacted), save. `tool` is the name it was invoked by. Throws `StdinRequired` (having saved
 * nothing) when the tool needs the standard input and `io.stdin` throws it. `store` reads and writes
 * the state file (the fake server's keeps the models it saved).
 */
export function hookToolMain(
  tool: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: HookToolIO = {},
  store: FakeStateStore = FAKE_STATE_FILES,
): HookToolResult {
  const path = env[FAKE_STATE_ENV];
  if (!path) return { stdout: "", stderr: `ERROR ${FAKE_STATE_ENV} is not set\n`, exitCode: 1 };
  if (!(HOOK_TOOLS as readonly string[]).includes(tool)) {
    return { stdout: "", stderr: `ERROR unknown hook tool "${tool}"\n`, exitCode: 2 };
  }
  let model: JujuModel;
  let backend: MemoryBackend;
  try {
    const file = store.load(path);
    model = file.model;
    if (file.session) backend = MemoryBackend.resume(model, file.session, { recordCalls: false });
    else {
      const session = sessionFromEnv(env);
      backend = new MemoryBackend(model, { ...sessionOptions(session), recordCalls: false });
    }
  } catch (e) {
    return { stdout: "", stderr: `ERROR ${(e as Error).message}\n`, exitCode: 1 };
  }
  let stdinRequired = false;
  const { stdin } = io;
  const result = runHookTool(tool, argv, backend, {
    ...io,
    ...(stdin && {
      stdin: () => {
        try {
          return stdin();
        } catch (e) {
          stdinRequired ||= e instanceof StdinRequired;
          throw e;
        }
      },
    }),
  });
  if (stdinRequired) throw new StdinRequired(`${tool} reads standard input`);
  if (result.exitCode !== 127) {
    model.recordCall({
      unit: backend.unit,
      ...(backend.options.hookName !== undefined ? { hook: backend.options.hookName } : {}),
      tool,
      argv: redactArgv(tool, argv),
      exitCode: result.exitCode,
    });
  }
  store.save(path, model, backend.exportSession());
  return result;
}

function sessionOptions(s: SessionState) {
  return {
    unit: s.unit,
    ...(s.relation ? { relation: s.relation } : {}),
    ...(s.remoteUnit !== undefined ? { remoteUnit: s.remoteUnit } : {}),
    ...(s.remoteApp !== undefined ? { remoteApp: s.remoteApp } : {}),
    ...(s.departingUnit !== undefined ? { departingUnit: s.departingUnit } : {}),
    ...(s.hookName !== undefined ? { hookName: s.hookName } : {}),
    ...(s.kind !== undefined ? { kind: s.kind } : {}),
  };
}

function main(): void {
  let tool = basename(process.argv[1] ?? "");
  let args = process.argv.slice(2);
  // `node hook-tool-cli.js <tool> …` works too.
  if (!(HOOK_TOOLS as readonly string[]).includes(tool) && args[0] !== undefined) {
    tool = args[0];
    args = args.slice(1);
  }
  const result = hookToolMain(tool, args, process.env, { stdin: () => readFileSync(0) });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) main();
