/**
 * The model a hook sees: relations, databags, secrets, leadership — behind per-hook caches so each
 * databag is read at most once, each secret at most once per read mode, and each changed databag is
 * written exactly once (at `flush()`, after every handler succeeded).
 */

import type { Backend, Databag, LogLevel, RelationRef, StatusName } from "../backend/types.js";
import { NotLeaderError, RelationDataAccessError, RelationNotFoundError } from "../errors.js";
import type { HookContext } from "../hook/types.js";
import { MAX_STATUS_MESSAGE, safeText } from "../limits.js";
import { SecretStore } from "./secret-store.js";
import { StatusRecorder, type WorkloadStatus } from "./status.js";
import { unitStateFor } from "./unit-state.js";

export { type SecretRead, SecretStore } from "./secret-store.js";

/** Juju's own unit-bag keys: never part of a protocol. */
export const JUJU_UNIT_KEYS: ReadonlySet<string> = new Set([
  "egress-subnets",
  "ingress-address",
  "private-address",
]);

export const relationName = (ref: RelationRef): string => `${ref.endpoint}:${ref.id}`;

/**
 * A databag this unit may write (own unit bag, or own app bag when leader). Writes are buffered. Keys
 * live in Maps: a key named `constructor` or `__proto__` is a key like any other (never an inherited
 * member, never a prototype).
 */
export class LocalDatabag {
  #original: Map<string, string> | undefined;
  #current: Map<string, string> | undefined;
  /** Values computed only when read or flushed (a v1 list rebuilt by many publishes in one hook). */
  readonly #lazy = new Map<string, () => string | undefined>();
  readonly #load: () => Record<string, string>;
  readonly #guard: (op: string) => void;

  constructor(load: () => Record<string, string>, guard: (op: string) => void) {
    this.#load = load;
    this.#guard = guard;
  }

