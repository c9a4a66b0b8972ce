/**
 * `MemoryBackend`: one unit's hook session over a `JujuModel`, with Juju's semantics.
 *
 * - Relation writes, secret creates/updates/grants/revokes/removals and secret tracking moves go to a
 *   working copy of the relations and secrets taken when the hook starts; `commit()` applies them
 *   (Juju: exit 0), `rollback()` drops them. Status, workload version and juju-log apply at once.
 * - Reads of this unit's bag and of this app's bag by the leader see the working copy (read-your-writes);
 *   everything else is the snapshot taken at hook start.
 * - Failures are built from Juju's exact stderr (`ERROR <message>`, exit 1 at run time, 2 for
 *   argument errors) and classified by `classifyHookToolFailure`, so callers get the same typed
 *   errors, with the same text, as from the real tools.
 * - Every call is logged in the model (tool + ops-like argv; secret values never appear).
 *
 * The session itself is `memory-session.ts`; the tools are `memory-relations.ts`, `memory-secrets.ts`
 * and `memory-unit.ts`. The hook-tool fakes (`hook-tool-cli.ts`) drive this same class from a state file.
 */

import type {
  Backend,
  Databag,
  LogLevel,
  NetworkInfo,
  RelationRef,
  SecretAddOptions,
  SecretGetOptions,
  SecretInfo,
  SecretSetOptions,
  StatusInfo,
  StatusName,
} from "../backend/types.js";
import { CharmRelationsError } from "../errors.js";
import type { UnitLocalState } from "../model/unit-state.js";
import * as relations from "./memory-relations.js";
import * as secrets from "./memory-secrets.js";
import {
  type CommitResult,
  HookSession,
  type MemoryBackendOptions,
  type SessionState,
} from "./memory-session.js";
import * as unitTools from "./memory-unit.js";
import type { JujuModel } from "./model.js";
import { cloneJson } from "./model-names.js";
import type { ModelState } from "./model-state.js";
import { memoryUnitState } from "./unit-files.js";

export {
  type BagChange,
  type CommitResult,
  jujuToolError,
  type MemoryBackendOptions,
  type SessionState,
} from "./memory-session.js";

export class MemoryBackend implements Backend {
  readonly model: JujuModel;
  readonly unit: string;
  readonly app: string;
  readonly #session: HookSession;

  constructor(model: JujuModel, options: MemoryBackendOptions) {
    this.#session = new HookSession(model, options);
    this.model = model;
    this.unit = this.#session.unit;
    this.app = this.#session.app;
  }

  /** Continue a session saved by `exportSession()` (the hook-tool fakes do this on every call). */
  static resume(
    model: JujuModel,
    session: SessionState,
    options: { recordCalls?: boolean } = {},
  ): MemoryBackend {
    const backend = new MemoryBackend(model, {
      ...MemoryBackend.#optionsOf(session),
      ...(options.recordCalls !== undefined ? { recordCalls: options.recordCalls } : {}),
    });
    backend.#session.ownAll(cloneJson(session.working));
    return backend;
  }

