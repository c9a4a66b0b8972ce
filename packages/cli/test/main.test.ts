/**
 * The whole command matrix, run in-process through `main` with fake streams (the same code path as
 * the binary, without a process per case): valid and invalid inputs for every interface, bare
 * databags and realistic `juju show-unit` dumps, stdin, bad JSON, usage errors, `--json` shapes,
 * colour and the progress line on a (fake) TTY. `cli.test.ts` runs a subset as real subprocesses.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interfacesForEndpoint } from "../src/interfaces.js";
import { ANSI, BAGS, DUMPS, json, SECRETISH } from "./cases.js";
import { dumpFromModel, fixture, PACKAGE_DIR, related, runMain as runCli, showUnitDump } from "./helpers.js";

let dir: string;
const file = (name: string, content: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "charm-relations-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("validate a bare databag", () => {
  it.each(BAGS)("$iface: $name", async (c) => {
    const path = file(`${c.iface}-${c.name.replace(/\W+/g, "-")}.json`, c.bag);
    const text = await runCli(["validate", "--interface", c.iface, ...c.args, path]);
    const machine = await runCli(["validate", "--interface", c.iface, ...c.args, path, "--json"]);
    const invalid = Object.keys(c.violations).length > 0;
    expect(text.code).toBe(invalid ? 1 : 0);
    expect(machine.code).toBe(text.code);
    const report = json(machine.stdout);
    expect(report.ok).toBe(!invalid);
    expect(report.input).toBe("databag");
    expect(report.checks).toHaveLength(1);
    const got = report.checks[0]!.violations;
    for (const [key, rule] of Object.entries(c.violations)) {
      const v = got.find((x) => x.key === key);
      expect(v, `violation for ${key} in ${JSON.stringify(got)}`).toBeDefined();
      expect(v!.rule).toMatch(rule);
      expect(v!.shape).toMatch(
        /^(string of \d+ chars|JSON-like (array|object) text of \d+ chars|nothing|empty string)$/,
      );
      expect(text.stdout).toContain(key);
    }
    if (!invalid) expect(got).toEqual([]);
    // Never a value: not the password stand-in, not even in the machine-readable report.
    expect(text.stdout + text.stderr + machine.stdout).not.toContain(SECRETISH);
    expect(text.stdout).not.toMatch(ANSI);
  });
});

// ---------------------------------------------------------------------------------------------
// juju show-unit dumps

describe("validate a juju show-unit dump", () => {
  for (const [name, opts] of Object.entries(DUMPS)) {
    for (const unit of ["requirer/0", "requirer/1", "provider/0"]) {
      it(`${name}: ${unit} with its peer and other relations, from a file`, async () => {
        const fx = fixture(name);
        const dump = showUnitDump(fx, { unit, ...opts, extraRelations: true });
        // `database` is postgresql_client's, mysql_client's and mongodb_client's endpoint: name the interface.
        const shared = interfacesForEndpoint(opts.endpoint).length > 1 ? ["--interface", fx.interface] : [];
        const r = await runCli([
          "validate",
          file(`${name}-${unit.replace("/", "-")}.json`, dump),
          "--json",
          ...shared,
        ]);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const report = json(r.stdout);
        expect(report.input).toBe("show-unit");
        expect(report.interfaces).toEqual([fx.interface]);
        const side = unit.startsWith("provider") ? "provider" : "requirer";
        const other = side === "provider" ? "requirer" : "provider";
        const unitName = `${opts.apps[side]}/${unit.split("/")[1]}`;
        // The other side's app bag, each of its units, and the dumped unit's own bag.
        const theirUnits = Object.keys(fx.after_relate[`${other}_unit_databags`]).length;
        expect(report.checks.map((c) => `${c.side} ${c.bag}`)).toEqual([
          `${other} app`,
          ...Array(theirUnits).fill(`${other} unit`),
          `${side} unit`,
        ]);
        expect(report.checks.every((c) => c.relation === `${opts.endpoint}:0`)).toBe(true);
        expect(report.checks.at(-1)!.owner).toBe(unitName);
        expect(report.checks[0]!.owner).toBe(opts.apps[other]);
        expect(report.notes.join("\n")).toContain(`${unitName} is the ${side}`);
        expect(report.notes.join("\n")).toMatch(/skipped .*cluster:7.*logging:9/);
        expect(report.summary).toEqual({
          bags: report.checks.length,
          valid: report.checks.length,
          invalid: 0,
          violations: 0,
        });
      });
    }
  }

  it("postgresql_client: reads the dump from stdin, and reports an invalid provider answer with exit 1", async () => {
    const fx = fixture("postgresql_client.v0.json");
    const dump = showUnitDump(fx, {
      unit: "requirer/0",
      endpoint: "database",
      apps: { provider: "postgresql", requirer: "myapp" },
      extraRelations: true,
      edit: (s) => {
        s.provider_app_databag.endpoints = "10.1.0.10";
        s.provider_app_databag["secret-tls"] = SECRETISH;
        s.provider_unit_databags["provider/1"]!.state = "sleeping";
      },
    });
    const ambiguous = await runCli(["validate"], { stdin: JSON.stringify(dump) });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain("no relation of a known interface found");
    const r = await runCli(["validate", "--interface", "postgresql_client"], { stdin: JSON.stringify(dump) });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("validate stdin (juju show-unit dump): postgresql_client");
    expect(r.stdout).toMatch(/FAIL database:0 {2}provider app databag of postgresql \(v0\) — 2 violations/);
    expect(r.stdout).toMatch(/endpoints: expected a comma list of host:port.*\(got string of 9 chars\)/);
    expect(r.stdout).toMatch(/secret-tls: expected a secret URI/);
    expect(r.stdout).toMatch(/FAIL database:0 {2}provider unit databag of postgresql\/1 — 1 violation/);
    expect(r.stdout).toMatch(/4 databags checked: 2 valid, 2 invalid, 3 violations/);
    expect(r.stdout).not.toContain(SECRETISH);
    expect(r.stdout).not.toContain("sleeping");
  });

  it("picks relations by --endpoint, and says which endpoints exist when none matches", async () => {
    const fx = fixture("connect_client.v0.json");
    const dump = file(
      "connect-dump.json",
      showUnitDump(fx, { unit: "requirer/0", endpoint: "connect-client", extraRelations: true }),
    );
    const ok = await runCli(["validate", dump, "--endpoint", "connect-client", "--json"]);
    expect(ok.code).toBe(0);
    expect(json(ok.stdout).checks).toHaveLength(4);
    const missing = await runCli(["validate", dump, "--endpoint", "kafka"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'no relation on endpoint "kafka" in the dump (endpoints: cluster, connect-client, logging)',
    );
    // An endpoint no registry entry knows needs --interface.
    const renamed = file(
      "connect-renamed.json",
      showUnitDump(fx, { unit: "requirer/0", endpoint: "kafka-connect-api" }),
    );
    const unknown = await runCli(["validate", renamed, "--endpoint", "kafka-connect-api"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'cannot tell the interface of endpoint "kafka-connect-api": pass --interface',
    );
    const named = await runCli([
      "validate",
      renamed,
      "--endpoint",
      "kafka-connect-api",
      "--interface",
      "connect_client",
    ]);
    expect(named.code).toBe(0);
  });

  it("checks a dump against the interface asked for, not the one the endpoint suggests", async () => {
    const dump = file(
      "pg-as-valkey.json",
      showUnitDump(fixture("postgresql_client.v0.json"), { unit: "requirer/0", endpoint: "database" }),
    );
    const r = await runCli([
      "validate",
      dump,
      "--interface",
      "valkey_client",
      "--endpoint",
      "database",
      "--json",
    ]);
    expect(r.code).toBe(0); // valkey's v0 provider bag is as lenient as postgresql's: both valid
    const strict = await runCli([
      "validate",
      dump,
      "--interface",
      "connect_client",
      "--endpoint",
      "database",
      "--json",
    ]);
    expect(strict.code).toBe(1);
    // kafka-connect's endpoints are REST URLs with a scheme; postgresql's are bare host:port.
    const answer = json(strict.stdout).checks[0]!;
    expect(answer).toMatchObject({ interface: "connect_client", side: "provider", bag: "app", ok: false });
    expect(answer.violations.map((v) => v.key)).toEqual(["endpoints"]);
  });

  it("etcd_client v1 and legacy etcd: dumps of a simulated relation validate on both sides", async () => {
    for (const [name, contract] of [
      ["etcd_client", "v1"],
      ["etcd", "v0"],
    ] as const) {
      const r = await related(name, contract);
      for (const unit of [`${r.requirer}/1`, `${r.provider}/0`]) {
        const path = file(`${name}-${unit.replace("/", "-")}.json`, dumpFromModel(r, unit));
        const out = await runCli(["validate", path, "--json"]);
        expect(out.code, out.stdout + out.stderr).toBe(0);
        const report = json(out.stdout);
        expect(report.interfaces).toEqual([name]);
        if (name === "etcd_client") {
          expect(report.checks[0]!.contract).toBe("v1");
          expect(report.notes.join(" ")).toContain('version is "v1"');
        }
        expect(report.checks.length).toBe(4);
      }
    }
  });

  it("a dump where nothing tells the sides apart asks for --side", async () => {
    const dump = {
      "app/0": {
        charm: "local:app-0",
        leader: true,
        "relation-info": [
          {
            "relation-id": 3,
            endpoint: "database",
            "related-endpoint": "database",
            "application-data": {},
            "local-unit": { data: {} },
          },
        ],
      },
    };
    const pg = ["--interface", "postgresql_client"];
    const r = await runCli(["validate", file("blank.json", dump), ...pg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cannot tell which side app/0 is on in relation database:3");
    const withSide = await runCli([
      "validate",
      file("blank.json", dump),
      ...pg,
      "--side",
      "requirer",
      "--json",
    ]);
    expect(withSide.code).toBe(0);
    expect(json(withSide.stdout).checks.map((c) => `${c.side} ${c.bag}`)).toEqual([
      "provider app",
      "requirer unit",
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Bad input and usage errors: exit 2

describe("usage errors and unreadable input exit 2", () => {
  it("bad JSON: says where, never echoes the content", async () => {
    const r = await runCli(["validate", "--interface", "postgresql_client"], {
      stdin: `{"database": "myapp",\n "password": "${SECRETISH}" oops}`,
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^charm-relations validate: error: stdin is not valid JSON at line 2, column 31\n$/,
    );
    expect(r.stderr).not.toContain(SECRETISH);
    expect(r.stderr).not.toContain("oops");
  });

  it("bad JSON with --json still prints a JSON error object", async () => {
    const r = await runCli(["validate", "--interface", "etcd", "--json"], { stdin: '{"database": ' });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      error: { kind: "input", message: "stdin is not valid JSON (it ends too early)" },
    });
  });

  it("YAML from juju show-unit without --format=json gets a hint", async () => {
    const r = await runCli(["validate"], { stdin: "myapp/0:\n  charm: local:myapp-0\n  leader: true\n" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("looks like YAML: run juju show-unit <unit> --format=json");
  });

  it("empty stdin, a missing file, a directory, a JSON array", async () => {
    const empty = await runCli(["validate", "--interface", "etcd"], { stdin: "" });
    expect(empty.stderr).toContain("stdin is empty: expected JSON");
    const missing = await runCli(["validate", "--interface", "etcd", join(dir, "nope.json")]);
    expect(missing.stderr).toContain("nope.json: no such file");
    const isDir = await runCli(["validate", "--interface", "etcd", dir]);
    expect(isDir.stderr).toContain("is a directory");
    const array = await runCli(["validate", "--interface", "etcd", "-"], { stdin: "[1, 2]" });
    expect(array.stderr).toContain("stdin holds an array: expected a databag");
    for (const r of [empty, missing, isDir, array]) expect(r.code).toBe(2);
  });

  it("unknown interface, with a suggestion", async () => {
    const r = await runCli(["validate", "--interface", "postgres_client"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid value for --interface: "postgres_client"');
    expect(r.stderr).toContain("did you mean postgresql_client?");
    expect(r.stderr).toContain("Usage: charm-relations validate");
    const sim = await runCli(["simulate", "redis_client"]);
    expect(sim.code).toBe(2);
    expect(sim.stderr).toContain('unknown interface "redis_client"');
  });

  it("a bare databag without --interface, or a side that cannot be guessed", async () => {
    const noInterface = await runCli(["validate", "-"], { stdin: '{"database": "myapp"}' });
    expect(noInterface.code).toBe(2);
    expect(noInterface.stderr).toContain("a bare databag needs --interface");
    const noSide = await runCli(["validate", "--interface", "valkey_client"], { stdin: '{"mode": 5}' });
    expect(noSide.code).toBe(2);
    expect(noSide.stderr).toContain("cannot tell which side wrote this app databag: pass --side");
  });

  it("unknown command, unknown option, bad choice, missing value, extra argument", async () => {
    const results = await Promise.all([
      runCli(["valdate"]),
      runCli(["list", "--jsn"]),
      runCli(["schema", "etcd", "--side", "both"]),
      runCli(["simulate", "etcd", "--contract"]),
      runCli(["list", "extra"]),
      runCli([]),
    ]);
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(results[0]!.stderr).toContain('unknown command "valdate" (did you mean validate?)');
    expect(results[1]!.stderr).toContain("unknown option --jsn (did you mean --json?)");
    expect(results[2]!.stderr).toContain('invalid value for --side: "both" (one of: provider, requirer)');
    expect(results[3]!.stderr).toContain("option --contract needs a value (one of: v0, v1)");
    expect(results[4]!.stderr).toContain("list takes no arguments (got extra)");
    expect(results[5]!.stderr).toContain("Usage: charm-relations <command> [options]");
  });

  it("a contract the interface has no schema for", async () => {
    const r = await runCli(["schema", "postgresql_client", "--side", "provider", "--contract", "v1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("postgresql_client has no v1 schema (contracts: v0)");
  });
});

// ---------------------------------------------------------------------------------------------
// list, schema, simulate, demo, help, colour

/** Every interface of the registry, in its order. */
const ALL = [
  "postgresql_client",
  "etcd_client",
  "etcd",
  "valkey_client",
  "connect_client",
  "kafka_client",
  "opensearch_client",
  "karapace_client",
  "mysql_client",
  "mongodb_client",
] as const;

