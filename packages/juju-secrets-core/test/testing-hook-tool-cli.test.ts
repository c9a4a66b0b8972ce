/**
 * The hook-tool fakes. In-process tests (`runHookTool`) cover argv parsing and output formats; the
 * spawned tests run the compiled executables (build first: `pnpm exec tsc -b`), check they agree with
 * `MemoryBackend` call for call, and drive a real charm process through the Simulation.
 */

import { spawnSync } from "node:child_process";
import {
  accessSync,
  constants,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOOK_TOOLS, type RelationRef, type SecretInfo } from "../src/backend/types.js";
import { classifyHookToolFailure, HookToolError } from "../src/errors.js";
import {
  CharmProcessError,
  createHookToolBin,
  FAKE_STATE_ENV,
  finishFakeHook,
  type HookRunner,
  hookToolCliPath,
  JujuModel,
  MemoryBackend,
  type MemoryBackendOptions,
  processRunner,
  redactArgv,
  runHookTool,
  Simulation,
  startFakeHook,
} from "../src/testing/index.js";

const UUID = "8c7e20bb-710f-4f64-b51d-4acb46656498";

const temps: string[] = [];
/** A temp dir removed after the file's tests. */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function world(jujuVersion?: string) {
  const model = new JujuModel({ uuid: UUID, ...(jujuVersion ? { jujuVersion } : {}) });
  model.addApplication("provider", { endpoints: { database: "provides:postgresql_client" }, units: 2 });
  model.addApplication("requirer", { endpoints: { database: "requires:postgresql_client" }, units: 2 });
  const id = model.addRelation("provider:database", "requirer:database");
  return { model, id };
}

const inHook = (model: JujuModel, unit: string, id: number, remoteUnit?: string): MemoryBackend =>
  new MemoryBackend(model, {
    unit,
    relation: { endpoint: "database", id },
    remoteApp: unit.startsWith("provider") ? "requirer" : "provider",
    kind: "relation-changed",
    hookName: "database-relation-changed",
    ...(remoteUnit ? { remoteUnit } : {}),
  });

