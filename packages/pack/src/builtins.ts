/**
 * An esbuild plugin for faster hook starts: Node built-ins imported by the bundle come from
 * `process.getBuiltinModule()` instead of ESM `import`, and the heavy ones load on first use.
 *
 * - An ESM `import { x } from "node:fs"` builds a module facade that reads every export of `fs`, which
 *   triggers its lazy getters: `fs.promises` alone pulls in streams, readline and more (≈15 ms).
 *   Reading only the names the bundle imports avoids that.
 * - `child_process` (≈20 ms with net, dgram and streams), `crypto`, `http`, … load when one of their
 *   functions or classes is first used: a hook that spawns nothing does not pay for spawning.
 *
 * The names each built-in is imported with come from a first esbuild pass (built-ins external, not
 * minified, every module kept even when `sideEffects: false` would drop it, since esbuild checks the
 * names of dropped imports too), whose `import … from "node:…"` statements it prints in a fixed form.
 * `import * as`, `export *` and dynamic `import()` of a built-in keep the real module.
 */

import { builtinModules, createRequire } from "node:module";
import type { Plugin } from "esbuild";

/** Built-ins loaded on the first use of one of their functions or classes. */
const LAZY = new Set([
  "child_process",
  "crypto",
  "dgram",
  "dns",
  "fs/promises",
  "http",
  "http2",
  "https",
  "net",
  "os",
  "readline",
  "stream",
  "stream/promises",
  "tls",
  "zlib",
]);

/** Built-in → the names imported from it (`default` for a default import), or "*" for a namespace import. */
export type BuiltinImports = Map<string, Set<string> | "*">;

const bare = (specifier: string) => specifier.replace(/^node:/, "");
const isBuiltin = (specifier: string) => builtinModules.includes(bare(specifier));

/** `import … from "x";` / `export … from "x";` on one line → [clause, specifier]; split, not a regex (linear). */
function importLine(line: string): [string, string] | undefined {
  const keyword = line.startsWith("import ") ? 7 : line.startsWith("export ") ? 7 : 0;
  if (!keyword || !line.endsWith('";')) return undefined;
  const from = line.lastIndexOf(' from "');
  if (from < keyword) return undefined;
  const specifier = line.slice(from + 7, -2);
  if (specifier.includes('"')) return undefined;
  return [line.slice(keyword, from).trim(), specifier];
}

/** The built-in imports of an unminified esbuild ESM output. */
export function scanBuiltinImports(code: string): BuiltinImports {
  const out: BuiltinImports = new Map();
  for (const line of code.split("\n")) {
    const found = importLine(line.endsWith("\r") ? line.slice(0, -1) : line);
    if (!found) continue;
    const [clause, specifier] = found;
    if (!clause || !isBuiltin(specifier)) continue;
    const name = bare(specifier);
    const names = out.get(name);
    if (names === "*") continue;
    if (clause.startsWith("*")) {
      out.set(name, "*");
      continue;
    }
    const set = names ?? new Set<string>();
    const open = clause.indexOf("{");
    const close = open < 0 ? -1 : clause.indexOf("}", open);
    const inner = close < 0 ? undefined : clause.slice(open + 1, close);
    const head = (close < 0 ? clause : clause.slice(0, open) + clause.slice(close + 1)).trim();
    if (head.replace(/,$/, "").trim()) set.add("default");
    for (const part of inner?.split(",") ?? []) {
      const imported = part.trim().split(" as ")[0]?.trim();
      if (imported) set.add(imported === "default" ? "default" : imported);
    }
    out.set(name, set);
  }
  return out;
}

const require = createRequire(import.meta.url);

/**
 * A class of a lazy built-in (`X509Certificate`, `Socket`): a proxy that loads the module when the
 * class is first used. `new`, `extends` (super() constructs the real class with the subclass as
 * new.target), `instanceof` (through `prototype`) and static members reach the real class.
 */
const LAZY_CLASS = `const lazyClass = (get) => new Proxy(function () {}, {
  get: (_, key) => Reflect.get(get(), key),
  has: (_, key) => Reflect.has(get(), key),
  apply: (_, self, args) => Reflect.apply(get(), self, args),
  construct: (_, args, newTarget) => Reflect.construct(get(), args, newTarget),
});`;

/** The module text standing in for built-in `name` imported as `names`. */
function standIn(name: string, names: Set<string>): string {
  const real = require(name) as Record<string, unknown>;
  const lazy = LAZY.has(name);
  const lines = lazy
    ? [`let m;`, `const g = () => (m ??= process.getBuiltinModule(${JSON.stringify(`node:${name}`)}));`]
    : [`const m = process.getBuiltinModule(${JSON.stringify(`node:${name}`)});`, `const g = () => m;`];
  if (lazy) lines.push(LAZY_CLASS);
  for (const key of [...names].sort()) {
    if (key === "default") {
      lines.push(`export default g();`);
      continue;
    }
    const d = Object.getOwnPropertyDescriptor(real, key);
    const fn = lazy && d !== undefined && "value" in d && typeof d.value === "function";
    if (fn && /^[a-z]/.test(key)) {
      lines.push(
        `export function ${key}(...a) { return g().${key}(...a); }`,
        // util.promisify(exec) and friends read this marker.
        `Object.defineProperty(${key}, Symbol.for("nodejs.util.promisify.custom"), { get: () => g().${key}[Symbol.for("nodejs.util.promisify.custom")] });`,
      );
    } else if (fn) lines.push(`export const ${key} = lazyClass(() => g().${key});`);
    else lines.push(`export const ${key} = g().${key};`);
  }
  return lines.join("\n");
}

/** The plugin for a bundle whose built-in imports are `imports` (from `scanBuiltinImports`). */
export function builtinsPlugin(imports: BuiltinImports): Plugin {
  return {
    name: "charm-relations-builtins",
    setup(build) {
      build.onResolve({ filter: /^(node:)?[a-z_/0-9]+$/ }, (args) => {
        if (
          args.kind !== "import-statement" ||
          args.namespace === "builtin-stand-in" ||
          !isBuiltin(args.path)
        ) {
          return undefined;
        }
        const names = imports.get(bare(args.path));
        // Namespace imports (`import * as fs`) and names the first pass did not see stay real imports.
        if (names === undefined || names === "*") return undefined;
        return { path: bare(args.path), namespace: "builtin-stand-in" };
      });
      build.onLoad({ filter: /.*/, namespace: "builtin-stand-in" }, (args) => {
        const names = imports.get(args.path);
        return { contents: standIn(args.path, names instanceof Set ? names : new Set()), loader: "js" };
      });
    },
  };
}
