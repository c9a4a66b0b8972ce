/**
 * `Charm`: one hook's runtime. Interface libraries and the user's code register observers with
 * `charm.on(...)` (libraries first, in construction order); `dispatch()` runs the observers of the
 * event Juju asked for, collects the status (`collectStatus` / `collectAppStatus` evaluators), flushes
 * buffered databag writes once, then sets the winning status. A throwing handler or evaluator skips
 * the rest and its own error propagates unchanged, so the process exits non-zero and Juju discards
 * the hook.
 */

import { ProcessBackend } from "../backend/process.js";
import type { Backend, StatusName } from "../backend/types.js";
import { CharmRelationsError, HookContextError } from "../errors.js";
import { Model, type Relation } from "../model/model.js";
import { highestPriority, isStatusName, STATUS_PRIORITY, type WorkloadStatus } from "../model/status.js";
import {
  eventName,
  hookContextFromEnv,
  isPebbleKind,
  isRelationKind,
  isSecretKind,
  kindFromEventName,
} from "./context.js";
import { Emitter } from "./emitter.js";
import type { HookContext, HookKind } from "./types.js";

export interface CharmOptions {
  /** Default: a `ProcessBackend` spawning the real hook tools (with `env`). */
  readonly backend?: Backend;
  /** Default: `hookContextFromEnv(env ?? process.env)`. */
  readonly context?: HookContext;
  /**
   * The process environment: read for the context and for the `OPERATOR_DISPATCH` guard. When a
   * `context` is given without `env` (test harnesses), the guard is off: there is no process to guard.
   */
  readonly env?: NodeJS.ProcessEnv;
}

export interface CharmEvent {
  readonly charm: Charm;
  readonly context: HookContext;
  readonly kind: HookKind;
}

export interface RelationEvent extends CharmEvent {
  /** The event's relation; inactive in relation-broken (read nothing remote, write nothing). */
  readonly relation: Relation;
  readonly remoteApp: string;
  /** Absent for relation-created, relation-broken and remote app-bag changes. */
  readonly remoteUnit?: string;
  /** relation-departed only; may be this unit. */
  readonly departingUnit?: string;
}

export interface SecretEvent extends CharmEvent {
  readonly secretId: string;
  /** This unit's label for the secret, if it bound one. */
  readonly secretLabel?: string;
  /** secret-remove and secret-expired: the revision concerned. */
  readonly secretRevision?: number;
}

export interface ActionEvent extends CharmEvent {
  readonly actionName: string;
  readonly actionUuid?: string;
}

export interface StorageEvent extends CharmEvent {
  /** `<name>/<index>`. */
  readonly storageId?: string;
}

export interface PebbleEvent extends CharmEvent {
  readonly workloadName: string;
}

/**
 * `collectStatus` (unit status) and `collectAppStatus` (application status, leader only): emitted at
 * the end of every hook whose handlers succeeded, whatever the hook. Evaluators `add` what they see;
 * the highest priority wins (blocked > maintenance > waiting > active), the first added among equals,
 * and is set with one `status-set` — none when nothing was added or this unit last set the same.
 */
export interface CollectStatusEvent extends CharmEvent {
  add(status: StatusName, message?: string): void;
}

/** Event names (camelCase of `HookKind`, see `eventName`) → the object handlers receive. */
export interface CharmEvents {
  install: CharmEvent;
  start: CharmEvent;
  stop: CharmEvent;
  remove: CharmEvent;
  configChanged: CharmEvent;
  updateStatus: CharmEvent;
  upgradeCharm: CharmEvent;
  leaderElected: CharmEvent;
  leaderSettingsChanged: CharmEvent;
  preSeriesUpgrade: CharmEvent;
  postSeriesUpgrade: CharmEvent;
  collectMetrics: CharmEvent;
  meterStatusChanged: CharmEvent;
  secretChanged: SecretEvent;
  secretRotate: SecretEvent;
  secretRemove: SecretEvent;
  secretExpired: SecretEvent;
  relationCreated: RelationEvent;
  relationJoined: RelationEvent;
  relationChanged: RelationEvent;
  relationDeparted: RelationEvent;
  relationBroken: RelationEvent;
  storageAttached: StorageEvent;
  storageDetaching: StorageEvent;
  pebbleReady: PebbleEvent;
  pebbleCustomNotice: PebbleEvent;
  pebbleCheckFailed: PebbleEvent;
  pebbleCheckRecovered: PebbleEvent;
  action: ActionEvent;
  unknown: CharmEvent;
  collectStatus: CollectStatusEvent;
  collectAppStatus: CollectStatusEvent;
}
export type CharmEventName = keyof CharmEvents;

