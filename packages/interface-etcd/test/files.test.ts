import { execFileSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EtcdFileError } from "../src/errors.js";
import {
  type CredentialFile,
  readRegularFile,
  saveCredentialSet,
  writeFileAtomically,
} from "../src/files.js";
import { CREDS_1, CREDS_2, tempDir } from "./helpers.js";

const STORE = ".etcd-client-credentials";
type Creds = typeof CREDS_1;

function paths(dir: string) {
  return {
    key: join(dir, "client-key.pem"),
    cert: join(dir, "client-cert.pem"),
    ca: join(dir, "client-ca.pem"),
  };
}
function set(p: ReturnType<typeof paths>, c: Creds): CredentialFile[] {
  return [
    { role: "key", path: p.key, content: c.key },
    { role: "cert", path: p.cert, content: c.cert },
    { role: "ca", path: p.ca, content: c.ca },
  ];
}
function writeOld(p: ReturnType<typeof paths>, c: Creds): void {
  writeFileSync(p.key, c.key, { mode: 0o600 });
  writeFileSync(p.cert, c.cert, { mode: 0o600 });
  writeFileSync(p.ca, c.ca, { mode: 0o600 });
}
const read = (p: string) => readFileSync(p, "utf8");
function expectSet(p: ReturnType<typeof paths>, c: Creds): void {
  expect(read(p.key)).toBe(c.key);
  expect(read(p.cert)).toBe(c.cert);
  expect(read(p.ca)).toBe(c.ca);
}
const generations = (dir: string) => readdirSync(join(dir, STORE)).filter((e) => e.startsWith("gen-"));

describe("saveCredentialSet: one set, switched by one rename", () => {
  it("turns each path into a link into the store; rotating switches the whole set; an unchanged set is left alone", () => {
    const dir = tempDir();
    const p = paths(dir);
    writeOld(p, CREDS_2);
    expect(saveCredentialSet(set(p, CREDS_1))).toBe(true);
    expectSet(p, CREDS_1);
    for (const [role, path] of Object.entries(p)) {
      expect(lstatSync(path).isSymbolicLink()).toBe(true);
      expect(readlinkSync(path)).toBe(join(STORE, "current", `client-${role}.pem`));
      expect(statSync(path).mode & 0o777).toBe(0o600);
    }
    expect(statSync(join(dir, STORE)).mode & 0o777).toBe(0o700);
    expect(generations(dir)).toHaveLength(1);
    expect(readdirSync(join(dir, STORE)).sort()).toEqual(["current", generations(dir)[0]]);
    expect(saveCredentialSet(set(p, CREDS_1))).toBe(false);
    expect(saveCredentialSet(set(p, CREDS_2))).toBe(true);
    expectSet(p, CREDS_2);
    expect(generations(dir)).toHaveLength(1);
    expect(readdirSync(dir).sort()).toEqual([STORE, "client-ca.pem", "client-cert.pem", "client-key.pem"]);
  });

  it("paths in other folders link by absolute path; a later save of fewer files keeps the others resolving", () => {
    const dir = tempDir();
    const p = { key: join(dir, "k/key.pem"), cert: join(dir, "c/cert.pem"), ca: join(dir, "a/b/ca.pem") };
    saveCredentialSet(set(p, CREDS_1));
    expect(readlinkSync(p.cert)).toBe(join(dir, "k", STORE, "current", "client-cert.pem"));
    saveCredentialSet([{ role: "key", path: p.key, content: CREDS_2.key }]);
    expect(read(p.key)).toBe(CREDS_2.key);
    expect(read(p.cert)).toBe(CREDS_1.cert);
    expect(read(p.ca)).toBe(CREDS_1.ca);
  });

  it("a switch that fails (something else at `current`) leaves every path with the old set", () => {
    const dir = tempDir();
    const p = paths(dir);
    writeOld(p, CREDS_2);
    mkdirSync(join(dir, STORE, "current"), { recursive: true });
    writeFileSync(join(dir, STORE, "current", "x"), "occupied");
    expect(() => saveCredentialSet(set(p, CREDS_1))).toThrow(EtcdFileError);
    expectSet(p, CREDS_2);
    for (const path of Object.values(p)) expect(lstatSync(path).isFile()).toBe(true);
  });

  it("a path that cannot be replaced (name too long for its temporary link) leaves the old set everywhere", () => {
    const dir = tempDir();
    const p = { ...paths(dir), cert: join(dir, `${"c".repeat(250)}.pem`) };
    writeOld(p, CREDS_2);
    const error = (() => {
      try {
        saveCredentialSet(set(p, CREDS_1));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ name: "EtcdFileError", path: p.cert, code: "ENAMETOOLONG" });
    expectSet(p, CREDS_2); // the key already links into the store, which still holds the old set
    expect(lstatSync(p.key).isSymbolicLink()).toBe(true);
  });

  it("leftovers of an interrupted save (a generation never switched to, a temporary link) change nothing and are swept", () => {
    const dir = tempDir();
    const p = paths(dir);
    saveCredentialSet(set(p, CREDS_1));
    mkdirSync(join(dir, STORE, "gen-crashed"));
    writeFileSync(join(dir, STORE, "gen-crashed", "client-key.pem"), CREDS_2.key);
    symlinkSync("gen-crashed", join(dir, STORE, "current.tmp-1-deadbeef"));
    expectSet(p, CREDS_1);
    saveCredentialSet(set(p, CREDS_2));
    expectSet(p, CREDS_2);
    expect(readdirSync(join(dir, STORE)).filter((e) => e.includes("crashed") || e.includes(".tmp-"))).toEqual(
      [],
    );
  });

  it("refuses a FIFO, a folder or a device at any path before writing anything", () => {
    for (const make of [
      (path: string) => execFileSync("mkfifo", [path]),
      (path: string) => mkdirSync(path),
      (path: string) => symlinkSync("/dev/null", path),
    ]) {
      const dir = tempDir();
      const p = paths(dir);
      writeOld(p, CREDS_2);
      execFileSync("rm", ["-f", p.ca]);
      make(p.ca);
      expect(() => saveCredentialSet(set(p, CREDS_1))).toThrow(
        /not a regular file \(a (FIFO|directory|character device)\)/,
      );
      expect(read(p.key)).toBe(CREDS_2.key);
      expect(existsSync(join(dir, STORE))).toBe(false);
    }
  });
});

describe("readRegularFile and writeFileAtomically", () => {
  it("reads a regular file; absent is undefined; a wrong size is not read; over the cap is refused", () => {
    const dir = tempDir();
    const f = join(dir, "f");
    expect(readRegularFile(f, 10)).toBeUndefined();
    writeFileAtomically(f, "hello");
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(readRegularFile(f, 10)).toBe("hello");
    expect(readRegularFile(f, 10, 4)).toBeUndefined();
    expect(() => readRegularFile(f, 4)).toThrow(/larger than 4 bytes/);
    expect(readdirSync(dir)).toEqual(["f"]);
  });
});
