/**
 * `ProcessBackend`: the production `Backend`, spawning Juju's hook tools with the argv current ops uses
 * (juju-hook-tools.md §5, §6.1). No shell, `--format=json` where supported, relation data as JSON on
 * stdin, secret values only through 0600 files in a private temp dir (`key#file=<path>`).
 */

import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CharmRelationsError,
  classifyHookToolFailure,
  HookToolError,
  type HookToolFailure,
  HookToolMissingError,
  RelationNotFoundError,
} from "../errors.js";
import { utf8Length } from "../limits.js";
import { parseSecretUri } from "../protocol/codecs.js";
import { validateSecretContent } from "../protocol/secrets.js";
import { encodeRelationSettings } from "./settings-file.js";
import { withSecretDir } from "./temp-files.js";
import type {
  Backend,
  Databag,
  LogLevel,
  NetworkInfo,
  RelationRef,
  RotatePolicy,
  SecretAccess,
  SecretAddOptions,
  SecretGetOptions,
  SecretInfo,
  SecretOwner,
  SecretSetOptions,
  StatusInfo,
  StatusName,
} from "./types.js";

export interface ProcessBackendOptions {
  /** Per-call limit; a tool still running after it is killed and reported as timed out. Default 60 s. */
  readonly timeoutMs?: number;
  /** Environment for the tools (PATH decides where they are found). Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Called before every spawn; argv carries file paths, never secret values. */
  readonly onCall?: (tool: string, argv: readonly string[]) => void;
  /** Size warnings (secret content above the old 8 KiB / 64 KiB limits). Default: stderr. */
  readonly onWarning?: (message: string) => void;
}

export interface HookToolCall {
  readonly tool: string;
  readonly argv: readonly string[];
}

// One argv string may hold at most 128 KiB incl. its NUL (Linux MAX_ARG_STRLEN); ops chunks the same.
const LOG_CHUNK = 131071;
/** Room for argv in ARG_MAX (2 MiB on Linux, shared with the environment). */
const MAX_ARGV_BYTES = 1024 * 1024;
const STATUSES: ReadonlySet<string> = new Set<StatusName>(["maintenance", "blocked", "waiting", "active"]);
const LOG_LEVELS: ReadonlySet<string> = new Set<LogLevel>(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]);

function relationArg(relation: RelationRef): string {
  if (!Number.isSafeInteger(relation.id) || relation.id < 0 || relation.endpoint === "") {
    throw new CharmRelationsError(
      `invalid relation reference ${relation.endpoint}:${relation.id}: need an endpoint and an integer id`,
    );
  }
  return `${relation.endpoint}:${relation.id}`;
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return (
    v !== null &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === "string")
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}

/** Split text into chunks of at most `maxBytes` UTF-8 bytes (one argv string each), by code point. */
function chunks(text: string, maxBytes: number): string[] {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return [text];
  const out: string[] = [];
  let current = "";
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, "utf8");
    if (bytes + n > maxBytes) {
      out.push(current);
      current = "";
      bytes = 0;
    }
    current += ch;
    bytes += n;
  }
  if (current !== "") out.push(current);
  return out;
}

export class ProcessBackend implements Backend {
  /** Every spawn, in order (argv with file paths only, never secret values). */
  readonly calls: HookToolCall[] = [];
  readonly #timeoutMs: number;
  readonly #env: NodeJS.ProcessEnv;
  readonly #onCall: ((tool: string, argv: readonly string[]) => void) | undefined;
  readonly #warn: (message: string) => void;

  constructor(options: ProcessBackendOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#env = options.env ?? process.env;
    this.#onCall = options.onCall;
    this.#warn = options.onWarning ?? ((message) => process.stderr.write(`WARNING ${message}\n`));
  }

  // ------------------------------------------------------------------------------------------
  // Spawning