  #bag(op: string): Map<string, string> {
    this.#guard(op);
    if (this.#current === undefined) {
      this.#original = new Map(Object.entries(this.#load()));
      this.#current = new Map(this.#original);
    }
    if (op === "read" || op === "flush") this.#settle();
    return this.#current;
  }

  #settle(): void {
    if (this.#lazy.size === 0) return;
    const bag = this.#current!;
    for (const [key, compute] of this.#lazy) {
      const value = compute();
      if (value === undefined || value === "") bag.delete(key);
      else bag.set(key, value);
    }
    this.#lazy.clear();
  }

  get(key: string): string | undefined {
    return this.#bag("read").get(key);
  }

  /** A copy of the whole bag, pending writes included. */
  all(): Record<string, string> {
    return Object.fromEntries(this.#bag("read"));
  }

  /** Set a key; `""` or `undefined` deletes it, as in Juju. */
  set(key: string, value: string | undefined): void {
    if (value !== undefined && typeof value !== "string") {
      throw new RelationDataAccessError(`relation data value for key "${safeText(key)}" must be a string`);
    }
    const bag = this.#bag("write");
    this.#lazy.delete(key);
    if (value === undefined || value === "") bag.delete(key);
    else bag.set(key, value);
  }

  /**
   * Set a key to a value computed when the bag is next read or flushed: one serialisation for many
   * changes in a hook (the last `compute` given wins; a later `set` replaces it).
   */
  setLazy(key: string, compute: () => string | undefined): void {
    this.#bag("write");
    this.#lazy.set(key, compute);
  }

  update(values: Readonly<Record<string, string | undefined>>): void {
    for (const [k, v] of Object.entries(values)) this.set(k, v);
  }

  delete(key: string): void {
    this.set(key, undefined);
  }

  /** The keys to send to `relation-set` (deleted keys as `""`), or undefined when nothing changed. */
  pendingChanges(): Record<string, string> | undefined {
    if (this.#current === undefined || this.#original === undefined) return undefined;
    const current = this.#bag("flush");
    const original = this.#original;
    const out: [string, string][] = [];
    for (const [k, v] of current) if (original.get(k) !== v) out.push([k, v]);
    for (const k of original.keys()) if (!current.has(k)) out.push([k, ""]);
    // Entries, not assignment: a `__proto__` key stays a plain key.
    return out.length ? Object.fromEntries(out) : undefined;
  }

  /** After a flush, what was sent becomes the baseline. */
  markFlushed(): void {
    if (this.#current) this.#original = new Map(this.#bag("flush"));
  }

  discard(): void {
    this.#lazy.clear();
    if (this.#original) this.#current = new Map(this.#original);
  }
}

export class Relation {
  readonly ref: RelationRef;
  /** False in relation-broken for the broken relation: read nothing remote, write nothing. */
  readonly active: boolean;
  readonly localApp: LocalDatabag;
  readonly localUnit: LocalDatabag;
  readonly #model: Model;
  #remoteApp: string | null | undefined;
  #units: string[] | undefined;
  #remoteAppBag: Databag | undefined;
  readonly #remoteUnitBags = new Map<string, Databag>();
  #remoteModel: string | null | undefined;

  constructor(model: Model, ref: RelationRef, active: boolean, remoteApp?: string) {
    this.#model = model;
    this.ref = ref;
    this.active = active;
    if (remoteApp) this.#remoteApp = remoteApp;
    const backend = model.backend;
    this.localApp = new LocalDatabag(
      () => (active ? backend.relationGet(ref, model.appName, true) : {}),
      (op) => {
        if (!active && op === "write") {
          throw new RelationDataAccessError(`${relationName(ref)} is broken: cannot write its databags`);
        }
        model.requireLeader(`${op} own application databag of ${relationName(ref)}`);
      },
    );
    this.localUnit = new LocalDatabag(
      () => (active ? stripJujuKeys(backend.relationGet(ref, model.unitName, false)) : {}),
      (op) => {
        if (!active && op === "write") {
          throw new RelationDataAccessError(`${relationName(ref)} is broken: cannot write its databags`);
        }
      },
    );
  }

  get endpoint(): string {
    return this.ref.endpoint;
  }
  get id(): number {
    return this.ref.id;
  }
  get name(): string {
    return relationName(this.ref);
  }

  /** The remote application's name (JUJU_REMOTE_APP for the event's relation, else relation-list --app). */
  get remoteApp(): string | null {
    if (this.#remoteApp === undefined) {
      try {
        this.#remoteApp = this.active ? this.#model.backend.relationRemoteApp(this.ref) : null;
      } catch (e) {
        if (e instanceof RelationNotFoundError) this.#remoteApp = null;
        else throw e;
      }
    }
    return this.#remoteApp;
  }

  /** Remote unit names (relation-list), cached; empty for a broken relation. */
  get units(): readonly string[] {
    if (this.#units === undefined) {
      try {
        this.#units = this.active ? this.#model.backend.relationList(this.ref) : [];
      } catch (e) {
        if (e instanceof RelationNotFoundError) this.#units = [];
        else throw e;
      }
    }
    return this.#units;
  }

  /** The remote app databag, read once per hook. */
  remoteAppData(): Databag {
    if (this.#remoteAppBag === undefined) {
      const app = this.remoteApp;
      this.#remoteAppBag = this.active && app ? this.#safeGet(app, true) : {};
    }
    return this.#remoteAppBag;
  }

  /** A remote unit's databag (Juju's own keys stripped), read once per hook. */
  remoteUnitData(unit: string): Databag {
    let bag = this.#remoteUnitBags.get(unit);
    if (bag === undefined) {
      bag = this.active ? stripJujuKeys(this.#safeGet(unit, false)) : {};
      this.#remoteUnitBags.set(unit, bag);
    }
    return bag;
  }

  #safeGet(target: string, isApp: boolean): Record<string, string> {
    try {
      return this.#model.backend.relationGet(this.ref, target, isApp);
    } catch (e) {
      // ops: a relation that vanished mid-hook reads as empty.
      if (e instanceof RelationNotFoundError) return {};
      throw e;
    }
  }

  /** The remote model uuid differs from ours (relation-model-get, lazily; unknown → same model). */
  get isCrossModel(): boolean {
    if (this.#remoteModel === undefined) {
      this.#remoteModel = this.active ? this.#model.backend.relationModelGet(this.ref) : null;
    }
    return this.#remoteModel !== null && this.#remoteModel !== this.#model.modelUuid;
  }
}

function stripJujuKeys(bag: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(bag).filter(([k]) => !JUJU_UNIT_KEYS.has(k)));
}

export type SecretReadMode = "tracked" | "peek" | "refresh";

/** `safeText` line by line: log messages may span lines; nothing else is let through raw. */
function safeLogText(message: string): string {
  return message
    .split("\n")
    .map((line) =>
      line
        .split("\t")
        .map((part) => safeText(part, Number.POSITIVE_INFINITY))
        .join("\t"),
    )
    .join("\n");
}

/** Everything a hook needs from Juju, cached for the hook's lifetime. */
export class Model {
  readonly backend: Backend;
  readonly context: HookContext;
  readonly secrets: SecretStore;
  #leader: boolean | undefined;
  readonly #relationIds = new Map<string, number[]>();
  readonly #relations = new Map<string, Relation>();
  #config: Record<string, unknown> | undefined;
  readonly #afterFlush: (() => void)[] = [];
  readonly #status: StatusRecorder;

  constructor(backend: Backend, context: HookContext) {
    this.backend = backend;
    this.context = context;
    this.secrets = new SecretStore(this);
    this.#status = new StatusRecorder(backend, unitStateFor(context.charmDir, backend), context.unitName);
  }

  get unitName(): string {
    return this.context.unitName;
  }
  get appName(): string {
    return this.context.appName;
  }
  get modelUuid(): string {
    return this.context.modelUuid;
  }

  /** `is-leader`, asked lazily and once per hook. */
  isLeader(): boolean {
    if (this.#leader === undefined) this.#leader = this.backend.isLeader();
    return this.#leader;
  }

  requireLeader(operation: string): void {
    if (!this.isLeader()) throw new NotLeaderError(operation, this.unitName);
  }

  /** The live relations of an endpoint (relation-ids, once per endpoint per hook). */
  relations(endpoint: string): Relation[] {
    let ids = this.#relationIds.get(endpoint);
    if (ids === undefined) {
      ids = this.backend.relationIds(endpoint);
      this.#relationIds.set(endpoint, ids);
    }
    return ids.map((id) => this.relation({ endpoint, id }));
  }

  /**
   * One relation by reference. The relation of a relation-broken event is returned inactive; the
   * event's relation knows its remote app from JUJU_REMOTE_APP without a hook-tool call.
   */
  relation(ref: RelationRef): Relation {
    const key = relationName(ref);
    let rel = this.#relations.get(key);
    if (!rel) {
      const ctx = this.context;
      const isEventRelation = ctx.relation?.endpoint === ref.endpoint && ctx.relation.id === ref.id;
      const active = !(isEventRelation && ctx.kind === "relation-broken");
      rel = new Relation(this, ref, active, isEventRelation ? ctx.remoteApp : undefined);
      this.#relations.set(key, rel);
    }
    return rel;
  }

  /** The relation the current event is about, if any. */
  get eventRelation(): Relation | undefined {
    return this.context.relation ? this.relation(this.context.relation) : undefined;
  }

  config(): Readonly<Record<string, unknown>> {
    if (this.#config === undefined) this.#config = this.backend.configGet();
    return this.#config;
  }

  /**
   * `status-set`. The message is one line of `juju status`: control characters are escaped and it is
   * cut at 1,024 characters, so remote text inside it cannot rewrite a terminal or fail the spawn.
   * `ifChanged`: no call when this unit last set the same (the cache rule is in `model/status.ts`).
   */
  setStatus(status: StatusName, message = "", options: { app?: boolean; ifChanged?: boolean } = {}): void {
    const app = options.app ?? false;
    if (app) this.requireLeader("status-set --application");
    const text = safeText(message, MAX_STATUS_MESSAGE);
    if (options.ifChanged) this.#status.setIfChanged(status, text, app);
    else this.#status.set(status, text, app);
  }

  /** The status this unit last set, as far as the unit-local cache can tell; else undefined. */
  lastStatus(options: { app?: boolean } = {}): WorkloadStatus | undefined {
    return this.#status.lastSet(options.app ?? false);
  }

  /** Called by the runtime when the hook starts: drops the status entries this hook cannot trust. */
  startHook(): void {
    this.#status.startHook(this.context.kind);
  }

  /**
   * INFO and above go to juju-log (one process each); DEBUG goes to stdout, which Juju logs for free.
   * Control characters but line breaks and tabs are escaped.
   */
  log(level: LogLevel, message: string): void {
    const text = safeLogText(message);
    if (level === "DEBUG") process.stdout.write(`DEBUG ${text}\n`);
    else this.backend.jujuLog(level, text);
  }

  /** Send every changed databag: one relation-set per bag. Called once, after all handlers succeeded. */
  flush(): void {
    for (const rel of this.#relations.values()) {
      if (!rel.active) continue;
      for (const [bag, isApp] of [
        [rel.localUnit, false],
        [rel.localApp, true],
      ] as const) {
        const changes = bag.pendingChanges();
        if (changes) {
          this.backend.relationSet(rel.ref, changes, isApp);
          bag.markFlushed();
        }
      }
    }
    for (const callback of this.#afterFlush.splice(0)) callback();
  }

  /**
   * Run `callback` at the end of `flush()`, i.e. only once every handler succeeded and the databags
   * were written: for unit-local state (a file) that must move together with what Juju commits.
   * Dropped by `discard()`.
   */
  afterFlush(callback: () => void): void {
    this.#afterFlush.push(callback);
  }

  /** Drop buffered writes (a handler failed: Juju would discard them anyway). */
  discard(): void {
    this.#afterFlush.length = 0;
    for (const rel of this.#relations.values()) {
      rel.localApp.discard();
      rel.localUnit.discard();
    }
  }
}
