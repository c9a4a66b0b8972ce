#!/usr/bin/env bash
# The whole test suite. Builds first (the hook-tool fakes and example charms run as processes from
# dist/), runs vitest across every package, and prints the closing line CI reads.
set -uo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
pnpm build >/dev/null || { echo "build failed"; pnpm build; exit 1; }
rc=0
# --isolate=false: test files share a worker's module cache (no test here relies on a fresh one), which
# saves importing the core and zod once per file. A project config cannot set it for all projects.
pnpm exec vitest run --isolate=false --reporter=default --reporter=json --outputFile.json=.vitest-report.json "$@" || rc=$?
node -e '
const fs = require("fs");
if (!fs.existsSync(".vitest-report.json")) { console.log("0 passed, 1 failed"); process.exit(0); }
const r = JSON.parse(fs.readFileSync(".vitest-report.json", "utf8"));
const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
'
exit $rc
