/**
 * Typed errors. Rules that apply to every class here:
 * - messages never contain secret values (argv carries `key#file=<path>`, never content);
 * - errors about relation data name the relation (`endpoint:id`), the side and the key.
 */

import { type RemoteLimits, safeText } from "./limits.js";
import type { BagKind, RelationRef, Side } from "./types.js";

export class CharmRelationsError extends Error {
  override name = "CharmRelationsError";
}

// ---------------------------------------------------------------------------------------------
// Hook tools (juju-hook-tools.md §8.2)

export interface HookToolFailure {
  readonly tool: string;
  /** argv without the tool name; secret values are never present (they travel as `key#file=`). */
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A hook tool exited non-zero (or timed out); the message is Juju's stderr. */
export class HookToolError extends CharmRelationsError {
  override name = "HookToolError";
  readonly tool: string;
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  constructor(failure: HookToolFailure, message?: string) {
    super(message ?? `${failure.tool} failed (exit ${failure.exitCode}): ${failure.stderr.trim()}`);
    this.tool = failure.tool;
    this.argv = failure.argv;
    this.exitCode = failure.exitCode;
    this.stdout = failure.stdout;
    this.stderr = failure.stderr;
  }
}
export class RelationNotFoundError extends HookToolError {
  override name = "RelationNotFoundError";
}
export class SecretNotFoundError extends HookToolError {
  override name = "SecretNotFoundError";
}
export class PermissionDeniedError extends HookToolError {
  override name = "PermissionDeniedError";
}
/** Juju refused a leader-only operation (`this unit is not the leader`, `cannot write relation settings`). */
export class LeadershipError extends HookToolError {
  override name = "LeadershipError";
}
export class SecretLabelConflictError extends HookToolError {
  override name = "SecretLabelConflictError";
}
/** The tool is not on PATH (ENOENT). */
export class HookToolMissingError extends HookToolError {
  override name = "HookToolMissingError";
}

/** Map a failed call to its typed error, like ops' `_ModelBackend._run`. */
export function classifyHookToolFailure(failure: HookToolFailure): HookToolError {
  const err = failure.stderr.toLowerCase();
  const t = failure.tool;
  if ((t.startsWith("relation-") || t.startsWith("network-")) && err.includes("relation not found")) {
    return new RelationNotFoundError(failure);
  }
  if (t.startsWith("secret-") && err.includes("not found")) return new SecretNotFoundError(failure);
  if (err.includes("permission denied")) return new PermissionDeniedError(failure);
  if (err.includes("not the leader") || err.includes("cannot write relation settings")) {
    return new LeadershipError(failure);
  }
  if (err.includes("already exists")) return new SecretLabelConflictError(failure);
  return new HookToolError(failure);
}

// ---------------------------------------------------------------------------------------------
// Environment and dispatch

/** A JUJU_* variable the hook needs is missing or malformed. */
export class HookContextError extends CharmRelationsError {
  override name = "HookContextError";
  readonly variable: string;
  constructor(variable: string, message?: string) {
    super(message ?? `missing required environment variable ${variable}`);
    this.variable = variable;
  }
}

// ---------------------------------------------------------------------------------------------
// Model and protocol

/** A leader-only operation was attempted on a non-leader unit (caught before calling Juju). */
export class NotLeaderError extends CharmRelationsError {
  override name = "NotLeaderError";
  readonly operation: string;
  constructor(operation: string, unit?: string) {
    super(`${unit ? `${unit} is not the leader: ` : "not the leader: "}${operation} is leader-only`);
    this.operation = operation;
  }
}

/** A local write would break a Juju rule (non-string value, writing a remote bag, …). */
export class RelationDataAccessError extends CharmRelationsError {
  override name = "RelationDataAccessError";
}

export type { BagKind, Side };

export interface RemoteDataIssue {
  readonly relation: RelationRef;
  /** Whose databag holds the bad value. */
  readonly side: Side;
  readonly bag: BagKind;
  /** The databag key (for v1, `requests[<i>].<field>` style paths are allowed). */
  readonly key: string;
  /** The rule broken, e.g. `not valid JSON`, `expected one of USER, GROUP`. */
  readonly rule: string;
  /** A shape description of the value (`string of 12 chars`, `JSON object`), never the value. */
  readonly shape?: string;
  /** Set when the value broke one of the limits on remote input (`maxValueBytes`, …). */
  readonly limit?: keyof RemoteLimits;
}

/**
 * The other side's databag holds something we cannot parse. It names the relation, side, key and
 * rule, and carries no value (values may be secret). Key names come from the remote side: the message
 * shows them escaped and cut (`safeText`), so it is safe for a status, a log or a terminal.
 */
export class RemoteDataError extends CharmRelationsError {
  override name = "RemoteDataError";
  readonly issues: readonly RemoteDataIssue[];
  constructor(issues: readonly RemoteDataIssue[]) {
    const first = issues[0];
    const where = first
      ? `${first.relation.endpoint}:${first.relation.id} ${first.side} ${first.bag} databag key "${safeText(first.key)}": ${safeText(first.rule, 300)}${first.shape ? ` (got ${first.shape})` : ""}`
      : "remote databag";
    super(issues.length > 1 ? `${where} (and ${issues.length - 1} more)` : where);
    this.issues = issues;
  }
  get relation(): RelationRef | undefined {
    return this.issues[0]?.relation;
  }
  get key(): string | undefined {
    return this.issues[0]?.key;
  }
}

/** The rule an immutable request field breaks when it changes (protocol §4.10, I-13). */
export const IMMUTABLE_RULE = "cannot change after the request was made";

/**
 * The requirer changed `extra-user-roles`, `extra-group-roles`, `entity-type` or the resource after its
 * request was made. Python's provider crashes its hook with `ValueError`; ours keeps serving the
 * original request and says what to do.
 */
export class RequestChangedError extends RemoteDataError {
  override name = "RequestChangedError";
  /** The fields that changed (without a v1 `requests[<id>].` prefix). */
  readonly keys: readonly string[];
  constructor(issues: readonly RemoteDataIssue[]) {
    super(issues);
    this.keys = [...new Set(issues.map((i) => i.key.replace(/^requests\[[^\]]*\]\./, "")))];
    const first = issues[0];
    const where = first ? `${first.relation.endpoint}:${first.relation.id}: ` : "";
    this.message =
      `${where}the requirer changed ${this.keys.map((k) => safeText(k)).join(", ")} after its request was made; ` +
      "these are fixed at creation: remove and re-add the relation to change them (the original request is still served)";
  }
}

