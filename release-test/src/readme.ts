/** What the root README tells a charm author to install and write: the release test uses exactly that. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./scratch.js";

const readme = () => readFileSync(join(REPO, "README.md"), "utf8");

/** The code block of the requirer (`// src/charm.ts — …`). */
export function readmeRequirer(): string {
  const block = [...readme().matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .find((code) => code.startsWith("// src/charm.ts"));
  if (block === undefined) throw new Error("README.md: no ```ts block starting with `// src/charm.ts`");
  return block;
}

/** The packages of the README's `npm i …` line for the requirer (runtime dependencies, in order). */
export function readmeInstall(): string[] {
  const line = readme()
    .split("\n")
    .find((l) => l.startsWith("npm i @charm-relations/"));
  if (line === undefined) throw new Error("README.md: no `npm i @charm-relations/…` line");
  return line
    .replace(/#.*$/, "")
    .trim()
    .split(/\s+/)
    .slice(2)
    .filter((a) => !a.startsWith("-"));
}

/** The charm's `tsconfig.json` from docs/writing-a-charm.md (section 2). */
export function docsTsconfig(): Record<string, unknown> {
  const docs = readFileSync(join(REPO, "docs", "writing-a-charm.md"), "utf8");
  const block = [...docs.matchAll(/```json\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .find((json) => json.includes('"compilerOptions"') && json.includes('"outDir": "dist"'));
  if (block === undefined) throw new Error("docs/writing-a-charm.md: no tsconfig.json block");
  return JSON.parse(block) as Record<string, unknown>;
}
