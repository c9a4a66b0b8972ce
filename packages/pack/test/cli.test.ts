import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { HOST_ARCH, readZip } from "./helpers.js";

async function cli(argv: string[], cwd = process.cwd()) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    cwd,
  });
  return { code, stdout, stderr };
}

describe("charm-relations-pack", () => {
  it("prints its usage; bad options exit 2, a charm it cannot pack exits 1 with the reason", async () => {
    expect(await cli(["--help"])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("--platform <p>"),
    });
    expect(await cli(["--frobnicate"])).toMatchObject({ code: 2, stderr: expect.stringContaining("Usage:") });
    const empty = mkdtempSync(join(tmpdir(), "charm-relations-cli-"));
    expect(await cli([empty])).toEqual({
      code: 1,
      stdout: "",
      stderr: `charm-relations-pack: ${empty}: no charmcraft.yaml\n`,
    });
  });

  it("packs a charm directory into --out and prints each .charm with its size and runtime", async () => {
    const dir = mkdtempSync(join(tmpdir(), "charm-relations-cli-"));
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "charm.ts"), 'const x: string = "tiny";\nconsole.log(x);\n');
    writeFileSync(
      join(dir, "charmcraft.yaml"),
      "name: tiny\ntype: charm\nsummary: s\ndescription: d\nplatforms:\n  ubuntu@24.04:amd64:\n  ubuntu@24.04:arm64:\n",
    );
    const out = join(dir, "out");
    const r = await cli([dir, "--platform", HOST_ARCH, "--out", out, "--no-sourcemap"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^out/tiny_ubuntu@24\\.04-${HOST_ARCH}\\.charm  \\d+\\.\\d MB  node \\d+\\.\\d+\\.\\d+ ${HOST_ARCH}`,
      ),
    );
    const charm = join(out, `tiny_ubuntu@24.04-${HOST_ARCH}.charm`);
    const names = (await readZip(charm)).map((e) => e.name);
    expect(names).toEqual([
      "dispatch",
      "dist/charm.mjs",
      "manifest.yaml",
      "metadata.yaml",
      `node/${HOST_ARCH}/LICENSE`,
      `node/${HOST_ARCH}/node`,
    ]);
    // The tree charmcraft's part copies.
    expect(existsSync(join(dir, ".charm-relations", "stage", HOST_ARCH, "node", HOST_ARCH, "node"))).toBe(
      true,
    );
    expect(existsSync(join(dir, ".charm-relations", "stage", HOST_ARCH, "dispatch"))).toBe(true);
  }, 300_000);
});
