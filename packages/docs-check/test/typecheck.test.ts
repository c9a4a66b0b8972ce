/**
 * Every TypeScript block of README.md, docs/*.md and packages/*\/README.md compiles against the
 * workspace packages; a failure names the Markdown file and line.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allBlocks, where } from "../src/blocks.js";
import { BLOCKS_DIR, tsUnits } from "../src/project.js";
import { checkTypeScript } from "../src/typecheck.js";

const units = tsUnits(allBlocks());
const results = checkTypeScript(units, join(BLOCKS_DIR, "typecheck"));

describe("TypeScript blocks compile", () => {
  it.each(results.map((r) => [`${where(r.unit.block)} (${r.unit.kind} ${r.unit.path})`, r] as const))(
    "%s",
    (_, r) => {
      expect(r.errors.join("\n")).toBe("");
    },
  );
});
