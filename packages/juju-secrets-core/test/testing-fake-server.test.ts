/**
 * How the hook-tool fakes are run: bash clients linked under the tools' names, one fake server per bin
 * dir. What they answer is tested in testing-hook-tool-cli.test.ts; here: no node needed on PATH, a
 * server that is gone is started again, concurrent calls on one state file all land, standard input
 * is read only when the tool needs it, output of any size and bytes comes back exact, relative file
 * arguments resolve against the caller's directory, and the server stops with its bin dir.
 * Spawned: build the package first (`pnpm build`).
 */

import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rendezvousDir } from "../src/testing/fake-server.js";
import {
  createHookToolBin,
  FAKE_STATE_ENV,
  finishFakeHook,
  JujuModel,
  startFakeHook,
} from "../src/testing/index.js";

const temps: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function world() {
  const model = new JujuModel({});
  model.addApplication("db", { endpoints: { database: "provides:postgresql_client" } });
  model.addApplication("app", { endpoints: { database: "requires:postgresql_client" } });
  const id = model.addRelation("db:database", "app:database");
  return { model, id };
}

/** A bin dir, and a state file in a hook of db/0. */
function setup() {
  const bin = createHookToolBin(join(tempDir("fake-server-"), "bin"));
  const { model, id } = world();
  const state = join(tempDir("fake-server-state-"), "state.json");
  startFakeHook(state, model, { unit: "db/0", relation: { endpoint: "database", id }, remoteApp: "app" });
  // Only the fakes on PATH: neither node nor anything else is found through it.
  const env = { PATH: bin, [FAKE_STATE_ENV]: state };
  return { bin, state, id, env };
}

function call(
  env: Record<string, string>,
  tool: string,
  argv: string[],
  options: { input?: string; cwd?: string } = {},
) {
  const r = spawnSync(tool, argv, {
    env,
    encoding: "utf8",
    timeout: 60_000,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.input === undefined
      ? { stdio: ["ignore", "pipe", "pipe"] as const }
      : { input: options.input }),
  });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status };
}

