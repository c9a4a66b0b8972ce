/**
 * LP#1979811: a unit that is being removed gets relation-broken for relations that live on for the
 * other units. If that unit is the leader, tearing down in relation-broken would remove the secrets
 * the relation still runs on (and a provider would delete a user that is still in use). The only
 * signal is relation-departed with `JUJU_DEPARTING_UNIT` = this unit, one hook earlier, so it is
 * remembered in a marker file in the unit's own charm directory (where ops keeps its unit state).
 */

import { mkdirSync, readdirSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RelationRef } from "../backend/types.js";
import type { Charm } from "../hook/charm.js";

export interface DepartureMarkerOptions {
  /**
   * The directory to keep markers in (default `<charm dir>/.charm-relations`, else a per-unit temp
   * dir). A directory given here is left in place when its last marker goes.
   */
  readonly stateDir?: string;
}

/** Remembers, from relation-departed to relation-broken, that this unit leaves a relation of `endpoint`. */
export class DepartureMarker {
  readonly #charm: Charm;
  readonly #dir: string;
  readonly #ownsDir: boolean;

  constructor(charm: Charm, endpoint: string, options: DepartureMarkerOptions = {}) {
    this.#charm = charm;
    const ctx = charm.context;
    this.#ownsDir = options.stateDir === undefined;
    this.#dir =
      options.stateDir ??
      (ctx.charmDir
        ? join(ctx.charmDir, ".charm-relations")
        : join(tmpdir(), `charm-relations-${ctx.modelUuid}-${ctx.unitName.replace("/", "-")}`));
    charm.on(
      "relationDeparted",
      (e) => {
        if (e.departingUnit === charm.unit) this.#mark(e.relation.ref);
      },
      { endpoint },
    );
  }

  /** One file per unit and relation: several units may share a charm dir in test harnesses. */
  #file(relation: RelationRef): string {
    const unit = this.#charm.unit.replace("/", "-");
    return join(this.#dir, `departing.${unit}.${relation.endpoint}.${relation.id}`);
  }

  #mark(relation: RelationRef): void {
    mkdirSync(this.#dir, { recursive: true });
    writeFileSync(this.#file(relation), `${this.#charm.unit}\n`);
  }

  /** This unit is leaving the relation while the relation itself lives on. */
  isDeparting(relation: RelationRef): boolean {
    try {
      return statSync(this.#file(relation)).isFile();
    } catch {
      return false;
    }
  }

  /**
   * Forget the marker (after relation-broken) once the hook succeeded: a relation-broken that fails
   * is retried by Juju and must still find it. Until then `isDeparting` keeps its answer.
   */
  clear(relation: RelationRef): void {
    this.#charm.model.afterFlush(() => {
      rmSync(this.#file(relation), { force: true });
      if (!this.#ownsDir) return;
      try {
        if (readdirSync(this.#dir).length === 0) rmdirSync(this.#dir);
      } catch {
        // already gone
      }
    });
  }
}