/** A provider tried to write credentials before the requirer asked for anything (protocol §4.5). */
export class PrematureWriteError extends CharmRelationsError {
  override name = "PrematureWriteError";
  readonly keys: readonly string[];
  constructor(relation: RelationRef, keys: readonly string[]) {
    super(
      `${relation.endpoint}:${relation.id}: cannot write ${keys.join(", ")} before the requirer's request arrived`,
    );
    this.keys = keys;
  }
}

/** Secret content violates Juju's rules (key regex, size limits); names the key, never the value. */
export class SecretContentError extends CharmRelationsError {
  override name = "SecretContentError";
  readonly key: string | undefined;
  constructor(message: string, key?: string) {
    super(message);
    this.key = key;
  }
}

/** Fernet token or key problems; never includes key material. */
export class FernetError extends CharmRelationsError {
  override name = "FernetError";
}

/** Describe a value's shape for error messages without revealing it. */
export function describeShape(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") {
    if (value === "") return "empty string";
    const t = value.trimStart()[0];
    const kind = t === "[" ? "JSON-like array text" : t === "{" ? "JSON-like object text" : "string";
    return `${kind} of ${value.length} chars`;
  }
  if (Array.isArray(value)) return `array of ${value.length} items`;
  return typeof value === "object" ? "object" : typeof value;
}
