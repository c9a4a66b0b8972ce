import { describe, expect, it } from "vitest";
import { PackError, planCharms } from "../src/index.js";
import { CharmcraftYaml, type CharmProject } from "../src/project.js";

const project = (yaml: Record<string, unknown>): CharmProject => ({
  dir: "/charm",
  charmcraft: CharmcraftYaml.parse({ name: "my-charm", type: "charm", ...yaml }),
  legacyFiles: {},
});

const summary = (p: CharmProject, select?: string) =>
  planCharms(p, select).map((c) => ({ file: c.fileName, arches: c.arches, bases: c.bases }));

describe("planCharms: charmcraft's file names and manifest bases", () => {
  it("base + platforms by architecture: <name>_<arch>.charm", () => {
    expect(summary(project({ base: "ubuntu@24.04", platforms: { amd64: null, arm64: null } }))).toEqual([
      {
        file: "my-charm_amd64.charm",
        arches: ["amd64"],
        bases: [{ name: "ubuntu", channel: "24.04", architectures: ["amd64"] }],
      },
      {
        file: "my-charm_arm64.charm",
        arches: ["arm64"],
        bases: [{ name: "ubuntu", channel: "24.04", architectures: ["arm64"] }],
      },
    ]);
  });

  it("multi-base shorthand <base>:<arch>: <name>_<base>-<arch>.charm, the base from the name", () => {
    const p = project({ platforms: { "ubuntu@22.04:amd64": null, "ubuntu@24.04:arm64": null } });
    expect(summary(p)).toEqual([
      {
        file: "my-charm_ubuntu@22.04-amd64.charm",
        arches: ["amd64"],
        bases: [{ name: "ubuntu", channel: "22.04", architectures: ["amd64"] }],
      },
      {
        file: "my-charm_ubuntu@24.04-arm64.charm",
        arches: ["arm64"],
        bases: [{ name: "ubuntu", channel: "24.04", architectures: ["arm64"] }],
      },
    ]);
  });

  it("named platforms with build-on / build-for: named after the platform, base from build-for", () => {
    const p = project({
      platforms: {
        "noble-arm64": { "build-on": ["ubuntu@24.04:amd64"], "build-for": ["ubuntu@24.04:arm64"] },
        jammy: { "build-on": "amd64", "build-for": "amd64" },
      },
      "build-base": "ubuntu@22.04",
    });
    expect(() => planCharms(p)).toThrow(/jammy: no base/);
    const named = project({
      platforms: {
        "noble-arm64": { "build-on": ["ubuntu@24.04:amd64"], "build-for": ["ubuntu@24.04:arm64"] },
      },
    });
    expect(summary(named)).toEqual([
      {
        file: "my-charm_noble-arm64.charm",
        arches: ["arm64"],
        bases: [{ name: "ubuntu", channel: "24.04", architectures: ["arm64"] }],
      },
    ]);
  });

  it("build-for all ships every runtime (dispatch chooses) and says `all` in the manifest", () => {
    const p = project({
      base: "ubuntu@24.04",
      platforms: { any: { "build-on": ["amd64"], "build-for": ["all"] } },
    });
    expect(summary(p)).toEqual([
      {
        file: "my-charm_any.charm",
        arches: ["amd64", "arm64"],
        bases: [{ name: "ubuntu", channel: "24.04", architectures: ["all"] }],
      },
    ]);
  });

  it("legacy bases: <name>_<build-on name>-<channel>-<run-on arches>.charm, run-on bases in the manifest", () => {
    const p = project({
      bases: [
        { name: "ubuntu", channel: "22.04", architectures: ["amd64"] },
        {
          "build-on": [{ name: "ubuntu", channel: "22.04", architectures: ["amd64"] }],
          "run-on": [
            { name: "ubuntu", channel: "22.04", architectures: ["amd64", "arm64"] },
            { name: "ubuntu", channel: "20.04", architectures: ["amd64", "arm64"] },
          ],
        },
      ],
    });
    const plan = summary(p);
    // Named after the build-on base: both run-on bases of the second entry make the same file.
    expect(plan.map((c) => c.file)).toEqual([
      "my-charm_ubuntu-22.04-amd64.charm",
      "my-charm_ubuntu-22.04-amd64-arm64.charm",
    ]);
    expect(plan[1]!.arches).toEqual(["amd64", "arm64"]);
    // Every entry building on ubuntu 22.04 amd64 contributes its run-on bases (charmcraft's rule).
    expect(plan[1]!.bases).toEqual(plan[0]!.bases);
    expect(plan[0]!.bases).toEqual([
      { name: "ubuntu", channel: "22.04", architectures: ["amd64"] },
      { name: "ubuntu", channel: "22.04", architectures: ["amd64", "arm64"] },
      { name: "ubuntu", channel: "20.04", architectures: ["amd64", "arm64"] },
    ]);
  });

  it("legacy bases without architectures: the ones with a runtime, not charmcraft's whole default list", () => {
    const p = project({ bases: [{ name: "ubuntu", channel: "22.04" }] });
    expect(summary(p).map((c) => c.file)).toEqual([
      "my-charm_ubuntu-22.04-amd64.charm",
      "my-charm_ubuntu-22.04-arm64.charm",
    ]);
  });

  it("selects by architecture or by platform name", () => {
    const p = project({ platforms: { "ubuntu@24.04:amd64": null, "ubuntu@24.04:arm64": null } });
    expect(summary(p, "arm64").map((c) => c.file)).toEqual(["my-charm_ubuntu@24.04-arm64.charm"]);
    expect(summary(p, "ubuntu@24.04:amd64").map((c) => c.file)).toEqual([
      "my-charm_ubuntu@24.04-amd64.charm",
    ]);
    expect(() => planCharms(p, "s390x")).toThrow(/no platform matches "s390x"/);
  });

  it("refuses what it cannot ship, naming the place", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { base: "ubuntu@24.04", platforms: { s390x: null } },
        /platforms\.s390x: no Node runtime for architecture "s390x"/,
      ],
      [
        { base: "ubuntu@24.04", platforms: { fast: null } },
        /platforms\.fast: "fast" is not a Debian architecture/,
      ],
      [
        { base: "ubuntu@24.04", platforms: { "ubuntu@22.04:amd64": null } },
        /declares a base while the top-level "base"/,
      ],
      [{ platforms: { amd64: null } }, /platforms\.amd64: no base/],
      [{ base: "ubuntu@24.04" }, /no platforms/],
      [
        {
          base: "ubuntu@24.04",
          platforms: { both: { "build-on": ["amd64"], "build-for": ["amd64", "arm64"] } },
        },
        /exactly one build-for/,
      ],
    ];
    for (const [yaml, message] of cases) {
      expect(() => planCharms(project(yaml))).toThrow(PackError);
      expect(() => planCharms(project(yaml))).toThrow(message);
    }
  });
});
