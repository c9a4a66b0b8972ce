import { defineProject } from "vitest/config";

export default defineProject({
  ssr: { resolve: { conditions: ["@charm-relations/source"] } },
  test: { include: ["test/**/*.test.ts"], testTimeout: 30000 },
});
