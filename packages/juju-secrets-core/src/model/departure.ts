/**
 * LP#1979811: a unit that is being removed gets relation-broken for relations that live on for the
 * other units. If that unit is the leader, tearing down in relation-broken would remove the secrets
 * the relation still runs on (and a provider would delete a user that is still in use). The only
 * signal is relation-departed with `JUJU_DEPARTING_UNIT` = this unit, one hook earlier, so it is
 * remembered in a marker file in the unit's own charm directory (where ops keeps its unit state).
 */

import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RelationRef } from "../backend/types.js";
import type { Charm } from "../hook/charm.js";

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

/** Remembers, from relation-departed to relation-broken, that this unit leaves a relation of `endpoint`. */
export class DepartureMarker {
  readonly #charm: Charm;
  readonly #dir: string | undefined;

  constructor(charm: Charm, endpoint: string, options: DepartureMarkerOptions = {}) {
    this.#charm = charm;
    const ctx = charm.context;
    this.#dir = options.stateDir ?? (ctx.charmDir ? join(ctx.charmDir, ".charm-relations") : undefined);
    charm.on(
      "relationDeparted",
      (e) => {
        if (e.departingUnit === charm.unit) this.#mark(e.relation.ref);
      },
      { endpoint },
    );
  }

  /** One file per unit and relation: several units may share a charm dir in test harnesses. */
  #name(relation: RelationRef): string {
    return `departing.${this.#charm.unit.replace("/", "-")}.${relation.endpoint}.${relation.id}`;
  }

  #memoryKey(relation: RelationRef): string {
    return `${this.#charm.context.modelUuid}/${this.#name(relation)}`;
  }

  #mark(relation: RelationRef): void {
    if (this.#dir === undefined) {
      IN_MEMORY.add(this.#memoryKey(relation));
      return;
    }
    mkdirSync(this.#dir, { recursive: true });
    writeFileSync(join(this.#dir, this.#name(relation)), `${this.#charm.unit}\n`);
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
