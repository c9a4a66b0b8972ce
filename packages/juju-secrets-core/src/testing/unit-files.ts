/**
 * A unit's charm-dir files in the in-memory model (`UnitState.localFiles`), and their copy on a real
 * charm dir for a charm run as a process. Like files on the unit's disk, they are written at once
 * and never rolled back with the hook.
 */

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UNIT_STATE_DIR, type UnitLocalState } from "../model/unit-state.js";
import type { JujuModel } from "./model.js";

/** The files of `unit` as the runtime's unit-local state. */
export function memoryUnitState(model: JujuModel, unit: string): UnitLocalState {
  // Looked up on every call: a process run replaces the model's state object (`adopt`).
  const files = (): Record<string, string> => {
    const u = model.unit(unit);
    u.localFiles ??= {};
    return u.localFiles;
  };
  return {
    read: (name) => (Object.hasOwn(files(), name) ? files()[name] : undefined),
    write: (name, text) => {
      files()[name] = text;
    },
    remove: (name) => {
      delete files()[name];
    },
  };
}

/** Write the unit's files under `<charmDir>/.charm-relations` before its process runs. */
export function writeUnitFiles(model: JujuModel, unit: string, charmDir: string): void {
  const dir = join(charmDir, UNIT_STATE_DIR);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(model.unit(unit).localFiles ?? {})) {
    writeFileSync(join(dir, name), text);
  }
}

/** Take back what the process left under `<charmDir>/.charm-relations` (the whole set, as on disk). */
export function readUnitFiles(model: JujuModel, unit: string, charmDir: string): void {
  if (!model.hasUnit(unit)) return;
  const dir = join(charmDir, UNIT_STATE_DIR);
  const files: Record<string, string> = {};
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // no state dir: no files
  }
  for (const name of names.sort()) {
    if (name.endsWith(".tmp")) continue; // a write the process did not finish
    files[name] = readFileSync(join(dir, name), "utf8");
  }
  const u = model.unit(unit);
  if (Object.keys(files).length > 0) u.localFiles = files;
  else delete u.localFiles;
}
