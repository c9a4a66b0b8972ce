/**
 * Shell blocks: the lines that run our CLI (`pnpm charm-relations …`, `pnpm -s charm-relations …`,
 * `npx charm-relations …`, `charm-relations …`) are run against the built CLI from the repository
 * root. A line is only shown, not run, when it pipes or chains (`juju show-unit … | …`) or names a
 * file the repository does not have (`dump.json`). Other programs' lines (`npm install`, `juju`) are
 * not ours to run.
 *
 * What a command prints is compared with the unlabeled block that shows its output: the next block,
 * when the shell block ran exactly one command, or any block marked `<!-- check: output of <command> -->`.
 * A shown line `…` stands for any number of lines, a `…` inside a line for any text; the shown lines
 * must appear in the output in that order.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { type DocBlock, isShell, REPO, where } from "./blocks.js";

export interface CliCommand {
  readonly block: DocBlock;
  /** 0-based line in the block. */
  readonly offset: number;
  /** The command as shown. */
  readonly text: string;
  /** Arguments after `charm-relations`. */
  readonly args: string[];
  /** The block showing its output, if any. */
  output?: DocBlock;
}

const PREFIXES: readonly (readonly string[])[] = [
  ["pnpm", "-s", "charm-relations"],
  ["pnpm", "charm-relations"],
  ["npx", "charm-relations"],
  ["npx", "@charm-relations/cli"],
  ["charm-relations"],
];

/** Shell words of one line, or undefined when the line has operators (pipes, redirections, `$(…)`). */
export function shellWords(line: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) return undefined;
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "#" && word === undefined) {
      break; // a comment
    } else if ("|&;<>()$`\\".includes(c)) {
      return undefined;
    } else word = (word ?? "") + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Our CLI's arguments if `line` runs it and can run here (see the module comment). */
export function cliArgs(line: string, repo = REPO): string[] | undefined {
  const words = shellWords(line);
  if (!words) return undefined;
  const prefix = PREFIXES.find((p) => p.every((w, i) => words[i] === w));
  if (!prefix) return undefined;
  const args = words.slice(prefix.length);
  const missing = args.some(
    (a) => !a.startsWith("-") && (a.includes("/") || /\.json$/.test(a)) && !existsSync(join(repo, a)),
  );
  return missing ? undefined : args;
}

/** The commands to run in `blocks` (one document or many), each with the block showing its output. */
export function cliCommands(blocks: readonly DocBlock[]): CliCommand[] {
  const out: CliCommand[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    if (block.marker === "skip") continue;
    if (block.lang === "" && block.marker?.startsWith("output of ")) {
      const text = block.marker.slice("output of ".length);
      const args = cliArgs(text);
      if (!args) throw new Error(`${where(block)}: "${text}" is not a command of ours that can run here`);
      out.push({ block, offset: -1, text, args, output: block });
      continue;
    }
    if (!isShell(block)) continue;
    const ran: CliCommand[] = [];
    const lines = block.code.split("\n");
    for (let offset = 0; offset < lines.length; offset++) {
      let line = lines[offset]!;
      const first = offset;
      while (line.endsWith("\\") && offset + 1 < lines.length) line = line.slice(0, -1) + lines[++offset];
      const args = cliArgs(line);
      if (args) ran.push({ block, offset: first, text: line.trim().replace(/\s+/g, " "), args });
    }
    const next = blocks[i + 1];
    if (
      ran.length === 1 &&
      next &&
      next.file === block.file &&
      next.lang === "" &&
      next.marker === undefined
    ) {
      ran[0]!.output = next;
    }
    out.push(...ran);
  }
  return out;
}

/**
 * Where `shown` (an output block, `…` as wildcard) stops matching `actual`: the 0-based line of the
 * block that is not in the output where it should be, with the text; undefined when all match.
 */
export function excerptMismatch(shown: string, actual: string): { line: number; text: string } | undefined {
  const lines = actual
    .trimEnd()
    .split("\n")
    .map((l) => l.trimEnd());
  const segments: { line: number; text: string }[][] = [[]];
  shown
    .trimEnd()
    .split("\n")
    .forEach((l, line) => {
      if (l.trim() === "…") segments.push([]);
      else segments.at(-1)!.push({ line, text: l.trimEnd() });
    });
  let from = 0;
  for (const segment of segments.filter((s) => s.length > 0)) {
    // The start where most of the segment matches; all of it, or the first line that differs.
    let best = { start: -1, matched: -1 };
    for (let start = from; start < lines.length; start++) {
      let k = 0;
      while (
        k < segment.length &&
        start + k < lines.length &&
        lineMatches(segment[k]!.text, lines[start + k]!)
      )
        k++;
      if (k > best.matched) best = { start, matched: k };
      if (k === segment.length) break;
    }
    if (best.matched < segment.length) return segment[Math.max(0, best.matched)]!;
    from = best.start + segment.length;
  }
  return undefined;
}

/** `shown` with each `…` standing for any text (the earliest match of each piece is the right one). */
export function lineMatches(shown: string, line: string): boolean {
  const parts = shown.split("…");
  const first = parts[0]!;
  if (parts.length === 1) return line === first;
  const last = parts.at(-1)!;
  if (!line.startsWith(first) || !line.endsWith(last)) return false;
  let at = first.length;
  for (const part of parts.slice(1, -1)) {
    const found = line.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return at <= line.length - last.length;
}