describe("hook-tool fakes: argv and output (in-process)", () => {
  it("accepts every spelling of -r and --format, flags anywhere", () => {
    const { model, id } = world();
    const b = new MemoryBackend(model, { unit: "provider/0" });
    for (const argv of [
      ["--format=json", "-r", `database:${id}`],
      ["-r", `database:${id}`, "--format", "json"],
      [`-r=database:${id}`, "--format=json"],
      ["--relation", String(id), "--format=json"],
      [`--relation=database:${id}`, "--format", "json"],
    ]) {
      expect(runHookTool("relation-list", argv, b)).toEqual({
        stdout: '["requirer/0","requirer/1"]\n',
        stderr: "",
        exitCode: 0,
      });
    }
    expect(
      runHookTool("relation-get", ["-", "requirer/1", "-r", `database:${id}`, "--format=json"], b).exitCode,
    ).toBe(0);
  });

  it("fails flag and argument errors with exit 2 and Juju's text", () => {
    const { model } = world();
    const b = new MemoryBackend(model, { unit: "provider/0" });
    const cases: [string, string[], string][] = [
      [
        "relation-list",
        ["-r", "database:9"],
        'ERROR invalid value "database:9" for option -r: relation not found\n',
      ],
      [
        "relation-list",
        ["--relation", "9"],
        'ERROR invalid value "9" for option --relation: relation not found\n',
      ],
      ["relation-list", ["-r", "db:x"], 'ERROR invalid value "db:x" for option -r: invalid relation id\n'],
      ["relation-list", ["--bogus"], "ERROR option provided but not defined: --bogus\n"],
      ["relation-list", ["-r"], "ERROR option needs an argument: -r\n"],
      ["relation-list", [], "ERROR no relation id specified\n"],
      ["relation-get", ["-r", "database:0", "-"], "ERROR no unit or application specified\n"],
      [
        "relation-get",
        ["-r", "database:0", "-", "requirer"],
        'ERROR expected unit name, got application name "requirer"\n',
      ],
      ["relation-ids", [], "ERROR no endpoint name specified\n"],
      ["relation-set", ["-r", "0", "a=1", "a=2"], 'ERROR key "a" specified more than once\n'],
      ["relation-set", ["-r", "0", "novalue"], 'ERROR expected "key=value", got "novalue"\n'],
      ["secret-add", [], "ERROR missing secret value or filename\n"],
      ["secret-add", ["Bad=1"], 'ERROR key "Bad" not valid\n'],
      ["secret-add", ["=x"], 'ERROR key value "=x" not valid\n'],
      ["secret-add", ["--owner", "model", "token=x"], 'ERROR secret owner "model" not valid\n'],
      ["secret-get", [], "ERROR require either a secret URI or label\n"],
      [
        "secret-get",
        ["--label", "l", "--peek", "--refresh"],
        "ERROR specify one of --peek or --refresh but not both\n",
      ],
      ["secret-get", ["nope"], 'ERROR secret URI "nope" not valid\n'],
      [
        "secret-info-get",
        ["--label", "a", "secret:0123456789abcdefghij"],
        "ERROR specify either a secret URI or label but not both\n",
      ],
      ["secret-grant", ["secret:0123456789abcdefghij"], "ERROR no relation id specified\n"],
      ["secret-revoke", ["secret:0123456789abcdefghij"], "ERROR missing relation or application or unit\n"],
      [
        "secret-remove",
        ["secret:0123456789abcdefghij", "--revision", "two"],
        'ERROR invalid value "two" for option --revision: parse error\n',
      ],
      [
        "status-set",
        ["fine"],
        'ERROR invalid status "fine", expected one of [maintenance blocked waiting active]\n',
      ],
      [
        "status-set",
        ["--application=maybe", "active"],
        'ERROR invalid value "maybe" for option --application: strconv.ParseBool: parsing "maybe": invalid syntax\n',
      ],
      ["application-version-set", [], "ERROR no version specified\n"],
      ["juju-log", [], "ERROR no message specified\n"],
      [
        "is-leader",
        ["--format", "xml"],
        'ERROR invalid value "xml" for option --format: unknown format "xml"\n',
      ],
    ];
    for (const [tool, argv, stderr] of cases) {
      expect({ tool, argv, ...runHookTool(tool, argv, b) }).toEqual({
        tool,
        argv,
        stdout: "",
        stderr,
        exitCode: 2,
      });
    }
  });

  it("uses the hook's relation, remote unit and remote app as Juju's defaults", () => {
    const { model, id } = world();
    model.setUnitBag(id, "requirer/1", { who: "r1" });
    model.setAppBag(id, "requirer", { database: "myapp" });
    const b = inHook(model, "provider/0", id, "requirer/1");
    expect(runHookTool("relation-get", ["who"], b).stdout).toBe("r1\n");
    expect(runHookTool("relation-get", ["--app", "database"], b).stdout).toBe("myapp\n");
    expect(runHookTool("relation-ids", [], b).stdout).toBe(`database:${id}\n`);
    expect(runHookTool("relation-list", ["--format=json", "--app"], b).stdout).toBe('"requirer"\n');
    // No remote unit (app-bag change): relation-get falls back to the remote app.
    const appHook = inHook(model, "provider/0", id);
    expect(runHookTool("relation-get", ["--format=json"], appHook).stdout).toBe('{"database":"myapp"}\n');
    expect(runHookTool("relation-get", ["missing", "requirer/1", "--format=json"], b).stdout).toBe("null\n");
  });

  it("reads relation-set data from --file - (YAML or JSON) with key=value overrides", () => {
    const { model, id } = world();
    const b = inHook(model, "provider/0", id);
    const stdin = () => JSON.stringify({ a: "1", port: 5432, tls: true, gone: null, b: "from-file" });
    expect(runHookTool("relation-set", ["--file", "-", "b=cli"], b, { stdin }).exitCode).toBe(0);
    expect(
      runHookTool("relation-set", ["--app", "--file", "-"], b, { stdin: () => "x: 'it''s'\ny: \"q\"\n" })
        .exitCode,
    ).toBe(0);
    const nested = runHookTool("relation-set", ["--file", "-"], b, { stdin: () => '{"a": {"b": "c"}}' });
    expect(nested).toEqual({
      stdout: "",
      stderr: "ERROR yaml: unmarshal errors:\n  line 1: cannot unmarshal !!map into string\n",
      exitCode: 1,
    });
    const dep = runHookTool("relation-set", ["--format=json", "c=3"], b);
    expect(dep.stderr).toBe('--format flag deprecated for command "relation-set"');
    b.commit();
    expect(model.unitBag(id, "provider/0")).toEqual({ a: "1", port: "5432", tls: "true", b: "cli", c: "3" });
    expect(model.appBag(id, "provider")).toEqual({ x: "it's", y: "q" });
  });

  it("takes secret content as key=value, key#base64= and key#file=, prints the URI, and redacts the call log", () => {
    const dir = tempDir("h2-secret-");
    const certFile = join(dir, "cert");
    writeFileSync(certFile, "-----BEGIN CERT-----\nabc\n", { mode: 0o600 });
    const { model } = world();
    const b = new MemoryBackend(model, { unit: "provider/0", recordCalls: false });
    const add = runHookTool(
      "secret-add",
      [
        "--label",
        "l",
        "password=hunter2=x",
        `tls#base64=${Buffer.from("True").toString("base64")}`,
        `cert#file=${certFile}`,
      ],
      b,
    );
    expect(add.exitCode).toBe(0);
    expect(add.stdout).toMatch(new RegExp(`^secret://${UUID}/[0-9a-v]{20}\\n$`));
    const uri = add.stdout.trim();
    expect(runHookTool("secret-get", [uri, "--format=json"], b).stdout).toBe(
      '{"cert":"-----BEGIN CERT-----\\nabc\\n","password":"hunter2=x","tls":"True"}\n',
    );
    expect(runHookTool("secret-get", [uri, "password"], b).stdout).toBe("hunter2=x\n");
    expect(runHookTool("secret-get", [uri, "tls#base64"], b).stdout).toBe("VHJ1ZQ==\n");
    expect(runHookTool("secret-get", [uri, "nokey"], b)).toMatchObject({
      exitCode: 1,
      stderr: 'ERROR secret key "nokey" not found\n',
    });
    const fromFile = join(dir, "content.json");
    writeFileSync(
      fromFile,
      JSON.stringify({ username: "u", "token#base64": Buffer.from("t").toString("base64") }),
    );
    const second = runHookTool("secret-add", ["--file", fromFile, "--owner", "unit"], b).stdout.trim();
    expect(b.secretGet({ id: second })).toEqual({ username: "u", token: "t" });
    expect(b.secretInfoGet({ id: second }).owner).toBe("unit");
    expect(
      redactArgv("secret-set", [
        uri,
        "--label=l",
        "password=hunter2",
        "tls#base64=VHJ1ZQ==",
        `cert#file=${certFile}`,
      ]),
    ).toEqual([uri, "--label=l", "password=<redacted>", "tls#base64=<redacted>", `cert#file=${certFile}`]);
    expect(redactArgv("relation-set", ["a=b"])).toEqual(["a=b"]);
  });

  it("prints secret-info-get and secret-ids as Juju does (struct field order, null for none)", () => {
    const { model, id } = world();
    const b = inHook(model, "provider/0", id);
    expect(runHookTool("secret-ids", ["--format=json"], b).stdout).toBe("null\n");
    const uri = runHookTool(
      "secret-add",
      ["--label", "db", "--description", "creds", "--rotate", "monthly", "password=x"],
      b,
    ).stdout.trim();
    expect(runHookTool("secret-grant", [uri], b).exitCode).toBe(0);
    const xid = uri.slice(uri.lastIndexOf("/") + 1);
    expect(runHookTool("secret-info-get", ["--format=json", "--label", "db"], b).stdout).toBe(
      `{"${xid}":{"revision":1,"label":"db","owner":"application","description":"creds","rotation":"monthly",` +
        `"access":[{"target":"application-requirer","scope":"relation-requirer.database#provider.database","role":"view"}]}}\n`,
    );
    expect(runHookTool("secret-ids", ["--format=json"], b).stdout).toBe(`["${xid}"]\n`);
    expect(runHookTool("secret-ids", [], b).stdout).toBe(`${xid}\n`);
    // In a relation hook --relation defaults to the hook's relation; adding --app then is an error.
    expect(runHookTool("secret-revoke", [uri, "--app", "requirer"], b)).toMatchObject({
      exitCode: 2,
      stderr: "ERROR do not specify both relation and app\n",
    });
    expect(runHookTool("secret-revoke", [uri], b).exitCode).toBe(0);
    expect(b.secretInfoGet({ id: uri }).access).toBeUndefined();
  });

  it("escapes JSON like Go and formats smart/yaml output", () => {
    const { model, id } = world();
    model.setAppBag(id, "requirer", { html: "<a href='x'>&</a>", empty: "" });
    const b = inHook(model, "provider/0", id);
    expect(runHookTool("relation-get", ["--format=json", "--app", "-", "requirer"], b).stdout).toBe(
      '{"empty":"","html":"\\u003ca href=\'x\'\\u003e\\u0026\\u003c/a\\u003e"}\n',
    );
    expect(runHookTool("relation-get", ["--app", "-", "requirer"], b).stdout).toBe(
      "empty: \"\"\nhtml: <a href='x'>&</a>\n",
    );
    expect(runHookTool("is-leader", [], b).stdout).toBe("True\n");
    expect(runHookTool("relation-list", [], b).stdout).toBe("requirer/0\nrequirer/1\n");
    b.statusSet("active", "ready", false);
    expect(runHookTool("status-get", [], b).stdout).toBe("active\n");
    expect(runHookTool("status-get", ["--include-data", "--format=json"], b).stdout).toBe(
      '{"message":"ready","status":"active","status-data":{}}\n',
    );
    expect(runHookTool("status-get", ["--application", "--format=json"], b).stdout).toBe(
      '{"application-status":{"status":"unknown","units":{"provider/0":{"status":"active"},"provider/1":{"status":"unknown"}}}}\n',
    );
  });

  it("logs messages after --, warns on an unknown level, and is missing relation-model-get before 3.6.2", () => {
    const { model, id } = world("3.6.1");
    const b = inHook(model, "provider/0", id);
    expect(
      runHookTool("juju-log", ["--log-level", "WARNING", "--", "-starts", "with", "dash"], b).exitCode,
    ).toBe(0);
    const odd = runHookTool("juju-log", ["-l", "LOUD", "hi"], b);
    expect(odd.exitCode).toBe(0);
    expect(odd.stderr).toContain('invalid log level "LOUD"');
    expect(model.logs().map((l) => [l.level, l.message])).toEqual([
      ["WARNING", `database:${id}: -starts with dash`],
      ["INFO", `database:${id}: hi`],
    ]);
    expect(runHookTool("relation-model-get", ["-r", String(id)], b)).toEqual({
      stdout: "",
      stderr: "relation-model-get: command not found\n",
      exitCode: 127,
    });
  });
});

