/**
 * `pnpm bench:pack`: the packed charms (`charm-relations-pack`). Scripts only: nothing here asserts.
 *
 * 1. pack: every example packed for every platform of its charmcraft.yaml (into a temporary
 *    directory): time per example and the size of each .charm.
 * 2. start: how long a hook takes to start on the shipped runtime, against a bare `node -e 0` of the
 *    same runtime. The charm runs through its own `dispatch` with a hook's environment; every hook tool
 *    on its PATH is `kill -KILL $PPID`, so the process ends at its first hook-tool call and the time is
 *    everything a hook pays before it talks to Juju: runtime start, dispatch, loading the bundle,
 *    parsing the context, `setup()`. "first hook" runs with no compile cache (removed before each run),
 *    "later hooks" with the cache a previous hook left in the charm directory. Runs are interleaved
 *    (node, first, later, node, …); the ratio is the median of the per-round ratios.
 *    For postgresql-requirer also the choices behind the shipped setup: no compile cache, built-ins
 *    imported eagerly (plain ESM imports), and `--enable-source-maps` off.
 * 3. walltime: the median hook wall time of the example pairs run as processes (bench/walltime.ts),
 *    unbundled (`node dist/charm.js` on this machine's Node) against packed (unpacked .charm).
 *
 *   pnpm bench:pack                       everything (builds first)
 *   tsx bench/pack.ts --only=start --runs=31
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { HOOK_TOOLS } from "../packages/juju-secrets-core/dist/index.js";
import { bundleCharm, type PackResult, packCharm } from "../packages/pack/dist/index.js";
import { EXAMPLES_DIR, RESULTS_DIR } from "./lib/paths.js";
import { median, ms, round, table } from "./lib/stats.js";
import { runWallTime, type WallTimeResult } from "./walltime.js";

const ARCH = process.arch === "arm64" ? "arm64" : "amd64";
const SECTIONS = ["pack", "start", "walltime"] as const;

function options(argv: readonly string[]) {
  const only = argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
  const runs = Number(argv.find((a) => a.startsWith("--runs="))?.slice("--runs=".length) ?? 21);
  return { only: new Set(only ? only.split(",") : SECTIONS), runs };
}

const examples = () =>
  readdirSync(EXAMPLES_DIR)
    .filter((d) => statSync(join(EXAMPLES_DIR, d)).isDirectory())
    .sort();

/** Unpack a .charm as Juju would (Info-ZIP's `unzip` keeps the modes). */
function unpack(charm: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync("unzip", ["-q", "-o", charm, "-d", dir]);
  if (r.status !== 0) throw new Error(`unzip ${charm}: ${r.stderr?.toString() || r.error?.message}`);
  return dir;
}

interface PackRow {
  readonly example: string;
  readonly seconds: number;
  readonly charms: { file: string; bytes: number }[];
}

async function runPack(
  out: string,
): Promise<{ rows: PackRow[]; results: Record<string, PackResult>; seconds: number }> {
  const rows: PackRow[] = [];
  const results: Record<string, PackResult> = {};
  const all = performance.now();
  for (const example of examples()) {
    const start = performance.now();
    const result = await packCharm({ charmDir: join(EXAMPLES_DIR, example), outDir: join(out, example) });
    results[example] = result;
    rows.push({
      example,
      seconds: round((performance.now() - start) / 1000, 2),
      charms: result.charms.map((c) => ({ file: c.path.split("/").pop()!, bytes: c.bytes })),
    });
  }
  return { rows, results, seconds: round((performance.now() - all) / 1000, 1) };
}

const JUJU_ENV = {
  JUJU_DISPATCH_PATH: "hooks/update-status",
  JUJU_HOOK_NAME: "update-status",
  JUJU_UNIT_NAME: "app/0",
  JUJU_MODEL_NAME: "bench",
  JUJU_MODEL_UUID: "00000000-0000-4000-8000-000000000000",
  JUJU_VERSION: "3.6.14",
  JUJU_CONTEXT_ID: "app/0-update-status-1",
};

/** Hook tools that end the charm at its first call. */
function killTools(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const tool of HOOK_TOOLS) {
    writeFileSync(join(dir, tool), "#!/bin/sh\nkill -KILL $PPID\n");
    chmodSync(join(dir, tool), 0o755);
  }
  return dir;
}

