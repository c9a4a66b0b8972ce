/** `runOnce`, the Scenario-style single event: state in, output state out, input untouched. */

import type { HookContext } from "../hook/types.js";
import {
  type HookEvent,
  type HookRunner,
  hookContextFor,
  isRelationKind,
  sessionOptionsFor,
} from "./hook-events.js";
import { type CommitResult, MemoryBackend } from "./memory-backend.js";
import { JujuModel } from "./model.js";
import { appOfUnit, SimulationError } from "./model-names.js";
import type { HookToolCall, ModelState } from "./model-state.js";

export interface RunOnceResult {
  /** The output model (a new object; the input is never touched). */
  readonly model: JujuModel;
  readonly state: ModelState;
  readonly context: HookContext;
  readonly ok: boolean;
  readonly error?: unknown;
  readonly commit?: CommitResult;
  /** Hook-tool calls made by this event. */
  readonly calls: readonly HookToolCall[];
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** Reject events the state cannot hold (Scenario's consistency checks that matter here). */
function checkEvent(model: JujuModel, e: HookEvent): void {
  model.unit(e.unit);
  if (isRelationKind(e.kind)) {
    if (e.relationId === undefined || !model.hasRelation(e.relationId)) {
      throw new SimulationError(`${e.kind}: relation ${e.relationId ?? "(none)"} is not in the state`);
    }
    const rel = model.relation(e.relationId);
    if (!rel.endpoints.some((ep) => ep.app === appOfUnit(e.unit))) {
      throw new SimulationError(`${e.kind}: ${e.unit} is not in relation ${e.relationId}`);
    }
    if ((e.kind === "relation-joined" || e.kind === "relation-departed") && !e.remoteUnit) {
      throw new SimulationError(`${e.kind} needs a remoteUnit`);
    }
    if (e.kind === "relation-departed" && !e.departingUnit)
      throw new SimulationError("relation-departed needs a departingUnit");
  }
  if (e.kind.startsWith("secret-")) {
    if (e.secretId === undefined || !model.secret(e.secretId)) {
      throw new SimulationError(`${e.kind}: secret ${e.secretId ?? "(none)"} is not in the state`);
    }
  }
}

/**
 * Run one event on a copy of `input`: returns the output state (committed when the runner resolves,
 * rolled back when it rejects). A plain `ModelState` input is deep-frozen, never mutated. The charm's
 * own error is rethrown unchanged unless `rethrow: false`.
 */
export async function runOnce(
  runner: HookRunner,
  input: JujuModel | ModelState,
  event: HookEvent,
  options: { rethrow?: boolean; charmDir?: string } = {},
): Promise<RunOnceResult> {
  const model = input instanceof JujuModel ? input.clone() : JujuModel.fromJSON(deepFreeze(input));
  checkEvent(model, event);
  const context = hookContextFor(model, event, options.charmDir);
  const callStart = model.state.calls.length;
  const backend = new MemoryBackend(model, sessionOptionsFor(context));
  try {
    await runner(backend, context);
  } catch (error) {
    if (backend.isOpen) backend.rollback();
    if (options.rethrow ?? true) throw error;
    return {
      model,
      state: model.toJSON(),
      context,
      ok: false,
      error,
      calls: model.state.calls.slice(callStart),
    };
  }
  const commit = backend.isOpen ? backend.commit() : undefined;
  return {
    model,
    state: model.toJSON(),
    context,
    ok: true,
    ...(commit ? { commit } : {}),
    calls: model.state.calls.slice(callStart),
  };
}
