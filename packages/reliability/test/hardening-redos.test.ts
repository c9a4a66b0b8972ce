/**
 * Issue 15 class 1: every pattern the packages run on remote text, and every `pattern` they publish in a
 * JSON Schema, must match in linear time. Checked by `recheck` (automaton + fuzzing), not by eye.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { publishedJsonSchemas } from "../src/published.js";
import { checkPatterns, jsonSchemaPatterns, scanPatterns, sourceFiles } from "../src/redos.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const PACKAGES = join(ROOT, "packages");

const srcFiles = readdirSync(PACKAGES).flatMap((pkg) => {
  try {
    return sourceFiles(join(PACKAGES, pkg, "src"));
  } catch {
    return [];
  }
});

describe("ReDoS check (recheck)", () => {
  it("finds the patterns it is meant to check", () => {
    const { sites } = scanPatterns(srcFiles, ROOT);
    // A scanner that silently finds nothing would pass everything.
    expect(sites.length).toBeGreaterThan(50);
    expect(publishedJsonSchemas().flatMap(([n, s]) => jsonSchemaPatterns(n, s)).length).toBeGreaterThan(20);
  });

  it("flags a super-linear pattern (the checker is live)", () => {
    const bad = checkPatterns([
      { where: "probe exponential", source: "^(a|a)*$", flags: "" },
      { where: "probe polynomial", source: "^\\s*a[^,]*\\s*$", flags: "" },
      { where: "probe linear", source: "^[a-z]{20}$", flags: "" },
    ]);
    expect(bad.map((v) => v.verdict)).toEqual(["exponential", "polynomial (degree 2)", "safe"]);
  });

  it("every regex literal and RegExp pattern in packages/*/src is linear", { timeout: 600_000 }, () => {
    const { sites, unresolved } = scanPatterns(srcFiles, ROOT);
    const bad = checkPatterns(sites).filter((v) => v.verdict !== "safe");
    expect([
      ...unresolved.map((where) => `${where}: RegExp pattern not statically known (cannot be checked)`),
      ...bad.map((v) => `${v.site.where} /${v.site.source}/${v.site.flags}: ${v.verdict}`),
    ]).toEqual([]);
  });

  it("every pattern in every published JSON Schema is linear", { timeout: 600_000 }, () => {
    const sites = publishedJsonSchemas().flatMap(([name, schema]) => jsonSchemaPatterns(name, schema));
    const bad = checkPatterns(sites).filter((v) => v.verdict !== "safe");
    // One line per distinct pattern: the same one is published by several documents.
    const lines = new Map<string, string>();
    for (const v of bad) lines.set(v.site.source, `${v.site.where} /${v.site.source}/: ${v.verdict}`);
    expect([...lines.values()]).toEqual([]);
  });
});
