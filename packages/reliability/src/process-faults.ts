/**
 * The same faults end to end: the charm runs in-process on the real `ProcessBackend`, which spawns
 * the hook-tool fakes (`createHookToolBin`) through wrapper scripts that count calls and break the
 * Nth one (Juju's stderr and exit code, garbage on stdout, or a hang until the backend kills it).
 */

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { type Charm, Charm as CharmClass } from "@charm-relations/juju-secrets-core";
import { HOOK_TOOLS, ProcessBackend } from "@charm-relations/juju-secrets-core/backend";
import {
  createHookToolBin,
  FAKE_STATE_ENV,
  type HookRunner,
  jujuEnvFor,
  loadSession,
  MemoryBackend,
  saveSession,
} from "@charm-relations/juju-secrets-core/testing";
import { FAULT_STDERR, type FaultKind, GARBAGE_STDOUT } from "./fault-backend.js";

export interface FaultyBin {
  /** Directory to put first on PATH. */
  readonly dir: string;
  /** Remove both directories. */
  dispose(): void;
}

/** Wrapper scripts for every hook tool in front of the fakes. */
export function createFaultyBin(): FaultyBin {
  const real = createHookToolBin();
  const dir = mkdtempSync(join(tmpdir(), "reliability-faulty-bin-"));
  writeFileSync(join(dir, ".garbage"), GARBAGE_STDOUT);
  writeFileSync(join(dir, ".exit1"), FAULT_STDERR.exit1);
  writeFileSync(join(dir, ".exit2"), FAULT_STDERR.exit2);
  for (const tool of HOOK_TOOLS) {
    const script = `#!/bin/sh
# Count this call; break it when it is the one asked for, else run the real fake.
n=$(cat "$FAULT_COUNTER" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$FAULT_COUNTER"
if [ "$n" = "$FAULT_AT" ]; then
  case "$FAULT_KIND" in
    exit1) cat "${dir}/.exit1" >&2; exit 1 ;;
    exit2) cat "${dir}/.exit2" >&2; exit 2 ;;
    garbage) "${real}/${tool}" "$@" > /dev/null; cat "${dir}/.garbage"; exit 0 ;;
    timeout) exec sleep 30 ;;
  esac
fi
exec "${real}/${tool}" "$@"
`;
    const path = join(dir, tool);
    writeFileSync(path, script);
    chmodSync(path, 0o755);
  }
  return {
    dir,
    dispose() {
      rmSync(dir, { recursive: true, force: true });
      rmSync(real, { recursive: true, force: true });
    },
  };
}

export interface ProcessFault {
  readonly at: number;
  readonly kind: FaultKind;
}

/**
 * A runner that gives the charm a real `ProcessBackend` over the fakes, continuing the harness's
 * `MemoryBackend` session through a state file (so the Simulation / runOnce commit or roll back as
 * usual). `seen` receives the backend, to inspect its calls afterwards.
 */
export function processRunner(
  setup: (charm: Charm) => void | Promise<void>,
  options: { bin: FaultyBin; fault?: ProcessFault; timeoutMs?: number; seen?: (b: ProcessBackend) => void },
): HookRunner {
  return async (backend, context) => {
    if (!(backend instanceof MemoryBackend)) throw new Error("processRunner needs a MemoryBackend session");
    const work = mkdtempSync(join(tmpdir(), "reliability-hook-"));
    const stateFile = join(work, "state.json");
    saveSession(stateFile, backend);
    const env: NodeJS.ProcessEnv = {
      PATH: `${options.bin.dir}${delimiter}${process.env.PATH ?? ""}`,
      [FAKE_STATE_ENV]: stateFile,
      FAULT_COUNTER: join(work, "counter"),
      FAULT_AT: String(options.fault?.at ?? 0),
      FAULT_KIND: options.fault?.kind ?? "",
      ...jujuEnvFor(context),
    };
    const pb = new ProcessBackend({ env, timeoutMs: options.timeoutMs ?? 60_000, onWarning: () => {} });
    options.seen?.(pb);
    try {
      const charm = new CharmClass({ backend: pb, context });
      await setup(charm);
      await charm.dispatch();
    } finally {
      loadSession(stateFile, backend);
      rmSync(work, { recursive: true, force: true });
    }
  };
}
