/**
 * The generated `dispatch`, run by /bin/sh with a stand-in runtime (a shell script at
 * node/<arch>/node that reports how it was started), so every case runs in milliseconds.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dispatchScript } from "../src/index.js";

const REPORT = `#!/bin/sh
echo "runtime=$0"
echo "args=$*"
echo "cwd=$(pwd)"
echo "dispatch_path=$JUJU_DISPATCH_PATH"
echo "cache=$NODE_COMPILE_CACHE"
`;

function charm(arches: ("amd64" | "arm64")[], nodeOptions: string[] = []): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "charm-relations-dispatch-")));
  writeFileSync(join(dir, "dispatch"), dispatchScript({ arches, bundle: "dist/charm.mjs", nodeOptions }), {
    mode: 0o755,
  });
  for (const arch of arches) {
    mkdirSync(join(dir, "node", arch), { recursive: true });
    writeFileSync(join(dir, "node", arch, "node"), REPORT, { mode: 0o755 });
  }
  return dir;
}

function run(file: string, options: { cwd: string; env?: Record<string, string> }) {
  const r = spawnSync(file, [], { cwd: options.cwd, env: { PATH: "", ...options.env }, encoding: "utf8" });
  return {
    status: r.status,
    stderr: r.stderr,
    out: Object.fromEntries(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
    ),
  };
}

describe("dispatch", () => {
  it("runs the shipped runtime on the bundle from any working directory, with an empty PATH", () => {
    const dir = charm(["amd64"], ["--enable-source-maps"]);
    const elsewhere = mkdtempSync(join(tmpdir(), "cwd-"));
    const r = run(join(dir, "dispatch"), { cwd: elsewhere, env: { JUJU_DISPATCH_PATH: "hooks/install" } });
    expect(r.status).toBe(0);
    expect(r.out).toEqual({
      runtime: `${dir}/node/amd64/node`,
      args: `--enable-source-maps ${dir}/dist/charm.mjs`,
      cwd: realpathSync(elsewhere),
      dispatch_path: "hooks/install",
      cache: `${dir}/.node-compile-cache`,
    });
  });

  it("keeps charmcraft's JUJU_DISPATCH_PATH fallback and finds the charm through a hooks/ symlink", () => {
    const dir = charm(["amd64"]);
    mkdirSync(join(dir, "hooks"));
    symlinkSync("../dispatch", join(dir, "hooks", "install"));
    const r = run(join(dir, "hooks", "install"), { cwd: "/", env: { PATH: "/usr/bin:/bin" } });
    expect(r.status).toBe(0);
    expect(r.out.runtime).toBe(`${dir}/node/amd64/node`);
    expect(r.out.dispatch_path).toBe(`${dir}/hooks/install`);
    // Relative invocation (Juju's working directory is the charm directory).
    expect(run("./dispatch", { cwd: dir }).out.runtime).toBe("./node/amd64/node");
  });

  it("with several runtimes, picks the one for `uname -m`, and says so when there is none", () => {
    const dir = charm(["amd64", "arm64"]);
    const uname = (machine: string) => {
      const bin = mkdtempSync(join(tmpdir(), "uname-"));
      writeFileSync(join(bin, "uname"), `#!/bin/sh\necho ${machine}\n`, { mode: 0o755 });
      return bin;
    };
    expect(run(join(dir, "dispatch"), { cwd: dir, env: { PATH: uname("aarch64") } }).out.runtime).toBe(
      `${dir}/node/arm64/node`,
    );
    expect(run(join(dir, "dispatch"), { cwd: dir, env: { PATH: uname("x86_64") } }).out.runtime).toBe(
      `${dir}/node/amd64/node`,
    );
    const r = run(join(dir, "dispatch"), { cwd: dir, env: { PATH: uname("s390x") } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("no Node runtime in this charm for s390x");
  });

  it("leaves a NODE_COMPILE_CACHE set by the environment alone; quotes node options", () => {
    const dir = charm(["arm64"], ["--disable-warning=ExperimentalWarning", "--title=my charm"]);
    const r = run(join(dir, "dispatch"), { cwd: dir, env: { NODE_COMPILE_CACHE: "/var/cache/x" } });
    expect(r.out.cache).toBe("/var/cache/x");
    expect(r.out.args).toBe(`--disable-warning=ExperimentalWarning --title=my charm ${dir}/dist/charm.mjs`);
    expect(
      dispatchScript({ arches: ["amd64"], bundle: "dist/charm.mjs", nodeOptions: ["--title=my charm"] }),
    ).toContain("'--title=my charm'");
  });
});
