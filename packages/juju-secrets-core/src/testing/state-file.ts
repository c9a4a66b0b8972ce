/**
 * The state file the hook-tool fakes work on: the serialised `JujuModel` plus the running hook's
 * session (its unit, context and pending changes). A harness writes it before spawning a charm,
 * every fake tool loads it, acts and saves it, and the harness commits or rolls back afterwards.
 */

import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { CharmRelationsError } from "../errors.js";
import {
  type CommitResult,
  MemoryBackend,
  type MemoryBackendOptions,
  type SessionState,
} from "./memory-backend.js";
import { JujuModel, type ModelState } from "./model.js";

/** Environment variable naming the state file. */
export const FAKE_STATE_ENV = "CHARM_RELATIONS_FAKE_STATE";
export const FAKE_STATE_FORMAT = "charm-relations-fake-state/1";

export interface FakeStateFile {
  format: typeof FAKE_STATE_FORMAT;
  model: ModelState;
  /** Absent between hooks; the fakes then build one from JUJU_* variables. */
  session?: SessionState;
}

/** Write atomically (a crashed writer never leaves half a file). */
export function writeFakeState(path: string, model: JujuModel | ModelState, session?: SessionState): void {
  const file: FakeStateFile = {
    format: FAKE_STATE_FORMAT,
    model: model instanceof JujuModel ? model.state : model,
    ...(session ? { session } : {}),
  };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(file), { mode: 0o600 });
  renameSync(tmp, path);
}

export function readFakeState(path: string): FakeStateFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new CharmRelationsError(`cannot read fake state file ${path}: ${(e as Error).message}`);
  }
  const file = parsed as Partial<FakeStateFile> | null;
  if (!file || file.format !== FAKE_STATE_FORMAT || typeof file.model !== "object") {
    throw new CharmRelationsError(`${path} is not a ${FAKE_STATE_FORMAT} state file`);
  }
  return file as FakeStateFile;
}

/** How a hook-tool fake loads and saves the state file it works on. */
export interface FakeStateStore {
  load(path: string): { model: JujuModel; session?: SessionState };
  save(path: string, model: JujuModel, session: SessionState): void;
}

/** Straight from and to the file. */
export const FAKE_STATE_FILES: FakeStateStore = {
  load(path) {
    const file = readFakeState(path);
    const model = JujuModel.fromJSON(file.model);
    return file.session ? { model, session: file.session } : { model };
  },
  save: writeFakeState,
};

/** Save a live session so a child process's hook tools can continue it. */
export function saveSession(path: string, backend: MemoryBackend): void {
  writeFakeState(path, backend.model, backend.exportSession());
}

/** Take back what the child process's hook tools did (model side effects + pending changes). */
export function loadSession(path: string, backend: MemoryBackend): void {
  const file = readFakeState(path);
  if (!file.session) throw new CharmRelationsError(`${path} holds no hook session`);
  backend.adopt(file.model, file.session);
}

/** Start a hook for `options.unit` in a state file (for driving the fakes without a Simulation). */
export function startFakeHook(path: string, model: JujuModel, options: MemoryBackendOptions): void {
  saveSession(path, new MemoryBackend(model, options));
}

/**
 * End the hook in a state file: commit when the charm exited 0, roll back otherwise. The file then
 * holds the model alone again.
 */
export function finishFakeHook(path: string, success: boolean): { model: JujuModel; commit?: CommitResult } {
  const file = readFakeState(path);
  const model = JujuModel.fromJSON(file.model);
  if (!file.session) return { model };
  const backend = MemoryBackend.resume(model, file.session);
  let commit: CommitResult | undefined;
  if (success) commit = backend.commit();
  else backend.rollback();
  writeFakeState(path, model);
  return commit ? { model, commit } : { model };
}