function serverPid(bin: string): number | undefined {
  try {
    return Number(readFileSync(join(rendezvousDir(bin), "lock"), "utf8"));
  } catch {
    return undefined;
  }
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/**
 * Every process serving `bin` (`… fake-server.js serve <bin>`), from /proc: under load a client may have
 * started a second server that has not taken the lock yet, and takes it over once the first is killed.
 */
function serversFor(bin: string): number[] {
  const wanted = `\0serve\0${resolve(bin)}\0`;
  return readdirSync("/proc").flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      return readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(wanted) ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("hook-tool fake server", () => {
  it("needs no node on PATH, and a call after its server is gone starts another", {
    timeout: 120_000,
  }, async () => {
    const { bin, id, env } = setup();
    expect(call(env, "relation-ids", ["database", "--format=json"])).toEqual({
      stdout: `["database:${id}"]\n`,
      stderr: "",
      exitCode: 0,
    });
    const first = serverPid(bin)!;
    process.kill(first, "SIGKILL");
    await until("the server is gone", () => !alive(first));
    expect(call(env, "is-leader", ["--format=json"])).toEqual({ stdout: "true\n", stderr: "", exitCode: 0 });
    const second = serverPid(bin)!;
    expect(second).not.toBe(first);
    expect(alive(second)).toBe(true);
  });

  it("serialises concurrent calls on one state file: every write lands", { timeout: 120_000 }, async () => {
    const { state, id, env } = setup();
    const runs = Array.from(
      { length: 12 },
      (_, i) =>
        new Promise<number | null>((resolve, reject) => {
          const child = spawn("relation-set", ["-r", `database:${id}`, "--file", "-", `k${i}=${i}`], {
            env,
            stdio: ["pipe", "ignore", "ignore"],
          });
          child.on("error", reject);
          child.on("close", resolve);
          child.stdin.end(JSON.stringify({ [`f${i}`]: String(i) }));
        }),
    );
    expect(await Promise.all(runs)).toEqual(Array(12).fill(0));
    const { model } = finishFakeHook(state, true);
    const bag = model.unitBag(id, "db/0");
    for (let i = 0; i < 12; i++) expect(bag).toMatchObject({ [`k${i}`]: String(i), [`f${i}`]: String(i) });
    expect(model.calls().filter((c) => c.tool === "relation-set")).toHaveLength(12);
  });

  it("reads standard input only when the tool needs it", { timeout: 120_000 }, async () => {
    const { env } = setup();
    // stdin stays open and empty: a client that read it before asking would hang here.
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn("is-leader", ["--format=json"], { env, stdio: ["pipe", "pipe", "inherit"] });
      let text = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        text += d;
      });
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}`))));
    });
    expect(out).toBe("true\n");
  });

  it("gives back stdout and stderr byte for byte, large or small", { timeout: 120_000 }, () => {
    const { env } = setup();
    const big = `${"é∑\\%s\n".repeat(20_000)}end`;
    const value = join(tempDir("fake-server-value-"), "v");
    writeFileSync(value, big, { mode: 0o600 });
    const uri = call(env, "secret-add", [`blob#file=${value}`, "small=a b\\n  "]).stdout.trim();
    expect(uri).toMatch(/^secret:\/\//);
    const got = call(env, "secret-get", [uri, "--format=json"]);
    const expected = `${JSON.stringify({ blob: big, small: "a b\\n  " })}\n`;
    // Digests: a mismatch of 200 kB is not worth printing.
    expect({ ...got, stdout: sha256(got.stdout) }).toEqual({
      stdout: sha256(expected),
      stderr: "",
      exitCode: 0,
    });
    expect(Buffer.byteLength(got.stdout)).toBeGreaterThan(200_000);
    expect(call(env, "secret-get", [uri, "small", "--format=json"]).stdout).toBe('"a b\\\\n  "\n');
    // A long error goes to stderr whole (the unknown key is echoed in it).
    const key = `k${"x".repeat(20_000)}`;
    const missing = call(env, "secret-get", [uri, key]);
    expect({ ...missing, stderr: sha256(missing.stderr) }).toEqual({
      stdout: "",
      stderr: sha256(`ERROR secret key "${key}" not found\n`),
      exitCode: 1,
    });
  });

  it("resolves relative file arguments against the caller's working directory", { timeout: 120_000 }, () => {
    const { id, env, state } = setup();
    const cwd = tempDir("fake-server-cwd-");
    mkdirSync(join(cwd, "sub"));
    writeFileSync(join(cwd, "sub", "data.yaml"), "from-file: yes-it-is\n");
    expect(call(env, "relation-set", ["-r", String(id), "--file", "sub/data.yaml"], { cwd }).exitCode).toBe(
      0,
    );
    expect(finishFakeHook(state, true).model.unitBag(id, "db/0")).toEqual({ "from-file": "yes-it-is" });
  });

  it("reads the state file again when the harness rewrote it", { timeout: 120_000 }, () => {
    const { state, id, env } = setup();
    expect(call(env, "relation-set", ["-r", String(id), "a=1"]).exitCode).toBe(0);
    const { model } = finishFakeHook(state, true);
    model.setAppBag(id, "app", { database: "changed-by-the-harness" });
    startFakeHook(state, model, { unit: "db/0", relation: { endpoint: "database", id }, remoteApp: "app" });
    expect(call(env, "relation-get", ["-r", String(id), "--app", "database", "app"]).stdout).toBe(
      "changed-by-the-harness\n",
    );
    expect(call(env, "relation-get", ["-r", String(id), "a", "db/0"]).stdout).toBe("1\n");
  });

  it("stops when its bin dir is removed", { timeout: 120_000 }, async () => {
    const { bin, env } = setup();
    expect(call(env, "is-leader", []).exitCode).toBe(0);
    const pid = serverPid(bin)!;
    expect(alive(pid)).toBe(true);
    rmSync(bin, { recursive: true, force: true });
    await until("the server has stopped", () => !alive(pid));
    expect(existsSync(rendezvousDir(bin))).toBe(false);
  });

  it("forgets a removed bin dir whose server could not clean up", { timeout: 120_000 }, async () => {
    const { bin, env } = setup();
    expect(call(env, "is-leader", []).exitCode).toBe(0);
    expect(serverPid(bin)).toBeGreaterThan(0);
    // Kill every server of this bin dir (a late second one would take the lock over), until none is left.
    await until("no server is left", () => {
      const pids = serversFor(bin).filter(alive);
      for (const pid of pids) process.kill(pid, "SIGKILL");
      // …and the lock holder reaped (a zombie still answers kill 0, so it still holds the lock).
      const holder = serverPid(bin);
      return pids.length === 0 && !(holder && alive(holder));
    });
    rmSync(bin, { recursive: true, force: true });
    expect(existsSync(join(rendezvousDir(bin), "start"))).toBe(true);
    setup();
    expect(existsSync(rendezvousDir(bin))).toBe(false);
  });
});
