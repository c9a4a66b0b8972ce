/**
 * One way to start a charm, everywhere: `void runCharmIfMain(import.meta.url, setup);` as the last
 * line of every charm the documents and examples show. No hand-written main-module checks (the old
 * `import.meta.url.endsWith(process.argv[1])` skipped every hook when the path needed URL-encoding).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allBlocks, isTypeScript, REPO, where } from "../src/blocks.js";

const START = "void runCharmIfMain(import.meta.url, setup);";
const OTHER_STARTS = /\brunCharm\(|\bisMainModule\(|process\.argv\[1\]|import\.meta\.url\.endsWith/;

const lastLine = (code: string) => code.trimEnd().split("\n").at(-1)!.trim();

describe("starting a charm", () => {
  const blocks = allBlocks().filter(isTypeScript);

  it.each(blocks.map((b) => [where(b), b] as const))(
    "%s: no other start; a charm ends with the start line",
    (_, b) => {
      expect(OTHER_STARTS.exec(b.code)?.[0], "another way to start a charm").toBeUndefined();
      if (/\bexport (async )?function setup\b/.test(b.code) || b.code.includes("runCharmIfMain")) {
        expect(lastLine(b.code)).toBe(START);
        expect(b.code.split("runCharmIfMain(").length - 1).toBe(1);
      }
    },
  );

  it("every example charm ends with the same line", () => {
    const examples = readdirSync(join(REPO, "examples"));
    expect(examples.length).toBeGreaterThan(0);
    for (const e of examples) {
      const code = readFileSync(join(REPO, "examples", e, "src", "charm.ts"), "utf8");
      expect(lastLine(code), e).toBe(START);
      expect(OTHER_STARTS.exec(code)?.[0], e).toBeUndefined();
    }
  });
});
