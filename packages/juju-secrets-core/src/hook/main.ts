/** The entry point of a charm's `dist/charm.js`, which tests import without running a hook. */

import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Charm, type CharmOptions, runCharm } from "./charm.js";

/**
 * True when the module at `moduleUrl` (pass `import.meta.url`) is the script node was started with,
 * through any symlink (the `dispatch` script runs `node ./dist/charm.js`).
 */
export function isMainModule(moduleUrl: string, argv: readonly string[] = process.argv): boolean {
  try {
    return argv[1] !== undefined && realpathSync(argv[1]) === fileURLToPath(moduleUrl);
  } catch {
    return false;
  }
}

/**
 * `runCharm(setup)` when the calling module is the process's entry point, else nothing: the same file
 * exports `setup` for in-process tests. `runCharmIfMain(import.meta.url, setup)` at the end of charm.ts.
 */
export function runCharmIfMain(
  moduleUrl: string,
  setup: (charm: Charm) => void | Promise<void>,
  options: CharmOptions = {},
): Promise<number> | undefined {
  return isMainModule(moduleUrl) ? runCharm(setup, options) : undefined;
}