const COLLECT_EVENTS: ReadonlySet<string> = new Set<CharmEventName>(["collectStatus", "collectAppStatus"]);

export interface ObserverFilter {
  /** Relation events: run only for relations of this endpoint. */
  readonly endpoint?: string;
  /** Actions: run only for this action name. */
  readonly action?: string;
}

export type CharmHandler<E> = (event: E) => void | Promise<void>;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class Charm {
  readonly context: HookContext;
  readonly backend: Backend;
  readonly model: Model;
  /** This unit's name (`app/0`). */
  readonly unit: string;
  /** This application's name. */
  readonly app: string;
  readonly #emitter = new Emitter<CharmEvents>();
  readonly #guardEnv: NodeJS.ProcessEnv | undefined;
  #dispatched = false;

  constructor(options: CharmOptions = {}) {
    this.context = options.context ?? hookContextFromEnv(options.env ?? process.env);
    this.backend = options.backend ?? new ProcessBackend(options.env ? { env: options.env } : {});
    this.model = new Model(this.backend, this.context);
    this.unit = this.context.unitName;
    this.app = this.context.appName;
    this.#guardEnv = options.env ?? (options.context ? undefined : process.env);
  }

  /**
   * Observe a Juju event by its camelCase name, or `collectStatus` / `collectAppStatus`. Observers run
   * in registration order and are awaited one by one. Returns a function that removes the observer.
   */
  on<K extends CharmEventName>(
    name: K,
    handler: CharmHandler<CharmEvents[K]>,
    filter: ObserverFilter = {},
  ): () => void {
    const collect = COLLECT_EVENTS.has(name);
    if (!collect && kindFromEventName(name) === undefined) {
      throw new CharmRelationsError(`unknown charm event "${String(name)}"`);
    }
    const { endpoint, action } = filter;
    if (collect && (endpoint !== undefined || action !== undefined)) {
      throw new CharmRelationsError(`${name} runs once per hook: it takes no endpoint or action filter`);
    }
    if (endpoint === undefined && action === undefined) return this.#emitter.on(name, handler);
    return this.#emitter.on(name, (event) => {
      const ev = event as Partial<RelationEvent & ActionEvent>;
      if (endpoint !== undefined && ev.relation?.endpoint !== endpoint) return;
      if (action !== undefined && ev.actionName !== action) return;
      return handler(event);
    });
  }

  /**
   * Run the observers of this hook's event, evaluate the status (`collectAppStatus` on the leader,
   * `collectStatus`), write buffered databags (one relation-set per changed bag), then set the winning
   * statuses (none when unchanged). If a handler or evaluator throws, buffered writes are discarded and
   * its own error is rethrown.
   */
  async dispatch(): Promise<void> {
    if (this.#dispatched) throw new CharmRelationsError("dispatch() already ran for this hook");
    this.#dispatched = true;
    const env = this.#guardEnv;
    if (env) {
      // ops' guard: a legacy hooks/* script that re-invokes dispatch must not run the handlers twice.
      if (env.OPERATOR_DISPATCH !== undefined) {
        process.stdout.write(`Charm called itself via ${this.context.dispatchPath}; nothing to do.\n`);
        return;
      }
      env.OPERATOR_DISPATCH = "1";
    }
    this.model.startHook();
    const event = this.#event();
    try {
      await this.#emitter.emit(eventName(this.context.kind) as CharmEventName, event);
      // Evaluated before the flush, so an evaluator that throws leaves nothing half done; status-set
      // last, after relation-set: a rejected write fails the hook before the status can claim success.
      const app =
        this.#emitter.listenerCount("collectAppStatus") > 0 && this.model.isLeader()
          ? await this.#collect("collectAppStatus")
          : undefined;
      const unit = await this.#collect("collectStatus");
      this.model.flush();
      if (app) this.model.setStatus(app.status, app.message, { app: true, ifChanged: true });
      if (unit) this.model.setStatus(unit.status, unit.message, { ifChanged: true });
    } catch (error) {
      try {
        this.model.discard();
      } catch {
        // The original error is what the operator must see; discarding only drops local buffers.
      }
      throw error;
    }
  }

  async #collect(name: "collectStatus" | "collectAppStatus"): Promise<WorkloadStatus | undefined> {
    if (this.#emitter.listenerCount(name) === 0) return undefined;
    const added: WorkloadStatus[] = [];
    let open = true;
    const ctx = this.context;
    try {
      await this.#emitter.emit(name, {
        charm: this,
        context: ctx,
        kind: ctx.kind,
        add: (status, message = "") => {
          if (!open) throw new CharmRelationsError(`${name}: add() after the status was evaluated`);
          if (!isStatusName(status)) {
            throw new CharmRelationsError(
              `${name}: invalid status "${String(status)}", expected one of ${STATUS_PRIORITY.join(", ")}`,
            );
          }
          added.push({ status, message: String(message) });
        },
      });
    } finally {
      open = false;
    }
    return highestPriority(added);
  }

  #event(): CharmEvents[CharmEventName] {
    const ctx = this.context;
    const base: CharmEvent = { charm: this, context: ctx, kind: ctx.kind };
    if (isRelationKind(ctx.kind)) {
      if (!ctx.relation) throw new HookContextError("JUJU_RELATION_ID");
      if (ctx.remoteApp === undefined) throw new HookContextError("JUJU_REMOTE_APP");
      const ev: Mutable<RelationEvent> = {
        ...base,
        relation: this.model.relation(ctx.relation),
        remoteApp: ctx.remoteApp,
      };
      if (ctx.remoteUnit !== undefined) ev.remoteUnit = ctx.remoteUnit;
      if (ctx.departingUnit !== undefined) ev.departingUnit = ctx.departingUnit;
      return ev;
    }
    if (isSecretKind(ctx.kind)) {
      if (ctx.secretId === undefined) throw new HookContextError("JUJU_SECRET_ID");
      const ev: Mutable<SecretEvent> = { ...base, secretId: ctx.secretId };
      if (ctx.secretLabel !== undefined) ev.secretLabel = ctx.secretLabel;
      if (ctx.secretRevision !== undefined) ev.secretRevision = ctx.secretRevision;
      return ev;
    }
    if (ctx.kind === "action") {
      const ev: Mutable<ActionEvent> = { ...base, actionName: ctx.actionName ?? ctx.hookName };
      if (ctx.actionUuid !== undefined) ev.actionUuid = ctx.actionUuid;
      return ev;
    }
    if (ctx.kind === "storage-attached" || ctx.kind === "storage-detaching") {
      return ctx.storageId !== undefined ? { ...base, storageId: ctx.storageId } : base;
    }
    if (isPebbleKind(ctx.kind)) {
      if (ctx.workloadName === undefined) throw new HookContextError("JUJU_WORKLOAD_NAME");
      return { ...base, workloadName: ctx.workloadName };
    }
    return base;
  }
}

