/** esbuild as tsx ships it (no extra dependency of ours), or a root devDependency if one is added. */
import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO } from "./paths.js";

/** The part of esbuild's API the bench uses (esbuild is tsx's dependency: no types to import). */
export interface Esbuild {
  readonly version: string;
  build(options: Record<string, unknown>): Promise<{
    metafile?: { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  }>;
}

let cached: Promise<Esbuild | undefined> | undefined;

export function loadEsbuild(): Promise<Esbuild | undefined> {
  cached ??= (async () => {
    const req = createRequire(join(REPO, "package.json"));
    const candidates: string[] = [];
    try {
      candidates.push(req.resolve("esbuild"));
    } catch {
      // not a root dependency
    }
    try {
      const tsx = realpathSync(dirname(req.resolve("tsx/package.json")));
      candidates.push(createRequire(join(tsx, "package.json")).resolve("esbuild"));
    } catch {
      // tsx not installed
    }
    for (const c of candidates) {
      try {
        return (await import(pathToFileURL(c).href)) as Esbuild;
      } catch {
        // try the next one
      }
    }
    return undefined;
  })();
  return cached;
}
