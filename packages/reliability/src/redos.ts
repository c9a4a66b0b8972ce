/**
 * Every regular expression the packages run, found statically, and checked for super-linear
 * backtracking with `recheck` (an automaton/fuzzing ReDoS checker; no judgement by eye):
 *
 * - regex literals and `new RegExp(…)` / `RegExp(…)` in `packages/<pkg>/src/**` (the pattern argument
 *   is folded from string literals, templates, `+`, same-file or relatively imported `const`s and
 *   `<regex>.source`; a pattern that cannot be folded is itself a finding: it cannot be checked);
 * - every `pattern` in the JSON Schemas the interface packages publish (other tools run them too).
 */

import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { checkSync, type Diagnostics } from "recheck";
import ts from "typescript";

export interface PatternSite {
  /** `packages/x/src/y.ts:12`, or `json-schema <name> <path>`. */
  readonly where: string;
  readonly source: string;
  readonly flags: string;
}

export interface PatternScan {
  readonly sites: PatternSite[];
  /** `new RegExp(…)` whose pattern is not statically known. */
  readonly unresolved: string[];
}

/** The `.ts` files under `dir` (recursively). */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

type Folded = { kind: "string"; text: string } | { kind: "regex"; source: string; flags: string };

/** Scan TypeScript files for regex literals and RegExp constructions; `root` shortens the names. */
export function scanPatterns(files: readonly string[], root: string): PatternScan {
  const parsed = new Map<string, ts.SourceFile>();
  const load = (file: string): ts.SourceFile | undefined => {
    if (!parsed.has(file)) {
      try {
        const text = readFileSync(file, "utf8");
        parsed.set(file, ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS));
      } catch {
        return undefined;
      }
    }
    return parsed.get(file);
  };
  const sites: PatternSite[] = [];
  const unresolved: string[] = [];
  for (const file of files) {
    const sf = load(file);
    if (!sf) continue;
    const at = (node: ts.Node) =>
      `${relative(root, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const fold = folder(sf, load);
    const visit = (node: ts.Node): void => {
      if (ts.isRegularExpressionLiteral(node)) {
        const r = splitRegexLiteral(node.text);
        sites.push({ where: at(node), ...r });
      } else if (
        (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === "RegExp"
      ) {
        const [pattern, flagsArg] = node.arguments ?? [];
        const p = pattern ? fold(pattern) : undefined;
        const f = flagsArg ? fold(flagsArg) : undefined;
        const flags = f?.kind === "string" ? f.text : p?.kind === "regex" && !flagsArg ? p.flags : "";
        if (p === undefined || (flagsArg && f?.kind !== "string")) unresolved.push(at(node));
        else sites.push({ where: at(node), source: p.kind === "string" ? p.text : p.source, flags });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { sites, unresolved };
}

function splitRegexLiteral(text: string): { source: string; flags: string } {
  const end = text.lastIndexOf("/");
  return { source: text.slice(1, end), flags: text.slice(end + 1) };
}

/** Constant folding of pattern expressions within a file and its relative imports. */
function folder(sf: ts.SourceFile, load: (file: string) => ts.SourceFile | undefined) {
  const consts = new Map<string, ts.Expression>();
  const imports = new Map<string, { file: string; name: string }>();
  for (const stmt of sf.statements) {
    if (ts.isVariableStatement(stmt) && stmt.declarationList.flags & ts.NodeFlags.Const) {
      for (const d of stmt.declarationList.declarations)
        if (ts.isIdentifier(d.name) && d.initializer) consts.set(d.name.text, d.initializer);
    }
    if (
      ts.isImportDeclaration(stmt) &&
      ts.isStringLiteral(stmt.moduleSpecifier) &&
      stmt.moduleSpecifier.text.startsWith(".") &&
      stmt.importClause?.namedBindings &&
      ts.isNamedImports(stmt.importClause.namedBindings)
    ) {
      const file = resolve(dirname(sf.fileName), stmt.moduleSpecifier.text.replace(/\.js$/, ".ts"));
      for (const el of stmt.importClause.namedBindings.elements)
        imports.set(el.name.text, { file, name: (el.propertyName ?? el.name).text });
    }
  }
  const seen = new Set<string>();
  const fold = (e: ts.Expression): Folded | undefined => {
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e))
      return { kind: "string", text: e.text };
    if (ts.isRegularExpressionLiteral(e)) return { kind: "regex", ...splitRegexLiteral(e.text) };
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e))
      return fold(e.expression);
    if (ts.isTemplateExpression(e)) {
      let text = e.head.text;
      for (const span of e.templateSpans) {
        const part = fold(span.expression);
        if (part?.kind !== "string") return undefined;
        text += part.text + span.literal.text;
      }
      return { kind: "string", text };
    }
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const a = fold(e.left);
      const b = fold(e.right);
      return a?.kind === "string" && b?.kind === "string"
        ? { kind: "string", text: a.text + b.text }
        : undefined;
    }
    if (ts.isPropertyAccessExpression(e)) {
      const base = fold(e.expression);
      if (base?.kind === "regex" && e.name.text === "source") return { kind: "string", text: base.source };
      const obj = ts.isIdentifier(e.expression) ? consts.get(e.expression.text) : undefined;
      const inner = obj && unwrap(obj);
      if (inner && ts.isObjectLiteralExpression(inner)) {
        for (const p of inner.properties)
          if (ts.isPropertyAssignment(p) && p.name.getText(sf) === e.name.text) return fold(p.initializer);
      }
      return undefined;
    }
    if (ts.isIdentifier(e)) {
      if (seen.has(e.text)) return undefined;
      seen.add(e.text);
      try {
        const local = consts.get(e.text);
        if (local) return fold(local);
        const imported = imports.get(e.text);
        const other = imported && load(imported.file);
        return other ? folder(other, load)(ts.factory.createIdentifier(imported.name)) : undefined;
      } finally {
        seen.delete(e.text);
      }
    }
    return undefined;
  };
  return fold;
}

function unwrap(e: ts.Expression): ts.Expression {
  return ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e)
    ? unwrap(e.expression)
    : e;
}

/** Every `pattern` string in a JSON Schema document, with its JSON path. */
export function jsonSchemaPatterns(name: string, schema: unknown): PatternSite[] {
  const out: PatternSite[] = [];
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, `${path}[${i}]`);
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "pattern" && typeof x === "string")
          out.push({ where: `json-schema ${name} ${path}`, source: x, flags: "u" });
        else walk(x, `${path}.${k}`);
      }
    }
  };
  walk(schema, "$");
  return out;
}

export interface PatternVerdict {
  readonly site: PatternSite;
  /** `safe`, or `exponential` / `polynomial (degree N)` / `unknown (…)`. */
  readonly verdict: string;
}

/** Run recheck on each distinct pattern; only a proven-linear pattern is `safe`. */
export function checkPatterns(sites: readonly PatternSite[]): PatternVerdict[] {
  const cache = new Map<string, string>();
  return sites.map((site) => {
    const key = `${site.flags}/${site.source}`;
    let verdict = cache.get(key);
    if (verdict === undefined) {
      verdict = describe(checkSync(site.source, site.flags, { timeout: 60_000 }));
      cache.set(key, verdict);
    }
    return { site, verdict };
  });
}

function describe(d: Diagnostics): string {
  if (d.status === "safe") return "safe";
  if (d.status === "vulnerable") {
    const c = d.complexity;
    return c.type === "polynomial" ? `polynomial (degree ${c.degree})` : c.type;
  }
  return `unknown (${d.error.kind})`;
}
