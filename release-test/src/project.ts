/**
 * A charm project outside the workspace, as a user would make one: a package.json, the tsconfig from
 * docs/writing-a-charm.md, packages installed from the local registry with npm or pnpm (strict peers,
 * so an install that lacks or mismatches a peer fails), then typecheck + compile, run through the
 * hook-tool fakes, and bundle with esbuild.
 */
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Env, sh } from "./env.js";

export type PackageManager = "npm" | "pnpm";

export interface HookRun {
  readonly settled: boolean;
  readonly failed: readonly string[];
  readonly status: { readonly status: string; readonly message: string };
  readonly logs: readonly string[];
}

export interface Bundle {
  readonly bytes: number;
  /** zod locale modules that made it into the bundle (English is zod's default and stays). */
  readonly zodLocales: readonly string[];
}

const FIXTURES = join(import.meta.dirname, "..", "fixtures");

export class CharmProject {
  private constructor(
    readonly dir: string,
    readonly pm: PackageManager,
    readonly env: Env,
  ) {}

  static create(dir: string, pm: PackageManager, env: Env, tsconfig: Record<string, unknown>): CharmProject {
    mkdirSync(join(dir, "src"), { recursive: true });
    writeFileSync(
      join(dir, "package.json"),
      `${JSON.stringify({ name: "my-charm", version: "0.0.0", private: true, type: "module" }, null, 2)}\n`,
    );
    writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`);
    writeFileSync(
      join(dir, ".npmrc"),
      pm === "pnpm" ? "strict-peer-dependencies=true\nauto-install-peers=false\n" : "strict-peer-deps=true\n",
    );
    copyFileSync(join(FIXTURES, "harness.mjs"), join(dir, "harness.mjs"));
    return new CharmProject(dir, pm, env);
  }

  run(cmd: string, args: readonly string[]): string {
    return sh(cmd, args, { cwd: this.dir, env: this.env });
  }

  /** `npm install` / `pnpm add` of package specs. */
  add(specs: readonly string[], options: { dev?: boolean; exact?: boolean } = {}): void {
    const flags = [...(options.dev ? ["--save-dev"] : []), ...(options.exact ? ["--save-exact"] : [])];
    if (this.pm === "npm") this.run("npm", ["install", ...flags, ...specs]);
    else this.run("pnpm", ["add", ...flags, ...specs]);
  }

  install(): void {
    this.run(this.pm, ["install"]);
  }

  manifest(): { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } {
    return JSON.parse(readFileSync(join(this.dir, "package.json"), "utf8"));
  }

  /** The version the project resolves `name` to. */
  version(name: string): string {
    return this.packageJson(realpathSync(join(this.dir, "node_modules", name))).version;
  }

  private packageJson(dir: string): { name: string; version: string } {
    return JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  }

  /** Every physical copy of `name` under node_modules (npm nesting and pnpm's .pnpm store alike). */
  copies(name: string): string[] {
    const found = new Set<string>();
    const seen = new Set<string>();
    const visit = (dir: string) => {
      const real = realpathSync(dir);
      if (seen.has(real) || !existsSync(join(real, "package.json"))) return;
      seen.add(real);
      if (this.packageJson(real).name === name) found.add(real);
      if (existsSync(join(real, "node_modules"))) walk(join(real, "node_modules"));
    };
    const walk = (nm: string) => {
      for (const entry of readdirSync(nm)) {
        const path = join(nm, entry);
        if (entry === ".pnpm") {
          for (const id of readdirSync(path))
            if (existsSync(join(path, id, "node_modules"))) walk(join(path, id, "node_modules"));
        } else if (entry.startsWith("@") && lstatSync(path).isDirectory()) {
          for (const sub of readdirSync(path)) visit(join(path, sub));
        } else if (!entry.startsWith(".")) {
          visit(path);
        }
      }
    };
    walk(join(this.dir, "node_modules"));
    return [...found].sort();
  }

  /** Where `dependency` resolves from inside the installed `from` package (its own view, not the project's). */
  resolvedFrom(from: string, dependency: string): string {
    const base = realpathSync(join(this.dir, "node_modules", from, "package.json"));
    return realpathSync(createRequire(base).resolve(dependency));
  }

  resolved(dependency: string): string {
    return realpathSync(createRequire(join(this.dir, "package.json")).resolve(dependency));
  }

  write(file: string, content: string): void {
    writeFileSync(join(this.dir, file), content);
  }

  /** `tsc -p .`: typecheck, and compile src/ to dist/. */
  compile(): void {
    this.run(process.execPath, [join(this.dir, "node_modules", "typescript", "bin", "tsc"), "-p", "."]);
  }

  /** Through the hook-tool fakes, against the reference providers of `interfaces`. */
  simulate(entry: string, interfaces: readonly string[]): HookRun {
    const out = this.run(process.execPath, ["harness.mjs", entry, ...interfaces])
      .trim()
      .split("\n");
    return JSON.parse(out[out.length - 1]!) as HookRun;
  }

  /** The bundling recipe of docs/writing-a-charm.md, minified. */
  bundle(entry: string, outfile: string): Bundle {
    const meta = `${outfile}.meta.json`;
    // npm's install script swaps bin/esbuild for the native binary; pnpm keeps the JS shim: run the .bin link.
    this.run(join(this.dir, "node_modules", ".bin", "esbuild"), [
      entry,
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--target=node20",
      "--minify",
      `--outfile=${outfile}`,
      `--metafile=${meta}`,
      "--log-level=warning",
      "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    ]);
    const metafile = JSON.parse(readFileSync(join(this.dir, meta), "utf8")) as {
      outputs: Record<string, { bytes: number; inputs: Record<string, unknown> }>;
    };
    const output = Object.values(metafile.outputs)[0]!;
    return {
      bytes: output.bytes,
      zodLocales: Object.keys(output.inputs).filter((i) => /\/zod\/.*\/locales\/(?!en\.js$)/.test(i)),
    };
  }

  /** Bytes under node_modules (apparent size). */
  nodeModulesBytes(): number {
    return Number(this.run("du", ["-sb", "node_modules"]).split("\t")[0]);
  }

  ls(): string {
    return this.pm === "npm"
      ? this.run("npm", ["ls", "--all"])
      : this.run("pnpm", ["ls", "--depth", "Infinity"]);
  }
}
