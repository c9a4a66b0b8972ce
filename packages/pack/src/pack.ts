/**
 * `packCharm`: a charm directory (`charmcraft.yaml`, `package.json`, `src/charm.ts`) → one `.charm` per
 * platform, laid out like charmcraft's:
 *
 *     dispatch                  sh: runs node/<arch>/node on dist/charm.mjs
 *     dist/charm.mjs            the bundle (+ charm.mjs.map, THIRD_PARTY_LICENSES.txt)
 *     node/<arch>/node          the pinned Node runtime (+ LICENSE), one per architecture shipped
 *     metadata.yaml, config.yaml, actions.yaml, manifest.yaml
 *     README.md, LICENSE, icon.svg, version, … when the charm directory has them
 *
 * The same tree minus the generated YAML is left in `<charm>/.charm-relations/stage/<build-for>/`,
 * where a `charmcraft.yaml` part can take it from (`charmcraft pack` then writes the YAML itself).
 */

import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BUNDLE_PATH, bundleCharm } from "./bundle.js";
import { dispatchScript } from "./dispatch.js";
import { PackError } from "./errors.js";
import { charmYamlFiles, manifestYaml } from "./metadata.js";
import { type Arch, type PlannedCharm, planCharms } from "./plan.js";
import { readProject } from "./project.js";
import { prepareRuntime, type Runtime } from "./runtime.js";
import { NODE_RUNTIME } from "./runtime-pin.js";
import { type Deflated, writeZip, type ZipEntry } from "./zip.js";

export interface PackOptions {
  /** The charm directory (holding `charmcraft.yaml`). */
  readonly charmDir: string;
  /** Where the `.charm` files go (default: the charm directory). */
  readonly outDir?: string;
  /** `all` (default), an architecture (`amd64`, `arm64`) or a platform name from `charmcraft.yaml`. */
  readonly platform?: string;
  /** Node version to ship instead of the pinned one (`x.y.z`). */
  readonly node?: string;
  /** Entry module, relative to the charm directory (default `src/charm.ts`, else `src/charm.js`). */
  readonly entry?: string;
  /** Extra export conditions for the bundle (`@charm-relations/source` bundles this repo's sources). */
  readonly conditions?: readonly string[];
  /**
   * Ship `dist/charm.mjs.map` and run with `--enable-source-maps`, so stack traces in the debug-log
   * name source lines (default true; no measurable cost on a hook that does not fail, bench/pack.ts).
   */
  readonly sourcemap?: boolean;
  readonly cacheDir?: string;
  readonly registry?: string;
  /** Progress lines (downloads, strip). */
  readonly log?: (line: string) => void;
  /** Build time for manifest.yaml and the zip entries (default `$SOURCE_DATE_EPOCH`, else now). */
  readonly now?: Date;
}

export interface PackedCharm {
  readonly platform: string;
  readonly path: string;
  readonly bytes: number;
  readonly arches: readonly Arch[];
  /** The staged tree for charmcraft (no generated YAML). */
  readonly stageDir: string;
}

export interface PackResult {
  readonly name: string;
  readonly charms: readonly PackedCharm[];
  readonly bundleBytes: number;
  readonly runtimes: readonly Pick<Runtime, "arch" | "version" | "strippedWith">[];
}

/** Files charmcraft ships from the project when they exist (charmcraft's optional charm files). */
const OPTIONAL_FILES = ["README.md", "LICENSE", "icon.svg", "version", "lxd-profile.yaml", "metrics.yaml"];

export const STAGE_DIR = join(".charm-relations", "stage");

function packerVersion(): string {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8"));
  return `${pkg.name} ${pkg.version}`;
}

function buildTime(): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  return epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
}

function defaultEntry(dir: string): string {
  for (const candidate of ["src/charm.ts", "src/charm.mts", "src/charm.js", "src/charm.mjs"]) {
    if (existsSync(join(dir, candidate))) return candidate;
  }
  throw new PackError(`${dir}: no src/charm.ts (give the entry module)`);
}

