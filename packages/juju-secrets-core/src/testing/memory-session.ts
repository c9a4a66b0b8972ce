/**
 * One unit's hook session over a `JujuModel`: who runs the hook, the working copy of relations and
 * secrets its writes go to (copied on first write), `commit()`/`rollback()`, and the plumbing every
 * tool call goes through (Juju-style failures turned into typed errors, the call log). The tools
 * themselves live in `memory-relations.ts`, `memory-secrets.ts` and `memory-unit.ts`;
 * `MemoryBackend` puts them behind the `Backend` interface.
 */

import type { RelationRef } from "../backend/types.js";
import { CharmRelationsError, classifyHookToolFailure, type HookToolError } from "../errors.js";
import type { HookKind } from "../hook/types.js";
import type { JujuModel } from "./model.js";
import { appOfUnit, cloneJson, sameJson } from "./model-names.js";
import type { ModelState, RelationState, SecretState } from "./model-state.js";

export interface MemoryBackendOptions {
  /** The unit running the hook. */
  readonly unit: string;
  /** The hook's relation: the default for `-r`, and hidden from relation-ids in relation-broken. */
  readonly relation?: RelationRef;
  readonly remoteUnit?: string;
  readonly remoteApp?: string;
  readonly departingUnit?: string;
  readonly hookName?: string;
  readonly kind?: HookKind;
  /** Log calls in the model (default true; the CLI fakes log their real argv instead). */
  readonly recordCalls?: boolean;
}

/** The serialisable part of a session: who runs the hook and its pending changes. */
export interface SessionState {
  unit: string;
  relation?: { endpoint: string; id: number };
  remoteUnit?: string;
  remoteApp?: string;
  departingUnit?: string;
  hookName?: string;
  kind?: HookKind;
  working: { relations: ModelState["relations"]; secrets: ModelState["secrets"] };
}

export interface BagChange {
  relationId: number;
  bag: "app" | "unit";
  /** App name for an app bag, unit name for a unit bag. */
  owner: string;
  /** Keys set (new or changed), with their new values. */
  set: Record<string, string>;
  deleted: string[];
}

/** What a commit applied (secret content never included). */
export interface CommitResult {
  databags: BagChange[];
  secrets: {
    created: string[];
    /** New revisions. */
    updated: { xid: string; revision: number }[];
    /** Label, description, expiry, rotation or grants changed without a new revision. */
    metadataUpdated: string[];
    removed: string[];
    revisionsRemoved: { xid: string; revision: number }[];
    tracking: { xid: string; unit: string; revision: number }[];
  };
}

/** Thrown for a Juju-style failure: exit code + message, turned into the typed error by the caller. */
class JujuFailure extends Error {
  constructor(
    readonly exitCode: 1 | 2,
    message: string,
  ) {
    super(message);
  }
}

export function fail(exitCode: 1 | 2, message: string): never {
  throw new JujuFailure(exitCode, message);
}

/** Build the typed error Juju's stderr would produce for this call. */
export function jujuToolError(
  tool: string,
  argv: readonly string[],
  exitCode: number,
  message: string,
): HookToolError {
  return classifyHookToolFailure({
    tool,
    argv: [...argv],
    exitCode,
    stdout: "",
    stderr: `ERROR ${message}\n`,
  });
}

/** `-r`'s value as the tools log it: `endpoint:id`. */
export const relationArg = (ref: RelationRef): string => `${ref.endpoint}:${ref.id}`;

/** Open sessions per model: a commit detaches what they still share with it before changing it. */
const openSessions = new WeakMap<JujuModel, Set<HookSession>>();

export class HookSession {
  readonly model: JujuModel;
  readonly unit: string;
  readonly app: string;
  readonly options: MemoryBackendOptions;
  /** The relations and secrets as this hook sees them; entries still in `#shared` are the model's own. */
  working: SessionState["working"];
  /**
   * Working-copy entries still shared with the model, copied on this session's first write to them:
   * a hook touches a few relations and secrets, so copying all of them per hook made every hook O(model).
   */
  #shared: { relations: Set<string>; secrets: Set<string> };
  #state: "open" | "committed" | "rolled-back" = "open";