function timeRun(command: string, args: string[], env: Record<string, string>, cwd: string): number {
  const start = performance.now();
  spawnSync(command, args, { env, cwd, stdio: "ignore" });
  return performance.now() - start;
}

interface StartRow {
  readonly example: string;
  readonly variant: string;
  readonly nodeMs: number;
  readonly ms: number;
  readonly ratio: number;
}

interface Variant {
  readonly name: string;
  readonly command: string;
  readonly args: string[];
  readonly env: Record<string, string>;
  readonly prepare?: () => void;
}

/**
 * Interleaved runs of `node -e 0` and each variant; a variant's `prepare` runs before each of its
 * runs, untimed (e.g. removing the compile cache).
 */
function measure(
  example: string,
  node: string,
  cwd: string,
  runs: number,
  variants: {
    name: string;
    command: string;
    args: string[];
    env: Record<string, string>;
    prepare?: () => void;
  }[],
): StartRow[] {
  const base: number[] = [];
  const times = variants.map(() => [] as number[]);
  for (let i = 0; i < runs + 2; i++) {
    const b = timeRun(node, ["-e", "0"], { PATH: "/usr/bin:/bin" }, cwd);
    const timed = variants.map((v) => {
      v.prepare?.();
      return timeRun(v.command, v.args, v.env, cwd);
    });
    if (i < 2) continue; // warm-up rounds
    base.push(b);
    for (const [j, t] of timed.entries()) times[j]!.push(t);
  }
  return variants.map((v, j) => ({
    example,
    variant: v.name,
    nodeMs: round(median(base)),
    ms: round(median(times[j]!)),
    ratio: round(median(times[j]!.map((t, i) => t / base[i]!)), 2),
  }));
}

async function runStart(out: string, results: Record<string, PackResult>, runs: number): Promise<StartRow[]> {
  const rows: StartRow[] = [];
  const tools = killTools(join(out, "kill-tools"));
  for (const example of examples()) {
    const charm = results[example]?.charms.find((c) => c.arches.length === 1 && c.arches[0] === ARCH);
    if (!charm) continue;
    const dir = unpack(charm.path, join(out, "unpacked", example));
    const node = join(dir, "node", ARCH, "node");
    const cache = join(dir, ".node-compile-cache");
    const env = { ...JUJU_ENV, PATH: tools, JUJU_CHARM_DIR: dir };
    // A hook that exits normally leaves the compile cache (a killed one writes nothing).
    spawnSync(join(dir, "dispatch"), [], { env: { PATH: "/usr/bin:/bin" }, cwd: dir, stdio: "ignore" });
    const warm = () => {
      if (readdirSync(dir).includes(".node-compile-cache")) return;
      spawnSync(join(dir, "dispatch"), [], { env: { PATH: "/usr/bin:/bin" }, cwd: dir, stdio: "ignore" });
    };
    const variants: Variant[] = [
      {
        name: "first hook (no compile cache yet)",
        command: join(dir, "dispatch"),
        args: [],
        env,
        prepare: () => rmSync(cache, { recursive: true, force: true }),
      },
      { name: "later hooks", command: join(dir, "dispatch"), args: [], env, prepare: warm },
    ];
    if (example === "postgresql-requirer") {
      const eager = await bundleCharm({
        entry: join(EXAMPLES_DIR, example, "src", "charm.ts"),
        charmDir: join(EXAMPLES_DIR, example),
        nodeMajor: Number(results[example]!.runtimes[0]!.version.split(".")[0]),
        lazyBuiltins: false,
      });
      writeFileSync(join(dir, "dist", "charm-eager.mjs"), eager.files.get("dist/charm.mjs")!);
      const eagerCache = join(out, "eager-cache");
      // Warm the eager bundle's own cache with a normal exit.
      spawnSync(node, [join(dir, "dist", "charm-eager.mjs")], {
        env: { NODE_COMPILE_CACHE: eagerCache },
        stdio: "ignore",
      });
      const bundle = join(dir, "dist", "charm.mjs");
      variants.push(
        { name: "  without the compile cache", command: node, args: ["--enable-source-maps", bundle], env },
        {
          name: "  without --enable-source-maps",
          command: node,
          args: [bundle],
          env: { ...env, NODE_COMPILE_CACHE: cache },
          prepare: warm,
        },
        {
          name: "  built-ins imported eagerly",
          command: node,
          args: ["--enable-source-maps", join(dir, "dist", "charm-eager.mjs")],
          env: { ...env, NODE_COMPILE_CACHE: eagerCache },
        },
      );
    }
    process.stderr.write(`bench: start ${example}…\n`);
    rows.push(...measure(example, node, dir, runs, variants));
  }
  return rows;
}

