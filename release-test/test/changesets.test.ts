/**
 * `changeset version` on a scratch copy of the repository: the first release gives every public
 * package 1.0.0 and leaves the private ones alone, and afterwards a core minor or patch does not
 * cascade into the interface packages (they take the core as a peer; changesets would otherwise
 * bump every dependent of a peer **major** on any minor), while a core major does.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Env, isolatedEnv, sh } from "../src/env.js";
import {
  changesetVersion,
  scratchRepo,
  versionOf,
  workspacePackages,
  writeChangeset,
} from "../src/scratch.js";

const CORE = "@charm-relations/juju-secrets-core";
const PG = "@charm-relations/interface-postgresql-client";
const CLI = "@charm-relations/cli";

let tmp: string;
let repo: string;
let env: Env;
let packages: Map<string, string>;
const isPrivate = (dir: string) =>
  (JSON.parse(readFileSync(join(repo, dir, "package.json"), "utf8")) as { private?: boolean }).private ===
  true;
const versions = () => new Map([...packages].map(([name, dir]) => [name, versionOf(repo, dir)]));
const manifest = (name: string) =>
  JSON.parse(readFileSync(join(repo, packages.get(name)!, "package.json"), "utf8")) as Record<
    string,
    Record<string, string> | undefined
  >;

/** Versions after one changeset on top of the first release; the scratch copy is reset afterwards. */
function versionsAfter(bumps: Record<string, string>): Map<string, string> {
  writeChangeset(repo, "scenario", bumps, "scenario");
  changesetVersion(repo, env);
  const out = versions();
  sh("git", ["reset", "-q", "--hard"], { cwd: repo, env });
  sh("git", ["clean", "-qfd"], { cwd: repo, env });
  return out;
}

/** semver increment of a release version. */
const inc = (version: string, type: "major" | "minor" | "patch") => {
  const [major, minor, patch] = version.split(".").map(Number) as [number, number, number];
  if (type === "major") return `${major + 1}.0.0`;
  return type === "minor" ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`;
};

const changed = (before: Map<string, string>, now: Map<string, string>) =>
  Object.fromEntries([...now].filter(([name, v]) => before.get(name) !== v));

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "charm-relations-changesets-"));
  env = isolatedEnv(join(tmp, "home"));
  repo = scratchRepo(join(tmp, "repo"), env);
  packages = workspacePackages(repo);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("changeset version", () => {
  let first: Map<string, string>;

  it("gives every unreleased public package 1.0.0 and never versions a private one", () => {
    const before = versions();
    const changelogs = new Map(
      [...packages].map(([n, d]) => [n, readdirSync(join(repo, d)).includes("CHANGELOG.md")]),
    );
    changesetVersion(repo, env);
    first = versions();
    for (const [name, dir] of packages) {
      if (isPrivate(dir)) {
        expect(first.get(name), name).toBe(before.get(name));
        expect(readdirSync(join(repo, dir)).includes("CHANGELOG.md"), `${name} changelog`).toBe(
          changelogs.get(name),
        );
      } else if (before.get(name)!.startsWith("0.")) {
        // A peer range `^0.x` spans one minor: releases start at 1.0.0 so `^1.0.0` spans a major.
        expect(first.get(name), name).toBe("1.0.0");
        expect(readFileSync(join(repo, dir, "CHANGELOG.md"), "utf8")).toContain("## 1.0.0");
      }
    }
    // Every changeset was consumed: none named a private package (it would linger forever).
    expect(
      readdirSync(join(repo, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md"),
    ).toEqual([]);
    // The peer range on the core stays a workspace range (pnpm publishes it as ^<core version>).
    expect(manifest(PG).peerDependencies?.[CORE]).toBe("workspace:^");
    expect(manifest(PG).dependencies?.[CORE]).toBeUndefined();
    sh("git", ["commit", "-qam", "first release"], { cwd: repo, env });
  });

  it("a core minor releases the core alone", () => {
    expect(changed(first, versionsAfter({ [CORE]: "minor" }))).toEqual({
      [CORE]: inc(first.get(CORE)!, "minor"),
    });
  });

  it("a core patch releases the core alone", () => {
    expect(changed(first, versionsAfter({ [CORE]: "patch" }))).toEqual({
      [CORE]: inc(first.get(CORE)!, "patch"),
    });
  });

  it("an interface patch releases that interface alone", () => {
    expect(changed(first, versionsAfter({ [PG]: "patch" }))).toEqual({ [PG]: inc(first.get(PG)!, "patch") });
  });

  it("a core major bumps every interface major (the peer range is left) and the CLI patch", () => {
    const now = changed(first, versionsAfter({ [CORE]: "major" }));
    const interfaces = [...packages.keys()].filter(
      (n) => n.startsWith("@charm-relations/interface-") && !isPrivate(packages.get(n)!),
    );
    expect(interfaces.length).toBeGreaterThan(0);
    expect(now).toEqual({
      [CORE]: inc(first.get(CORE)!, "major"),
      [CLI]: inc(first.get(CLI)!, "patch"),
      ...Object.fromEntries(interfaces.map((n) => [n, inc(first.get(n)!, "major")])),
    });
  });
});