  constructor(model: JujuModel, options: MemoryBackendOptions) {
    if (!model.hasUnit(options.unit)) throw new CharmRelationsError(`no unit "${options.unit}" in the model`);
    this.model = model;
    this.unit = options.unit;
    this.app = appOfUnit(options.unit);
    this.options = options;
    const { relations, secrets } = model.state;
    this.working = { relations: { ...relations }, secrets: { ...secrets } };
    this.#shared = { relations: new Set(Object.keys(relations)), secrets: new Set(Object.keys(secrets)) };
    const open = openSessions.get(model) ?? new Set<HookSession>();
    openSessions.set(model, open.add(this));
  }

  /** Work on private copies from now on (the working copy came from a state file). */
  ownAll(working: SessionState["working"]): void {
    this.working = working;
    this.#shared = { relations: new Set(), secrets: new Set() };
  }

  /** This session's own copy of a relation, made on its first write (copy-on-write). */
  writableRelation(key: string): RelationState {
    const rel = this.working.relations[key]!;
    if (!this.#shared.relations.delete(key)) return rel;
    const copy = cloneJson(rel);
    this.working.relations[key] = copy;
    return copy;
  }

  /** This session's own copy of a secret, made on its first write (copy-on-write). */
  writableSecret(xid: string): SecretState {
    const secret = this.working.secrets[xid]!;
    if (!this.#shared.secrets.delete(xid)) return secret;
    const copy = cloneJson(secret);
    this.working.secrets[xid] = copy;
    return copy;
  }

  /** The secret is removed in this hook. */
  dropSecret(xid: string): void {
    delete this.working.secrets[xid];
    this.#shared.secrets.delete(xid);
  }

  #close(state: "committed" | "rolled-back"): void {
    this.#state = state;
    openSessions.get(this.model)?.delete(this);
  }

  get isOpen(): boolean {
    return this.#state === "open";
  }

  exportSession(): SessionState {
    const o = this.options;
    const s: SessionState = { unit: this.unit, working: cloneJson(this.working) };
    if (o.relation) s.relation = { endpoint: o.relation.endpoint, id: o.relation.id };
    if (o.remoteUnit !== undefined) s.remoteUnit = o.remoteUnit;
    if (o.remoteApp !== undefined) s.remoteApp = o.remoteApp;
    if (o.departingUnit !== undefined) s.departingUnit = o.departingUnit;
    if (o.hookName !== undefined) s.hookName = o.hookName;
    if (o.kind !== undefined) s.kind = o.kind;
    return s;
  }

  // ------------------------------------------------------------------------------------------
  // Session end

  /** Apply the hook's buffered changes (Juju: the hook exited 0). */
  commit(): CommitResult {
    this.ensureOpen();
    const base = this.model.state;
    const result: CommitResult = {
      databags: [],
      secrets: {
        created: [],
        updated: [],
        metadataUpdated: [],
        removed: [],
        revisionsRemoved: [],
        tracking: [],
      },
    };
    const leader = this.model.isLeader(this.unit);
    for (const [key, wr] of Object.entries(this.working.relations)) {
      const br = base.relations[key];
      if (!br || br === wr) continue; // still shared: this session never wrote to it
      const bags: [
        BagChange["bag"],
        string,
        Record<string, Record<string, string>>,
        Record<string, Record<string, string>>,
      ][] = [["unit", this.unit, br.unitData, wr.unitData]];
      if (leader) bags.push(["app", this.app, br.appData, wr.appData]);
      for (const [bag, owner, baseBags, workBags] of bags) {
        const before = baseBags[owner] ?? {};
        const after = workBags[owner] ?? {};
        const set = Object.fromEntries(
          Object.entries(after).filter(([k, v]) => !Object.hasOwn(before, k) || before[k] !== v),
        );
        const deleted = Object.keys(before).filter((k) => !Object.hasOwn(after, k));
        if (Object.keys(set).length === 0 && deleted.length === 0) continue;
        // Other open sessions keep reading the relation as it was when their hook started.
        for (const other of openSessions.get(this.model) ?? []) other.#detachRelation(key);
        baseBags[owner] = { ...after };
        result.databags.push({ relationId: br.id, bag, owner, set, deleted });
      }
    }
    const xids = new Set([...Object.keys(base.secrets), ...Object.keys(this.working.secrets)]);
    for (const xid of xids) {
      const b = base.secrets[xid];
      const w = this.working.secrets[xid];
      // Never written here: nothing to apply, and a newer commit by another session must stay.
      if (b === w || this.#shared.secrets.has(xid)) continue;
      if (!b && w) {
        base.secrets[xid] = cloneJson(w);
        result.secrets.created.push(xid);
      } else if (b && !w) {
        delete base.secrets[xid];
        result.secrets.removed.push(xid);
      } else if (b && w && !sameJson(b, w)) {
        if (w.latestRevision > b.latestRevision)
          result.secrets.updated.push({ xid, revision: w.latestRevision });
        for (const r of w.removedRevisions) {
          if (!b.removedRevisions.includes(r)) result.secrets.revisionsRemoved.push({ xid, revision: r });
        }
        for (const [unit, r] of Object.entries(w.tracking)) {
          if (b.tracking[unit] !== r) result.secrets.tracking.push({ xid, unit, revision: r });
        }
        const meta = (s: SecretState) => [
          s.label,
          s.description,
          s.expiry,
          s.rotation,
          s.grants,
          s.consumerLabels,
        ];
        if (!sameJson(meta(b), meta(w))) result.secrets.metadataUpdated.push(xid);
        base.secrets[xid] = cloneJson(w);
      }
    }
    this.#close("committed");
    return result;
  }

  /** A commit elsewhere is about to change this relation: keep seeing it as it was. */
  #detachRelation(key: string): void {
    if (this.#shared.relations.has(key)) this.writableRelation(key);
  }

  /** Drop the hook's buffered changes (Juju: the hook failed). Status and logs stay. */
  rollback(): void {
    this.ensureOpen();
    this.#close("rolled-back");
  }

  ensureOpen(): void {
    if (this.#state !== "open")
      throw new CharmRelationsError(`hook session of ${this.unit} is already ${this.#state}`);
  }

  // ------------------------------------------------------------------------------------------
  // Call plumbing

  run<T>(tool: string, argv: readonly string[], fn: () => T): T {
    this.ensureOpen();
    let exitCode: number | undefined = 0;
    try {
      return fn();
    } catch (e) {
      if (e instanceof JujuFailure) {
        exitCode = e.exitCode;
        throw jujuToolError(tool, argv, e.exitCode, e.message);
      }
      // A client-side check (like ProcessBackend's) failed: the tool would never have run.
      exitCode = undefined;
      throw e;
    } finally {
      if (exitCode !== undefined && (this.options.recordCalls ?? true)) {
        this.model.recordCall({ unit: this.unit, ...this.hookField(), tool, argv: [...argv], exitCode });
      }
    }
  }

  hookField(): { hook?: string } {
    return this.options.hookName !== undefined ? { hook: this.options.hookName } : {};
  }

  // ------------------------------------------------------------------------------------------
  // The relations this unit sees

  /** The relation as this unit sees it in this hook, or undefined (Juju: "relation not found"). */
  resolveRelation(id: number): RelationRef | undefined {
    const rel = this.working.relations[String(id)];
    if (!rel || !this.model.state.relations[String(id)]) return undefined;
    const ep = rel.endpoints.find((e) => e.app === this.app);
    if (!ep) return undefined;
    const isHookRelation = this.options.relation?.id === id;
    if (rel.left.includes(this.unit) && !isHookRelation) return undefined;
    return { endpoint: ep.endpoint, id };
  }

  /** The working copy of a relation the tool was pointed at with `flag value`; a usage error if unseen. */
  relation(ref: RelationRef, flag: string, value: string): RelationState {
    if (!this.resolveRelation(ref.id))
      fail(2, `invalid value "${value}" for option ${flag}: relation not found`);
    return this.working.relations[String(ref.id)]!;
  }
}
