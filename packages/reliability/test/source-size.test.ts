/**
 * Issue 18: no source file over 600 lines (split along a seam instead). Checked over every package's
 * and every example's `src`, so a file that grows past the limit fails here, not in review.
 */
import { type Dirent, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const MAX_LINES = 600;
const SOURCE = /\.(ts|mts|mjs)$/;
/** Build output and installed packages are not ours to split. */
const SKIPPED_DIRS = new Set(["node_modules", "dist"]);

function sourceFiles(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return []; // a package without src
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return SKIPPED_DIRS.has(e.name) ? [] : sourceFiles(path);
    return e.isFile() && SOURCE.test(e.name) && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Lines as `wc -l` counts them (a last line without a newline still counts). */
function lineCount(text: string): number {
  if (text === "") return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

const files = ["packages", "examples"].flatMap((group) =>
  readdirSync(join(ROOT, group)).flatMap((name) => sourceFiles(join(ROOT, group, name, "src"))),
);
const sizes = files.map((file) => ({
  file: relative(ROOT, file),
  lines: lineCount(readFileSync(file, "utf8")),
}));

describe(`source files stay at most ${MAX_LINES} lines`, () => {
  it("counts lines as wc -l does", () => {
    expect([
      lineCount(""),
      lineCount("a"),
      lineCount("a\n"),
      lineCount("a\nb"),
      lineCount("a\n\nb\n"),
    ]).toEqual([0, 1, 1, 2, 3]);
  });

  it("sees the sources of the packages and of the examples", () => {
    // A walk that silently found nothing would pass everything.
    expect(sizes.filter((s) => s.file.startsWith("packages/")).length).toBeGreaterThan(150);
    expect(sizes.filter((s) => s.file.startsWith("examples/")).length).toBeGreaterThan(15);
    expect(Math.max(...sizes.map((s) => s.lines))).toBeGreaterThan(300);
  });

  it("no file in packages/*/src or examples/*/src is longer", () => {
    const offenders = sizes
      .filter((s) => s.lines > MAX_LINES)
      .sort((a, b) => b.lines - a.lines)
      .map((s) => `${s.file}: ${s.lines} lines`);
    expect(offenders, `split these files (at most ${MAX_LINES} lines each)`).toEqual([]);
  });
});
