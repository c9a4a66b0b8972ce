import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { charmYamlFiles, manifestYaml, planCharms, readProject } from "../src/index.js";
import { parseYaml11 } from "../src/project.js";

function charmDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "charm-relations-pack-meta-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const CHARMCRAFT = `name: my-charm
type: charm
title: My charm
summary: Does things.
description: |
  Two lines
  of description.
links:
  documentation: https://example.com/docs
  contact: Someone <someone@example.com>
  issues: https://example.com/issues
  source: [https://example.com/src]
platforms:
  ubuntu@24.04:amd64:
parts:
  charm:
    plugin: nil
requires:
  database:
    interface: postgresql_client
    limit: 1
assumes:
  - juju >= 3.6
config:
  options:
    enabled:
      type: boolean
      default: yes
    word:
      type: string
      default: "yes"
    version:
      type: string
      default: "3.10"
    port:
      type: int
      default: 017
actions:
  rotate:
    description: Rotate.
`;

describe("the YAML files of a .charm", () => {
  it("metadata.yaml: charmcraft's keys, title → display-name, links flattened, nothing about building", () => {
    const files = charmYamlFiles(readProject(charmDir({ "charmcraft.yaml": CHARMCRAFT })));
    expect(parseYaml11(files["metadata.yaml"], "metadata.yaml")).toEqual({
      name: "my-charm",
      "display-name": "My charm",
      summary: "Does things.",
      description: "Two lines\nof description.\n",
      docs: "https://example.com/docs",
      maintainers: ["Someone <someone@example.com>"],
      issues: "https://example.com/issues",
      source: ["https://example.com/src"],
      requires: { database: { interface: "postgresql_client", limit: 1 } },
      assumes: ["juju >= 3.6"],
    });
    // Sorted keys like PyYAML's safe_dump; the multi-line description as a literal block.
    expect(files["metadata.yaml"].split("\n")[0]).toBe("assumes:");
    expect(files["metadata.yaml"]).toContain("description: |\n  Two lines\n  of description.\n");
  });

  it('config.yaml keeps YAML 1.1 values: a boolean `yes`, the string "yes", the string "3.10", octal 0o17', () => {
    const files = charmYamlFiles(readProject(charmDir({ "charmcraft.yaml": CHARMCRAFT })));
    const text = files["config.yaml"]!;
    expect(parseYaml11(text, "config.yaml")).toEqual({
      options: {
        enabled: { type: "boolean", default: true },
        word: { type: "string", default: "yes" },
        version: { type: "string", default: "3.10" },
        port: { type: "int", default: 15 },
      },
    });
    // Quoted where a YAML 1.1 reader (Juju's) would otherwise read another type.
    expect(text).toMatch(/default: "yes"/);
    expect(text).toMatch(/default: "3\.10"/);
    expect(parseYaml11(files["actions.yaml"]!, "actions.yaml")).toEqual({
      rotate: { description: "Rotate." },
    });
  });

  it("no config.yaml or actions.yaml when the charm has neither; legacy files are copied as they are", () => {
    const bare = `name: bare\ntype: charm\nsummary: s\ndescription: d\nbase: ubuntu@24.04\nplatforms:\n  amd64:\n`;
    expect(Object.keys(charmYamlFiles(readProject(charmDir({ "charmcraft.yaml": bare }))))).toEqual([
      "metadata.yaml",
    ]);
    const legacy = charmDir({
      "charmcraft.yaml": 'type: charm\nbases:\n  - name: ubuntu\n    channel: "22.04"\n',
      "metadata.yaml": "name: old-charm\nsummary: s\ndescription: d\n# kept as written\n",
      "config.yaml": "options: {}\n",
    });
    const project = readProject(legacy);
    expect(project.charmcraft.name).toBe("old-charm");
    expect(charmYamlFiles(project)).toEqual({
      "metadata.yaml": "name: old-charm\nsummary: s\ndescription: d\n# kept as written\n",
      "config.yaml": "options: {}\n",
    });
  });

  it("manifest.yaml: charmcraft's fields in charmcraft's order", () => {
    const project = readProject(charmDir({ "charmcraft.yaml": CHARMCRAFT }));
    const text = manifestYaml(planCharms(project)[0]!, {
      packer: "@charm-relations/pack 1.2.3",
      startedAt: new Date("2026-12-07T10:00:00Z"),
    });
    expect(text).toBe(
      [
        'charmcraft-version: "@charm-relations/pack 1.2.3"',
        // Quoted: a YAML 1.1 reader would take it for a timestamp (PyYAML quotes it too).
        'charmcraft-started-at: "2026-12-07T10:00:00.000Z"',
        "bases:",
        "- name: ubuntu",
        '  channel: "24.04"',
        "  architectures:",
        "  - amd64",
        "analysis:",
        "  attributes:",
        "  - name: language",
        "    result: unknown",
        "  - name: framework",
        "    result: unknown",
        "",
      ].join("\n"),
    );
  });

  it("reports a broken charmcraft.yaml by file and field", () => {
    expect(() => readProject(charmDir({ "charmcraft.yaml": "name: Bad_Name\n" }))).toThrow(
      /charmcraft\.yaml: name: a charm name/,
    );
    expect(() => readProject(charmDir({ "charmcraft.yaml": "name: [\n" }))).toThrow(/not valid YAML/);
    expect(() =>
      readProject(charmDir({ "charmcraft.yaml": "name: x\nbases:\n  - name: ubuntu\n    channel: 22.04\n" })),
    ).toThrow(/bases\.0.*channel.*quote it/);
  });
});
