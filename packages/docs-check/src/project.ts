/**
 * TypeScript blocks as files. A block whose first line names a path — `// src/charm.ts — …` or
 * `// test/charm.test.ts` — is a file of its document's example charm: it must compile exactly as
 * shown, and `test/` files run (docs/writing-a-charm.md's tests import `../src/charm.js`, the charm
 * shown in the same document). Every other block is a snippet (see typecheck.ts).
 *
 * Files are written under `packages/docs-check/.blocks/<purpose>/<document>/` so that imports of
 * the workspace packages resolve from there exactly as from a charm that depends on them.
 */

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DocBlock, isTypeScript, where } from "./blocks.js";

export const BLOCKS_DIR = fileURLToPath(new URL("../.blocks/", import.meta.url));

const HEADER = /^\/\/ ((?:src|test)\/[\w./-]+\.ts)(?:\s|$)/;

export interface TsUnit {
  readonly block: DocBlock;
  readonly kind: "file" | "snippet";
  /** Relative to the document's folder: `src/charm.ts`, `snippets/L42.ts`. */
  readonly path: string;
}

/** The `src/…`/`test/…` path a block's first line names, if any. */
export function headerPath(block: DocBlock): string | undefined {
  return HEADER.exec(block.code)?.[1];
}

/** One folder per document: `docs/writing-a-charm.md` → `docs__writing-a-charm.md`. */
export const docFolder = (file: string): string => file.replaceAll("/", "__");

/** The TypeScript blocks to check (markers `skip` left out), each with its file. Throws on duplicates. */
export function tsUnits(blocks: readonly DocBlock[]): TsUnit[] {
  const seen = new Map<string, DocBlock>();
  const units: TsUnit[] = [];
  for (const block of blocks) {
    if (!isTypeScript(block) || block.marker === "skip") continue;
    const header = headerPath(block);
    const path = header ?? `snippets/L${block.line}.ts`;
    const key = `${block.file}/${path}`;
    const other = seen.get(key);
    if (other)
      throw new Error(`${where(block)}: ${path} is also shown at ${where(other)}; name each file once`);
    seen.set(key, block);
    units.push({ block, kind: header ? "file" : "snippet", path });
  }
  return units;
}

/** Absolute path of a unit under `root`. */
export const unitPath = (root: string, unit: TsUnit): string =>
  join(root, docFolder(unit.block.file), unit.path);

/** Empty `root` (a folder of BLOCKS_DIR) and write `content(unit)` for each unit. */
export function writeUnits(root: string, units: readonly TsUnit[], content: (unit: TsUnit) => string): void {
  rmSync(root, { recursive: true, force: true });
  for (const unit of units) writeUnit(root, unit, content(unit));
}

export function writeUnit(root: string, unit: TsUnit, text: string): void {
  const path = unitPath(root, unit);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