describe("the other commands", () => {
  it("list: every interface with their packages, versions and contracts", async () => {
    const text = await runCli(["list"]);
    expect(text.code).toBe(0);
    for (const name of ALL) {
      expect(text.stdout).toContain(name);
    }
    const machine = await runCli(["list", "--json"]);
    const { interfaces } = JSON.parse(machine.stdout) as {
      interfaces: {
        name: string;
        package: string;
        version: string;
        contracts: string[];
        defaultContract: string;
      }[];
    };
    expect(interfaces.map((i) => i.name)).toEqual([...ALL]);
    for (const i of interfaces) {
      const dirName = i.package.replace("@charm-relations/", "");
      const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, "..", dirName, "package.json"), "utf8")) as {
        version: string;
      };
      expect(i.version).toBe(pkg.version);
      expect(i.contracts).toContain(i.defaultContract);
    }
  });

  it("schema: a JSON Schema document per interface, side and contract", async () => {
    const runs = [
      ["postgresql_client", "requirer", "v0", "database"],
      ["etcd_client", "requirer", "v1", "requests"],
      ["etcd_client", "requirer", "v0", "prefix"],
      ["valkey_client", "requirer", "v1", "requests"],
      ["valkey_client", "requirer", "v0", "database"],
      ["connect_client", "requirer", "v0", "plugin-url"],
    ] as const;
    for (const [iface, side, contract, requiredKey] of runs) {
      const r = await runCli(["schema", iface, "--side", side, "--contract", contract]);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout) as {
        $schema: string;
        title: string;
        properties: { app: { required?: string[]; properties: Record<string, unknown> }; unit: unknown };
      };
      expect(doc.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(doc.title).toBe(`${iface} ${side} databags (${contract})`);
      expect(doc.properties.app.required).toContain(requiredKey);
      expect(doc.properties.unit).toBeTypeOf("object");
    }
    const legacy = await runCli(["schema", "--interface", "etcd", "--side", "provider", "--bag", "unit"]);
    const unit = JSON.parse(legacy.stdout) as { properties: Record<string, unknown>; title: string };
    expect(Object.keys(unit.properties)).toEqual(
      expect.arrayContaining(["connection_string", "client_key", "client_cert", "client_ca"]),
    );
    expect(unit.title).toBe("etcd provider unit databag (v0)");
    const noSide = await runCli(["schema", "etcd"]);
    expect(noSide.code).toBe(2);
    expect(noSide.stderr).toContain("schema needs --side");
  });

  it("simulate: a readable transcript, exit 0", async () => {
    const r = await runCli(["simulate", "postgresql_client"]);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).not.toMatch(ANSI);
    for (const phase of [
      "1. deploy",
      "2. relate",
      "3. rotate credentials",
      "4. scale out",
      "5. scale in",
      "6. remove the relation",
    ]) {
      expect(out).toContain(`━━ ${phase}`);
    }
    expect(out).toMatch(
      /postgresql\/0 database-relation-changed.*\n\s+event databaseRequested \(relation=\d+, database=myapp\)/,
    );
    expect(out).toMatch(/secret created database\.\d+\.user\.secret \(owner postgresql\)/);
    expect(out).toMatch(/secret updated database\.\d+\.user\.secret → revision 2/);
    expect(out).toMatch(/secret removed database\.\d+\.tls\.secret \(owner postgresql\)/);
    expect(out).toMatch(/writes app bag of myapp \(relation \d+\): database="myapp"/);
    expect(out).toMatch(/hook tools: .*secret-add×2/);
    expect(out).toMatch(
      /ok {3}postgresql_client: settled in every phase, no failed hook, no orphaned secret/,
    );
  });

  it("simulate --json: the whole transcript", async () => {
    const r = await runCli(["simulate", "etcd_client", "--contract", "v0", "--json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      contract: string;
      phases: {
        name: string;
        settled: boolean;
        entries: { type: string; calls?: { tool: string; argv: string[] }[] }[];
      }[];
      totals: { hooks: number };
    };
    expect(report.ok).toBe(true);
    expect(report.contract).toBe("v0");
    expect(report.phases.map((p) => p.name)).toEqual([
      "deploy",
      "relate",
      "rotate",
      "scale-out",
      "scale-in",
      "remove",
    ]);
    const hooks = report.phases.flatMap((p) => p.entries.filter((e) => e.type === "hook"));
    expect(hooks.length).toBe(report.totals.hooks);
    expect(
      hooks.some((h) =>
        h.calls?.some((c) => c.tool === "secret-add" && c.argv.some((a) => a.endsWith("#file=<redacted>"))),
      ),
    ).toBe(true);
  });

  it("simulate --verbose shows hook-tool argv; an unsupported contract is a usage error", async () => {
    const r = await runCli(["simulate", "valkey_client", "--contract", "v0", "--verbose"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\$ relation-set -r valkey-client:\d+ --app --file -/);
    const bad = await runCli(["simulate", "etcd", "--contract", "v1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("etcd simulates the contracts v0, not v1");
  });

  it("demo --summary: every interface, a closing table, exit 0", async () => {
    const r = await runCli(["demo", "--summary"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(""); // no progress line when stderr is not a TTY
    for (const name of ALL) {
      expect(r.stdout).toMatch(new RegExp(`\\n${name} +v[01] +\\d+ +0 +\\d+/\\d+/\\d+ +\\d+ +0 +ok\\n`));
    }
    expect(r.stdout).toContain(
      `All ${ALL.length} interfaces settled with no failed hook and no orphaned secret.`,
    );
    expect(r.stdout).not.toContain("quiet hook");
  });

  it("help: general, per command, and --help; --version", async () => {
    const general = await runCli(["help"]);
    expect(general.code).toBe(0);
    expect(general.stdout).toContain("Commands:");
    for (const c of ["validate", "schema", "simulate", "demo", "list"])
      expect(general.stdout).toContain(`  ${c}`);
    const validate = await runCli(["validate", "--help"]);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain("Usage: charm-relations validate [file|-]");
    expect(validate.stdout).toContain("--contract <contract>");
    expect(validate.stdout).toContain("one of: v0, v1, auto; default: auto");
    expect((await runCli(["help", "schema"])).stdout).toContain("Usage: charm-relations schema <interface>");
    expect((await runCli(["--version"])).stdout).toMatch(/^charm-relations \d+\.\d+\.\d+\n$/);
  });

  it("colour: none in a pipe, on with --color or FORCE_COLOR, NO_COLOR wins over FORCE_COLOR", async () => {
    const path = file("bad.json", { database: "" });
    const plain = await runCli(["validate", "--interface", "postgresql_client", "--side", "requirer", path]);
    const forced = await runCli([
      "validate",
      "--interface",
      "postgresql_client",
      "--side",
      "requirer",
      path,
      "--color",
    ]);
    const env = await runCli(["validate", "--interface", "postgresql_client", "--side", "requirer", path], {
      env: { FORCE_COLOR: "1" },
    });
    const no = await runCli(["validate", "--interface", "postgresql_client", "--side", "requirer", path], {
      env: { FORCE_COLOR: "1", NO_COLOR: "1" },
    });
    expect(plain.stdout).not.toMatch(ANSI);
    expect(forced.stdout).toMatch(ANSI);
    expect(forced.stdout).toContain("✘");
    expect(env.stdout).toMatch(ANSI);
    expect(no.stdout).not.toMatch(ANSI);
    expect([plain.code, forced.code, env.code, no.code]).toEqual([1, 1, 1, 1]);
  });
});

describe("on a terminal", () => {
  it("colours stdout and shows a self-erasing progress line on stderr", async () => {
    const r = await runCli(["simulate", "connect_client"], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(ANSI);
    expect(r.stdout).toContain("✔");
    expect(r.stdout).not.toContain("\r");
    expect(r.stderr).toMatch(/\r\u001b\[2K. connect_client · relate · hook \d+ · /);
    // Erased before the transcript is printed: the last thing on stderr is the erase sequence.
    expect(r.stderr.endsWith("\r\u001b[2K")).toBe(true);
  });

  it("keeps the progress line within the terminal width", async () => {
    const r = await runCli(["demo", "--summary"], { tty: true });
    expect(r.code).toBe(0);
    const lines = r.stderr.split("\r\u001b[2K").filter(Boolean);
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.every((l) => [...l].length <= 99)).toBe(true);
    expect(lines[0]).toMatch(new RegExp(`^. \\[1/${ALL.length}\\] postgresql_client`));
  });

  it("no colour with NO_COLOR, TERM=dumb or --no-color, even on a TTY", async () => {
    for (const [args, env] of [
      [["list"], { NO_COLOR: "1" }],
      [["list"], { TERM: "dumb" }],
      [["list", "--no-color"], {}],
    ] as const) {
      const r = await runCli(args, { tty: true, env });
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(ANSI);
    }
    expect((await runCli(["list"], { tty: true })).stdout).toMatch(ANSI);
  });

  it("does not wait on an interactive stdin when no file is given", async () => {
    const r = await runCli(["validate", "--interface", "etcd"], { tty: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no input: give a file, or pipe JSON on stdin");
  });
});
