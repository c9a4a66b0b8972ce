/**
 * Print the reliability suite's counts for the closing note: cases per interface, faults injected,
 * retries, … as saved by the test files under `.results/` (run the tests first, or pass `--run`).
 *
 *   pnpm --filter @charm-relations/reliability report          # counts of the last test run
 *   pnpm --filter @charm-relations/reliability report --run    # run the suite, then print
 */
import { spawnSync } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { loadTallies, RESULTS_DIR } from "./src/tally.js";

const here = dirname(fileURLToPath(import.meta.url));

if (process.argv.includes("--run")) {
  const r = spawnSync("pnpm", ["exec", "vitest", "run", "--reporter=dot"], { cwd: here, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(
      `the reliability suite failed (exit ${r.status}); counts below are from the tests that ran`,
    );
    process.exitCode = 1;
  }
}

const { files, counts } = loadTallies();
if (files.length === 0) {
  console.error(`no counts in ${RESULTS_DIR}: run the tests first (or pass --run)`);
  process.exit(1);
}

const subjects = [...new Set(Object.values(counts).flatMap((c) => Object.keys(c)))];
const counters = Object.keys(counts);
const width = Math.max(...counters.map((c) => c.length), 7);
const col = Math.max(...subjects.map((s) => s.length), 6) + 2;
const line = (label: string, cells: string[]) =>
  `${label.padEnd(width)}  ${cells.map((c) => c.padStart(col)).join("")}`;

console.log(`reliability suite counts (from ${files.join(", ")})\n`);
console.log(line("", [...subjects, "total"]));
for (const counter of counters) {
  const row = subjects.map((s) => counts[counter]?.[s]);
  const total = row.reduce<number>((a, b) => a + (b ?? 0), 0);
  console.log(line(counter, [...row.map((n) => (n === undefined ? "-" : String(n))), String(total)]));
}
