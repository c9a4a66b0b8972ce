/**
 * Issue 18's call budget, kept: every example charm's largest relation-changed makes no more calls
 * than the computed minimum for what it did, and at most half of what the Python stack pays for the
 * same flow (bench/examples.ts: the charms' own built code on the in-memory model, where calls are
 * counted exactly — a count, not a time). Build first (`pnpm build`; CI does).
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

interface Row {
  readonly example: string;
  readonly side: string;
  readonly largest: number;
  readonly minimum: number;
  readonly pythonCharm?: number;
  readonly breakdown: string;
}

describe("example charms' relation-changed", () => {
  it("is at the computed minimum and at most half the Python charm's, for every example", {
    timeout: 300_000,
  }, async () => {
    const bench = join(REPO, "bench", "examples.ts");
    expect(existsSync(bench)).toBe(true);
    const { runExamples } = (await import(pathToFileURL(bench).href)) as {
      runExamples: () => Promise<{ rows: Row[]; errors: { example: string; error: string }[] }>;
    };
    const { rows, errors } = await runExamples();
    expect(errors).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(20);
    const over = rows
      .filter((r) => r.largest > r.minimum || (r.pythonCharm !== undefined && r.largest > r.pythonCharm / 2))
      .map(
        (r) =>
          `${r.example} ${r.side}: ${r.largest} (minimum ${r.minimum}, Python ${r.pythonCharm}) ${r.breakdown}`,
      );
    expect(over).toEqual([]);
    // Every data-interfaces example has a Python figure to compare with (only legacy etcd has none).
    expect(rows.filter((r) => r.pythonCharm === undefined).map((r) => r.example)).toEqual(["etcd", "etcd"]);
  });
});
