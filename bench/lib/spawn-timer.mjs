/**
 * Preloaded into example charm processes by bench/walltime.ts (`NODE_OPTIONS=--import …`): adds up the
 * time the charm spends waiting for hook tools (every `spawnSync`), notes when the first one starts,
 * and at exit writes `{ uptimeMs, toolMs, tools, firstToolMs }` to $CHARM_RELATIONS_BENCH_TIMING, so a
 * hook's own time (startup, imports, handlers) can be told apart from the fake tools' time.
 */
import { writeFileSync } from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";

const [OUT, PRELOAD] = ["CHARM_RELATIONS_BENCH_TIMING", "NODE_OPTIONS"];
const out = process.env[OUT];
// The hook tools this process spawns must not load the timer (they are node scripts too).
delete process.env[OUT];
delete process.env[PRELOAD];

const cp = createRequire(import.meta.url)("node:child_process");
const spawnSync = cp.spawnSync;
let toolMs = 0;
let tools = 0;
let firstToolMs;
cp.spawnSync = function timedSpawnSync(...args) {
  const start = performance.now();
  firstToolMs ??= start;
  try {
    return spawnSync.apply(this, args);
  } finally {
    toolMs += performance.now() - start;
    tools++;
  }
};
// ESM importers of node:child_process see the patched function too.
syncBuiltinESMExports();

process.on("exit", () => {
  if (!out) return;
  // performance.now() counts from process start, like the uptime.
  writeFileSync(
    out,
    JSON.stringify({ uptimeMs: performance.now(), toolMs, tools, firstToolMs: firstToolMs ?? null }),
  );
});
