/**
 * The example charms the documents show run: each document's files (`// src/charm.ts`,
 * `// test/….test.ts`) are written out as a small charm project, and its test files run here, as
 * vitest tests named after the Markdown file and line. So the states the prose claims (README's
 * requirer `active` with a message starting `ready`) are asserted by the documents themselves.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { allBlocks, where } from "../src/blocks.js";
import { BLOCKS_DIR, tsUnits, unitPath, writeUnits } from "../src/project.js";

const root = join(BLOCKS_DIR, "run");
const files = tsUnits(allBlocks()).filter((u) => u.kind === "file");
writeUnits(root, files, (u) => u.block.code);

for (const unit of files.filter((u) => !u.path.startsWith("test/"))) {
  describe(`${where(unit.block)} ${unit.path}`, () => {
    it("loads without running a hook, and exports what its tests import", async () => {
      const before = process.exitCode;
      const module = (await import(pathToFileURL(unitPath(root, unit)).href)) as Record<string, unknown>;
      expect(process.exitCode).toBe(before);
      if (unit.path === "src/charm.ts") expect(typeof module.setup).toBe("function");
    });
  });
}

for (const unit of files.filter((u) => u.path.startsWith("test/"))) {
  describe(`${where(unit.block)} ${unit.path}`, async () => {
    await import(pathToFileURL(unitPath(root, unit)).href);
  });
}
