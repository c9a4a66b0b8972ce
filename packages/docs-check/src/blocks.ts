/**
 * The fenced code blocks of the repository's Markdown: README.md, docs/*.md and packages/*\/README.md.
 *
 * A block may carry a marker on the last non-blank line before its fence (kept rare):
 *
 * - `<!-- check: skip -->` — not checked (say why in the prose);
 * - `<!-- check: output of <command> -->` — on an unlabeled block: it is what `<command>` prints.
 *
 * Everything else is decided by the block itself (see `classify` in typecheck.ts and commands.ts).
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));

export interface DocBlock {
  /** Repository-relative path of the Markdown file (`README.md`, `docs/writing-a-charm.md`). */
  readonly file: string;
  /** 1-based line of the block's first code line. */
  readonly line: number;
  /** First word of the info string (`ts`, `sh`, `""` for an unlabeled block). */
  readonly lang: string;
  readonly code: string;
  /** The marker before the fence, without `check:` (`skip`, `output of …`). */
  readonly marker?: string;
}

/** A fence line: its indentation, the fence (3+ backticks or tildes) and the first word of its info. */
function parseFence(line: string): { indent: string; fence: string; lang: string } | undefined {
  const rest = line.trimStart();
  const indent = line.slice(0, line.length - rest.length);
  const c = rest[0];
  if (c !== "`" && c !== "~") return undefined;
  let n = 0;
  while (rest[n] === c) n++;
  if (n < 3) return undefined;
  const info = rest.slice(n).trim();
  if (c === "`" && info.includes("`")) return undefined;
  return { indent, fence: rest.slice(0, n), lang: info.split(/\s/)[0] ?? "" };
}

/** `<!-- check: skip -->` → `skip`. */
function parseMarker(line: string): string | undefined {
  const t = line.trim();
  if (!t.startsWith("<!--") || !t.endsWith("-->")) return undefined;
  const inner = t.slice(4, -3).trim();
  return inner.startsWith("check:") ? inner.slice("check:".length).trim() : undefined;
}

export function extractBlocks(markdown: string, file: string): DocBlock[] {
  const lines = markdown.split("\n");
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = parseFence(lines[i]!);
    if (!open) continue;
    const { indent, fence, lang } = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      const close = parseFence(l);
      if (close && close.lang === "" && close.fence[0] === fence[0] && close.fence.length >= fence.length)
        break;
      body.push(l.startsWith(indent) ? l.slice(indent.length) : l.trimStart());
    }
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === "") k--;
    const marker = k >= 0 ? parseMarker(lines[k]!) : undefined;
    blocks.push({
      file,
      line: i + 2,
      lang: lang.toLowerCase(),
      code: body.join("\n") + "\n",
      ...(marker !== undefined ? { marker } : {}),
    });
    i = j;
  }
  return blocks;
}

/** The Markdown files whose blocks are checked, repository-relative, in a stable order. */
export function docFiles(repo = REPO): string[] {
  const out = ["README.md"];
  for (const f of readdirSync(join(repo, "docs")).sort()) if (f.endsWith(".md")) out.push(`docs/${f}`);
  for (const p of readdirSync(join(repo, "packages")).sort()) {
    try {
      readFileSync(join(repo, "packages", p, "README.md"));
      out.push(`packages/${p}/README.md`);
    } catch {
      // no README
    }
  }
  return out;
}

export function allBlocks(repo = REPO): DocBlock[] {
  return docFiles(repo).flatMap((f) => extractBlocks(readFileSync(join(repo, f), "utf8"), f));
}

export const isTypeScript = (b: DocBlock): boolean => b.lang === "ts" || b.lang === "typescript";
export const isShell = (b: DocBlock): boolean => ["sh", "bash", "shell", "console"].includes(b.lang);

/** `README.md:42`. */
export const where = (b: DocBlock, offset = 0): string => `${b.file}:${b.line + offset}`;
