/**
 * `StatusNotes`: statuses that outlive the hook that found them, for interface classes (and charms)
 * whose condition is seen only in some hooks. An invalid remote databag is parsed in relation-changed;
 * update-status does not read it again (that would cost hook-tool calls), so a status computed from
 * what update-status knows would forget the problem. A note stays in unit-local state until deleted,
 * and every hook's `collectStatus` adds it.
 *
 * ```ts
 * const notes = new StatusNotes(charm, `postgresql_client:${endpoint}`); // in the constructor
 * notes.set(`invalid:${relation.id}`, "blocked", error.message);       // when parsing failed
 * notes.delete(`invalid:${relation.id}`);                               // parsed fine, or relation-broken
 * ```
 *
 * Changes are kept only when the hook succeeds (written after the databags are flushed). A note only
 * adds a status: when the last one is deleted, the charm's own evaluators decide what is shown.
 */

import type { StatusName } from "../backend/types.js";
import { CharmRelationsError } from "../errors.js";
import { isStatusName, type WorkloadStatus } from "../model/status.js";
import { type UnitLocalState, unitFileTag, unitStateFor } from "../model/unit-state.js";
import type { Charm } from "./charm.js";

export class StatusNotes {
  readonly #charm: Charm;
  readonly #store: UnitLocalState | undefined;
  readonly #file: string;
  #notes: Map<string, WorkloadStatus> | undefined;
  #dirty = false;

  /** `owner`: a name unique among the note keepers of this charm (interface and endpoint). */
  constructor(charm: Charm, owner: string) {
    if (owner === "") throw new CharmRelationsError("StatusNotes needs an owner name");
    this.#charm = charm;
    this.#store = unitStateFor(charm.context.charmDir, charm.backend);
    this.#file = `notes.${encodeURIComponent(owner)}.${unitFileTag(charm.unit)}.json`;
    charm.on("collectStatus", (e) => {
      for (const { status, message } of this.#load().values()) e.add(status, message);
    });
  }

  set(key: string, status: StatusName, message: string): void {
    if (!isStatusName(status)) throw new CharmRelationsError(`StatusNotes: invalid status "${status}"`);
    const notes = this.#load();
    const old = notes.get(key);
    if (old?.status === status && old.message === message) return;
    notes.set(key, { status, message });
    this.#changed();
  }

  delete(key: string): void {
    if (this.#load().delete(key)) this.#changed();
  }

  get(key: string): WorkloadStatus | undefined {
    return this.#load().get(key);
  }

  keys(): string[] {
    return [...this.#load().keys()];
  }

  #changed(): void {
    if (this.#dirty) return;
    this.#dirty = true;
    this.#charm.model.afterFlush(() => {
      this.#dirty = false;
      const notes = this.#load();
      if (notes.size === 0) this.#store?.remove(this.#file);
      else this.#store?.write(this.#file, `${JSON.stringify(Object.fromEntries(notes))}\n`);
    });
  }

  #load(): Map<string, WorkloadStatus> {
    if (this.#notes === undefined) this.#notes = parseNotes(this.#store?.read(this.#file));
    return this.#notes;
  }
}

function parseNotes(text: string | undefined): Map<string, WorkloadStatus> {
  const notes = new Map<string, WorkloadStatus>();
  if (text === undefined) return notes;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return notes;
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return notes;
  for (const [key, value] of Object.entries(raw)) {
    const v = value as Record<string, unknown> | null;
    if (v && isStatusName(v.status) && typeof v.message === "string") {
      notes.set(key, { status: v.status, message: v.message });
    }
  }
  return notes;
}
