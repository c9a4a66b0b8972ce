/**
 * `charmcraft.yaml` as the packer reads it: the fields that decide what is built (name, base,
 * platforms or the legacy bases), everything else kept as written for metadata.yaml, config.yaml and
 * actions.yaml. Parsed as YAML 1.1, like charmcraft (PyYAML) and Juju (go-yaml) do: `yes`/`on` are
 * booleans there, so they must be here too.
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import * as z from "zod";
import { PackError } from "./errors.js";

const stringList = z.union([z.string(), z.array(z.string())]);

/** A `platforms:` value: empty (the name says it all) or explicit build-on / build-for. */
const Platform = z
  .object({ "build-on": stringList.optional(), "build-for": stringList.optional() })
  .loose()
  .nullable();

/** A legacy `bases:` entry (charmcraft 2 syntax): one base, or `build-on` + `run-on` lists. */
const LegacyBase = z.object({
  name: z.string(),
  channel: z.string({ error: 'channel must be a string: quote it (e.g. "22.04")' }),
  architectures: z.array(z.string()).optional(),
});
const LegacyBaseEntry = z.union([
  z.object({ "build-on": z.array(LegacyBase).min(1), "run-on": z.array(LegacyBase).min(1) }),
  LegacyBase,
]);

export const CharmcraftYaml = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, "a charm name: lowercase letters, digits and dashes"),
    type: z.literal("charm").optional(),
    base: z.string().optional(),
    "build-base": z.string().optional(),
    platforms: z.record(z.string(), Platform).optional(),
    bases: z.array(LegacyBaseEntry).optional(),
  })
  .loose();

export type CharmcraftYaml = z.infer<typeof CharmcraftYaml>;
export type LegacyBase = z.infer<typeof LegacyBase>;
export type LegacyBaseEntry = z.infer<typeof LegacyBaseEntry>;

/** The charm project: its directory, the parsed `charmcraft.yaml`, and legacy YAML files found next to it. */
export interface CharmProject {
  readonly dir: string;
  readonly charmcraft: CharmcraftYaml;
  /** Raw text of `metadata.yaml`, `config.yaml`, `actions.yaml` when the project still has them. */
  readonly legacyFiles: Readonly<Partial<Record<LegacyFile, string>>>;
}

export const LEGACY_FILES = ["metadata.yaml", "config.yaml", "actions.yaml"] as const;
export type LegacyFile = (typeof LEGACY_FILES)[number];

/** YAML 1.1, as charmcraft and Juju read it. */
export function parseYaml11(text: string, what: string): unknown {
  try {
    return parse(text, { version: "1.1", merge: true, uniqueKeys: true });
  } catch (error) {
    throw new PackError(`${what}: not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
}

export function readProject(dir: string): CharmProject {
  const file = join(dir, "charmcraft.yaml");
  if (!existsSync(file)) throw new PackError(`${dir}: no charmcraft.yaml`);
  const legacyFiles: Partial<Record<LegacyFile, string>> = {};
  for (const name of LEGACY_FILES) {
    const path = join(dir, name);
    if (existsSync(path)) legacyFiles[name] = readFileSync(path, "utf8");
  }
  let raw = parseYaml11(readFileSync(file, "utf8"), file);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new PackError(`${file}: expected a mapping at the top level`);
  }
  // Old projects keep the name (and the rest of the metadata) in metadata.yaml; charmcraft merges it.
  if (!("name" in raw) && legacyFiles["metadata.yaml"] !== undefined) {
    const meta = parseYaml11(legacyFiles["metadata.yaml"], join(dir, "metadata.yaml"));
    if (meta && typeof meta === "object" && !Array.isArray(meta)) raw = { ...meta, ...raw };
  }
  const parsed = CharmcraftYaml.safeParse(raw);
  if (!parsed.success) {
    const { path, message } = deepestIssue(parsed.error.issues[0]!, []);
    throw new PackError(`${file}: ${path.length ? path.join(".") : "(top level)"}: ${message}`);
  }
  return { dir, charmcraft: parsed.data, legacyFiles };
}

/** For a union that matched no branch, the first issue of the branch that came closest (fewest issues). */
function deepestIssue(
  issue: z.core.$ZodIssue,
  prefix: PropertyKey[],
): { path: PropertyKey[]; message: string } {
  const path = [...prefix, ...issue.path];
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return { path, message: issue.message };
  const closest = issue.errors.reduce((a, b) => (b.length < a.length ? b : a));
  return deepestIssue(closest[0]!, path);
}
