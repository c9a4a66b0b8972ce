/**
 * Typecheck every TypeScript block against the workspace packages as a charm sees them once
 * installed (their built declarations: `pnpm build` first), with the compiler options
 * docs/writing-a-charm.md gives charm authors.
 *
 * Files of an example charm (`// src/…`, `// test/…`) compile as shown. A snippet is a piece of a
 * charm: the names it uses without defining them are its context —
 *
 * - `charm` (a `Charm`), `setup` (a charm's setup function), `sim` (a `Simulation`) and vitest's
 *   `it`, `describe`, `expect`… get their real types, so what the snippet does with them is checked;
 * - any other name is the reader's own (`writeConfig`, `primary()`, `serverCaPem`) and typed `any`;
 * - a name one of our packages exports is an error: the snippet forgot its import.
 *
 * Diagnostics are reported at the Markdown file and line.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { type DocBlock, REPO, where } from "./blocks.js";
import { docFolder, type TsUnit, unitPath, writeUnit, writeUnits } from "./project.js";

export interface BlockCheck {
  readonly unit: TsUnit;
  /** `README.md:170:5 TS2345 …`, empty when the block compiles. */
  readonly errors: string[];
  /** Context names given real types. */
  readonly context: string[];
  /** Names typed `any` (the reader's own). */
  readonly placeholders: string[];
}

const CORE = "@charm-relations/juju-secrets-core";
const VITEST = ["it", "test", "describe", "expect", "vi", "beforeAll", "afterAll", "beforeEach", "afterEach"];
const CONTEXT: Readonly<Record<string, string>> = {
  charm: `import type { Charm as Charm$charm } from "${CORE}";\ndeclare const charm: Charm$charm;`,
  setup: `import type { Charm as Charm$setup } from "${CORE}";\ndeclare function setup(charm: Charm$setup): void;`,
  sim: `import type { Simulation as Simulation$sim } from "${CORE}/testing";\ndeclare const sim: Simulation$sim;`,
  ...Object.fromEntries(VITEST.map((n) => [n, `import { ${n} } from "vitest";`])),
};

/** "Cannot find name" in its variants (plain, did-you-mean, test-runner hints, shorthand property). */
const FREE_NAME_CODES = new Set([2304, 2552, 2582, 2593, 18004]);

/** What a snippet's `import { setup } from "../src/charm.js"` finds when its document shows no charm file. */
const CHARM_STUB = `import type { Charm } from "${CORE}";\nexport declare function setup(charm: Charm): void;\n`;

