/**
 * Section 2b: cold start. Every hook is a fresh process, so import time is paid on every hook.
 *
 * - import time of the core and of each interface package (and of zod alone, which every interface
 *   package loads for its schemas): a fresh node process per run, `performance.now()` around a dynamic
 *   `import()` of the built entry;
 * - each example charm bundled with esbuild (the one tsx ships with): bundle size (plain and minified)
 *   with the biggest inputs, and the start-up of `node dist/charm.js` vs `node bundle.mjs` (no JUJU_*
 *   environment: the charm parses its context, fails with a HookContextError and exits 1, so the time
 *   is module loading plus the runtime's start, without any hook-tool call).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Esbuild, loadEsbuild } from "./lib/esbuild.js";
import {
  CORE_DIST,
  EXAMPLES_DIR,
  INTERFACE_PACKAGES,
  interfacePackageDirs,
  packageEntry,
  REPO,
} from "./lib/paths.js";
import { kib, median, ms, round, table } from "./lib/stats.js";
import { examplePairs } from "./walltime.js";

export interface ImportRow {
  readonly module: string;
  readonly medianMs: number;
  readonly minMs: number;
  readonly runs: number;
  readonly error?: string;
}

export interface BundleRow {
  readonly example: string;
  readonly bytes: number;
  readonly minifiedBytes: number;
  /** Largest inputs of the bundle, as share of its bytes. */
  readonly top: { readonly input: string; readonly bytes: number }[];
  readonly zodBytes: number;
  /** Median ms of `node dist/charm.js` and of `node bundle.mjs` (until it exits). */
  readonly distStartMs: number;
  readonly bundleStartMs: number;
  readonly error?: string;
}

export interface ColdStartResult {
  readonly nodeMs: number;
  readonly imports: ImportRow[];
  readonly bundles: BundleRow[];
  readonly esbuild?: string;
}

function importTime(url: string, runs: number, cwd = REPO): ImportRow & { module: string } {
  const times: number[] = [];
  const script = `const t=performance.now();await import(${JSON.stringify(url)});process.stdout.write(String(performance.now()-t))`;
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", cwd });
    if (r.status !== 0)
      return {
        module: url,
        medianMs: Number.NaN,
        minMs: Number.NaN,
        runs: i,
        error: r.stderr.split("\n").find((l) => /Error/.test(l)) ?? "failed",
      };
    times.push(Number(r.stdout));
  }
  return { module: url, medianMs: round(median(times)), minMs: round(Math.min(...times)), runs };
}

function processTime(args: string[], runs: number, cwd: string): number {
  const times: number[] = [];
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("JUJU_") && k !== "CHARM_DIR"),
  );
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    spawnSync(process.execPath, args, { cwd, env, stdio: "ignore" });
    times.push(performance.now() - start);
  }
  return round(median(times));
}

