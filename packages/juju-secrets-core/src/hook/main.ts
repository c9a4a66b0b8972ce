/**
 * The entry point of a charm: `void runCharmIfMain(import.meta.url, setup);` as the last line of
 * `src/charm.ts`. Node runs it as `dist/charm.js` (built with tsc, or one esbuild bundle, whose
 * `import.meta.url` is then the bundle's); tests import the same file for `setup` and run no hook.
 */

import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CharmRelationsError } from "../errors.js";
import { type Charm, type CharmOptions, runCharm } from "./charm.js";

/**
 * True when the module at `moduleUrl` (pass `import.meta.url`) is the script node was started with.
 * Paths are compared as files, not as text: URL-encoded characters (spaces, `%`, non-ASCII), a
 * relative `argv[1]`, one without its `.js` (node's own lookup), and symlinks on either side (a
 * symlinked charm dir, `--preserve-symlinks-main`) all count.
 *
 * A `moduleUrl` that is not a `file:` URL throws instead of answering false: a CommonJS bundle has
 * no `import.meta.url`, and "not main" would then silently skip every hook.
 */
export function isMainModule(moduleUrl: string, argv: readonly string[] = process.argv): boolean {
  const modulePath = modulePathOf(moduleUrl);
  const script = argv[1];
  if (script === undefined || script === "") return false;
  const main = mainPathOf(script, modulePath);
  if (main === undefined) return false;
  return main === realPath(modulePath);
}

/**
 * `runCharm(setup)` when the calling module is the process's entry point, else nothing: the same file
 * exports `setup` for in-process tests. Resolves to the exit code (also set on `process.exitCode`).
 */
export function runCharmIfMain(
  moduleUrl: string,
  setup: (charm: Charm) => void | Promise<void>,
  options: CharmOptions = {},
): Promise<number> | undefined {
  return isMainModule(moduleUrl) ? runCharm(setup, options) : undefined;
}

function modulePathOf(moduleUrl: string): string {
  if (typeof moduleUrl === "string" && moduleUrl.startsWith("file:")) {
    try {
      return fileURLToPath(moduleUrl);
    } catch {
      // fall through to the error below
    }
  }
  const shown = typeof moduleUrl === "string" ? JSON.stringify(moduleUrl.slice(0, 200)) : typeof moduleUrl;
  throw new CharmRelationsError(
    `runCharmIfMain: expected import.meta.url of the charm's ES module (a file: URL), got ${shown}; ` +
      "a CommonJS bundle has none (bundle with --format=esm)",
  );
}

/**
 * The file node runs for `node <script>`: node's own lookup for a main entry (the file itself, then
 * `.js`/`.json`/`.node`, a directory's package.json `main` or `index.js`), through symlinks.
 */
function mainPathOf(script: string, modulePath: string): string | undefined {
  try {
    return realPath(createRequire(modulePath).resolve(resolve(script)));
  } catch {
    return undefined;
  }
}

function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
