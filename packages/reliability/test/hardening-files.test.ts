/**
 * Issue 15, class 9: the legacy etcd requirer's credential files (`saveClientCredentials`) against a
 * hostile or broken file system. The key, certificate and CA are replaced as one set or not at all,
 * and nothing at a target path (a FIFO, a device, a socket, a directory) can block the hook.
 *
 * The charm runs in a subprocess (`scripts/etcd-save-credentials.ts`): a blocking read would freeze
 * the test runner itself, so a test guarding against a hang fails by its timeout instead.
 */

import { execFileSync } from "node:child_process";
import { lstatSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { LEGACY_CREDS } from "../src/interfaces/etcd-legacy.js";
import { cleanUp, listenOn, runTs, tempDir } from "./hardening-processes.js";

const HANG = { timeout: 60_000 };
const SCRIPT = fileURLToPath(new URL("./scripts/etcd-save-credentials.ts", import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const [NEW, OLD] = LEGACY_CREDS as [(typeof LEGACY_CREDS)[0], (typeof LEGACY_CREDS)[0]];

afterEach(cleanUp);

interface Outcome {
  readonly ok: boolean;
  readonly name?: string;
  readonly message?: string;
  readonly path?: string;
  readonly changed?: boolean;
}
interface SaveRun {
  readonly settled: boolean;
  readonly outcomes: readonly Outcome[];
  readonly logs: readonly string[];
}

/** Relate etcd and kcp in a subprocess; kcp saves the credentials (generation 0: `NEW`) on tlsAvailable. */
async function save(spec: {
  paths: { key?: string; cert?: string; ca?: string };
  generation?: number;
  stateDir?: string;
}): Promise<SaveRun> {
  const r = await runTs(SCRIPT, [JSON.stringify(spec)], { cwd: PACKAGE_DIR });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as SaveRun;
}

/** Three paths in one folder, holding the old credentials. */
function oldSet(dir = tempDir()): { key: string; cert: string; ca: string } {
  const paths = {
    key: join(dir, "client-key.pem"),
    cert: join(dir, "client-cert.pem"),
    ca: join(dir, "client-ca.pem"),
  };
  writeFileSync(paths.key, OLD.key, { mode: 0o600 });
  writeFileSync(paths.cert, OLD.cert, { mode: 0o600 });
  writeFileSync(paths.ca, OLD.ca, { mode: 0o600 });
  return paths;
}

const read = (p: string) => readFileSync(p, "utf8");

/** The refusal names the path and never quotes a PEM. */
function expectRefused(run: SaveRun, path: string, what: RegExp): void {
  expect(run.settled).toBe(true);
  expect(run.outcomes.length).toBeGreaterThan(0);
  for (const o of run.outcomes) {
    expect(o).toMatchObject({ ok: false, name: "EtcdFileError", path });
    expect(o.message).toMatch(what);
    expect(o.message).not.toContain("BEGIN");
  }
}

describe("class 9: a non-regular file at a target path is refused without blocking", () => {
  it(
    "a FIFO at the certificate path (fails by hanging); the old key stays with the old cert",
    HANG,
    async () => {
      const paths = oldSet();
      rmSync(paths.cert);
      execFileSync("mkfifo", [paths.cert]);
      expectRefused(await save({ paths }), paths.cert, /not a regular file \(a FIFO\)/);
      expect(read(paths.key)).toBe(OLD.key);
      expect(read(paths.ca)).toBe(OLD.ca);
      expect(lstatSync(paths.cert).isFIFO()).toBe(true);
    },
  );

  it("a symlink at the key path to a FIFO (fails by hanging)", HANG, async () => {
    const dir = tempDir();
    const paths = oldSet(dir);
    execFileSync("mkfifo", [join(dir, "fifo")]);
    rmSync(paths.key);
    symlinkSync(join(dir, "fifo"), paths.key);
    expectRefused(await save({ paths }), paths.key, /not a regular file \(a FIFO\)/);
    expect(read(paths.cert)).toBe(OLD.cert);
  });

  it("a symlink to /dev/zero and a Unix socket", HANG, async () => {
    const dir = tempDir();
    const paths = oldSet(dir);
    rmSync(paths.ca);
    symlinkSync("/dev/zero", paths.ca);
    expectRefused(await save({ paths }), paths.ca, /not a regular file \(a character device\)/);
    expect(read(paths.key)).toBe(OLD.key);
    const other = oldSet(tempDir());
    rmSync(other.cert);
    await listenOn(other.cert);
    expectRefused(await save({ paths: other }), other.cert, /not a regular file \(a socket\)/);
    expect(read(other.key)).toBe(OLD.key);
  });

  it("a directory at the certificate path: refused, and the key is not replaced alone", HANG, async () => {
    const paths = oldSet();
    rmSync(paths.cert);
    mkdirSync(paths.cert);
    writeFileSync(join(paths.cert, "inside"), "x");
    expectRefused(await save({ paths }), paths.cert, /not a regular file \(a directory\)/);
    expect(read(paths.key)).toBe(OLD.key);
    expect(read(paths.ca)).toBe(OLD.ca);
  });

  it(
    "a FIFO where the requirer keeps its state file: the hook goes on (fails by hanging)",
    HANG,
    async () => {
      const stateDir = tempDir();
      execFileSync("mkfifo", [join(stateDir, "etcd-requirer.etcd.kcp-0.json")]);
      const paths = oldSet();
      const run = await save({ paths, stateDir });
      expect(run.settled).toBe(true);
      expect(run.outcomes[0]).toMatchObject({ ok: true, changed: true });
      expect(run.logs.some((l) => l.startsWith("WARNING") && l.includes("state file"))).toBe(true);
      expect(read(paths.key)).toBe(NEW.key);
    },
  );
});

describe("class 9: the set is replaced as a whole", () => {
  it(
    "old set → new set: every path reads the new PEM, mode 0600; saving again changes nothing",
    HANG,
    async () => {
      const dir = tempDir();
      mkdirSync(join(dir, "a"));
      // The CA goes to a folder that does not exist yet, on its own.
      const paths = { ...oldSet(join(dir, "a")), ca: join(dir, "other", "client-ca.pem") };
      const first = await save({ paths });
      expect(first.outcomes[0]).toMatchObject({ ok: true, changed: true });
      expect(read(paths.key)).toBe(NEW.key);
      expect(read(paths.cert)).toBe(NEW.cert);
      expect(read(paths.ca)).toBe(NEW.ca);
      for (const p of Object.values(paths)) expect(statSync(p).mode & 0o777).toBe(0o600);
      const again = await save({ paths });
      expect(again.outcomes.every((o) => o.ok && o.changed === false)).toBe(true);
      const rotated = await save({ paths, generation: 1 });
      expect(rotated.outcomes[0]).toMatchObject({ ok: true, changed: true });
      expect(read(paths.key)).toBe(OLD.key);
      expect(read(paths.cert)).toBe(OLD.cert);
    },
  );
});
