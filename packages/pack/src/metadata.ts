/**
 * The YAML files charmcraft writes into a `.charm` (charmcraft's `PackageService.write_metadata`):
 *
 * - `metadata.yaml`: the metadata keys of `charmcraft.yaml`, `title` renamed `display-name`, `links`
 *   flattened (`documentation` → `docs`, `contact` → `maintainers`, `issues`, `source`, `website`);
 * - `config.yaml` and `actions.yaml`: the `config` and `actions` sections, when present;
 * - each copied verbatim instead when the project still has that file (charmcraft does the same);
 * - `manifest.yaml`: `charmcraft-version`, `charmcraft-started-at`, `bases`, `analysis`.
 *
 * Keys sorted like PyYAML's `safe_dump`, multi-line strings as `|` blocks, and YAML 1.1 quoting so
 * that Juju (go-yaml) reads back exactly the values of `charmcraft.yaml`.
 */

import { stringify } from "yaml";
import type { PlannedCharm } from "./plan.js";
import type { CharmProject } from "./project.js";

/** charmcraft's `CharmMetadata` fields, in its spelling. */
const METADATA_KEYS = [
  "name",
  "summary",
  "description",
  "assumes",
  "charm-user",
  "containers",
  "devices",
  "extra-bindings",
  "peers",
  "provides",
  "requires",
  "resources",
  "storage",
  "subordinate",
  "terms",
  // Not charmcraft.yaml keys (they live under `links`), but metadata.yaml ones: kept if written.
  "maintainers",
  "docs",
  "issues",
  "source",
  "website",
] as const;

export function toYaml(value: unknown, sortKeys: boolean): string {
  return stringify(value, {
    version: "1.1",
    sortMapEntries: sortKeys,
    blockQuote: "literal",
    lineWidth: 0,
    indentSeq: false,
  });
}

export function metadataObject(project: CharmProject): Record<string, unknown> {
  const cc = project.charmcraft as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of METADATA_KEYS) if (cc[key] !== undefined && cc[key] !== null) out[key] = cc[key];
  if (typeof cc.title === "string") out["display-name"] = cc.title;
  const links = cc.links;
  if (links && typeof links === "object") {
    const { documentation, contact, ...rest } = links as Record<string, unknown>;
    if (documentation !== undefined) out.docs = documentation;
    if (contact !== undefined) out.maintainers = Array.isArray(contact) ? contact : [contact];
    for (const [k, v] of Object.entries(rest)) if (v !== undefined && v !== null) out[k] = v;
  }
  return out;
}

export interface CharmYamlFiles {
  readonly "metadata.yaml": string;
  readonly "config.yaml"?: string;
  readonly "actions.yaml"?: string;
}

/** metadata.yaml, and config.yaml / actions.yaml when the charm has config options or actions. */
export function charmYamlFiles(project: CharmProject): CharmYamlFiles {
  const cc = project.charmcraft as Record<string, unknown>;
  const legacy = project.legacyFiles;
  const section = (name: "config" | "actions", file: "config.yaml" | "actions.yaml") => {
    if (legacy[file] !== undefined) return { [file]: legacy[file] };
    const value = cc[name];
    const empty =
      value === undefined || value === null || (typeof value === "object" && !Object.keys(value).length);
    return empty ? {} : { [file]: toYaml(value, true) };
  };
  return {
    "metadata.yaml": legacy["metadata.yaml"] ?? toYaml(metadataObject(project), true),
    ...section("config", "config.yaml"),
    ...section("actions", "actions.yaml"),
  };
}

export interface ManifestInfo {
  /** Written as `charmcraft-version`: which tool packed the charm. */
  readonly packer: string;
  readonly startedAt: Date;
}

/**
 * manifest.yaml as charmcraft writes it (field order kept). The analysis attributes are charmcraft's
 * two attribute checkers; neither recognises a TypeScript charm, so both say `unknown`.
 */
export function manifestYaml(charm: PlannedCharm, info: ManifestInfo): string {
  return toYaml(
    {
      "charmcraft-version": info.packer,
      "charmcraft-started-at": info.startedAt.toISOString(),
      bases: charm.bases.map((b) => ({
        name: b.name,
        channel: b.channel,
        architectures: [...b.architectures],
      })),
      analysis: {
        attributes: [
          { name: "language", result: "unknown" },
          { name: "framework", result: "unknown" },
        ],
      },
    },
    false,
  );
}