// -----------------------------------------------------------------------------------------------
// Spawned executables

const here = fileURLToPath(new URL(".", import.meta.url));

/**
 * The compiled fakes must exist; warn when they look older than their sources (mtimes are only a
 * hint: a build cache may restore dist with old times).
 */
function checkBuilt(): void {
  const cli = hookToolCliPath();
  const distDir = join(cli, "..");
  const srcDir = join(here, "../src/testing");
  for (const f of readdirSync(srcDir).filter((n) => n.endsWith(".ts"))) {
    const js = join(distDir, f.replace(/\.ts$/, ".js"));
    let built = 0;
    try {
      built = statSync(js).mtimeMs;
    } catch {
      // missing: stale
    }
    if (statSync(join(srcDir, f)).mtimeMs > built) {
      console.warn(
        `dist/testing/${f.replace(/\.ts$/, ".js")} looks older than src/testing/${f}: run \`pnpm exec tsc -b\``,
      );
    }
  }
}

let bin = "";

/** Spawned tests: build the package first (CI does). */
function withBin(): void {
  beforeAll(() => {
    checkBuilt();
    bin = createHookToolBin();
  });
  afterAll(() => {
    if (bin) rmSync(bin, { recursive: true, force: true });
    bin = "";
  });
}

interface Spawned {
  stdout: string;
  stderr: string;
  exitCode: number;
}

