/**
 * One hook as the simulator delivers it: the event, the context Juju gives the charm for it, the
 * session options of its `MemoryBackend`, the runner that runs the charm, and the record it leaves.
 */

import type { Backend } from "../backend/types.js";
import type { HookContext, HookKind } from "../hook/types.js";
import type { BagChange, CommitResult, MemoryBackendOptions } from "./memory-backend.js";
import type { JujuModel } from "./model.js";
import { appOfUnit, SimulationError, secretXid } from "./model-names.js";
import type { HookToolCall, JujuLogLine, StatusRecord } from "./model-state.js";

/** Runs one hook of a charm in-process. Resolve = exit 0 (commit); reject = non-zero (rollback). */
export type HookRunner = (backend: Backend, context: HookContext) => Promise<void>;

/** One hook to deliver to one unit. */
export interface HookEvent {
  readonly unit: string;
  readonly kind: HookKind;
  readonly relationId?: number;
  readonly remoteUnit?: string;
  readonly departingUnit?: string;
  /** xid or URI. */
  readonly secretId?: string;
  readonly secretRevision?: number;
  readonly actionName?: string;
}

export interface HookRecord {
  readonly type: "hook";
  readonly seq: number;
  readonly unit: string;
  /** `db-relation-changed`, `config-changed`, or the action name. */
  readonly hook: string;
  readonly kind: HookKind;
  readonly context: HookContext;
  /** Why the simulator queued it. */
  readonly cause: string;
  readonly ok: boolean;
  /** The charm's error, as thrown. */
  readonly error?: unknown;
  readonly databags: readonly BagChange[];
  readonly secrets?: CommitResult["secrets"];
  /** Hook-tool calls the charm made in this hook (secret values never present). */
  readonly calls: readonly HookToolCall[];
  readonly logs: readonly JujuLogLine[];
  /** The unit's workload status after the hook. */
  readonly status: StatusRecord;
}

const OWNER_SECRET_HOOKS: readonly HookKind[] = ["secret-remove", "secret-rotate", "secret-expired"];

export const isRelationKind = (kind: HookKind): boolean => kind.startsWith("relation-");

/** Build the context Juju would give `event` (hook name, relation, remote app, secret label, …). */
export function hookContextFor(model: JujuModel, event: HookEvent, charmDir?: string): HookContext {
  const app = appOfUnit(event.unit);
  const ctx: { -readonly [K in keyof HookContext]: HookContext[K] } = {
    dispatchPath: "",
    hookName: event.kind,
    kind: event.kind,
    unitName: event.unit,
    appName: app,
    modelName: model.name,
    modelUuid: model.modelUuidOf(app),
    jujuVersion: model.jujuVersion,
  };
  if (charmDir !== undefined) ctx.charmDir = charmDir;
  if (isRelationKind(event.kind)) {
    if (event.relationId === undefined) throw new SimulationError(`${event.kind} needs a relationId`);
    const rel = model.relation(event.relationId);
    const endpoint = model.localEndpointOf(rel, app);
    ctx.hookName = `${endpoint}-${event.kind}`;
    ctx.relation = { endpoint, id: rel.id };
    ctx.remoteApp = model.remoteAppOf(rel, app);
    if (event.remoteUnit) ctx.remoteUnit = event.remoteUnit;
    if (event.departingUnit) ctx.departingUnit = event.departingUnit;
  } else if (event.kind === "action") {
    if (!event.actionName) throw new SimulationError("an action needs an actionName");
    ctx.hookName = event.actionName;
    ctx.actionName = event.actionName;
    ctx.actionUuid = String(model.nextSeq());
  }
  ctx.dispatchPath = event.kind === "action" ? `actions/${ctx.hookName}` : `hooks/${ctx.hookName}`;
  if (event.secretId !== undefined) {
    const xid = secretXid(event.secretId);
    if (xid === undefined) throw new SimulationError(`"${event.secretId}" is not a secret id`);
    const s = model.state.secrets[xid];
    ctx.secretId = model.secretUri(xid);
    const label = OWNER_SECRET_HOOKS.includes(event.kind) ? s?.label : s?.consumerLabels[event.unit];
    if (label) ctx.secretLabel = label;
    if (event.secretRevision !== undefined) ctx.secretRevision = event.secretRevision;
  }
  return ctx;
}

/** The MemoryBackend options for a hook context. */
export function sessionOptionsFor(ctx: HookContext): MemoryBackendOptions {
  return {
    unit: ctx.unitName,
    hookName: ctx.hookName,
    kind: ctx.kind,
    ...(ctx.relation ? { relation: ctx.relation } : {}),
    ...(ctx.remoteUnit !== undefined ? { remoteUnit: ctx.remoteUnit } : {}),
    ...(ctx.remoteApp !== undefined ? { remoteApp: ctx.remoteApp } : {}),
    ...(ctx.departingUnit !== undefined ? { departingUnit: ctx.departingUnit } : {}),
  };
}

/** Queued hooks that are the same hook (Juju coalesces them). */
export function eventKey(e: HookEvent): string {
  return JSON.stringify([
    e.unit,
    e.kind,
    e.relationId ?? null,
    e.remoteUnit ?? null,
    e.departingUnit ?? null,
    e.secretId ?? null,
    e.secretRevision ?? null,
    e.actionName ?? null,
  ]);
}
