/**
 * LP#1979811: a unit that is being removed gets relation-broken for relations that live on for the
 * other units. If that unit is the leader, tearing down in relation-broken would remove the secrets
 * the relation still runs on (and a provider would delete a user that is still in use). The only
 * signal is relation-departed with `JUJU_DEPARTING_UNIT` = this unit, one hook earlier, so it is
 * remembered in a marker file in the unit's own charm directory (where ops keeps its unit state).
 */

import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RelationRef } from "../types.js";
import type { Model } from "./model.js";

export interface DepartureMarkerOptions {
  /**
   * The directory to keep markers in (default `<charm dir>/.charm-relations`). Without either (an
   * in-process test harness), markers live in memory for the life of the process.
   */
  readonly stateDir?: string;
}

/**
 * Markers of units that have no charm dir: only in-process harnesses run so, and a file under a shared
 * temp dir would outlive the test (markers are never cleared) and poison the next run of a fixed model.
 */
const IN_MEMORY = new Set<string>();

/**
 * Remembers, from relation-departed to relation-broken, that this unit leaves a relation. The engines
 * call `departed` from their relation-departed observer.
 */
export class DepartureMarker {
  readonly #model: Model;
  readonly #dir: string | undefined;

  constructor(model: Model, options: DepartureMarkerOptions = {}) {
    this.#model = model;
    const ctx = model.context;
    this.#dir = options.stateDir ?? (ctx.charmDir ? join(ctx.charmDir, ".charm-relations") : undefined);
  }

  /** relation-departed: remember the relation when the departing unit is this one. */
  departed(relation: RelationRef, departingUnit: string | undefined): void {
    if (departingUnit === this.#model.context.unitName) this.#mark(relation);
  }

  /** One file per unit and relation: several units may share a charm dir in test harnesses. */
  #name(relation: RelationRef): string {
    return `departing.${this.#model.context.unitName.replace("/", "-")}.${relation.endpoint}.${relation.id}`;
  }

  #memoryKey(relation: RelationRef): string {
    return `${this.#model.context.modelUuid}/${this.#name(relation)}`;
  }

  #mark(relation: RelationRef): void {
    if (this.#dir === undefined) {
      IN_MEMORY.add(this.#memoryKey(relation));
      return;
    }
    mkdirSync(this.#dir, { recursive: true });
    writeFileSync(join(this.#dir, this.#name(relation)), `${this.#model.context.unitName}\n`);
  }

  /** This unit is leaving the relation while the relation itself lives on. */
  isDeparting(relation: RelationRef): boolean {
    if (this.#dir === undefined) return IN_MEMORY.has(this.#memoryKey(relation));
    try {
      return statSync(join(this.#dir, this.#name(relation))).isFile();
    } catch {
      return false;
    }
  }
}
