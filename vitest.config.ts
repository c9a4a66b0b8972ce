import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["packages/*", "examples/*"],
    // Vitest's default is one worker per core minus one: a single worker on a 2-core machine, idle
    // while the process-level tests wait for their charm processes.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
