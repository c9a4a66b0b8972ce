/**
 * `createHookToolBin`: a directory with one executable per hook tool, each a symlink to the compiled
 * fake (`dist/testing/hook-tool-cli.js`), which dispatches on the name it was called by. Put the
 * directory first on PATH and `CHARM_RELATIONS_FAKE_STATE` in the environment of the charm process.
 */

import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, symlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HOOK_TOOLS } from "../backend/types.js";
import { CharmRelationsError } from "../errors.js";

/**
 * Path of the compiled fake. From `dist/testing/` it sits next to this module; from `src/testing/`
 * (tests on sources) it is the package's build output, so run `tsc -b` first.
 */
export function hookToolCliPath(): string {
  const candidates = [
    fileURLToPath(new URL("./hook-tool-cli.js", import.meta.url)),
    fileURLToPath(new URL("../../dist/testing/hook-tool-cli.js", import.meta.url)),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new CharmRelationsError(
      `the hook-tool fakes are not built (looked for ${candidates.join(", ")}); run \`pnpm exec tsc -b\` in packages/juju-secrets-core`,
    );
  }
  return found;
}

/** Create (or refresh) a bin directory of hook-tool fakes; returns its path. */
export function createHookToolBin(dir?: string): string {
  const cli = hookToolCliPath();
  chmodSync(cli, 0o755);
  const bin = dir ?? mkdtempSync(join(tmpdir(), "charm-relations-hook-tools-"));
  mkdirSync(bin, { recursive: true });
  for (const tool of HOOK_TOOLS) {
    const link = join(bin, tool);
    try {
      if (lstatSync(link)) unlinkSync(link);
    } catch {
      // not there yet
    }
    symlinkSync(cli, link);
  }
  return bin;
}
