import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ProcessBackend } from "../src/backend/process.js";
import { HOOK_TOOLS } from "../src/backend/types.js";
import {
  HookToolError,
  HookToolMissingError,
  LeadershipError,
  PermissionDeniedError,
  RelationDataAccessError,
  RelationNotFoundError,
  SecretContentError,
  SecretLabelConflictError,
  SecretNotFoundError,
} from "../src/errors.js";
import { validateSecretContent } from "../src/protocol/secrets.js";

// A tiny fake hook tool: records argv, stdin (relation-set) and the secret files it was pointed at
// (mode, parent dir mode, content, read while the call is running), then answers from behaviour.json.
const FAKE = `#!/usr/bin/env node
const fs = require("node:fs");
const path = require("node:path");
const dir = __dirname;
const tool = path.basename(__filename);
const argv = process.argv.slice(2);
const rec = { tool, argv, files: [] };
if (tool === "relation-set") rec.stdin = fs.readFileSync(0, "utf8");
for (const a of argv) {
  const m = /^([a-z0-9-]+)#file=(.*)$/.exec(a);
  if (m) {
    rec.files.push({
      key: m[1],
      path: m[2],
      mode: fs.statSync(m[2]).mode & 0o777,
      dirMode: fs.statSync(path.dirname(m[2])).mode & 0o777,
      content: fs.readFileSync(m[2], "utf8"),
    });
  }
}
fs.appendFileSync(path.join(dir, "calls.jsonl"), JSON.stringify(rec) + "\\n");
let b = {};
try { b = JSON.parse(fs.readFileSync(path.join(dir, "behaviour.json"), "utf8"))[tool] || {}; } catch {}
if (b.sleepMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, b.sleepMs);
if (b.stdout) process.stdout.write(b.stdout);
if (b.stderr) process.stderr.write(b.stderr);
process.exitCode = b.exit || 0;
`;

interface Recorded {
  tool: string;
  argv: string[];
  stdin?: string;
  files: { key: string; path: string; mode: number; dirMode: number; content: string }[];
}
interface Behaviour {
  stdout?: string;
  stderr?: string;
  exit?: number;
  sleepMs?: number;
}

const toolsDir = mkdtempSync(join(tmpdir(), "fake-hook-tools-"));
const emptyDir = mkdtempSync(join(tmpdir(), "no-hook-tools-"));
for (const tool of HOOK_TOOLS) {
  writeFileSync(join(toolsDir, tool), FAKE);
  chmodSync(join(toolsDir, tool), 0o755);
}
// Only our fakes and node itself on PATH: nothing real can answer.
const env = { PATH: `${toolsDir}:${dirname(process.execPath)}` };

