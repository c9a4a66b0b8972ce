/**
 * Counts for the closing note (cases per interface, faults injected, retries): each test file keeps a
 * `Tally`, prints it after its tests and saves it under `.results/`, where `report.ts` sums them up.
 */

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", ".results");

/** `{ "<counter>": { "<subject>": n } }`, e.g. `{ "hostile cases": { "postgresql_client": 240 } }`. */
export type Counts = Record<string, Record<string, number>>;

export class Tally {
  readonly file: string;
  readonly counts: Counts = {};
  constructor(file: string) {
    this.file = file;
  }

  add(counter: string, subject: string, n = 1): void {
    const c = this.counts[counter] ?? {};
    this.counts[counter] = c;
    c[subject] = (c[subject] ?? 0) + n;
  }

  get(counter: string, subject?: string): number {
    const c = this.counts[counter] ?? {};
    return subject === undefined ? Object.values(c).reduce((a, b) => a + b, 0) : (c[subject] ?? 0);
  }

  /** Print and save (call from `afterAll`). */
  save(): void {
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, `${this.file}.json`), `${JSON.stringify(this.counts, null, 2)}\n`);
    const lines = Object.entries(this.counts).flatMap(([counter, subjects]) =>
      Object.entries(subjects).map(([subject, n]) => `  ${counter} · ${subject}: ${n}`),
    );
    console.log(`[reliability] ${this.file}\n${lines.join("\n")}`);
  }
}

/** Every saved tally, summed per counter and subject. */
export function loadTallies(dir = RESULTS_DIR): { files: string[]; counts: Counts } {
  const counts: Counts = {};
  let files: string[] = [];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort();
  } catch {
    return { files, counts };
  }
  for (const f of files) {
    const c = JSON.parse(readFileSync(join(dir, f), "utf8")) as Counts;
    for (const [counter, subjects] of Object.entries(c)) {
      const into = counts[counter] ?? {};
      counts[counter] = into;
      for (const [subject, n] of Object.entries(subjects)) into[subject] = (into[subject] ?? 0) + n;
    }
  }
  return { files, counts };
}