/** `<ErrorName>: <message>` plus stack frames; our own error messages carry no secrets. */
export function formatCharmError(error: unknown): string {
  if (!(error instanceof Error)) return `Error: non-Error value thrown: ${String(error)}\n`;
  // The stack's first line was rendered before subclasses set `name`; print our own header instead.
  const frames = (error.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line));
  return [`${error.name}: ${error.message}`, ...frames].join("\n") + "\n";
}

/**
 * Production entry point of a charm's `dist/charm.js`: build the `Charm`, let `setup` construct the
 * interface objects and register handlers, dispatch, and set the exit code (0, or 1 after printing the
 * error to stderr, which Juju logs at WARNING). Resolves to the exit code.
 */
export async function runCharm(
  setup: (charm: Charm) => void | Promise<void>,
  options: CharmOptions = {},
): Promise<number> {
  let charm: Charm | undefined;
  try {
    charm = new Charm(options);
    await setup(charm);
    await charm.dispatch();
    process.exitCode = 0;
    return 0;
  } catch (error) {
    const text = formatCharmError(error);
    process.stderr.write(text);
    // Also into the unit's debug-log at ERROR, header line only (the stack is on stderr already).
    try {
      charm?.backend.jujuLog("ERROR", `hook failed: ${text.split("\n")[0]}`);
    } catch {
      // juju-log itself failing must not mask the original error.
    }
    process.exitCode = 1;
    return 1;
  }
}
