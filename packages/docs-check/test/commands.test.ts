/**
 * The CLI commands the documents show run (against the built CLI, `pnpm build` first) and print what
 * the documents say they print.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { allBlocks, REPO, where } from "../src/blocks.js";
import { cliCommands, excerptMismatch } from "../src/commands.js";

const CLI = join(REPO, "packages", "cli", "dist", "bin.js");
const run = promisify(execFile);

const commands = cliCommands(allBlocks());

describe("CLI commands in the documents", () => {
  it("the CLI is built", () => {
    expect(existsSync(CLI), `${CLI} missing: run pnpm build`).toBe(true);
  });

  it.each(commands.map((c) => [`${where(c.block, Math.max(0, c.offset))} ${c.text}`, c] as const))(
    "%s",
    async (name, c) => {
      const r = await run(process.execPath, [CLI, ...c.args], {
        cwd: REPO,
        env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "" },
        maxBuffer: 64 * 1024 * 1024,
      }).then(
        (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
        (e: { code?: number; stdout?: string; stderr?: string }) => ({
          code: typeof e.code === "number" ? e.code : -1,
          stdout: e.stdout ?? "",
          stderr: e.stderr ?? "",
        }),
      );
      // 0, or 1 for "ran and found a problem" (validate of a broken dump); 2 is a usage error.
      expect(r.code, `${name}: exit ${r.code}\n${r.stderr}`).toBeLessThan(2);
      expect(r.code, `${name}: exit ${r.code}`).toBeGreaterThanOrEqual(0);
      if (c.output) {
        const m = excerptMismatch(c.output.code, r.stdout);
        const at = m ? `${where(c.output, m.line)}: not printed by \`${c.text}\` (or not in this order)` : "";
        expect(m?.text, at).toBeUndefined();
      }
    },
  );
});