interface WallSummary {
  readonly variant: string;
  readonly hooks: number;
  readonly failed: number;
  readonly medianMs: number;
  readonly medianStartupMs: number;
  readonly errors: string[];
}

function summarize(variant: string, r: WallTimeResult): WallSummary {
  const ok = r.hooks.filter((h) => h.ok);
  return {
    variant,
    hooks: r.hooks.length,
    failed: r.hooks.length - ok.length,
    medianMs: round(median(ok.map((h) => h.ms))),
    medianStartupMs: round(median(ok.map((h) => h.startupMs).filter((v): v is number => v !== undefined))),
    errors: r.pairs.filter((p) => p.error).map((p) => `${p.pair}: ${p.error}`),
  };
}

async function runWall(out: string, results: Record<string, PackResult>): Promise<WallSummary[]> {
  const unbundled = await runWallTime({ updateStatusRuns: 1 });
  const packed = await runWallTime({
    updateStatusRuns: 1,
    charmDirFor: (example, root) => {
      const charm = results[example]!.charms.find((c) => c.arches.length === 1 && c.arches[0] === ARCH)!;
      return unpack(charm.path, mkdtempSync(join(root, `${example}-packed-`)));
    },
  });
  void out;
  return [summarize("unbundled (node dist/charm.js)", unbundled), summarize("packed (.charm)", packed)];
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const out = mkdtempSync(join(tmpdir(), "charm-relations-bench-pack-"));
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
  };
  const print = (s: string) => process.stdout.write(`${s}\n\n`);
  try {
    process.stderr.write("bench: pack…\n");
    const packed = await runPack(out);
    const runtime = Object.values(packed.results)[0]?.runtimes.find((r) => r.arch === ARCH);
    report.runtime = runtime;
    report.pack = { seconds: packed.seconds, rows: packed.rows };
    print(
      `## Pack: every example, every platform (${packed.seconds} s; runtime node ${runtime?.version}${runtime?.strippedWith ? `, stripped with ${runtime.strippedWith}` : ", unstripped"})\n\n` +
        table(
          ["example", "s", ".charm", "MB"],
          packed.rows.flatMap((r) =>
            r.charms.map((c) => [r.example, r.seconds, c.file, (c.bytes / 1e6).toFixed(1)]),
          ),
        ),
    );
    if (opts.only.has("start")) {
      const rows = await runStart(out, packed.results, opts.runs);
      report.start = { runs: opts.runs, rows };
      print(
        `## Hook start on the shipped runtime, to the first hook-tool call (medians of ${opts.runs} interleaved runs)\n\n` +
          table(
            ["example", "variant", "node -e 0 ms", "ms", "× node -e 0"],
            rows.map((r) => [r.example, r.variant, ms(r.nodeMs), ms(r.ms), r.ratio.toFixed(2)]),
          ),
      );
    }
    if (opts.only.has("walltime")) {
      process.stderr.write("bench: walltime (unbundled, then packed)…\n");
      const rows = await runWall(out, packed.results);
      report.walltime = rows;
      print(
        "## Hook wall time of the example pairs as processes (all hooks, median)\n\n" +
          table(
            ["variant", "hooks", "failed", "median ms", "startup ms"],
            rows.map((r) => [r.variant, r.hooks, r.failed, ms(r.medianMs), ms(r.medianStartupMs)]),
          ) +
          rows.flatMap((r) => r.errors.map((e) => `\n${r.variant}: ${e}`)).join(""),
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  report.loadavg = loadavg().map((l) => round(l, 2));
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, "pack.json");
  writeFileSync(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  process.stdout.write(`bench: wrote ${file}; load average ${(report.loadavg as number[]).join(" ")}\n`);
}

await main();
