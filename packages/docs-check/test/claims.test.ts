/** What the prose around the blocks claims about them (the blocks' own tests assert the rest). */
import { describe, expect, it } from "vitest";
import { allBlocks, where } from "../src/blocks.js";
import { headerPath } from "../src/project.js";

describe("README.md", () => {
  const blocks = allBlocks().filter((b) => b.file === "README.md");

  it('"Write a requirer in 20 lines": the requirer is at most 20 lines', () => {
    const charm = blocks.find((b) => headerPath(b) === "src/charm.ts");
    expect(charm, "README.md shows no // src/charm.ts").toBeDefined();
    expect(charm!.code.trimEnd().split("\n").length, where(charm!)).toBeLessThanOrEqual(20);
  });

  it("shows a test for that requirer, which the docs-check suite runs", () => {
    expect(blocks.some((b) => headerPath(b)?.startsWith("test/"))).toBe(true);
  });
});
