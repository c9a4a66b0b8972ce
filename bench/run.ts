/**
 * `pnpm bench`: measures hook-tool calls against the minimum (interfaces, then the example charms), hook wall time of the example charms as
 * processes, cold start and bundle size, scale to 1,000 relations, peak RSS, and the latency of one
 * hook-tool fake call; prints the tables and writes bench/results/latest.json. Scripts only: nothing here asserts a timing.
 *
 *   pnpm bench                      everything (builds first)
 *   tsx bench/run.ts --only=calls,scale
 *   tsx bench/run.ts --quick        fewer runs and sizes (a smoke run)
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { printCalls, runCalls } from "./calls.js";
import { printColdStart, runColdStart } from "./coldstart.js";
import { printExamples, runExamples } from "./examples.js";
import { printFakes, runFakes } from "./fakes.js";
import { loadInterfaces } from "./lib/interfaces.js";
import { REPO, RESULTS_DIR } from "./lib/paths.js";
import { round } from "./lib/stats.js";
import { printMemory, runMemory } from "./memory.js";
import { printScale, runScale } from "./scale.js";
import { printWallTime, runWallTime } from "./walltime.js";

const SECTIONS = ["calls", "examples", "walltime", "coldstart", "scale", "memory", "fakes"] as const;
type Section = (typeof SECTIONS)[number];

function options(argv: readonly string[]): { only: Set<Section>; quick: boolean; out: string } {
  const only = argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
  const chosen = only
    ? only.split(",").filter((s): s is Section => (SECTIONS as readonly string[]).includes(s))
    : [...SECTIONS];
  const out =
    argv.find((a) => a.startsWith("--out="))?.slice("--out=".length) ?? join(RESULTS_DIR, "latest.json");
  return { only: new Set(chosen), quick: argv.includes("--quick"), out };
}

function gitCommit(): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO, encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const started = performance.now();
  const timings: Record<string, number> = {};
  const results: Record<string, unknown> = {};
  const printed: string[] = [];
  const section = async <T>(name: Section, run: () => Promise<T>, print: (r: T) => string): Promise<void> => {
    if (!opts.only.has(name)) return;
    const start = performance.now();
    process.stderr.write(`bench: ${name}…\n`);
    try {
      const result = await run();
      // Per-hook rows of the calls section stay out of the file: the groups carry every hook kind.
      results[name] = name === "calls" ? { ...result, hooks: undefined } : result;
      printed.push(print(result));
    } catch (e) {
      const error = (e as Error).message.split("\n")[0] ?? String(e);
      results[name] = { error };
      printed.push(`## ${name}: failed: ${error}`);
    }
    timings[name] = round((performance.now() - start) / 1000, 1);
    process.stdout.write(`${printed.at(-1)}\n\n`);
  };

  const variants = await loadInterfaces();
  const byName = (name: string) => variants.find((v) => v.name === name);
  await section("calls", runCalls, printCalls);
  await section("examples", () => runExamples(), printExamples);
  await section("walltime", () => runWallTime({ updateStatusRuns: 1 }), printWallTime);
  await section("coldstart", () => runColdStart({ runs: opts.quick ? 3 : 5 }), printColdStart);
  await section(
    "scale",
    () =>
      runScale(
        byName("postgresql_client")!,
        byName("valkey_client"),
        opts.quick ? [1, 10, 100] : [1, 10, 100, 1000],
        100,
      ),
    printScale,
  );
  await section(
    "memory",
    () => runMemory(byName("postgresql_client")!, opts.quick ? [1, 100] : [1, 1000]),
    printMemory,
  );

  await section("fakes", () => runFakes({ rounds: opts.quick ? 5 : 20 }), printFakes);

  const seconds = round((performance.now() - started) / 1000, 1);
  const report = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    /** The machine's load while measuring: wall times scale with it, call counts do not. */
    loadavg: loadavg().map((l) => round(l, 2)),
    quick: opts.quick,
    seconds,
    sectionSeconds: timings,
    interfaces: variants.map((v) => ({
      name: v.name,
      package: v.package !== undefined,
      missing: v.missing ?? null,
    })),
    ...results,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const tmp = `${opts.out}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(tmp, opts.out);
  process.stdout.write(
    `bench: ${seconds} s (${Object.entries(timings)
      .map(([k, v]) => `${k} ${v} s`)
      .join(", ")}); load average ${report.loadavg.join(" ")} on ${report.cpus} CPUs; wrote ${opts.out}\n`,
  );
}

await main();
