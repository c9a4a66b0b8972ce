/**
 * Unit-local state: small files a unit keeps on its own disk, under `<charm dir>/.charm-relations`
 * (where ops keeps its unit state). Not Juju data: nothing is committed or rolled back with the hook,
 * a write is on disk at once. Names carry the unit (`status.app-0.json`) because test harnesses may
 * run several units on one charm dir.
 *
 * In-process harnesses have no charm dir; a backend that models the unit's disk (`MemoryBackend`
 * keeps these files in the in-memory model, per unit) offers a store instead, so the same charm code
 * sees the same state both ways.
 */

import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Backend } from "../backend/types.js";

export interface UnitLocalState {
  /** The file's text, or undefined when there is none (or it cannot be read). */
  read(name: string): string | undefined;
  write(name: string, text: string): void;
  remove(name: string): void;
}

/** The folder under the charm dir, shared with the departure markers. */
export const UNIT_STATE_DIR = ".charm-relations";

/** A backend that can hold unit-local files itself (the in-memory harness). */
export interface UnitStateBackend extends Backend {
  readonly unitState: UnitLocalState;
}

/** `<dir>/<name>` files, written atomically (a killed hook never leaves half a file). */
export function fileUnitState(dir: string): UnitLocalState {
  return {
    read(name) {
      try {
        return readFileSync(join(dir, name), "utf8");
      } catch {
        return undefined;
      }
    },
    write(name, text) {
      mkdirSync(dir, { recursive: true });
      const path = join(dir, name);
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, path);
    },
    remove(name) {
      rmSync(join(dir, name), { force: true });
    },
  };
}

/**
 * Where this hook keeps unit-local state: files in the charm dir when Juju gave one, else the
 * backend's own store when it has one, else nowhere (every cache built on it stays empty).
 */
export function unitStateFor(charmDir: string | undefined, backend: Backend): UnitLocalState | undefined {
  if (charmDir) return fileUnitState(join(charmDir, UNIT_STATE_DIR));
  const store = (backend as Partial<UnitStateBackend>).unitState;
  return store && typeof store.read === "function" ? store : undefined;
}

/** `app/0` → `app-0`, for file names. */
export const unitFileTag = (unit: string): string => unit.replace("/", "-");
