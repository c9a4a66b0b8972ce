/**
 * `FaultyBackend`: a `Backend` wrapper that makes the Nth hook-tool call fail the way the real tool
 * would, and turns that failure into exactly the typed error `ProcessBackend` raises for it (the
 * end-to-end tests run the same faults through `ProcessBackend` + the hook-tool fakes and compare).
 *
 * Fault kinds:
 * - `exit1`: a run-time failure, stderr `ERROR connection is shut down` (the uniter lost its API);
 * - `exit2`: an argument error, stderr `ERROR option provided but not defined: --reliability`;
 * - `garbage`: exit 0 with unparseable stdout; tools whose output is not read are unaffected;
 * - `timeout`: the tool hangs and `ProcessBackend` kills it.
 */

import {
  HookToolError,
  type LogLevel,
  type RelationRef,
  type StatusName,
} from "@charm-relations/juju-secrets-core";
import {
  type Backend,
  classifyHookToolFailure,
  type Databag,
  type HookToolFailure,
  type NetworkInfo,
  type SecretAddOptions,
  type SecretGetOptions,
  type SecretInfo,
  type SecretSetOptions,
  type StatusInfo,
} from "@charm-relations/juju-secrets-core/backend";

export const FAULT_KINDS = ["exit1", "exit2", "garbage", "timeout"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Juju's stderr for the two exit codes (juju-hook-tools.md §8.1). */
export const FAULT_STDERR = {
  exit1: "ERROR connection is shut down\n",
  exit2: "ERROR option provided but not defined: --reliability\n",
} as const;

/** Bytes a broken tool might print: not JSON, not a URI, with a NUL and an escape sequence. */
export const GARBAGE_STDOUT = "\u0000\u001b[31m<<garbage>> {not json\n";

/** The per-call limit `ProcessBackend` uses by default; appears in timeout messages. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** Tools whose stdout `ProcessBackend` parses: garbage there is an error, elsewhere it is ignored. */
export const OUTPUT_TOOLS: ReadonlySet<string> = new Set([
  "relation-ids",
  "relation-list",
  "relation-get",
  "relation-model-get",
  "is-leader",
  "config-get",
  "network-get",
  "secret-add",
  "secret-get",
  "secret-info-get",
  "secret-ids",
  "status-get",
]);

const rel = (r: RelationRef): string => `${r.endpoint}:${r.id}`;

function metadataArgs(options: SecretAddOptions | SecretSetOptions): string[] {
  return [
    ...(options.label !== undefined ? ["--label", options.label] : []),
    ...(options.description !== undefined ? ["--description", options.description] : []),
    ...(options.expire !== undefined ? ["--expire", options.expire] : []),
    ...(options.rotate !== undefined ? ["--rotate", options.rotate] : []),
  ];
}

/** Content as argv: file paths only (`key#file=<redacted>`), never values. */
const contentArgs = (content: Readonly<Record<string, string>> | undefined): string[] =>
  Object.keys(content ?? {}).map((k) => `${k}#file=<redacted>`);

/**
 * The typed error `ProcessBackend` raises when `tool` fails with `kind` (for `garbage`: only for
 * tools whose output it parses; `undefined` means the call would succeed).
 */
export function faultError(
  tool: string,
  argv: readonly string[],
  kind: FaultKind,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): HookToolError | undefined {
  const base = { tool, argv: [...argv] };
  switch (kind) {
    case "exit1":
    case "exit2":
      return classifyHookToolFailure({
        ...base,
        exitCode: kind === "exit1" ? 1 : 2,
        stdout: "",
        stderr: FAULT_STDERR[kind],
      });
    case "timeout":
      return new HookToolError(
        { ...base, exitCode: null, stdout: "", stderr: "" },
        `${tool} timed out after ${timeoutMs} ms and was killed`,
      );
    case "garbage": {
      if (!OUTPUT_TOOLS.has(tool)) return undefined;
      // secret-get output is secret content: ProcessBackend neither keeps nor measures it.
      const secret = tool === "secret-get";
      const failure: HookToolFailure = {
        ...base,
        exitCode: 0,
        stdout: secret ? "" : GARBAGE_STDOUT,
        stderr: "",
      };
      if (tool === "secret-add") {
        return new HookToolError(
          failure,
          `${tool} output is not a secret URI (${GARBAGE_STDOUT.length} chars)`,
        );
      }
      return new HookToolError(
        failure,
        secret
          ? `${tool} output was not valid JSON`
          : `${tool} output was not valid JSON (${GARBAGE_STDOUT.length} chars)`,
      );
    }
  }
}

export interface InjectedFault {
  /** 1-based position of the call in the hook. */
  readonly position: number;
  readonly tool: string;
  readonly kind: FaultKind;
  /** The error thrown, or undefined when the fault had no effect (garbage on a silent tool). */
  readonly error: HookToolError | undefined;
}

export interface FaultPlan {
  /** Fail the call at this 1-based position. */
  readonly at: number;
  readonly kind: FaultKind;
  readonly timeoutMs?: number;
}

/** Wraps a backend; counts every hook-tool call and fails the one at `plan.at`. */
export class FaultyBackend implements Backend {
  readonly inner: Backend;
  readonly plan: FaultPlan | undefined;
  /** Calls made so far (tool names, in order). */
  readonly tools: string[] = [];
  injected: InjectedFault | undefined;

  constructor(inner: Backend, plan?: FaultPlan) {
    this.inner = inner;
    this.plan = plan;
  }

  #call<T>(tool: string, argv: readonly string[], run: () => T): T {
    this.tools.push(tool);
    const position = this.tools.length;
    if (this.plan?.at !== position) return run();
    const error = faultError(tool, argv, this.plan.kind, this.plan.timeoutMs);
    this.injected = { position, tool, kind: this.plan.kind, error };
    if (!error) return run();
    // A garbage-printing tool did run (its side effects are pending in the hook) before failing.
    if (this.plan.kind === "garbage") run();
    throw error;
  }

  relationIds(endpoint: string): number[] {
    return this.#call("relation-ids", [endpoint, "--format=json"], () => this.inner.relationIds(endpoint));
  }
  relationList(relation: RelationRef): string[] {
    return this.#call("relation-list", ["--format=json", "-r", rel(relation)], () =>
      this.inner.relationList(relation),
    );
  }
  relationRemoteApp(relation: RelationRef): string | null {
    return this.#call("relation-list", ["--format=json", "--app", "-r", rel(relation)], () =>
      this.inner.relationRemoteApp(relation),
    );
  }
  relationGet(relation: RelationRef, unitOrApp: string, isApp: boolean): Record<string, string> {
    const argv = ["--format=json", "-r", rel(relation), ...(isApp ? ["--app"] : []), "-", unitOrApp];
    return this.#call("relation-get", argv, () => this.inner.relationGet(relation, unitOrApp, isApp));
  }
  relationSet(relation: RelationRef, data: Databag, isApp: boolean): void {
    const argv = ["-r", rel(relation), ...(isApp ? ["--app"] : []), "--file", "-"];
    this.#call("relation-set", argv, () => this.inner.relationSet(relation, data, isApp));
  }
  relationModelGet(relation: RelationRef): string | null {
    return this.#call("relation-model-get", ["--format=json", "-r", rel(relation)], () =>
      this.inner.relationModelGet(relation),
    );
  }
  isLeader(): boolean {
    return this.#call("is-leader", ["--format=json"], () => this.inner.isLeader());
  }
  configGet(): Record<string, unknown> {
    return this.#call("config-get", ["--format=json"], () => this.inner.configGet());
  }
  networkGet(binding: string, relation?: RelationRef): NetworkInfo {
    const argv = ["--format=json", ...(relation ? ["-r", rel(relation)] : []), binding];
    return this.#call("network-get", argv, () => this.inner.networkGet(binding, relation));
  }
  secretAdd(content: Readonly<Record<string, string>>, options: SecretAddOptions = {}): string {
    const argv = [
      ...metadataArgs(options),
      "--owner",
      options.owner ?? "application",
      ...contentArgs(content),
    ];
    return this.#call("secret-add", argv, () => this.inner.secretAdd(content, options));
  }
  secretGet(options: SecretGetOptions): Record<string, string> {
    const argv = [
      "--format=json",
      ...(options.id !== undefined ? [options.id] : []),
      ...(options.label !== undefined ? ["--label", options.label] : []),
      ...(options.refresh ? ["--refresh"] : []),
      ...(options.peek ? ["--peek"] : []),
    ];
    return this.#call("secret-get", argv, () => this.inner.secretGet(options));
  }
  secretInfoGet(options: { readonly id: string } | { readonly label: string }): SecretInfo {
    const argv =
      "id" in options ? ["--format=json", options.id] : ["--format=json", "--label", options.label];
    return this.#call("secret-info-get", argv, () => this.inner.secretInfoGet(options));
  }
  secretSet(id: string, options: SecretSetOptions): void {
    this.#call("secret-set", [id, ...metadataArgs(options), ...contentArgs(options.content)], () =>
      this.inner.secretSet(id, options),
    );
  }
  secretGrant(id: string, relation: RelationRef, unit?: string): void {
    const argv = ["--relation", String(relation.id), ...(unit ? ["--unit", unit] : []), id];
    this.#call("secret-grant", argv, () => this.inner.secretGrant(id, relation, unit));
  }
  secretRevoke(id: string, relation: RelationRef, unit?: string): void {
    const argv = ["--relation", String(relation.id), ...(unit ? ["--unit", unit] : []), id];
    this.#call("secret-revoke", argv, () => this.inner.secretRevoke(id, relation, unit));
  }
  secretRemove(id: string, revision?: number): void {
    const argv = [id, ...(revision !== undefined ? ["--revision", String(revision)] : [])];
    this.#call("secret-remove", argv, () => this.inner.secretRemove(id, revision));
  }
  secretIds(): string[] {
    return this.#call("secret-ids", ["--format=json"], () => this.inner.secretIds());
  }
  jujuLog(level: LogLevel, message: string): void {
    this.#call("juju-log", ["--log-level", level, "--", message], () => this.inner.jujuLog(level, message));
  }
  statusSet(status: StatusName, message: string, isApp: boolean): void {
    const argv = [`--application=${isApp ? "True" : "False"}`, status, "--", message];
    this.#call("status-set", argv, () => this.inner.statusSet(status, message, isApp));
  }
  statusGet(isApp: boolean): StatusInfo {
    const argv = ["--include-data", "--format=json", `--application=${isApp ? "true" : "false"}`];
    return this.#call("status-get", argv, () => this.inner.statusGet(isApp));
  }
  applicationVersionSet(version: string): void {
    this.#call("application-version-set", ["--", version], () => this.inner.applicationVersionSet(version));
  }
}
