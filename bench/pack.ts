/**
 * `pnpm bench:pack`: the packed charms (`charm-relations-pack`). Scripts only: nothing here asserts.
 *
 * 1. pack: every example packed for every platform of its charmcraft.yaml (into a temporary
 *    directory): time per example and the size of each .charm.
 * 2. start: how long a hook takes to start on the shipped runtime, against a bare `node -e 0` of the
 *    same runtime. The charm runs through its own `dispatch` with a hook's environment (update-status).
 *    "no hook tool": a preloaded script ends the process where the charm would first load
 *    child_process, i.e. right before its first hook-tool call: runtime start, dispatch, loading the
 *    bundle, parsing the context, `setup()` — what a hook that calls no tool pays. "to 1st tool
 *    spawned": every hook tool on PATH is `kill -KILL $PPID`, so the time also holds loading
 *    child_process and spawning the first tool. "first hook" runs with the compile cache the .charm
 *    ships (built at pack time; restored before each run) and with none (removed before each run: a
 *    charm packed with --no-warm-cache or for another architecture), "later hooks" with the cache a
 *    previous hook left in the charm directory.
 *    Runs are interleaved (node, variant 1, variant 2, …, node, …); the ratio is the median of the
 *    per-round ratios. For postgresql-requirer also the choices behind the shipped setup: no compile
 *    cache, without `--enable-source-maps`, built-ins imported eagerly (plain ESM imports).
 * 3. walltime: the example pairs run as processes (bench/walltime.ts), pair by pair unbundled
 *    (`node dist/charm.js` on this machine's Node) then packed (the unpacked .charm): medians over all
 *    hooks of the wall time (mostly the hook-tool fakes), the charm's own time (its lifetime minus its
 *    waits for hook tools) and its start-up (process start to its first hook-tool call).
 *
 *   pnpm bench:pack                       everything (builds first)
 *   tsx bench/pack.ts --only=start --runs=31
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { HOOK_TOOLS } from "../packages/juju-secrets-core/dist/backend/index.js";
import { bundleCharm, type PackResult, packCharm } from "../packages/pack/dist/index.js";
import { EXAMPLES_DIR, RESULTS_DIR } from "./lib/paths.js";
import { median, ms, round, table } from "./lib/stats.js";
import { examplePairs, runWallTime, type WallTimeResult } from "./walltime.js";

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

/**
 * Preloaded into every timed process: at exit it appends the process's CPU time (user + system, all
 * threads, µs) to `$BENCH_CPU_FILE`, the figure that stays meaningful on a busy machine. With
 * `BENCH_STOP=1` it also ends the charm where it would first load child_process, i.e. right before its
 * first hook-tool call: what a hook that calls no tool costs.
 */
function recorder(dir: string): string {
  const file = join(dir, "bench-recorder.cjs");
  writeFileSync(
    file,
    [
      'const { appendFileSync } = require("node:fs");',
      'process.on("exit", () => { const u = process.cpuUsage(); appendFileSync(process.env.BENCH_CPU_FILE, String(u.user + u.system) + "\\n"); });',
      'if (process.env.BENCH_STOP === "1") {',
      "  const real = process.getBuiltinModule;",
      '  process.getBuiltinModule = (id) => (id === "node:child_process" || id === "child_process" ? process.exit(0) : real(id));',
      "}",
      "",
    ].join("\n"),
  );
  return file;
}

/** Hook tools that end the charm at its first call (no CPU figure then: SIGKILL skips exit handlers). */
function killTools(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const tool of HOOK_TOOLS) {
    writeFileSync(join(dir, tool), "#!/bin/sh\nkill -KILL $PPID\n");
    chmodSync(join(dir, tool), 0o755);
  }
  return dir;
}

interface Sample {
  readonly wall: number;
  readonly cpu: number | undefined;
}

function timeRun(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
  cpuFile: string,
): Sample {
  writeFileSync(cpuFile, "");
  const start = performance.now();
  spawnSync(command, args, { env: { ...env, BENCH_CPU_FILE: cpuFile }, cwd, stdio: "ignore" });
  const wall = performance.now() - start;
  const text = readFileSync(cpuFile, "utf8").trim();
  return { wall, cpu: text ? Number(text.split("\n").pop()) / 1000 : undefined };
}