  static #optionsOf(session: SessionState): MemoryBackendOptions {
    const o: { -readonly [K in keyof MemoryBackendOptions]: MemoryBackendOptions[K] } = {
      unit: session.unit,
    };
    if (session.relation) o.relation = { ...session.relation };
    if (session.remoteUnit !== undefined) o.remoteUnit = session.remoteUnit;
    if (session.remoteApp !== undefined) o.remoteApp = session.remoteApp;
    if (session.departingUnit !== undefined) o.departingUnit = session.departingUnit;
    if (session.hookName !== undefined) o.hookName = session.hookName;
    if (session.kind !== undefined) o.kind = session.kind;
    return o;
  }

  exportSession(): SessionState {
    return this.#session.exportSession();
  }

  /**
   * Take back a session a child process worked on (state file written by the fakes): the model's
   * immediate effects (calls, logs, status, counters) and the session's pending changes.
   */
  adopt(model: ModelState, session: SessionState): void {
    this.#session.ensureOpen();
    if (session.unit !== this.unit) {
      throw new CharmRelationsError(`state file session is for ${session.unit}, not ${this.unit}`);
    }
    this.model.state = cloneJson(model);
    this.#session.ownAll(cloneJson(session.working));
  }

  /** This unit's charm-dir files in the model: what the runtime uses when the hook has no charm dir. */
  get unitState(): UnitLocalState {
    return memoryUnitState(this.model, this.unit);
  }

  /** The hook context as the tools see it (defaults for `-r` and relation-get's unit). */
  get options(): MemoryBackendOptions {
    return this.#session.options;
  }

  get isOpen(): boolean {
    return this.#session.isOpen;
  }

  /** Apply the hook's buffered changes (Juju: the hook exited 0). */
  commit(): CommitResult {
    return this.#session.commit();
  }

  /** Drop the hook's buffered changes (Juju: the hook failed). Status and logs stay. */
  rollback(): void {
    this.#session.rollback();
  }

  /** Run a tool-level operation on behalf of the CLI fakes (their argv is logged by them). */
  invoke<T>(tool: string, argv: readonly string[], fn: () => T): T {
    return this.#session.run(tool, argv, fn);
  }

  /** The relation as this unit sees it in this hook, or undefined (Juju: "relation not found"). */
  resolveRelation(id: number): RelationRef | undefined {
    return this.#session.resolveRelation(id);
  }

  // ------------------------------------------------------------------------------------------
  // The tools (Backend)

  relationIds(endpoint: string): number[] {
    return relations.relationIds(this.#session, endpoint);
  }

  relationList(relation: RelationRef): string[] {
    return relations.relationList(this.#session, relation);
  }

  relationRemoteApp(relation: RelationRef): string | null {
    return relations.relationRemoteApp(this.#session, relation);
  }

  relationGet(relation: RelationRef, unitOrApp: string, isApp: boolean): Record<string, string> {
    return relations.relationGet(this.#session, relation, unitOrApp, isApp);
  }

  relationSet(relation: RelationRef, data: Databag, isApp: boolean): void {
    relations.relationSet(this.#session, relation, data, isApp);
  }

  /** Apply decoded settings (`""` deletes) to this unit's or app's bag; the relation-set fake calls it too. */
  applySettings(relation: RelationRef, settings: ReadonlyMap<string, string>, isApp: boolean): void {
    relations.applySettings(this.#session, relation, settings, isApp);
  }

  relationModelGet(relation: RelationRef): string | null {
    return relations.relationModelGet(this.#session, relation);
  }

  isLeader(): boolean {
    return unitTools.isLeader(this.#session);
  }

  configGet(): Record<string, unknown> {
    return unitTools.configGet(this.#session);
  }

  networkGet(binding: string, relation?: RelationRef): NetworkInfo {
    return unitTools.networkGet(this.#session, binding, relation);
  }

  secretAdd(content: Readonly<Record<string, string>>, options: SecretAddOptions = {}): string {
    return secrets.secretAdd(this.#session, content, options);
  }

  secretGet(options: SecretGetOptions): Record<string, string> {
    return secrets.secretGet(this.#session, options);
  }

  secretInfoGet(options: { readonly id: string } | { readonly label: string }): SecretInfo {
    return secrets.secretInfoGet(this.#session, options);
  }

  secretSet(id: string, options: SecretSetOptions): void {
    secrets.secretSet(this.#session, id, options);
  }

  secretGrant(id: string, relation: RelationRef, unit?: string): void {
    secrets.secretGrant(this.#session, id, relation, unit);
  }

  secretRevoke(id: string, relation: RelationRef, unit?: string): void {
    const argv = ["--relation", String(relation.id), ...(unit ? ["--unit", unit] : []), id];
    this.revokeSecret(argv, id, { relation, ...(unit !== undefined ? { unit } : {}) });
  }

  /** secret-revoke with any of Juju's target forms (`--relation`, `--app`, `--unit`); used by the fakes. */
  revokeSecret(
    argv: readonly string[],
    id: string,
    target: { relation?: RelationRef; relationFlag?: string; app?: string; unit?: string },
  ): void {
    secrets.revokeSecret(this.#session, argv, id, target);
  }

  secretRemove(id: string, revision?: number): void {
    secrets.secretRemove(this.#session, id, revision);
  }

  secretIds(): string[] {
    return secrets.secretIds(this.#session);
  }

  jujuLog(level: LogLevel, message: string): void {
    unitTools.jujuLog(this.#session, level, message);
  }

  statusSet(status: StatusName, message: string, isApp: boolean): void {
    unitTools.statusSet(this.#session, status, message, isApp);
  }

  statusGet(isApp: boolean): StatusInfo {
    return unitTools.statusGet(this.#session, isApp);
  }

  /** status-get's full JSON (`--include-data`), as the fakes print it. */
  statusDetails(isApp: boolean): Record<string, unknown> {
    return unitTools.statusDetails(this.#session, isApp);
  }

  applicationVersionSet(version: string): void {
    unitTools.applicationVersionSet(this.#session, version);
  }
}
