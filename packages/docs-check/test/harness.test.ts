/** The checker itself: it finds the blocks, and a block that no longer compiles or runs fails, at its line. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extractBlocks } from "../src/blocks.js";
import { cliArgs, cliCommands, excerptMismatch, lineMatches, shellWords } from "../src/commands.js";
import { BLOCKS_DIR, tsUnits } from "../src/project.js";
import { checkTypeScript } from "../src/typecheck.js";

const FIXTURE = [
  "# Fixture", //                                                         1
  "",
  "```ts", //                                                             3
  "// src/charm.ts — compiles as shown",
  'import { type Charm, runCharmIfMain } from "@charm-relations/juju-secrets-core";',
  'export function setup(charm: Charm): void { charm.on("collectStatus", (e) => e.add("active")); }',
  "void runCharmIfMain(import.meta.url, setup);",
  "```",
  "",
  "- a list item:", //                                                    10
  "",
  "  ```ts", //                                                           12
  "  const n: number = charm.unit; // context `charm` is a real Charm",
  "  writeConfig(n); // the reader's own: any",
  "  ```",
  "",
  "<!-- check: skip -->", //                                              17
  "```ts",
  "this is not TypeScript",
  "```",
  "",
  "~~~ts", //                                                             22
  "new PostgresqlRequirer(charm, {}); // forgot the import",
  "~~~",
  "",
  "```ts", //                                                             26
  "// test/charm.test.ts",
  'import { setup } from "../src/charm.js";',
  "const x: string = setup;",
  "```",
  "",
  "```sh", //                                                             32
  "pnpm charm-relations list",
  "```",
  "",
  "```", //                                                               36
  "…",
  "postgresql_client …",
  "```",
  "",
].join("\n");

describe("extractBlocks", () => {
  const blocks = extractBlocks(FIXTURE, "fixture.md");
  it("finds fenced blocks (indented, ~~~), with the line of their first code line and their marker", () => {
    expect(blocks.map((b) => [b.line, b.lang, b.marker ?? null])).toEqual([
      [4, "ts", null],
      [13, "ts", null],
      [19, "ts", "skip"],
      [23, "ts", null],
      [27, "ts", null],
      [33, "sh", null],
      [37, "", null],
    ]);
    expect(blocks[1]!.code).toBe(
      "const n: number = charm.unit; // context `charm` is a real Charm\nwriteConfig(n); // the reader's own: any\n",
    );
  });
});

describe("checkTypeScript", () => {
  const units = tsUnits(extractBlocks(FIXTURE, "fixture.md"));
  const results = checkTypeScript(units, join(BLOCKS_DIR, "harness"));
  const by = (line: number) => results.find((r) => r.unit.block.line === line)!;

  it("skips marked blocks and tells files from snippets", () => {
    expect(results.map((r) => [r.unit.block.line, r.unit.kind, r.unit.path])).toEqual([
      [4, "file", "src/charm.ts"],
      [13, "snippet", "snippets/L13.ts"],
      [23, "snippet", "snippets/L23.ts"],
      [27, "file", "test/charm.test.ts"],
    ]);
  });

  it("a block that compiles has no errors", () => {
    expect(by(4).errors).toEqual([]);
  });

  it("checks what a snippet does with its context; other free names are the reader's", () => {
    expect(by(13).context).toEqual(["charm"]);
    expect(by(13).placeholders).toEqual(["writeConfig"]);
    expect(by(13).errors).toEqual([
      "fixture.md:13:7 TS2322 Type 'string' is not assignable to type 'number'.",
    ]);
  });

  it("a name our packages export, used without its import, is an error at its line", () => {
    expect(by(23).errors).toEqual([
      "fixture.md:23:5 uses PostgresqlRequirer without importing it (one of our packages exports it)",
    ]);
  });

  it("a file of the example charm must compile as shown, importing its sibling", () => {
    expect(by(27).errors).toEqual([
      "fixture.md:29:7 TS2322 Type '(charm: Charm) => void' is not assignable to type 'string'.",
    ]);
  });
});

describe("shell blocks", () => {
  it("runs only our CLI, only what can run here", () => {
    expect(shellWords(`a "b c" 'd' # note`)).toEqual(["a", "b c", "d"]);
    expect(cliArgs("pnpm charm-relations simulate etcd_client # v1")).toEqual(["simulate", "etcd_client"]);
    expect(cliArgs("pnpm -s charm-relations list")).toEqual(["list"]);
    expect(cliArgs("npx charm-relations validate docs/examples/myapp-0.show-unit.json")).toEqual([
      "validate",
      "docs/examples/myapp-0.show-unit.json",
    ]);
    expect(cliArgs("juju show-unit x/0 --format=json | pnpm -s charm-relations validate")).toBeUndefined();
    expect(cliArgs("charm-relations validate dump.json --json")).toBeUndefined(); // no such file
    expect(cliArgs("npm install -g @charm-relations/cli")).toBeUndefined();
  });

  it("pairs a command with the output block after it, or the one marked for it", () => {
    const blocks = extractBlocks(
      `${FIXTURE}\n<!-- check: output of charm-relations schema etcd_client --side provider -->\n\`\`\`\n{\n\`\`\`\n`,
      "fixture.md",
    );
    const cmds = cliCommands(blocks);
    expect(cmds.map((c) => [c.args.join(" "), c.output?.line])).toEqual([
      ["list", 37],
      ["schema etcd_client --side provider", 43],
    ]);
  });

  it("matches an excerpt: lines in order, `…` for lines or text", () => {
    const out = "a\nb 123\nc\nd\ne\n";
    expect(excerptMismatch("a\nb …\n…\nd\n", out)).toBeUndefined();
    expect(excerptMismatch("b 123\nc\n", out)).toBeUndefined();
    expect(excerptMismatch("a\nc\n", out)).toEqual({ line: 1, text: "c" }); // not consecutive
    expect(excerptMismatch("d\n…\nb 123\n", out)).toEqual({ line: 2, text: "b 123" }); // order
    expect(excerptMismatch("x …\n", out)).toEqual({ line: 0, text: "x …" });
    expect(lineMatches("a … c … e", "a b c d e")).toBe(true);
    expect(lineMatches("a … c … e", "a b d e")).toBe(false);
    expect(lineMatches("ab…ba", "aba")).toBe(false); // the pieces may not overlap
    expect(lineMatches("ab…ba", "abba")).toBe(true);
    expect(lineMatches("(… hooks, …)", "(103 hooks, 6 writes)")).toBe(true);
    expect(lineMatches("exact", "exact ")).toBe(false);
  });
});
