import { defineProject } from "vitest/config";

// Not one of the root `pnpm test` projects: `.ci/run` runs it on its own (it needs the network to proxy
// zod, typescript and esbuild through the local registry). Steps share one registry, so they run in order.
export default defineProject({
  test: {
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
