/**
 * Workload status: ops' priority rule, and what this unit last set with `status-set` so that a hook
 * whose status did not change makes no call.
 *
 * The cache rule (docs/writing-a-charm.md, "Status"). Juju applies `status-set` at once and never
 * rolls it back; a failed hook puts the unit *agent* in error and leaves the workload status as the
 * hook left it (`juju status` shows `error` only while the agent is in error). So the cache follows
 * the calls, not the hook's outcome:
 *
 * - an entry is removed just before every `status-set` this runtime makes, and written just after the
 *   call succeeded: a hook killed in between leaves no entry, never a wrong one;
 * - an entry is trusted whenever it exists; entries are dropped when a hook starts that may follow a
 *   change this unit did not make: `upgrade-charm` (the previous revision may have set status without
 *   this cache: another library, a Python charm, a rollback), `update-status` (Juju's periodic status
 *   hook: bounds anything unseen — an operator's `juju exec -- status-set` — to one interval) and, for
 *   the application status, `leader-elected` (another unit was leader and may have set it).
 */

import type { Backend, StatusName } from "../backend/types.js";
import { type UnitLocalState, unitFileTag } from "./unit-state.js";

export interface WorkloadStatus {
  readonly status: StatusName;
  readonly message: string;
}

/** ops' order, highest first. `error` and `unknown` cannot be set by a charm (Juju's own). */
export const STATUS_PRIORITY: readonly StatusName[] = ["blocked", "maintenance", "waiting", "active"];

export function isStatusName(value: unknown): value is StatusName {
  return typeof value === "string" && (STATUS_PRIORITY as readonly string[]).includes(value);
}

/** The status that wins: the highest priority; among equals the first added. Undefined when none. */
export function highestPriority(statuses: readonly WorkloadStatus[]): WorkloadStatus | undefined {
  let best: WorkloadStatus | undefined;
  for (const s of statuses) {
    if (!best || STATUS_PRIORITY.indexOf(s.status) < STATUS_PRIORITY.indexOf(best.status)) best = s;
  }
  return best;
}

type Scope = "unit" | "app";
type Entries = Partial<Record<Scope, WorkloadStatus>>;

/** Hook kinds that drop cache entries when they start (see the rule above). */
const RESETS: Readonly<Record<string, readonly Scope[]>> = {
  "upgrade-charm": ["unit", "app"],
  "update-status": ["unit", "app"],
  "leader-elected": ["app"],
};

/** `status-set` through a cache of what this unit last set; without a store, every call goes out. */
export class StatusRecorder {
  readonly #backend: Backend;
  readonly #store: UnitLocalState | undefined;
  readonly #file: string;
  #entries: Entries | undefined;

  constructor(backend: Backend, store: UnitLocalState | undefined, unit: string) {
    this.#backend = backend;
    this.#store = store;
    this.#file = `status.${unitFileTag(unit)}.json`;
  }

  /** Drop the entries this hook kind cannot trust. Call once, when the hook starts. */
  startHook(kind: string): void {
    const scopes = Object.hasOwn(RESETS, kind) ? RESETS[kind] : undefined;
    if (!scopes || !this.#store) return;
    const entries = this.#load();
    if (scopes.some((s) => entries[s] !== undefined)) {
      for (const s of scopes) delete entries[s];
      this.#save(entries);
    }
  }

  /** What this unit last set (and still trusts), or undefined. */
  lastSet(app: boolean): WorkloadStatus | undefined {
    return this.#store ? this.#load()[app ? "app" : "unit"] : undefined;
  }

  /** `status-set`, recorded. `message` is already the text Juju will show. */
  set(status: StatusName, message: string, app: boolean): void {
    const scope: Scope = app ? "app" : "unit";
    if (!this.#store) {
      this.#backend.statusSet(status, message, app);
      return;
    }
    const entries = this.#load();
    if (entries[scope] !== undefined) {
      delete entries[scope];
      this.#save(entries);
    }
    this.#backend.statusSet(status, message, app);
    entries[scope] = { status, message };
    try {
      this.#save(entries);
    } catch {
      // Unwritable charm dir: the status is set, it is just not remembered (never remembered wrongly:
      // the entry was removed before the call, and that removal's failure is not swallowed).
      delete entries[scope];
    }
  }

  /** `status-set` unless the status is the one this unit last set. True when it called the tool. */
  setIfChanged(status: StatusName, message: string, app: boolean): boolean {
    const last = this.lastSet(app);
    if (last && last.status === status && last.message === message) return false;
    this.set(status, message, app);
    return true;
  }

  #load(): Entries {
    if (this.#entries === undefined) this.#entries = parseEntries(this.#store?.read(this.#file));
    return this.#entries;
  }

  #save(entries: Entries): void {
    if (entries.unit === undefined && entries.app === undefined) this.#store?.remove(this.#file);
    else this.#store?.write(this.#file, `${JSON.stringify(entries)}\n`);
  }
}

/** Lenient: anything unreadable is no entry (the next hook sets its status, that is all). */
function parseEntries(text: string | undefined): Entries {
  if (text === undefined) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return {};
  }
  const out: Entries = {};
  if (raw === null || typeof raw !== "object") return out;
  for (const scope of ["unit", "app"] as const) {
    const e = (raw as Record<string, unknown>)[scope] as Record<string, unknown> | undefined;
    if (e && isStatusName(e.status) && typeof e.message === "string") {
      out[scope] = { status: e.status, message: e.message };
    }
  }
  return out;
}