async function bundle(esbuild: Esbuild, example: string, dir: string, runs: number): Promise<BundleRow> {
  const entry = join(EXAMPLES_DIR, example, "dist", "charm.js");
  const outfile = join(dir, `${example}.mjs`);
  const common = {
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "silent",
  } as const;
  // A bundled ESM file has no `require`; node builtins imported through createRequire need one.
  const banner = {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  };
  const plain = await esbuild.build({ ...common, outfile, metafile: true, banner });
  await esbuild.build({ ...common, outfile: join(dir, `${example}.min.mjs`), minify: true, banner });
  const output = Object.entries(plain.metafile?.outputs ?? {}).find(([k]) =>
    k.endsWith(`${example}.mjs`),
  )?.[1];
  const inputs = Object.entries(output?.inputs ?? {}).map(([input, v]) => ({
    input: input.replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, "").replace(/^(\.\.\/)+/, ""),
    bytes: v.bytesInOutput,
  }));
  const byPackage = new Map<string, number>();
  for (const i of inputs) {
    const key = i.input.startsWith("zod/") ? "zod" : i.input.replace(/\/(dist|src)\/.*$/, "");
    byPackage.set(key, (byPackage.get(key) ?? 0) + i.bytes);
  }
  const top = [...byPackage.entries()]
    .map(([input, bytes]) => ({ input, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 4);
  const cwd = join(EXAMPLES_DIR, example);
  return {
    example,
    bytes: statSync(outfile).size,
    minifiedBytes: statSync(join(dir, `${example}.min.mjs`)).size,
    top,
    zodBytes: byPackage.get("zod") ?? 0,
    distStartMs: processTime([entry], runs, cwd),
    bundleStartMs: processTime([join(dir, `${example}.min.mjs`)], runs, cwd),
  };
}

export async function runColdStart(options: { runs?: number } = {}): Promise<ColdStartResult> {
  const runs = options.runs ?? 5;
  const nodeMs = processTime(["-e", "0"], runs, REPO);
  const modules: [string, string][] = [
    ["@charm-relations/juju-secrets-core", join(CORE_DIST, "index.js")],
    ...interfacePackageDirs().map((p): [string, string] => [`@charm-relations/${p}`, packageEntry(p)]),
  ];
  const imports: ImportRow[] = [];
  for (const [name, path] of modules) {
    if (!existsSync(path)) {
      imports.push({ module: name, medianMs: Number.NaN, minMs: Number.NaN, runs: 0, error: "not built" });
      continue;
    }
    imports.push({ ...importTime(pathToFileURL(path).href, runs), module: name });
  }
  // zod as the interface packages import it (ESM entry, resolved from one of them).
  const pkgDir = join(REPO, "packages", INTERFACE_PACKAGES.postgresql_client);
  imports.push({ ...importTime("zod", runs, pkgDir), module: "zod (alone)" });

  const esbuild = await loadEsbuild();
  const bundles: BundleRow[] = [];
  if (esbuild) {
    const dir = mkdtempSync(join(tmpdir(), "charm-relations-bench-bundle-"));
    try {
      for (const x of examplePairs()) {
        for (const side of ["provider", "requirer"]) {
          const example = `${x}-${side}`;
          try {
            bundles.push(await bundle(esbuild, example, dir, Math.max(3, Math.ceil(runs / 2))));
          } catch (e) {
            const error = (e as Error).message.split("\n")[0]!;
            bundles.push({
              example,
              bytes: 0,
              minifiedBytes: 0,
              top: [],
              zodBytes: 0,
              distStartMs: Number.NaN,
              bundleStartMs: Number.NaN,
              error,
            });
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { nodeMs, imports, bundles, ...(esbuild ? { esbuild: esbuild.version } : {}) };
}

export function printColdStart(result: ColdStartResult): string {
  const out = [
    `## 2b. Cold start (fresh node process per run; \`node -e 0\` alone: ${ms(result.nodeMs)} ms)\n`,
  ];
  out.push(
    table(
      ["module", "import median ms", "min ms", "runs"],
      result.imports.map((r) => [r.module, r.error ? r.error : ms(r.medianMs), ms(r.minMs), r.runs]),
    ),
  );
  if (!result.esbuild) {
    out.push("\nbundles: esbuild not found (it ships with tsx)");
    return out.join("\n");
  }
  out.push(
    `\nexample charms bundled with esbuild ${result.esbuild} (esm, node20); start = process until exit, no JUJU_* env\n`,
  );
  out.push(
    table(
      ["example", "bundle", "minified", "zod share", "largest inputs", "start dist/ ms", "start bundle ms"],
      result.bundles.map((b) =>
        b.error
          ? [b.example, "-", "-", "-", b.error, "-", "-"]
          : [
              b.example,
              kib(b.bytes),
              kib(b.minifiedBytes),
              `${Math.round((100 * b.zodBytes) / b.bytes)}%`,
              b.top.map((t) => `${t.input} ${kib(t.bytes)}`).join(", "),
              ms(b.distStartMs, 0),
              ms(b.bundleStartMs, 0),
            ],
      ),
    ),
  );
  return out.join("\n");
}
