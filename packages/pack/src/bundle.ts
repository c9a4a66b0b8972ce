/**
 * The charm's code as one file: esbuild, ESM, minified, tree-shaken, for the Node version shipped.
 * The entry is bundled as it is (its own start-up code included), so whatever starts the charm in
 * `node dist/charm.js` starts it in the bundle: `import.meta.url` is then the bundle's URL.
 */

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { type BuildOptions, build, type Metafile } from "esbuild";
import { builtinsPlugin, scanBuiltinImports } from "./builtins.js";
import { PackError } from "./errors.js";

export interface BundleOptions {
  /** The charm's entry module (`src/charm.ts`). */
  readonly entry: string;
  /** The charm directory: the bundle is `dist/charm.mjs` in it (source map paths are relative to that). */
  readonly charmDir: string;
  /** Major version of the Node runtime shipped: esbuild's target. */
  readonly nodeMajor: number;
  /** Extra package.json export conditions (e.g. `@charm-relations/source` inside this repository). */
  readonly conditions?: readonly string[];
  /** Write `charm.mjs.map` (names and lines, no sources) for readable stack traces. */
  readonly sourcemap?: boolean;
  /** Load Node built-ins through `process.getBuiltinModule`, the heavy ones on first use (default on). */
  readonly lazyBuiltins?: boolean;
}

export interface Bundle {
  /** `dist/charm.mjs`, and `dist/charm.mjs.map` with `sourcemap`. */
  readonly files: ReadonlyMap<string, Buffer>;
  /** License texts of the npm packages bundled, or undefined when none. */
  readonly thirdPartyLicenses: string | undefined;
}

/**
 * Keeps dispatch's NODE_COMPILE_CACHE (read by now) from the processes the charm spawns: a
 * workload's `node` would otherwise write its cache into the charm directory.
 */
const BANNER = "delete process.env.NODE_COMPILE_CACHE;";
/** Gives bundled CommonJS dependencies a `require` (esbuild's `__require` looks for one). */
const REQUIRE_BANNER =
  'const require = process.getBuiltinModule("node:module").createRequire(import.meta.url);';

export const BUNDLE_NAME = "charm.mjs";
/** Where the bundle sits in the charm. */
export const BUNDLE_PATH = `dist/${BUNDLE_NAME}`;

export async function bundleCharm(options: BundleOptions): Promise<Bundle> {
  if (!existsSync(options.entry)) throw new PackError(`${options.entry}: no such entry module`);
  const absWorkingDir = options.charmDir;
  const common: BuildOptions = {
    absWorkingDir,
    entryPoints: [options.entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: `node${options.nodeMajor}`,
    conditions: [...(options.conditions ?? [])],
    outfile: join(absWorkingDir, "dist", BUNDLE_NAME),
    write: false,
    logLevel: "silent",
    metafile: true,
  };
  const run = async (extra: BuildOptions) => {
    try {
      return await build({ ...common, ...extra });
    } catch (error) {
      const errors = (error as { errors?: { text: string; location?: { file: string; line: number } }[] })
        .errors;
      const first = errors?.[0];
      throw new PackError(
        first
          ? `bundling ${options.entry}: ${first.location ? `${first.location.file}:${first.location.line}: ` : ""}${first.text}`
          : `bundling ${options.entry}: ${(error as Error).message}`,
      );
    }
  };
  // A first pass over the whole module graph: which built-ins are imported, and any CommonJS in it.
  const scan = await run({ minify: false, treeShaking: false, ignoreAnnotations: true });
  const plugins =
    (options.lazyBuiltins ?? true)
      ? [builtinsPlugin(scanBuiltinImports(scan.outputFiles!.find((f) => f.path.endsWith(".mjs"))!.text))]
      : [];
  const commonJs = Object.values(scan.metafile!.inputs).some((input) => input.format === "cjs");
  const result = await run({
    minify: true,
    treeShaking: true,
    legalComments: "none",
    banner: { js: commonJs ? `${REQUIRE_BANNER}\n${BANNER}` : BANNER },
    sourcemap: options.sourcemap ? "linked" : false,
    sourcesContent: false,
    plugins,
  });
  const files = new Map<string, Buffer>();
  for (const f of result.outputFiles!) {
    const name = relative(absWorkingDir, f.path);
    files.set(
      name,
      name.endsWith(".map") ? charmRelativeSources(f.text, absWorkingDir) : Buffer.from(f.contents),
    );
  }
  return { files, thirdPartyLicenses: thirdPartyLicenses(result.metafile!, absWorkingDir) };
}

/**
 * Source map paths as a unit will show them in stack traces: the charm's own files where they are
 * (`../src/charm.ts`), every dependency as `../node_modules/<package>/<file>`, wherever it came from
 * (a pnpm store, a workspace package), instead of `../../../node_modules/.pnpm/…`.
 */
function charmRelativeSources(mapText: string, charmDir: string): Buffer {
  const map = JSON.parse(mapText) as { sources: string[] };
  const distDir = join(charmDir, "dist");
  const roots = new Map<string, { root: string; name: string } | null>();
  const packageOf = (dir: string): { root: string; name: string } | null => {
    if (roots.has(dir)) return roots.get(dir)!;
    let name: unknown;
    try {
      name = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown }).name;
    } catch {
      // no package.json here
    }
    const parent = dirname(dir);
    // Nested package.json files without a name (zod has some) are not package roots.
    const found = typeof name === "string" ? { root: dir, name } : parent === dir ? null : packageOf(parent);
    roots.set(dir, found);
    return found;
  };
  map.sources = map.sources.map((source) => {
    if (!source.startsWith(".")) return source; // esbuild's own namespaces (the built-in stand-ins)
    const path = resolve(distDir, source);
    if (!relative(charmDir, path).startsWith("..")) return source;
    const pkg = packageOf(dirname(path));
    return pkg ? `../node_modules/${pkg.name}/${relative(pkg.root, path).split(sep).join("/")}` : source;
  });
  return Buffer.from(JSON.stringify(map));
}

/** The license of every npm package with code in the bundle (package.json `license` and its LICENSE file). */
function thirdPartyLicenses(metafile: Metafile, cwd: string): string | undefined {
  const roots = new Set<string>();
  for (const [input, info] of Object.entries(metafile.outputs).flatMap(([, o]) => Object.entries(o.inputs))) {
    if (info.bytesInOutput === 0) continue;
    const parts = join(cwd, input).split(sep);
    const at = parts.lastIndexOf("node_modules");
    if (at < 0) continue;
    const depth = parts[at + 1]?.startsWith("@") ? 3 : 2;
    roots.add(parts.slice(0, at + depth).join(sep));
  }
  const sections: string[] = [];
  for (const root of [...roots].sort()) {
    let pkg: { name?: string; version?: string; license?: string } = {};
    try {
      pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    } catch {
      // no package.json: name it by its directory
    }
    const file = ["LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "license"].find((f) =>
      existsSync(join(root, f)),
    );
    const text = file
      ? readFileSync(join(root, file), "utf8").trim()
      : `License: ${pkg.license ?? "not stated"}`;
    sections.push(`${pkg.name ?? root}${pkg.version ? `@${pkg.version}` : ""}\n${"-".repeat(60)}\n${text}\n`);
  }
  return sections.length ? sections.join("\n") : undefined;
}