  /**
   * The kernel refuses a NUL inside an argument (Node throws a `TypeError`) and argv beyond its limits
   * (`E2BIG`): refuse both here, as a typed error naming the tool and argument, never the value.
   */
  #checkArgv(tool: string, args: readonly string[]): void {
    let total = 0;
    for (const [i, arg] of args.entries()) {
      const bytes = utf8Length(arg);
      const problem = arg.includes("\0")
        ? "contains a NUL character"
        : bytes > LOG_CHUNK
          ? `is ${bytes} bytes (an argument may hold ${LOG_CHUNK})`
          : undefined;
      if (problem) throw new CharmRelationsError(`${tool}: argument ${i + 1} ${problem}; not run`);
      total += bytes + 1;
    }
    if (total > MAX_ARGV_BYTES) {
      throw new CharmRelationsError(
        `${tool}: arguments total ${total} bytes (at most ${MAX_ARGV_BYTES}); not run`,
      );
    }
  }

  /** Run one tool; returns stdout. Throws the classified error on failure. */
  #run(tool: string, argv: readonly string[], input?: string): string {
    const args = [...argv];
    this.#checkArgv(tool, args);
    this.calls.push({ tool, argv: args });
    this.#onCall?.(tool, args);
    const result = spawnSync(tool, args, {
      env: this.#env,
      encoding: "utf8",
      timeout: this.#timeoutMs,
      killSignal: "SIGKILL",
      // secret-get of a 1 MB secret must fit; Node's default is 1 MiB.
      maxBuffer: 64 * 1024 * 1024,
      ...(input === undefined ? { stdio: ["ignore", "pipe", "pipe"] as const } : { input }),
      windowsHide: true,
    });
    // secret-get's stdout is secret content: never keep it on an error object.
    const stdout = tool === "secret-get" ? "" : (result.stdout ?? "");
    const stderr = result.stderr ?? "";
    const failure: HookToolFailure = { tool, argv: args, exitCode: result.status, stdout, stderr };
    const error = result.error as NodeJS.ErrnoException | undefined;
    if (error) {
      if (error.code === "ENOENT") throw new HookToolMissingError(failure, `command not found: ${tool}`);
      if (error.code === "ETIMEDOUT") {
        throw new HookToolError(failure, `${tool} timed out after ${this.#timeoutMs} ms and was killed`);
      }
      throw new HookToolError(failure, `${tool} could not be run: ${error.code ?? error.message}`);
    }
    if (result.status === null) {
      throw new HookToolError(failure, `${tool} was terminated by signal ${result.signal ?? "unknown"}`);
    }
    if (result.status !== 0) throw classifyHookToolFailure(failure);
    return result.stdout;
  }

  /** Run a tool that prints JSON and parse it; garbage is a `HookToolError` that does not echo it. */
  #json(tool: string, argv: readonly string[]): unknown {
    const out = this.#run(tool, argv);
    try {
      return JSON.parse(out);
    } catch {
      throw this.#badOutput(tool, argv, out, "was not valid JSON");
    }
  }

  #badOutput(tool: string, argv: readonly string[], stdout: string, what: string): HookToolError {
    // secret-get output is secret content: neither echo it nor hint at its size.
    const secret = tool === "secret-get";
    return new HookToolError(
      { tool, argv: [...argv], exitCode: 0, stdout: secret ? "" : stdout, stderr: "" },
      secret ? `${tool} output ${what}` : `${tool} output ${what} (${stdout.length} chars)`,
    );
  }

  /**
   * Write secret content to 0600 files in a fresh 0700 dir, run `use`, then remove the dir — also when
   * the hook is interrupted by SIGTERM, SIGINT or SIGHUP meanwhile (see `withSecretDir`).
   */
  #withSecretFiles<T>(content: Readonly<Record<string, string>>, use: (args: string[]) => T): T {
    for (const warning of validateSecretContent(content)) this.#warn(warning);
    return withSecretDir((dir) => {
      const args: string[] = [];
      for (const [key, value] of Object.entries(content)) {
        // The key matched SECRET_KEY_RE, so it is a safe file name.
        const path = join(dir, key);
        writeFileSync(path, value, { encoding: "utf8", mode: 0o600, flag: "wx" });
        args.push(`${key}#file=${path}`);
      }
      return use(args);
    });
  }

  // ------------------------------------------------------------------------------------------
  // Relations

  relationIds(endpoint: string): number[] {
    const argv = [endpoint, "--format=json"];
    const out = this.#json("relation-ids", argv);
    if (out === null) return [];
    if (!isStringArray(out))
      throw this.#badOutput("relation-ids", argv, JSON.stringify(out), "is not a list");
    return out.map((rel) => {
      const idText = rel.slice(rel.lastIndexOf(":") + 1);
      const id = Number(idText);
      if (!/^\d+$/.test(idText) || !Number.isSafeInteger(id)) {
        throw this.#badOutput("relation-ids", argv, JSON.stringify(out), "has a malformed relation id");
      }
      return id;
    });
  }

  relationList(relation: RelationRef): string[] {
    const argv = ["--format=json", "-r", relationArg(relation)];
    const out = this.#json("relation-list", argv);
    if (out === null) return [];
    if (!isStringArray(out))
      throw this.#badOutput("relation-list", argv, JSON.stringify(out), "is not a list");
    return out;
  }

  relationRemoteApp(relation: RelationRef): string | null {
    const argv = ["--format=json", "--app", "-r", relationArg(relation)];
    let out: unknown;
    try {
      out = this.#json("relation-list", argv);
    } catch (e) {
      // ops: a dead relation, or Juju < 2.8 without --app, means "unknown".
      if (e instanceof RelationNotFoundError) return null;
      if (e instanceof HookToolError && e.stderr.includes("option provided but not defined: --app"))
        return null;
      throw e;
    }
    if (out === null || out === "") return null;
    if (typeof out !== "string") {
      throw this.#badOutput("relation-list", argv, JSON.stringify(out), "is not an application name");
    }
    return out;
  }

  relationGet(relation: RelationRef, unitOrApp: string, isApp: boolean): Record<string, string> {
    const argv = ["--format=json", "-r", relationArg(relation), ...(isApp ? ["--app"] : []), "-", unitOrApp];
    const out = this.#json("relation-get", argv);
    if (out === null) return {};
    if (!isStringRecord(out)) {
      throw this.#badOutput("relation-get", argv, JSON.stringify(out), "is not an object of strings");
    }
    return out;
  }

  relationSet(relation: RelationRef, data: Databag, isApp: boolean): void {
    const where = `${relation.endpoint}:${relation.id} ${isApp ? "app" : "unit"} databag`;
    const stdin = encodeRelationSettings(data, where);
    const argv = ["-r", relationArg(relation), ...(isApp ? ["--app"] : []), "--file", "-"];
    this.#run("relation-set", argv, stdin);
  }

  relationModelGet(relation: RelationRef): string | null {
    const argv = ["--format=json", "-r", relationArg(relation)];
    let out: unknown;
    try {
      out = this.#json("relation-model-get", argv);
    } catch (e) {
      // Juju < 3.6.2 has no relation-model-get: cannot tell, assume the same model.
      if (e instanceof HookToolMissingError) return null;
      throw e;
    }
    if (!isObject(out) || typeof out.uuid !== "string") {
      throw this.#badOutput("relation-model-get", argv, JSON.stringify(out), "has no uuid");
    }
    return out.uuid;
  }

  // ------------------------------------------------------------------------------------------
  // Unit, config, network

  isLeader(): boolean {
    const argv = ["--format=json"];
    const out = this.#json("is-leader", argv);
    if (typeof out !== "boolean")
      throw this.#badOutput("is-leader", argv, JSON.stringify(out), "is not a boolean");
    return out;
  }

  configGet(): Record<string, unknown> {
    const argv = ["--format=json"];
    const out = this.#json("config-get", argv);
    if (out === null) return {};
    if (!isObject(out)) throw this.#badOutput("config-get", argv, JSON.stringify(out), "is not an object");
    return out;
  }

  networkGet(binding: string, relation?: RelationRef): NetworkInfo {
    const argv = ["--format=json", ...(relation ? ["-r", relationArg(relation)] : []), binding];
    const out = this.#json("network-get", argv);
    if (!isObject(out)) throw this.#badOutput("network-get", argv, JSON.stringify(out), "is not an object");
    return out as NetworkInfo;
  }

  // ------------------------------------------------------------------------------------------
  // Secrets

  secretAdd(content: Readonly<Record<string, string>>, options: SecretAddOptions = {}): string {
    return this.#withSecretFiles(content, (files) => {
      const argv = [...metadataArgs(options), "--owner", options.owner ?? "application", ...files];
      const out = this.#run("secret-add", argv);
      const uri = out.trim();
      if (uri === "") throw this.#badOutput("secret-add", argv, "", "has no secret URI");
      // A broken tool's output must not end up published in a databag as a "URI".
      if (!parseSecretUri(uri)) throw this.#badOutput("secret-add", argv, out, "is not a secret URI");
      return uri;
    });
  }

  secretGet(options: SecretGetOptions): Record<string, string> {
    if (options.id === undefined && options.label === undefined) {
      throw new CharmRelationsError("secret-get needs a secret id or a label");
    }
    if (options.peek && options.refresh) {
      throw new CharmRelationsError("secret-get: peek and refresh are mutually exclusive");
    }
    const argv = [
      "--format=json",
      ...(options.id !== undefined ? [options.id] : []),
      ...(options.label !== undefined ? ["--label", options.label] : []),
      ...(options.refresh ? ["--refresh"] : []),
      ...(options.peek ? ["--peek"] : []),
    ];
    const out = this.#json("secret-get", argv);
    if (!isStringRecord(out)) throw this.#badOutput("secret-get", argv, "", "is not an object of strings");
    return out;
  }

  secretInfoGet(options: { readonly id: string } | { readonly label: string }): SecretInfo {
    const argv =
      "id" in options ? ["--format=json", options.id] : ["--format=json", "--label", options.label];
    const out = this.#json("secret-info-get", argv);
    const entry = isObject(out) ? Object.entries(out)[0] : undefined;
    if (!entry || !isObject(entry[1])) {
      throw this.#badOutput("secret-info-get", argv, JSON.stringify(out), "has no secret entry");
    }
    const [id, raw] = entry;
    if (typeof raw.revision !== "number" || (raw.owner !== "application" && raw.owner !== "unit")) {
      throw this.#badOutput("secret-info-get", argv, JSON.stringify(out), "lacks revision or owner");
    }
    const info: { -readonly [K in keyof SecretInfo]: SecretInfo[K] } = {
      id,
      revision: raw.revision,
      owner: raw.owner as SecretOwner,
    };
    if (typeof raw.label === "string" && raw.label !== "") info.label = raw.label;
    if (typeof raw.description === "string" && raw.description !== "") info.description = raw.description;
    if (typeof raw.rotation === "string" && raw.rotation !== "") info.rotation = raw.rotation as RotatePolicy;
    if (typeof raw.expiry === "string" && raw.expiry !== "") info.expiry = raw.expiry;
    if (Array.isArray(raw.access)) {
      info.access = raw.access.filter(isObject).map(
        (a): SecretAccess => ({
          target: String(a.target ?? ""),
          scope: String(a.scope ?? ""),
          role: String(a.role ?? ""),
        }),
      );
    }
    return info;
  }

  secretSet(id: string, options: SecretSetOptions): void {
    const run = (files: string[]): void => {
      this.#run("secret-set", [id, ...metadataArgs(options), ...files]);
    };
    if (options.content === undefined) run([]);
    else this.#withSecretFiles(options.content, run);
  }

  secretGrant(id: string, relation: RelationRef, unit?: string): void {
    relationArg(relation);
    // ops passes the bare integer to --relation.
    this.#run("secret-grant", ["--relation", String(relation.id), ...(unit ? ["--unit", unit] : []), id]);
  }

  secretRevoke(id: string, relation: RelationRef, unit?: string): void {
    relationArg(relation);
    this.#run("secret-revoke", ["--relation", String(relation.id), ...(unit ? ["--unit", unit] : []), id]);
  }

  secretRemove(id: string, revision?: number): void {
    if (revision !== undefined && (!Number.isSafeInteger(revision) || revision < 1)) {
      throw new CharmRelationsError(`secret-remove: revision must be a positive integer, got ${revision}`);
    }
    this.#run("secret-remove", [id, ...(revision !== undefined ? ["--revision", String(revision)] : [])]);
  }

  secretIds(): string[] {
    const argv = ["--format=json"];
    const out = this.#json("secret-ids", argv);
    if (out === null) return [];
    if (!isStringArray(out)) throw this.#badOutput("secret-ids", argv, JSON.stringify(out), "is not a list");
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // Logging and status (applied immediately by Juju, not transactional)

  jujuLog(level: LogLevel, message: string): void {
    if (!LOG_LEVELS.has(level)) throw new CharmRelationsError(`juju-log: invalid log level "${level}"`);
    for (const part of chunks(message, LOG_CHUNK)) {
      this.#run("juju-log", ["--log-level", level, "--", part]);
    }
  }

  statusSet(status: StatusName, message: string, isApp: boolean): void {
    if (!STATUSES.has(status)) {
      throw new CharmRelationsError(
        `status-set: invalid status "${status}", expected one of maintenance, blocked, waiting, active`,
      );
    }
    this.#run("status-set", [`--application=${isApp ? "True" : "False"}`, status, "--", message]);
  }

  statusGet(isApp: boolean): StatusInfo {
    const argv = ["--include-data", "--format=json", `--application=${isApp ? "true" : "false"}`];
    const out = this.#json("status-get", argv);
    // Unit: {status, message, status-data}; app: {"application-status": {status, message, …, units}}.
    const body = isApp && isObject(out) ? out["application-status"] : out;
    if (!isObject(body) || typeof body.status !== "string") {
      throw this.#badOutput("status-get", argv, JSON.stringify(out), "has no status");
    }
    return { status: body.status, message: typeof body.message === "string" ? body.message : "" };
  }

  applicationVersionSet(version: string): void {
    this.#run("application-version-set", ["--", version]);
  }
}

/** `[--label L] [--description D] [--expire E] [--rotate R]`, shared by secret-add and secret-set. */
function metadataArgs(options: SecretAddOptions | SecretSetOptions): string[] {
  return [
    ...(options.label !== undefined ? ["--label", options.label] : []),
    ...(options.description !== undefined ? ["--description", options.description] : []),
    ...(options.expire !== undefined ? ["--expire", options.expire] : []),
    ...(options.rotate !== undefined ? ["--rotate", options.rotate] : []),
  ];
}
