/**
 * Issue 15 class 10: a SIGTERM or SIGINT while `secret-add` / `secret-set` runs must not leave the
 * plaintext temp files (`key#file=`) behind, and must still end the hook (by that signal). A real child
 * process, a real hook tool that takes its time, a real signal (to the process alone, or to its whole
 * process group as a terminal or a service manager sends it). Needs the core built (`dist/`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const CORE_DIST = fileURLToPath(new URL("../../juju-secrets-core/dist/backend/index.js", import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A world with a slow hook tool and a charm-like child that calls it through ProcessBackend. */
function setup(tool: "secret-add" | "secret-set") {
  const root = mkdtempSync(join(tmpdir(), "hardening-signals-"));
  dirs.push(root);
  const bin = join(root, "bin");
  const tmp = join(root, "tmp");
  for (const d of [bin, tmp]) mkdirSync(d);
  const marker = join(root, "started");
  // The hook tool: note that it runs (and copy what it was given), take two seconds, answer like Juju.
  const script = `#!/bin/sh
for a in "$@"; do case "$a" in *#file=*) cat "\${a#*#file=}" > "${root}/seen";; esac; done
echo started > "${marker}"
sleep 2
${tool === "secret-add" ? 'echo "secret:abcdefghijklmnopqrst"' : ""}
`;
  writeFileSync(join(bin, tool), script);
  chmodSync(join(bin, tool), 0o755);
  const call =
    tool === "secret-add"
      ? 'b.secretAdd({ password: "hunter2-plaintext" }, { owner: "unit" });'
      : 'b.secretSet("secret:abcdefghijklmnopqrst", { content: { password: "hunter2-plaintext" } });';
  const child = join(root, "charm.mjs");
  writeFileSync(
    child,
    `import { ProcessBackend } from ${JSON.stringify(pathToFileURL(CORE_DIST).href)};
const b = new ProcessBackend({ env: process.env, onWarning() {} });
${call}
process.stdout.write("done\\n");
`,
  );
  return { root, bin, tmp, marker, child };
}

async function waitFor(path: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600 && !existsSync(path); i++) {
    if (child.exitCode !== null) throw new Error(`child exited early (${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!existsSync(path)) throw new Error("the hook tool never started");
}

const exit = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );

describe("class 10: temp secret files are removed on SIGTERM / SIGINT", () => {
  const cases: ["secret-add" | "secret-set", NodeJS.Signals, "process" | "group"][] = [
    ["secret-add", "SIGTERM", "process"],
    ["secret-set", "SIGTERM", "process"],
    ["secret-add", "SIGINT", "group"],
    ["secret-set", "SIGTERM", "group"],
    ["secret-add", "SIGKILL", "process"],
  ];
  it.each(cases)("%s, %s to the %s", { timeout: 60_000 }, async (tool, signal, target) => {
    const w = setup(tool);
    const child = spawn(process.execPath, [w.child], {
      env: { ...process.env, PATH: `${w.bin}:${process.env.PATH ?? ""}`, TMPDIR: w.tmp },
      stdio: ["ignore", "pipe", "pipe"],
      detached: target === "group",
    });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    const done = exit(child);
    await waitFor(w.marker, child);
    // The tool has the file now: the plaintext is on disk in a private temp dir.
    expect(readFileSync(join(w.root, "seen"), "utf8")).toBe("hunter2-plaintext");
    expect(readdirSync(w.tmp).length, "a private temp dir while the tool runs").toBe(1);
    if (target === "group") process.kill(-child.pid!, signal);
    else child.kill(signal);
    const result = await done;
    // The hook dies of the signal as it would without the library (Juju then discards the hook).
    expect(result.signal, stderr).toBe(signal);
    // Its watcher removes the files once the process is gone (it polls; wait for it, generously).
    for (let i = 0; i < 200 && readdirSync(w.tmp).length > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(w.tmp), "temp secret files left behind").toEqual([]);
  });
});
