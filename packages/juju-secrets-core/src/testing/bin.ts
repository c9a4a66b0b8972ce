/**
 * `createHookToolBin`: a directory with one executable per hook tool, each a symlink to the fakes'
 * client (`dist/testing/hook-tool`, a bash script built from `hook-tool.sh`), which dispatches on the name it was called by and
 * has the bin dir's fake server (`fake-server.js`, started here, in the background) run the call. Put
 * the directory first on PATH and `CHARM_RELATIONS_FAKE_STATE` in the environment of the charm
 * process; node need not be on that PATH.
 */

import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  symlinkSync,
  unlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HOOK_TOOLS } from "../backend/types.js";
import { CharmRelationsError } from "../errors.js";
import { UNIT_STATE_DIR } from "../model/unit-state.js";
import { startFakeServer } from "./fake-server.js";

/**
 * A file of the package's build output. From `dist/testing/` it sits next to this module; from
 * `src/testing/` (tests on sources) it is in `dist/testing/`, so build first.
 */
function builtTestingFile(name: string): string {
  const candidates = [
    fileURLToPath(new URL(`./${name}`, import.meta.url)),
    fileURLToPath(new URL(`../../dist/testing/${name}`, import.meta.url)),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new CharmRelationsError(
      `the hook-tool fakes are not built (looked for ${candidates.join(", ")}); run \`pnpm build\` in packages/juju-secrets-core`,
    );
  }
  return found;
}

/** Path of the executable every tool in a bin dir links to (the client of the fake server). */
export function hookToolCliPath(): string {
  return builtTestingFile("hook-tool");
}

/** Create (or refresh) a bin directory of hook-tool fakes and start its server; returns its path. */
export function createHookToolBin(dir?: string): string {
  const cli = hookToolCliPath();
  chmodSync(cli, 0o755);
  const bin = resolve(dir ?? mkdtempSync(join(tmpdir(), "charm-relations-hook-tools-")));
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
  startFakeServer(bin, builtTestingFile("fake-server.js"));
  return bin;
}

/**
 * A charm dir for one deployed app in a process test: links to the files of `source` (dispatch, dist,
 * node_modules, …) in `into` (default a new temp dir). Each app then starts with empty unit-local state
 * (`.charm-relations/`: last status, notes, departure markers), as a new Juju unit does, and nothing is
 * written into the source tree. Node resolves the linked `dist/` to its real path, so imports work.
 */
export function linkCharmDir(source: string, into?: string): string {
  const dir = resolve(into ?? mkdtempSync(join(tmpdir(), "charm-relations-charm-")));
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(source)) {
    if (name !== UNIT_STATE_DIR) symlinkSync(resolve(source, name), join(dir, name));
  }
  return dir;
}