interface StartRow {
  readonly example: string;
  readonly variant: string;
  /** Medians: wall ms of `node -e 0` and of the variant, and their CPU ms. */
  readonly nodeMs: number;
  readonly ms: number;
  readonly nodeCpuMs: number;
  readonly cpuMs: number | undefined;
  /** Medians of the per-round ratios to `node -e 0`. */
  readonly ratio: number;
  readonly cpuRatio: number | undefined;
}

interface Variant {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly prepare?: () => void;
}

/**
 * Interleaved runs of `node -e 0` and each variant; a variant's `prepare` runs before each of its
 * runs, untimed (e.g. removing the compile cache). Every process preloads the recorder.
 */
function measure(
  example: string,
  node: string,
  cwd: string,
  runs: number,
  recorderFile: string,
  variants: readonly Variant[],
): StartRow[] {
  const cpuFile = join(cwd, "..", `${example}.cpu`);
  const preload = (env: Record<string, string>) => ({
    ...env,
    NODE_OPTIONS: `--require=${recorderFile}${env.NODE_OPTIONS ? ` ${env.NODE_OPTIONS}` : ""}`,
  });
  const base: Sample[] = [];
  const samples = variants.map(() => [] as Sample[]);
  for (let i = 0; i < runs + 2; i++) {
    const b = timeRun(node, ["-e", "0"], preload({ PATH: "/usr/bin:/bin" }), cwd, cpuFile);
    const round_ = variants.map((v) => {
      v.prepare?.();
      return timeRun(v.command, v.args, preload(v.env), cwd, cpuFile);
    });
    if (i < 2) continue; // warm-up rounds
    base.push(b);
    for (const [j, t] of round_.entries()) samples[j]!.push(t);
  }
  const cpus = (list: readonly Sample[]) =>
    list.map((s) => s.cpu).filter((c): c is number => c !== undefined);
  return variants.map((v, j) => {
    const list = samples[j]!;
    const withCpu = list.every((s) => s.cpu !== undefined);
    return {
      example,
      variant: v.name,
      nodeMs: round(median(base.map((s) => s.wall))),
      ms: round(median(list.map((s) => s.wall))),
      nodeCpuMs: round(median(cpus(base))),
      cpuMs: withCpu ? round(median(cpus(list))) : undefined,
      ratio: round(median(list.map((s, i) => s.wall / base[i]!.wall)), 2),
      cpuRatio: withCpu ? round(median(list.map((s, i) => s.cpu! / base[i]!.cpu!)), 2) : undefined,
    };
  });
}

async function runStart(out: string, results: Record<string, PackResult>, runs: number): Promise<StartRow[]> {
  const rows: StartRow[] = [];
  const tools = killTools(join(out, "kill-tools"));
  const recorderFile = recorder(out);
  for (const example of examples()) {
    const charm = results[example]?.charms.find((c) => c.arches.length === 1 && c.arches[0] === ARCH);
    if (!charm) continue;
    const dir = unpack(charm.path, join(out, "unpacked", example));
    const node = join(dir, "node", ARCH, "node");
    const cache = join(dir, ".node-compile-cache");
    // The compile cache as the .charm ships it (built at pack time), to restore before each first hook.
    const shipped = join(out, "shipped-cache", example);
    if (existsSync(cache)) cpSync(cache, shipped, { recursive: true });
    const env = { ...JUJU_ENV, PATH: tools, JUJU_CHARM_DIR: dir };
    const warm = () => {
      if (readdirSync(dir).includes(".node-compile-cache")) return;
      // A hook that exits normally leaves the compile cache (a killed one writes nothing).
      spawnSync(join(dir, "dispatch"), [], { env: { PATH: "/usr/bin:/bin" }, cwd: dir, stdio: "ignore" });
    };
    const noTool = { ...env, BENCH_STOP: "1" };
    const variants: Variant[] = [
      {
        name: "first hook, no hook tool (cache as shipped)",
        command: join(dir, "dispatch"),
        args: [],
        env: noTool,
        prepare: () => {
          rmSync(cache, { recursive: true, force: true });
          if (existsSync(shipped)) cpSync(shipped, cache, { recursive: true });
        },
      },
      {
        name: "first hook, no hook tool (no cache: --no-warm-cache, or another arch)",
        command: join(dir, "dispatch"),
        args: [],
        env: noTool,
        prepare: () => rmSync(cache, { recursive: true, force: true }),
      },
      {
        name: "later hooks, no hook tool",
        command: join(dir, "dispatch"),
        args: [],
        env: noTool,
        prepare: warm,
      },
      {
        name: "later hooks, to 1st tool spawned",
        command: join(dir, "dispatch"),
        args: [],
        env,
        prepare: warm,
      },
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
        {
          name: "  no hook tool, without the compile cache",
          command: node,
          args: ["--enable-source-maps", bundle],
          env: noTool,
        },
        {
          name: "  no hook tool, without --enable-source-maps",
          command: node,
          args: [bundle],
          env: { ...noTool, NODE_COMPILE_CACHE: cache },
          prepare: warm,
        },
        {
          // Eager built-ins load child_process at start: compare with "to 1st tool spawned".
          name: "  to 1st tool spawned, built-ins imported eagerly",
          command: node,
          args: ["--enable-source-maps", join(dir, "dist", "charm-eager.mjs")],
          env: { ...env, NODE_COMPILE_CACHE: eagerCache },
        },
      );
    }
    process.stderr.write(`bench: start ${example}…\n`);
    rows.push(...measure(example, node, dir, runs, recorderFile, variants));
  }
  return rows;
}

