/**
 * LP#1979811: a unit that is being removed gets relation-broken for relations that live on for the
 * other units. If that unit is the leader, tearing down in relation-broken would remove the secrets
 * the relation still runs on (and the provider would delete a user that is still in use). The only
 * signal is relation-departed with `JUJU_DEPARTING_UNIT` = this unit, one hook earlier, so it is
 * remembered in a marker file in the unit's own charm directory (where ops keeps its unit state).
 */

import { mkdirSync, readdirSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Charm, RelationRef } from "@charm-relations/juju-secrets-core";

export interface DepartureMarkerOptions {
  /** Where to keep the marker (default `<charm dir>/.charm-relations`, else a per-unit temp dir). */
  readonly stateDir?: string;
}

export class DepartureMarker {
  readonly #charm: Charm;
  readonly #dir: string;

  constructor(charm: Charm, endpoint: string, options: DepartureMarkerOptions = {}) {
    this.#charm = charm;
    const ctx = charm.context;
    this.#dir =
      options.stateDir ??
      (ctx.charmDir
        ? join(ctx.charmDir, ".charm-relations")
        : join(tmpdir(), `charm-relations-${ctx.modelUuid}-${ctx.unitName.replace("/", "-")}`));
    charm.on(
      "relationDeparted",
      (e) => {
        if (e.context.departingUnit === charm.unit) this.#mark(e.context.relation!);
      },
      { endpoint },
    );
  }

  #file(relation: RelationRef): string {
    return join(this.#dir, `${relation.endpoint}.${relation.id}.departing`);
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

  /** Forget the marker (after relation-broken). */
  clear(relation: RelationRef): void {
    rmSync(this.#file(relation), { force: true });
    try {
      if (readdirSync(this.#dir).length === 0) rmdirSync(this.#dir);
    } catch {
      // already gone
    }
  }
}