function spawnTool(stateFile: string, tool: string, argv: readonly string[], input?: string): Spawned {
  const r = spawnSync(join(bin, tool), [...argv], {
    env: { PATH: process.env.PATH ?? "", [FAKE_STATE_ENV]: stateFile },
    input: input ?? "",
    encoding: "utf8",
  });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status ?? -1 };
}

/**
 * The Backend calls of the agreement test, made through the executables with the argv ops uses
 * (secret values in files, relation data on stdin).
 */
class SpawnBackend {
  readonly #file: string;
  readonly #dir = tempDir("h2-values-");
  #n = 0;
  constructor(stateFile: string) {
    this.#file = stateFile;
  }
  #run(tool: string, argv: string[], input?: string): string {
    const r = spawnTool(this.#file, tool, argv, input);
    if (r.exitCode !== 0)
      throw classifyHookToolFailure({ tool, argv, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr });
    return r.stdout;
  }
  #json(tool: string, argv: string[]): unknown {
    return JSON.parse(this.#run(tool, argv));
  }
  #files(content: Readonly<Record<string, string>>): string[] {
    return Object.entries(content).map(([k, v]) => {
      const path = join(this.#dir, `v${this.#n++}`);
      writeFileSync(path, v, { mode: 0o600 });
      return `${k}#file=${path}`;
    });
  }
  relationIds(endpoint: string): number[] {
    return ((this.#json("relation-ids", [endpoint, "--format=json"]) as string[] | null) ?? []).map((r) =>
      Number(r.split(":")[1]),
    );
  }
  relationList(rel: RelationRef): string[] {
    return this.#json("relation-list", ["--format=json", "-r", `${rel.endpoint}:${rel.id}`]) as string[];
  }
  relationGet(rel: RelationRef, name: string, isApp: boolean): Record<string, string> {
    const argv = ["--format=json", "-r", `${rel.endpoint}:${rel.id}`, ...(isApp ? ["--app"] : []), "-", name];
    return this.#json("relation-get", argv) as Record<string, string>;
  }
  relationSet(rel: RelationRef, data: Record<string, string>, isApp: boolean): void {
    this.#run(
      "relation-set",
      ["-r", `${rel.endpoint}:${rel.id}`, ...(isApp ? ["--app"] : []), "--file", "-"],
      JSON.stringify(data),
    );
  }
  isLeader(): boolean {
    return this.#json("is-leader", ["--format=json"]) as boolean;
  }
  secretAdd(
    content: Record<string, string>,
    options: { label?: string; owner?: "application" | "unit" } = {},
  ): string {
    const argv = [
      ...(options.label ? ["--label", options.label] : []),
      "--owner",
      options.owner ?? "application",
    ];
    return this.#run("secret-add", [...argv, ...this.#files(content)]).trim();
  }
  secretGet(o: { id?: string; label?: string; peek?: boolean; refresh?: boolean }): Record<string, string> {
    const argv = [
      "--format=json",
      ...(o.id !== undefined ? [o.id] : []),
      ...(o.label !== undefined ? ["--label", o.label] : []),
      ...(o.refresh ? ["--refresh"] : []),
      ...(o.peek ? ["--peek"] : []),
    ];
    return this.#json("secret-get", argv) as Record<string, string>;
  }
  secretInfoGet(o: { id: string } | { label: string }): SecretInfo {
    const argv = "id" in o ? ["--format=json", o.id] : ["--format=json", "--label", o.label];
    const [[id, raw]] = Object.entries(
      this.#json("secret-info-get", argv) as Record<string, Record<string, unknown>>,
    ) as [[string, Record<string, unknown>]];
    const info: Record<string, unknown> = { id, revision: raw.revision, owner: raw.owner };
    for (const k of ["label", "description", "rotation", "expiry"]) if (raw[k]) info[k] = raw[k];
    if (raw.access) info.access = raw.access;
    return info as unknown as SecretInfo;
  }
  secretSet(id: string, o: { content?: Record<string, string>; label?: string }): void {
    this.#run("secret-set", [id, ...(o.label ? ["--label", o.label] : []), ...this.#files(o.content ?? {})]);
  }
  secretGrant(id: string, rel: RelationRef, unit?: string): void {
    this.#run("secret-grant", ["--relation", String(rel.id), ...(unit ? ["--unit", unit] : []), id]);
  }
  secretRevoke(id: string, rel: RelationRef, unit?: string): void {
    this.#run("secret-revoke", ["--relation", String(rel.id), ...(unit ? ["--unit", unit] : []), id]);
  }
  secretRemove(id: string, revision?: number): void {
    this.#run("secret-remove", [id, ...(revision !== undefined ? ["--revision", String(revision)] : [])]);
  }
  secretIds(): string[] {
    return (this.#json("secret-ids", ["--format=json"]) as string[] | null) ?? [];
  }
  statusSet(status: string, message: string, isApp: boolean): void {
    this.#run("status-set", [`--application=${isApp ? "True" : "False"}`, status, "--", message]);
  }
  jujuLog(level: string, message: string): void {
    this.#run("juju-log", ["--log-level", level, "--", message]);
  }
  applicationVersionSet(version: string): void {
    this.#run("application-version-set", ["--", version]);
  }
}

type Ops = MemoryBackend | SpawnBackend;
type Step = (b: Ops, ctx: { uri: () => string }) => unknown;

/** Hooks of the agreement scenario: which unit, its steps, and whether the hook succeeds. */
function scenario(ref: RelationRef): { options: MemoryBackendOptions; steps: Step[]; success: boolean }[] {
  const bad: RelationRef = { endpoint: "database", id: 7 };
  return [
    {
      options: {
        unit: "provider/0",
        relation: ref,
        remoteUnit: "requirer/0",
        remoteApp: "requirer",
        kind: "relation-changed",
        hookName: "database-relation-changed",
      },
      success: true,
      steps: [
        (b) => b.relationIds("database"),
        (b) => b.relationList(ref),
        (b) => b.relationGet(ref, "requirer/0", false),
        (b) => b.relationGet(bad, "requirer/0", false),
        (b) => b.relationGet(ref, "requirer", false),
        (b) => b.isLeader(),
        (b) =>
          b.secretAdd(
            { username: "relation-0", password: "s3cret-pass" },
            { label: "database.0.user.secret" },
          ),
        (b) => b.secretAdd({ Password: "x" }),
        (b) => b.secretAdd({ token: "t" }, { label: "database.0.user.secret" }),
        (b, c) => b.secretGrant(c.uri(), ref),
        (b, c) => b.secretGrant(c.uri(), ref, "provider/1"),
        (b) => b.secretGet({ label: "database.0.user.secret" }),
        (b) => b.secretInfoGet({ label: "database.0.user.secret" }),
        (b) => b.secretIds(),
        (b, c) =>
          b.relationSet(
            ref,
            { database: "myapp", "secret-user": c.uri(), endpoints: "10.1.0.10:5432", x: "" },
            true,
          ),
        (b) => b.relationGet(ref, "provider", true),
        (b) => b.relationSet(ref, { mine: "<&>" }, false),
        (b) => b.statusSet("active", "-serving", true),
        (b) => b.statusSet("fine" as "active", "", false),
        (b) => b.jujuLog("INFO", "published"),
        (b) => b.applicationVersionSet("16.8.1"),
      ],
    },
    {
      options: { unit: "provider/1" },
      success: true,
      steps: [
        (b) => b.relationSet(ref, { nope: "1" }, true),
        (b) => b.relationGet(ref, "provider", true),
        (b, c) => b.secretSet(c.uri(), { content: { password: "x" } }),
        (b) => b.secretAdd({ token: "t" }),
        (b) => b.secretAdd({ token: "mine" }, { owner: "unit" }),
        (b) => b.statusSet("active", "", true),
      ],
    },
    {
      options: {
        unit: "requirer/0",
        relation: ref,
        remoteApp: "provider",
        kind: "relation-changed",
        hookName: "database-relation-changed",
      },
      success: true,
      steps: [
        (b) => b.relationGet(ref, "provider", true),
        (b, c) => b.secretGet({ id: c.uri(), label: "creds" }),
        (b) => b.secretGet({ label: "creds" }),
        (b) => b.secretGet({ id: "secret:0123456789abcdefghij" }),
        (b) => b.secretInfoGet({ label: "creds" }),
        (b) => b.relationSet(ref, { seen: "relation-0" }, false),
      ],
    },
    {
      options: { unit: "provider/0" },
      success: true,
      steps: [
        (b, c) => b.secretSet(c.uri(), { content: { username: "relation-0", password: "s3cret-pass" } }),
        (b, c) => b.secretSet(c.uri(), { content: { username: "relation-0", password: "rotated-pass" } }),
        (b, c) => b.secretGet({ id: c.uri() }),
        (b, c) => b.secretGet({ id: c.uri(), peek: true }),
      ],
    },
    {
      options: { unit: "requirer/0" },
      success: false,
      steps: [
        (b, c) => b.secretGet({ id: c.uri() }),
        (b, c) => b.secretGet({ id: c.uri(), peek: true }),
        (b, c) => b.secretGet({ id: c.uri(), refresh: true }),
        (b) => b.relationSet(ref, { seen: "rolled back" }, false),
      ],
    },
    {
      options: { unit: "requirer/1" },
      success: true,
      steps: [(b, c) => b.secretGet({ id: c.uri(), refresh: true }), (b) => b.secretGet({ label: "creds" })],
    },
    {
      options: { unit: "provider/0" },
      success: true,
      steps: [
        (b, c) => b.secretRevoke(c.uri(), ref),
        (b, c) => b.secretRemove(c.uri(), 1),
        (b, c) => b.secretInfoGet({ id: c.uri() }),
      ],
    },
  ];
}

type Outcome = { ok: unknown } | { error: string; stderr: string; exitCode: number | null };

function attempt(step: () => unknown): Outcome {
  try {
    return { ok: step() ?? null };
  } catch (e) {
    if (!(e instanceof HookToolError)) throw e;
    return { error: e.name, stderr: e.stderr, exitCode: e.exitCode };
  }
}

describe("hook-tool fakes: executables", () => {
  withBin();
  it("creates one executable symlink per hook tool, dispatching on its name", () => {
    const names = readdirSync(bin).sort();
    expect(names).toEqual([...HOOK_TOOLS].sort());
    for (const name of names) {
      expect(lstatSync(join(bin, name)).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(bin, name))).toBe(hookToolCliPath());
      accessSync(join(bin, name), constants.X_OK);
    }
    const { model, id } = world();
    const file = join(tempDir("h2-state-"), "state.json");
    startFakeHook(file, model, { unit: "provider/0" });
    expect(spawnTool(file, "relation-ids", ["database", "--format=json"])).toEqual({
      stdout: `["database:${id}"]\n`,
      stderr: "",
      exitCode: 0,
    });
    expect(spawnTool(file, "relation-list", ["--format", "json", "-r", "database:9"])).toEqual({
      stdout: "",
      stderr: 'ERROR invalid value "database:9" for option -r: relation not found\n',
      exitCode: 2,
    });
    expect(
      spawnTool(file, "relation-set", ["-r", String(id), "--app", "--file", "-"], '{"k": "v"}').exitCode,
    ).toBe(0);
    const { model: after, commit } = finishFakeHook(file, true);
    expect(after.appBag(id, "provider")).toEqual({ k: "v" });
    expect(commit?.databags).toHaveLength(1);
    expect(after.calls().map((c) => c.tool)).toEqual(["relation-ids", "relation-list", "relation-set"]);
  });

  it("agrees with MemoryBackend call for call: same results, same errors, same model", {
    timeout: 120_000,
  }, () => {
    const direct = world();
    const viaTools = world();
    const ref: RelationRef = { endpoint: "database", id: direct.id };
    const file = join(tempDir("h2-agree-"), "state.json");
    let toolsModel = viaTools.model;
    let uri = "";
    const ctx = { uri: () => uri };
    for (const [h, hook] of scenario(ref).entries()) {
      const mem = new MemoryBackend(direct.model, hook.options);
      startFakeHook(file, toolsModel, hook.options);
      const spawned = new SpawnBackend(file);
      for (const [s, step] of hook.steps.entries()) {
        const a = attempt(() => step(mem, ctx));
        const b = attempt(() => step(spawned, ctx));
        expect({ hook: h, step: s, outcome: b }).toEqual({ hook: h, step: s, outcome: a });
        if (!uri && "ok" in a && typeof a.ok === "string" && a.ok.startsWith("secret://")) uri = a.ok;
      }
      if (hook.success) mem.commit();
      else mem.rollback();
      toolsModel = finishFakeHook(file, hook.success).model;
    }
    const normalise = (m: JujuModel) => {
      const s = m.toJSON();
      for (const c of s.calls) c.argv = c.argv.map((a) => a.replace(/#file=.*$/, "#file=<redacted>"));
      return s;
    };
    expect(normalise(toolsModel)).toEqual(normalise(direct.model));
    const text = JSON.stringify(toolsModel.state.calls);
    expect(text).not.toContain("s3cret-pass");
    expect(text).not.toContain("rotated-pass");
    // The scenario exercised what it claims to.
    const s = direct.model.secret(uri)!;
    expect(s.latestRevision).toBe(2);
    expect(s.tracking).toEqual({ "requirer/0": 1, "requirer/1": 2 });
    expect(s.removedRevisions).toEqual([1]);
  });
});

describe("Simulation with a real charm process", () => {
  withBin();
  const charm = `
import { execFileSync } from "node:child_process";
const env = process.env;
const tool = (name, args, input) => execFileSync(name, args, { input: input ?? "", encoding: "utf8" });
const json = (name, args) => JSON.parse(tool(name, args));
const rel = env.JUJU_RELATION_ID;
if (env.JUJU_HOOK_NAME === "database-relation-created" && json("is-leader", ["--format=json"])) {
  tool("relation-set", ["-r", rel, "--app", "--file", "-"], JSON.stringify({ database: "myapp" }));
}
if (env.JUJU_HOOK_NAME === "database-relation-changed") {
  const answer = json("relation-get", ["--format=json", "-r", rel, "--app", "-", env.JUJU_REMOTE_APP]);
  if (answer["secret-user"]) {
    const creds = json("secret-get", ["--format=json", answer["secret-user"], "--label", "creds", "--refresh"]);
    tool("relation-set", ["-r", rel, "--file", "-"], JSON.stringify({ seen: creds.username }));
  }
}
if (env.JUJU_HOOK_NAME === "update-status") {
  tool("status-set", ["maintenance", "--", "checking"]);
  const [id] = json("relation-ids", ["database", "--format=json"]);
  tool("relation-set", ["-r", id, "half=written"]);
  console.error("boom: " + env.JUJU_UNIT_NAME);
  process.exit(3);
}
`;

  const provider: HookRunner = async (b, ctx) => {
    const rel = ctx.relation;
    if (ctx.kind !== "relation-changed" || !rel || !b.isLeader()) return;
    if (
      !b.relationGet(rel, ctx.remoteApp!, true).database ||
      b.relationGet(rel, ctx.appName, true)["secret-user"]
    )
      return;
    const uri = b.secretAdd({ username: "relation-0", password: "pw" });
    b.secretGrant(uri, rel);
    b.relationSet(rel, { "secret-user": uri }, true);
  };

  it("runs hooks in a child process against the fakes and commits on exit 0 only", {
    timeout: 120_000,
  }, async () => {
    const dir = tempDir("h2-charm-");
    writeFileSync(join(dir, "charm.mjs"), charm);
    const outputs: string[] = [];
    const sim = new Simulation({ uuid: UUID, lifecycle: false });
    sim.deploy("provider", { runner: provider, endpoints: { database: "provides:postgresql_client" } });
    sim.deploy("requirer", {
      units: 2,
      endpoints: { database: "requires:postgresql_client" },
      charmDir: dir,
      runner: processRunner(process.execPath, ["charm.mjs"], {
        binDir: bin,
        onOutput: (o) => outputs.push(`${o.context.unitName} ${o.context.hookName} ${o.exitCode}`),
      }),
    });
    const id = sim.relate("provider", "requirer");
    expect(await sim.settle()).toMatchObject({ settled: true });
    expect(sim.model.appBag(id, "requirer")).toEqual({ database: "myapp" });
    expect(sim.model.unitBag(id, "requirer/0")).toEqual({ seen: "relation-0" });
    expect(sim.model.unitBag(id, "requirer/1")).toEqual({ seen: "relation-0" });
    expect(outputs).toContain("requirer/0 database-relation-created 0");
    const created = sim.hooks.find((h) => h.unit === "requirer/0" && h.kind === "relation-created")!;
    expect(created.calls.map((c) => [c.tool, c.argv])).toEqual([
      ["is-leader", ["--format=json"]],
      ["relation-set", ["-r", `database:${id}`, "--app", "--file", "-"]],
    ]);

    const failed = await sim.runHook("requirer/1", "update-status");
    expect(failed.ok).toBe(false);
    expect(failed.error).toBeInstanceOf(CharmProcessError);
    expect((failed.error as CharmProcessError).exitCode).toBe(3);
    expect((failed.error as CharmProcessError).message).toContain("boom: requirer/1");
    expect(sim.model.unitBag(id, "requirer/1")).toEqual({ seen: "relation-0" });
    expect(sim.model.unitStatus("requirer/1")).toEqual({ status: "maintenance", message: "checking" });
    expect(sim.failedUnits.has("requirer/1")).toBe(true);
  });
});