afterAll(() => {
  rmSync(toolsDir, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
});

function respond(behaviour: Record<string, Behaviour>): void {
  writeFileSync(join(toolsDir, "behaviour.json"), JSON.stringify(behaviour));
}
function recorded(): Recorded[] {
  const file = join(toolsDir, "calls.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Recorded);
}
function last(): Recorded {
  const all = recorded();
  const r = all[all.length - 1];
  if (!r) throw new Error("no hook tool was called");
  return r;
}

beforeEach(() => {
  rmSync(join(toolsDir, "calls.jsonl"), { force: true });
  respond({});
});

const db = { endpoint: "db", id: 7 } as const;
const URI = "secret://0f5c3a52-8d5e-4a3b-9c51-1e7c8a3f2b10/9m4e2mr0ui3e8a215n4g";

describe("ProcessBackend argv and output parsing", () => {
  const backend = new ProcessBackend({ env });

  it("relation-ids: endpoint, --format=json, ids after the last colon", () => {
    respond({ "relation-ids": { stdout: '["db:1","db:5"]\n' } });
    expect(backend.relationIds("db")).toEqual([1, 5]);
    expect(last()).toMatchObject({ tool: "relation-ids", argv: ["db", "--format=json"] });
  });

  it("relation-list: remote units and remote app", () => {
    respond({ "relation-list": { stdout: '["pg/0","pg/1"]\n' } });
    expect(backend.relationList(db)).toEqual(["pg/0", "pg/1"]);
    expect(last().argv).toEqual(["--format=json", "-r", "db:7"]);

    respond({ "relation-list": { stdout: '"pg"\n' } });
    expect(backend.relationRemoteApp(db)).toBe("pg");
    expect(last().argv).toEqual(["--format=json", "--app", "-r", "db:7"]);
  });

  it("relation-get: whole unit bag and whole app bag, name always explicit", () => {
    respond({ "relation-get": { stdout: '{"a":"1","private-address":"10.0.0.1"}\n' } });
    expect(backend.relationGet(db, "pg/0", false)).toEqual({ a: "1", "private-address": "10.0.0.1" });
    expect(last().argv).toEqual(["--format=json", "-r", "db:7", "-", "pg/0"]);

    respond({ "relation-get": { stdout: "{}\n" } });
    expect(backend.relationGet(db, "pg", true)).toEqual({});
    expect(last().argv).toEqual(["--format=json", "-r", "db:7", "--app", "-", "pg"]);
  });

  it("relation-set: JSON on stdin, --file -, --app for the app bag", () => {
    backend.relationSet(db, { database: "app", gone: "", "x y": "a\nb" }, true);
    const call = last();
    expect(call.argv).toEqual(["-r", "db:7", "--app", "--file", "-"]);
    expect(JSON.parse(call.stdin ?? "")).toEqual({ database: "app", gone: "", "x y": "a\nb" });

    backend.relationSet({ endpoint: "my-db", id: 12 }, { k: "v" }, false);
    expect(last().argv).toEqual(["-r", "my-db:12", "--file", "-"]);
  });

  it("relation-model-get, is-leader, config-get, network-get", () => {
    respond({
      "relation-model-get": { stdout: '{"uuid":"a2c1"}\n' },
      "is-leader": { stdout: "true\n" },
      "config-get": { stdout: '{"port":5432,"debug":false}\n' },
      "network-get": { stdout: '{"bind-addresses":[],"ingress-addresses":["10.1.1.1"]}\n' },
    });
    expect(backend.relationModelGet(db)).toBe("a2c1");
    expect(last().argv).toEqual(["--format=json", "-r", "db:7"]);
    expect(backend.isLeader()).toBe(true);
    expect(last()).toMatchObject({ tool: "is-leader", argv: ["--format=json"] });
    expect(backend.configGet()).toEqual({ port: 5432, debug: false });
    expect(last()).toMatchObject({ tool: "config-get", argv: ["--format=json"] });
    expect(backend.networkGet("db", db)["ingress-addresses"]).toEqual(["10.1.1.1"]);
    expect(last().argv).toEqual(["--format=json", "-r", "db:7", "db"]);
    backend.networkGet("juju-info");
    expect(last().argv).toEqual(["--format=json", "juju-info"]);
  });

  it("secret-add: metadata flags, --owner, key#file= args; prints the URI", () => {
    respond({ "secret-add": { stdout: `${URI}\n` } });
    const uri = backend.secretAdd(
      { username: "relation-7", password: "s3cr3t-Pa55" },
      {
        label: "database.7.user.secret",
        description: "creds",
        expire: "24h",
        rotate: "daily",
        owner: "unit",
      },
    );
    expect(uri).toBe(URI);
    const call = last();
    const [f1, f2] = call.files;
    expect(call.argv).toEqual([
      "--label",
      "database.7.user.secret",
      "--description",
      "creds",
      "--expire",
      "24h",
      "--rotate",
      "daily",
      "--owner",
      "unit",
      `username#file=${f1?.path}`,
      `password#file=${f2?.path}`,
    ]);

    backend.secretAdd({ tls: "" });
    expect(last().argv).toEqual(["--owner", "application", `tls#file=${last().files[0]?.path}`]);
  });

  it("secret-get: id, label, id+label, --refresh, --peek", () => {
    respond({ "secret-get": { stdout: '{"password":"pw"}\n' } });
    expect(backend.secretGet({ id: URI })).toEqual({ password: "pw" });
    expect(last().argv).toEqual(["--format=json", URI]);
    backend.secretGet({ label: "my.label" });
    expect(last().argv).toEqual(["--format=json", "--label", "my.label"]);
    backend.secretGet({ id: URI, label: "my.label", refresh: true });
    expect(last().argv).toEqual(["--format=json", URI, "--label", "my.label", "--refresh"]);
    backend.secretGet({ id: URI, peek: true });
    expect(last().argv).toEqual(["--format=json", URI, "--peek"]);
  });

  it("secret-get rejects bad addressing before spawning", () => {
    expect(() => backend.secretGet({})).toThrow(/id or a label/);
    expect(() => backend.secretGet({ id: URI, peek: true, refresh: true })).toThrow(/mutually exclusive/);
    expect(recorded()).toHaveLength(0);
  });

  it("secret-info-get: by id or by label; parses the xid-keyed object", () => {
    respond({
      "secret-info-get": {
        stdout: JSON.stringify({
          "9m4e2mr0ui3e8a215n4g": {
            revision: 3,
            label: "database.7.user.secret",
            owner: "application",
            rotation: "never",
            access: [{ target: "application-pg", scope: "relation-db.7", role: "view" }],
          },
        }),
      },
    });
    expect(backend.secretInfoGet({ id: URI })).toEqual({
      id: "9m4e2mr0ui3e8a215n4g",
      revision: 3,
      label: "database.7.user.secret",
      owner: "application",
      rotation: "never",
      access: [{ target: "application-pg", scope: "relation-db.7", role: "view" }],
    });
    expect(last().argv).toEqual(["--format=json", URI]);
    backend.secretInfoGet({ label: "database.7.user.secret" });
    expect(last().argv).toEqual(["--format=json", "--label", "database.7.user.secret"]);
  });

  it("secret-set: uri first, metadata, files; metadata-only update has no files", () => {
    backend.secretSet(URI, { content: { password: "new-pw" }, label: "L" });
    const call = last();
    expect(call.argv).toEqual([URI, "--label", "L", `password#file=${call.files[0]?.path}`]);
    expect(call.files[0]?.content).toBe("new-pw");

    backend.secretSet(URI, { description: "d", rotate: "weekly" });
    expect(last().argv).toEqual([URI, "--description", "d", "--rotate", "weekly"]);
  });

  it("secret-grant / secret-revoke: bare integer relation id, optional --unit, uri last", () => {
    backend.secretGrant(URI, db);
    expect(last()).toMatchObject({ tool: "secret-grant", argv: ["--relation", "7", URI] });
    backend.secretGrant(URI, db, "pg/1");
    expect(last().argv).toEqual(["--relation", "7", "--unit", "pg/1", URI]);
    backend.secretRevoke(URI, db);
    expect(last()).toMatchObject({ tool: "secret-revoke", argv: ["--relation", "7", URI] });
  });

  it("secret-remove and secret-ids", () => {
    backend.secretRemove(URI, 3);
    expect(last().argv).toEqual([URI, "--revision", "3"]);
    backend.secretRemove(URI);
    expect(last().argv).toEqual([URI]);
    expect(() => backend.secretRemove(URI, 0)).toThrow(/positive integer/);

    respond({ "secret-ids": { stdout: '["9m4e2mr0ui3e8a215n4g"]\n' } });
    expect(backend.secretIds()).toEqual(["9m4e2mr0ui3e8a215n4g"]);
    expect(last().argv).toEqual(["--format=json"]);
  });

  it("juju-log, status-set, application-version-set put -- before free text", () => {
    backend.jujuLog("WARNING", "-starts with a dash");
    expect(last()).toMatchObject({
      tool: "juju-log",
      argv: ["--log-level", "WARNING", "--", "-starts with a dash"],
    });
    backend.statusSet("blocked", "--weird", false);
    expect(last().argv).toEqual(["--application=False", "blocked", "--", "--weird"]);
    backend.statusSet("active", "", true);
    expect(last().argv).toEqual(["--application=True", "active", "--", ""]);
    backend.applicationVersionSet("-1.2.3");
    expect(last()).toMatchObject({ tool: "application-version-set", argv: ["--", "-1.2.3"] });
  });

  it("juju-log splits messages larger than one argv string", () => {
    const message = "x".repeat(131071 * 2 + 5);
    backend.jujuLog("INFO", message);
    const parts = recorded().map((r) => r.argv[3] ?? "");
    expect(parts.map((p) => p.length)).toEqual([131071, 131071, 5]);
    expect(parts.join("")).toBe(message);
  });

  it("status-get: unit and app forms", () => {
    respond({ "status-get": { stdout: '{"message":"ready","status":"active","status-data":{}}\n' } });
    expect(backend.statusGet(false)).toEqual({ status: "active", message: "ready" });
    expect(last().argv).toEqual(["--include-data", "--format=json", "--application=false"]);

    respond({
      "status-get": {
        stdout: JSON.stringify({
          "application-status": { message: "m", status: "blocked", "status-data": {}, units: {} },
        }),
      },
    });
    expect(backend.statusGet(true)).toEqual({ status: "blocked", message: "m" });
    expect(last().argv).toEqual(["--include-data", "--format=json", "--application=true"]);
  });

  it("records every call in `calls` and through onCall", () => {
    const seen: string[] = [];
    const b = new ProcessBackend({ env, onCall: (tool, argv) => seen.push(`${tool} ${argv.join(" ")}`) });
    respond({ "is-leader": { stdout: "false\n" } });
    expect(b.isLeader()).toBe(false);
    b.statusSet("waiting", "w", false);
    expect(seen).toEqual(["is-leader --format=json", "status-set --application=False waiting -- w"]);
    expect(b.calls).toEqual([
      { tool: "is-leader", argv: ["--format=json"] },
      { tool: "status-set", argv: ["--application=False", "waiting", "--", "w"] },
    ]);
  });
});

describe("ProcessBackend secret files", () => {
  it("passes values only through 0600 files in a 0700 dir, removed after the call", () => {
    const backend = new ProcessBackend({ env });
    respond({ "secret-add": { stdout: `${URI}\n` } });
    const secret = "hunter2-Very-Secret";
    backend.secretAdd({ password: secret, "tls-ca": "" });
    const call = last();
    expect(call.files.map((f) => [f.key, f.mode, f.dirMode, f.content])).toEqual([
      ["password", 0o600, 0o700, secret],
      ["tls-ca", 0o600, 0o700, ""],
    ]);
    expect(JSON.stringify(call.argv)).not.toContain(secret);
    expect(JSON.stringify(backend.calls)).not.toContain(secret);
    for (const f of call.files) {
      expect(existsSync(f.path)).toBe(false);
      expect(existsSync(dirname(f.path))).toBe(false);
    }
  });

  it("removes the files even when the tool fails", () => {
    const backend = new ProcessBackend({ env });
    respond({ "secret-set": { stderr: "ERROR this unit is not the leader\n", exit: 1 } });
    expect(() => backend.secretSet(URI, { content: { password: "pw-123" } })).toThrow(LeadershipError);
    const file = last().files[0];
    expect(file?.content).toBe("pw-123");
    expect(existsSync(file?.path ?? "")).toBe(false);
  });

  it("rejects invalid content with a SecretContentError naming the key, before spawning", () => {
    const backend = new ProcessBackend({ env, onWarning: () => {} });
    const cases: [unknown, RegExp, string | undefined][] = [
      [{}, /must not be empty/, undefined],
      [{ Password: "topsecret" }, /invalid secret content key "Password"/, "Password"],
      [{ ab: "topsecret" }, /invalid secret content key "ab"/, "ab"],
      [{ "a--b": "topsecret" }, /invalid secret content key "a--b"/, "a--b"],
      [{ "abc-": "topsecret" }, /invalid secret content key "abc-"/, "abc-"],
      [{ port: 5432 }, /secret content key "port" must be a string, got number/, "port"],
      [{ big: "a".repeat(750_001) }, /for key "big" too large: 1000004 bytes/, "big"],
      [{ one: "a".repeat(400_000), two: "a".repeat(400_000) }, /in total/, undefined],
    ];
    for (const [content, message, key] of cases) {
      let caught: unknown;
      try {
        backend.secretAdd(content as Record<string, string>);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(SecretContentError);
      expect((caught as SecretContentError).message).toMatch(message);
      expect((caught as SecretContentError).key).toBe(key);
      expect((caught as Error).message).not.toContain("topsecret");
    }
    expect(recorded()).toHaveLength(0);
  });

  it("accepts exactly the limit and warns above the old 8 KiB limit without showing the value", () => {
    expect(() => validateSecretContent({ big: "a".repeat(750_000) })).not.toThrow(); // 1,000,000 b64
    const warnings = validateSecretContent({ cert: "Z".repeat(9000) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"cert"');
    expect(warnings[0]).not.toContain("ZZZ");
  });

  it("relation-set rejects non-string values with RelationDataAccessError naming the key", () => {
    const backend = new ProcessBackend({ env });
    expect(() => backend.relationSet(db, { port: 5432 } as never, false)).toThrow(RelationDataAccessError);
    expect(() => backend.relationSet(db, { port: 5432 } as never, false)).toThrow(/key "port"/);
    expect(() => backend.relationSet(db, { tls: null } as never, true)).toThrow(/db:7 app databag key "tls"/);
    expect(() => backend.relationSet(db, { k: "\uD800" }, false)).toThrow(/lone UTF-16 surrogate/);
    expect(recorded()).toHaveLength(0);
  });
});

describe("ProcessBackend errors", () => {
  const backend = new ProcessBackend({ env });

  function failure(tool: string, stderr: string, exit: number, run: () => unknown): HookToolError {
    respond({ [tool]: { stderr, exit } });
    try {
      run();
    } catch (e) {
      expect(e).toBeInstanceOf(HookToolError);
      const err = e as HookToolError;
      expect(err.tool).toBe(tool);
      expect(err.exitCode).toBe(exit);
      expect(err.stderr).toBe(stderr);
      return err;
    }
    throw new Error(`${tool} did not throw`);
  }

  it("relation not found (exit 2) → RelationNotFoundError; remote app lookup softens to null", () => {
    const stderr = 'ERROR invalid value "db:9" for option -r: relation not found\n';
    const err = failure("relation-list", stderr, 2, () => backend.relationList({ endpoint: "db", id: 9 }));
    expect(err).toBeInstanceOf(RelationNotFoundError);
    expect(err.argv).toEqual(["--format=json", "-r", "db:9"]);
    expect(err.message).toContain("relation not found");
    expect(backend.relationRemoteApp({ endpoint: "db", id: 9 })).toBeNull();
    expect(
      failure("relation-get", stderr, 2, () => backend.relationGet({ endpoint: "db", id: 9 }, "pg", true)),
    ).toBeInstanceOf(RelationNotFoundError);
    expect(
      failure("network-get", stderr, 2, () => backend.networkGet("db", { endpoint: "db", id: 9 })),
    ).toBeInstanceOf(RelationNotFoundError);
  });

  it("secret not found → SecretNotFoundError; permission denied → PermissionDeniedError", () => {
    expect(
      failure("secret-get", 'ERROR secret "9m4e2mr0ui3e8a215n4g" not found\n', 1, () =>
        backend.secretGet({ id: URI }),
      ),
    ).toBeInstanceOf(SecretNotFoundError);
    expect(
      failure("secret-info-get", 'ERROR secret "database.7.user.secret" not found\n', 1, () =>
        backend.secretInfoGet({ label: "database.7.user.secret" }),
      ),
    ).toBeInstanceOf(SecretNotFoundError);
    expect(
      failure("secret-get", "ERROR permission denied\n", 1, () => backend.secretGet({ id: URI })),
    ).toBeInstanceOf(PermissionDeniedError);
  });

  it("leadership refusals → LeadershipError", () => {
    expect(
      failure("relation-set", "ERROR cannot write relation settings\n", 1, () =>
        backend.relationSet(db, { a: "b" }, true),
      ),
    ).toBeInstanceOf(LeadershipError);
    expect(
      failure("secret-add", "ERROR this unit is not the leader\n", 1, () =>
        backend.secretAdd({ password: "x" }),
      ),
    ).toBeInstanceOf(LeadershipError);
  });

  it("label already bound → SecretLabelConflictError", () => {
    const stderr =
      'ERROR secret label "etcd-client.10.x.mtls.secret" for consumer "unit-charmed-etcd-0" already exists\n';
    expect(
      failure("secret-get", stderr, 1, () =>
        backend.secretGet({ id: URI, label: "etcd-client.10.x.mtls.secret" }),
      ),
    ).toBeInstanceOf(SecretLabelConflictError);
  });

  it("anything else → plain HookToolError carrying Juju's stderr", () => {
    const err = failure("is-leader", "ERROR leadership status unknown: timeout\n", 1, () =>
      backend.isLeader(),
    );
    expect(err.constructor).toBe(HookToolError);
    expect(err.message).toContain("leadership status unknown");
  });

  it("a missing tool → HookToolMissingError 'command not found'; relation-model-get → null", () => {
    const bare = new ProcessBackend({ env: { PATH: emptyDir } });
    expect(() => bare.isLeader()).toThrow(HookToolMissingError);
    expect(() => bare.isLeader()).toThrow("command not found: is-leader");
    expect(bare.relationModelGet(db)).toBeNull();
    expect(bare.calls.map((c) => c.tool)).toEqual(["is-leader", "is-leader", "relation-model-get"]);
  });

  it("a tool that hangs is killed after timeoutMs → HookToolError saying it timed out", () => {
    const quick = new ProcessBackend({ env, timeoutMs: 300 });
    respond({ "is-leader": { sleepMs: 10_000, stdout: "true" } });
    const started = Date.now();
    expect(() => quick.isLeader()).toThrow(/is-leader timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("garbage where JSON is expected → HookToolError; secret-get output is never echoed", () => {
    respond({ "is-leader": { stdout: "yes\n" } });
    expect(() => backend.isLeader()).toThrow(/is-leader output was not valid JSON/);

    respond({ "secret-get": { stdout: "password: hunter2-leaked\n" } });
    let caught: unknown;
    try {
      backend.secretGet({ id: URI });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HookToolError);
    const err = caught as HookToolError;
    expect(err.message).toMatch(/secret-get output was not valid JSON/);
    expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain("hunter2");
  });

  it("well-formed JSON of the wrong shape is an error too", () => {
    respond({ "relation-get": { stdout: '{"a":1}' }, "secret-get": { stdout: '{"password":["hunter2"]}' } });
    expect(() => backend.relationGet(db, "pg/0", false)).toThrow(/not an object of strings/);
    let caught: unknown;
    try {
      backend.secretGet({ id: URI });
    } catch (e) {
      caught = e;
    }
    expect((caught as Error).message).toMatch(/secret-get output is not an object of strings/);
    expect(JSON.stringify({ ...(caught as object), m: (caught as Error).message })).not.toContain("hunter2");
  });
});