/** The compiler options of the charm tsconfig in docs/writing-a-charm.md (output options dropped). */
export function charmCompilerOptions(root: string): ts.CompilerOptions {
  const guide = readFileSync(join(REPO, "docs", "writing-a-charm.md"), "utf8");
  const json = [...guide.matchAll(/```json\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .find((b) => b.includes('"compilerOptions"'));
  if (!json) throw new Error("docs/writing-a-charm.md: no tsconfig.json block");
  const { compilerOptions } = JSON.parse(json) as { compilerOptions: Record<string, unknown> };
  const { options, errors } = ts.convertCompilerOptionsFromJson(compilerOptions, root);
  if (errors.length)
    throw new Error(`docs tsconfig: ${ts.flattenDiagnosticMessageText(errors[0]!.messageText, " ")}`);
  const { rootDir: _r, outDir: _o, ...rest } = options;
  return { ...rest, sourceMap: false, noEmit: true };
}

/** Every module specifier our packages export (`@charm-relations/interface-x/testing`, …). */
export function workspaceEntries(): string[] {
  const own = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    devDependencies: Record<string, string>;
  };
  const out: string[] = [];
  for (const name of Object.keys(own.devDependencies).filter((n) => n.startsWith("@charm-relations/"))) {
    const dir = join(REPO, "packages", name.slice("@charm-relations/".length));
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      exports?: Record<string, unknown>;
    };
    for (const key of Object.keys(pkg.exports ?? {})) {
      if (key !== "./package.json" && !key.includes("*"))
        out.push(key === "." ? name : `${name}${key.slice(1)}`);
    }
  }
  return out.sort();
}

export function checkTypeScript(units: readonly TsUnit[], root: string): BlockCheck[] {
  const options = charmCompilerOptions(root);
  const exportsFile = join(root, "__exports.ts");
  const entries = workspaceEntries();
  const firstPass = (u: TsUnit) => (u.kind === "snippet" ? `export {};\n${u.block.code}` : u.block.code);
  writeUnits(root, units, firstPass);
  ts.sys.writeFile(exportsFile, entries.map((e, i) => `export * as m${i} from "${e}";\n`).join(""));
  const rootNames = [...units.map((u) => unitPath(root, u)), exportsFile];
  for (const u of units) {
    const stub = join(root, docFolder(u.block.file), "src", "charm.ts");
    if (u.kind === "snippet" && u.block.code.includes('"../src/charm.js"') && !ts.sys.fileExists(stub)) {
      ts.sys.writeFile(stub, CHARM_STUB);
      rootNames.push(stub);
    }
  }
  const host = ts.createCompilerHost(options, true);
  const first = ts.createProgram({ rootNames, options, host });
  const exported = exportedNames(first, exportsFile, entries);

  // Second pass: snippets get their context and placeholders as a prelude.
  const preludes = new Map<
    TsUnit,
    { text: string; context: string[]; placeholders: string[]; forgotten: Map<string, number> }
  >();
  for (const u of units) {
    if (u.kind !== "snippet") continue;
    const sf = first.getSourceFile(unitPath(root, u))!;
    const names = new Map<string, number>();
    for (const d of first.getSemanticDiagnostics(sf)) {
      if (!FREE_NAME_CODES.has(d.code) || d.start === undefined) continue;
      const name = freeName(d);
      if (name && !names.has(name)) names.set(name, d.start);
    }
    const context = [...names.keys()].filter((n) => Object.hasOwn(CONTEXT, n)).sort();
    const forgotten = new Map([...names].filter(([n]) => !Object.hasOwn(CONTEXT, n) && exported.has(n)));
    const placeholders = [...names.keys()]
      .filter((n) => !Object.hasOwn(CONTEXT, n) && !exported.has(n))
      .sort();
    const text = [
      "export {};",
      ...context.map((n) => CONTEXT[n]!),
      ...placeholders.map((n) => `declare const ${n}: any;\ntype ${n} = any;`),
      "",
    ].join("\n");
    preludes.set(u, { text, context, placeholders, forgotten });
    writeUnit(root, u, text + u.block.code);
  }
  const program = ts.createProgram({ rootNames, options, host, oldProgram: first });

  return units.map((unit) => {
    const sf = program.getSourceFile(unitPath(root, unit))!;
    const prelude = preludes.get(unit);
    const offset = prelude ? prelude.text.split("\n").length - 1 : 0;
    const at = (pos: number) => {
      const { line, character } = sf.getLineAndCharacterOfPosition(pos);
      return `${where(unit.block, Math.max(0, line - offset))}:${character + 1}`;
    };
    const forgotten = prelude?.forgotten ?? new Map<string, number>();
    const diagnostics = [
      ...program.getSyntacticDiagnostics(sf),
      ...program.getSemanticDiagnostics(sf),
    ].filter((d) => !(FREE_NAME_CODES.has(d.code) && forgotten.has(freeName(d) ?? "")));
    const errors = diagnostics.map(
      (d) =>
        `${d.start === undefined ? where(unit.block) : at(d.start)} TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`,
    );
    for (const [name, pos] of forgotten) {
      const firstSf = first.getSourceFile(unitPath(root, unit))!;
      const { line, character } = firstSf.getLineAndCharacterOfPosition(pos);
      errors.push(
        `${where(unit.block, line - 1)}:${character + 1} uses ${name} without importing it (one of our packages exports it)`,
      );
    }
    return { unit, errors, context: prelude?.context ?? [], placeholders: prelude?.placeholders ?? [] };
  });
}

const freeName = (d: ts.Diagnostic): string | undefined =>
  /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, " "))?.[1];

/** Names exported by any entry of our packages (a snippet using one must import it). */
function exportedNames(program: ts.Program, file: string, entries: readonly string[]): Set<string> {
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(file);
  const names = new Set<string>();
  const moduleSymbol = sf && checker.getSymbolAtLocation(sf);
  if (!moduleSymbol) throw new Error(`cannot read the exports of ${entries.join(", ")}`);
  for (const ns of checker.getExportsOfModule(moduleSymbol)) {
    const target = checker.getAliasedSymbol(ns);
    const type = checker.getTypeOfSymbol(target);
    for (const p of checker.getPropertiesOfType(type)) names.add(p.name);
    // Type-only exports are not properties of the namespace object.
    const decl = target.declarations?.[0];
    const mod =
      decl && ts.isNamespaceExport(decl)
        ? checker.getSymbolAtLocation(decl.parent.moduleSpecifier!)
        : undefined;
    if (mod) for (const e of checker.getExportsOfModule(mod)) names.add(e.name);
  }
  if (names.size < 50)
    throw new Error(`only ${names.size} names exported by ${entries.length} entries: resolution failed?`);
  return names;
}

export type { DocBlock };