interface WallSummary {
  readonly variant: string;
  readonly hooks: number;
  readonly failed: number;
  /** Medians over every hook: wall time, the charm's own time (minus hook-tool waits), its start-up. */
  readonly medianMs: number;
  readonly medianOwnMs: number;
  readonly medianStartupMs: number;
  readonly errors: string[];
}

function summarize(variant: string, runs: readonly WallTimeResult[]): WallSummary {
  const hooks = runs.flatMap((r) => r.hooks);
  const ok = hooks.filter((h) => h.ok);
  const own = (f: (h: (typeof ok)[number]) => number | undefined) =>
    round(median(ok.map(f).filter((v): v is number => v !== undefined)));
  return {
    variant,
    hooks: hooks.length,
    failed: hooks.length - ok.length,
    medianMs: round(median(ok.map((h) => h.ms))),
    medianOwnMs: own((h) => h.charmMs),
    medianStartupMs: own((h) => h.startupMs),
    errors: runs.flatMap((r) => r.pairs.filter((p) => p.error).map((p) => `${p.pair}: ${p.error}`)),
  };
}

/** Pair by pair, unbundled then packed, so both see the same machine load. */
async function runWall(results: Record<string, PackResult>): Promise<WallSummary[]> {
  const unbundled: WallTimeResult[] = [];
  const packed: WallTimeResult[] = [];
  for (const pair of examplePairs()) {
    process.stderr.write(`bench: walltime ${pair}…\n`);
    unbundled.push(await runWallTime({ updateStatusRuns: 1, pairs: [pair] }));
    packed.push(
      await runWallTime({
        updateStatusRuns: 1,
        pairs: [pair],
        charmDirFor: (example, root) => {
          const charm = results[example]!.charms.find((c) => c.arches.length === 1 && c.arches[0] === ARCH)!;
          return unpack(charm.path, mkdtempSync(join(root, `${example}-packed-`)));
        },
      }),
    );
  }
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
        `## Hook start on the shipped runtime against node -e 0 (medians of ${opts.runs} interleaved runs; wall and CPU)\n\n` +
          table(
            ["example", "variant", "node -e 0 ms", "ms", "× node", "node cpu ms", "cpu ms", "cpu × node"],
            rows.map((r) => [
              r.example,
              r.variant,
              ms(r.nodeMs),
              ms(r.ms),
              r.ratio.toFixed(2),
              ms(r.nodeCpuMs),
              r.cpuMs === undefined ? "-" : ms(r.cpuMs),
              r.cpuRatio === undefined ? "-" : r.cpuRatio.toFixed(2),
            ]),
          ),
      );
    }
    if (opts.only.has("walltime")) {
      process.stderr.write("bench: walltime (unbundled, then packed)…\n");
      const rows = await runWall(packed.results);
      report.walltime = rows;
      print(
        "## Hook wall time of the example pairs as processes (all hooks, median)\n\n" +
          table(
            ["variant", "hooks", "failed", "median ms", "own ms", "startup ms"],
            rows.map((r) => [
              r.variant,
              r.hooks,
              r.failed,
              ms(r.medianMs),
              ms(r.medianOwnMs),
              ms(r.medianStartupMs),
            ]),
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
