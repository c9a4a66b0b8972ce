/**
 * Run one hook in-process on a `JujuModel` with its time split into: the MemoryBackend session
 * (working copy at hook start + commit at exit 0: test infrastructure), the time spent inside hook-tool
 * calls (in production: one process spawn each), and what is left, the library and charm code itself.
 */

import type { Backend } from "../../packages/juju-secrets-core/dist/backend/index.js";
import { Charm } from "../../packages/juju-secrets-core/dist/index.js";
import {
  type CommitResult,
  type HookEvent,
  type HookToolCall,
  hookContextFor,
  type JujuModel,
  MemoryBackend,
  sessionOptionsFor,
} from "../../packages/juju-secrets-core/dist/testing/index.js";

export interface TimedHook {
  readonly ok: boolean;
  readonly error?: unknown;
  readonly calls: readonly HookToolCall[];
  readonly commit?: CommitResult;
  /** Milliseconds. `library` = `run` − `tools`. */
  readonly ms: {
    readonly session: number;
    readonly run: number;
    readonly tools: number;
    readonly library: number;
    readonly commit: number;
  };
}

/** A Backend that adds the time spent in each call to `spent.ms`. */
function timing(backend: Backend, spent: { ms: number }): Backend {
  return new Proxy(backend, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const start = performance.now();
        try {
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        } finally {
          spent.ms += performance.now() - start;
        }
      };
    },
  });
}

export async function timedHook(
  model: JujuModel,
  event: HookEvent,
  setup: (charm: Charm) => void,
  options: { rethrow?: boolean } = {},
): Promise<TimedHook> {
  const context = hookContextFor(model, event);
  const callStart = model.state.calls.length;
  const t0 = performance.now();
  const backend = new MemoryBackend(model, sessionOptionsFor(context));
  const t1 = performance.now();
  const spent = { ms: 0 };
  let ok = true;
  let error: unknown;
  try {
    const charm = new Charm({ backend: timing(backend, spent), context });
    setup(charm);
    await charm.dispatch();
  } catch (e) {
    ok = false;
    error = e;
  }
  const t2 = performance.now();
  let commit: CommitResult | undefined;
  if (ok) commit = backend.commit();
  else backend.rollback();
  const t3 = performance.now();
  if (!ok && (options.rethrow ?? true)) throw error;
  return {
    ok,
    ...(ok ? {} : { error }),
    calls: model.state.calls.slice(callStart),
    ...(commit ? { commit } : {}),
    ms: { session: t1 - t0, run: t2 - t1, tools: spent.ms, library: t2 - t1 - spent.ms, commit: t3 - t2 },
  };
}

/** Calls by tool, juju-log excluded. */
export function countByTool(calls: readonly HookToolCall[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) if (c.tool !== "juju-log") out[c.tool] = (out[c.tool] ?? 0) + 1;
  return out;
}