/** Hard-link (same filesystem) or copy. */
function link(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

export async function packCharm(options: PackOptions): Promise<PackResult> {
  const charmDir = resolve(options.charmDir);
  const project = readProject(charmDir);
  const plan = planCharms(project, options.platform ?? "all");
  const version = options.node ?? NODE_RUNTIME.version;
  const sourcemap = options.sourcemap ?? true;
  const now = options.now ?? buildTime();

  const bundle = await bundleCharm({
    entry: join(charmDir, options.entry ?? defaultEntry(charmDir)),
    charmDir,
    nodeMajor: Number(version.split(".")[0]),
    ...(options.conditions ? { conditions: options.conditions } : {}),
    sourcemap,
  });
  const runtimes = new Map<Arch, Runtime>();
  for (const arch of new Set(plan.flatMap((c) => c.arches))) {
    runtimes.set(
      arch,
      await prepareRuntime(arch, {
        version,
        ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
        ...(options.registry ? { registry: options.registry } : {}),
        ...(options.log ? { log: options.log } : {}),
      }),
    );
  }

  const yamlFiles = charmYamlFiles(project);
  const outDir = resolve(options.outDir ?? charmDir);
  await mkdir(outDir, { recursive: true });
  const charms: PackedCharm[] = [];
  for (const charm of plan) {
    const tree = charmTree(charm, bundle, runtimes, sourcemap, charmDir);
    const stageDir = join(charmDir, STAGE_DIR, charm.buildFor);
    stage(stageDir, tree);
    const entries: ZipEntry[] = [
      ...tree.map(({ name, mode, content, deflated }) => ({
        name,
        mode,
        // The runtime goes in already deflated: compressed once, in the cache.
        content: deflated ?? (typeof content === "string" ? readFileSync(content) : content),
      })),
      ...Object.entries(yamlFiles).map(([name, text]) => ({ name, mode: 0o644, content: Buffer.from(text) })),
      {
        name: "manifest.yaml",
        mode: 0o644,
        content: Buffer.from(manifestYaml(charm, { packer: packerVersion(), startedAt: now })),
      },
    ].sort((a, b) => (a.name < b.name ? -1 : 1));
    const path = join(outDir, charm.fileName);
    const bytes = await writeZip(path, entries, now);
    charms.push({ platform: charm.platform, path, bytes, arches: charm.arches, stageDir });
  }
  return {
    name: project.charmcraft.name,
    charms,
    bundleBytes: bundle.files.get(BUNDLE_PATH)?.length ?? 0,
    runtimes: [...runtimes.values()].map(({ arch, version: v, strippedWith }) => ({
      arch,
      version: v,
      strippedWith,
    })),
  };
}

/** A file of the charm: its bytes, or the path of a file to take them from. */
interface TreeFile {
  readonly name: string;
  readonly mode: number;
  readonly content: Buffer | string;
  /** The same bytes, deflated beforehand (the runtime). */
  readonly deflated?: Deflated;
  /** Staged as a hard link to `content` (the cached runtime) instead of a copy. */
  readonly link?: boolean;
}

function charmTree(
  charm: PlannedCharm,
  bundle: Awaited<ReturnType<typeof bundleCharm>>,
  runtimes: ReadonlyMap<Arch, Runtime>,
  sourcemap: boolean,
  charmDir: string,
): TreeFile[] {
  const files: TreeFile[] = [
    {
      name: "dispatch",
      mode: 0o755,
      content: Buffer.from(
        dispatchScript({
          arches: charm.arches,
          bundle: BUNDLE_PATH,
          nodeOptions: sourcemap ? ["--enable-source-maps"] : [],
        }),
      ),
    },
  ];
  for (const [name, data] of bundle.files) files.push({ name, mode: 0o644, content: data });
  if (bundle.thirdPartyLicenses) {
    files.push({
      name: "dist/THIRD_PARTY_LICENSES.txt",
      mode: 0o644,
      content: Buffer.from(bundle.thirdPartyLicenses),
    });
  }
  for (const arch of charm.arches) {
    const runtime = runtimes.get(arch)!;
    files.push({
      name: `node/${arch}/node`,
      mode: 0o755,
      content: runtime.node,
      deflated: runtime.deflated,
      link: true,
    });
    files.push({ name: `node/${arch}/LICENSE`, mode: 0o644, content: runtime.license, link: true });
  }
  for (const name of OPTIONAL_FILES) {
    const path = join(charmDir, name);
    if (existsSync(path) && statSync(path).isFile()) files.push({ name, mode: 0o644, content: path });
  }
  return files;
}

/** The tree charmcraft's part copies: written fresh, the runtime hard-linked from the cache. */
function stage(dir: string, tree: readonly TreeFile[]): void {
  rmSync(dir, { recursive: true, force: true });
  for (const file of tree) {
    const to = join(dir, file.name);
    mkdirSync(dirname(to), { recursive: true });
    if (typeof file.content !== "string") writeFileSync(to, file.content, { mode: file.mode });
    else if (file.link) link(file.content, to);
    else copyFileSync(file.content, to);
  }
}
