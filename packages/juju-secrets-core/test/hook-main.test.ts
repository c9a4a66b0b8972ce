/** The entry-point guard of a charm's dist/charm.js. */
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { isMainModule, runCharmIfMain } from "../src/hook/main.js";

describe("isMainModule / runCharmIfMain", () => {
  const dir = mkdtempSync(join(tmpdir(), "hook-main-"));
  const file = join(dir, "charm.js");
  writeFileSync(file, "");
  const link = join(dir, "linked.js");
  symlinkSync(file, link);
  const url = pathToFileURL(file).href;

  it("is the main module when node was started with it, directly or through a symlink", () => {
    expect(isMainModule(url, ["node", file])).toBe(true);
    expect(isMainModule(url, ["node", link])).toBe(true);
  });

  it("is not when another script, no script or a missing path was run", () => {
    expect(isMainModule(url, ["node", join(dir, "other.js")])).toBe(false);
    expect(isMainModule(url, ["node"])).toBe(false);
    expect(isMainModule(pathToFileURL(join(dir, "gone.js")).href, ["node", join(dir, "gone.js")])).toBe(
      false,
    );
  });

  it("runCharmIfMain runs nothing when imported (as by tests)", () => {
    let ran = false;
    const setup = () => {
      ran = true;
    };
    expect(runCharmIfMain(url, setup)).toBeUndefined();
    expect(ran).toBe(false);
  });
});
