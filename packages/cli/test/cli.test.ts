/**
 * The CLI end to end as a real subprocess (`node` on `src/bin.ts` with the source condition, exactly
 * the code `dist/bin.js` runs): for every interface a realistic valid input and an invalid one, stdin,
 * bad JSON, an unknown interface, the `--json` shape, exit codes, colour in a pipe, `simulate` and
 * `demo`. The full matrix runs in-process in `main.test.ts`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interfacesForEndpoint } from "../src/interfaces.js";
import { ANSI, BAGS, DUMPS, json, SECRETISH } from "./cases.js";
import { dumpFromModel, fixture, PACKAGE_DIR, related, runCli, showUnitDump } from "./helpers.js";

let dir: string;
const file = (name: string, content: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "charm-relations-e2e-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A realistic valid `juju show-unit` dump per interface (recorded fixtures; a simulated relation for legacy etcd). */
async function validDump(iface: string): Promise<Record<string, unknown>> {
  if (iface === "etcd") {
    const r = await related("etcd");
    return dumpFromModel(r, `${r.requirer}/1`);
  }
  const name = Object.keys(DUMPS).find((f) => f.startsWith(`${iface}.`)) as keyof typeof DUMPS;
  return showUnitDump(fixture(name), { unit: "requirer/1", ...DUMPS[name], extraRelations: true });
}

const INTERFACES = [
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

describe("validate, as a subprocess, for every interface", () => {
  for (const iface of INTERFACES) {
    it(`${iface}: a juju show-unit dump on stdin is valid (exit 0, --json report)`, async () => {
      // `database` is shared by postgresql_client, mysql_client and mongodb_client: name the interface.
      const shared = interfacesForEndpoint("database").some((e) => e.name === iface)
        ? ["--interface", iface]
        : [];
      const r = await runCli(["validate", "--json", ...shared], {
        stdin: JSON.stringify(await validDump(iface)),
      });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const report = json(r.stdout);
      expect(Object.keys(report).sort()).toEqual([
        "checks",
        "input",
        "interfaces",
        "notes",
        "ok",
        "source",
        "summary",
      ]);
      expect(report).toMatchObject({ ok: true, input: "show-unit", source: "stdin", interfaces: [iface] });
      expect(report.checks.length).toBeGreaterThanOrEqual(3);
      for (const c of report.checks) {
        expect(Object.keys(c).sort()).toEqual(
          ["bag", "contract", "interface", "ok", "owner", "relation", "side", "violations"].sort(),
        );
        expect(c.violations).toEqual([]);
      }
      expect(report.summary.invalid).toBe(0);
    });

    const invalid = BAGS.find((b) => b.iface === iface && Object.keys(b.violations).length > 0)!;
    it(`${iface}: ${invalid.name} (exit 1, key + rule + shape, never the value)`, async () => {
      const path = file(`${iface}-invalid.json`, invalid.bag);
      const r = await runCli(["validate", "--interface", iface, ...invalid.args, path]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain(`validate ${path} (databag): ${iface}`);
      expect(r.stdout).toMatch(/^FAIL /m);
      for (const key of Object.keys(invalid.violations)) {
        expect(r.stdout).toMatch(new RegExp(`^ {4}${key.replace(/[[\]().]/g, "\\$&")}: .+`, "m"));
      }
      expect(r.stdout).toMatch(/\(got (nothing|string of \d+ chars|JSON-like \w+ text of \d+ chars)\)/);
      expect(r.stdout).not.toContain(SECRETISH);
      expect(r.stdout).not.toMatch(ANSI);
    });
  }
});

describe("errors, as a subprocess", () => {
  it("bad JSON on stdin: exit 2, the place but not the content", async () => {
    const r = await runCli(["validate", "--interface", "postgresql_client"], {
      stdin: `{"database": "myapp",\n "password": "${SECRETISH}" oops}`,
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("charm-relations validate: error: stdin is not valid JSON at line 2, column 31\n");
  });

  it("unknown interface: exit 2 with a suggestion and the usage line", async () => {
    const r = await runCli(["simulate", "valkey"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown interface "valkey" (did you mean valkey_client?)');
    expect(r.stderr).toContain("Usage: charm-relations simulate <interface>");
  });

  it("usage errors under --json still print a JSON object on stdout", async () => {
    const r = await runCli(["validate", "--json", "--side", "sideways"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { kind: "usage" } });
  });
});

describe("the other commands, as a subprocess", () => {
  it("list --json: versions straight from the packages", async () => {
    const r = await runCli(["list", "--json"]);
    expect(r.code).toBe(0);
    const { interfaces } = JSON.parse(r.stdout) as {
      interfaces: { name: string; package: string; version: string }[];
    };
    expect(interfaces.map((i) => i.name)).toEqual([...INTERFACES]);
    for (const i of interfaces) {
      const pkg = JSON.parse(
        readFileSync(
          join(PACKAGE_DIR, "..", i.package.replace("@charm-relations/", ""), "package.json"),
          "utf8",
        ),
      ) as { version: string };
      expect(i.version).toBe(pkg.version);
    }
  });

  it("schema: JSON on stdout", async () => {
    const r = await runCli([
      "schema",
      "valkey_client",
      "--side",
      "provider",
      "--contract",
      "v1",
      "--bag",
      "app",
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { title: string; properties: Record<string, unknown> };
    expect(doc.title).toBe("valkey_client provider app databag (v1)");
    expect(Object.keys(doc.properties)).toEqual(expect.arrayContaining(["version", "requests", "data"]));
  });

  it("simulate: exit 0, a plain transcript in a pipe, no progress line", async () => {
    const r = await runCli(["simulate", "etcd_client"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).not.toMatch(ANSI);
    expect(r.stdout).toMatch(/event clientRequested \(relation=\d+, prefix=\/myapp\/, commonName=myapp\)/);
    expect(r.stdout).toMatch(/secret created etcd-client\.\d+\.[0-9a-f]{16}\.mtls\.secret \(owner myapp\)/);
    expect(r.stdout).toContain("etcd_client: settled in every phase, no failed hook, no orphaned secret");
  });

  it("demo: every interface, exit 0; --color forces colour in a pipe", async () => {
    const r = await runCli(["demo", "--summary", "--color"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(ANSI);
    expect(r.stdout.replace(/\u001b\[[0-9;]*m/g, "")).toContain(
      `All ${INTERFACES.length} interfaces settled with no failed hook and no orphaned secret.`,
    );
  });
});

describe("pipes", () => {
  it("a reader that goes away (`| head -1`) ends output quietly, with the command's own exit code", async () => {
    // demo writes one transcript per interface: the writes after the first meet a closed pipe.
    const child = spawn(
      process.execPath,
      ["--conditions=@charm-relations/source", "--import", "tsx", join(PACKAGE_DIR, "src", "bin.ts"), "demo"],
      { cwd: PACKAGE_DIR, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    // Read the first chunk, then close our end like `head -1` does.
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
