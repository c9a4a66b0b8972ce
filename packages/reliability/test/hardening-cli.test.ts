/**
 * Issue 15, the CLI classes: `charm-relations validate` on hostile input.
 *
 * - class 1: every pattern the CLI applies to input runs in linear time (a crafted key must not hang);
 * - class 7: hostile files (FIFO, devices, directories, sockets, huge files) are refused with a clear
 *   message and exit 2, without blocking and without reading past the cap; nothing printed from the
 *   input can drive the terminal (control characters escaped even with colour off; `--json` stays JSON);
 * - class 12: validate judges like the real consumers (empty comma-list items, `requested-secrets`
 *   naming no field) and knows the legacy `etcd` interface has only unit databags.
 *
 * Tests that guard against a hang run the CLI as a subprocess and fail by the test timeout.
 */

import { execFileSync } from "node:child_process";
import { closeSync, openSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { main } from "@charm-relations/cli";
import { afterEach, describe, expect, it } from "vitest";
import { cleanUp, listenOn, runCli, tempDir } from "./hardening-processes.js";

const HANG = { timeout: 60_000 };
afterEach(cleanUp);

const REPO_FIXTURES = fileURLToPath(new URL("../../../fixtures/", import.meta.url));
type Bag = Record<string, string>;
type Snapshot = { provider_app_databag: Bag; requirer_app_databag: Bag };
const recorded = (name: string): Snapshot =>
  (JSON.parse(readFileSync(join(REPO_FIXTURES, name), "utf8")) as { after_relate: Snapshot }).after_relate;

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `main` in-process with plain (non-TTY) streams; `stdin` may be a stream. */
async function run(args: readonly string[], stdin?: string | Readable): Promise<Result> {
  const out = { stdout: "", stderr: "" };
  const stream = (name: "stdout" | "stderr") => ({
    isTTY: false,
    write(chunk: string) {
      out[name] += chunk;
      return true;
    },
  });
  const input =
    stdin instanceof Readable ? stdin : Readable.from(stdin === undefined ? [] : [Buffer.from(stdin)]);
  const code = await main(args, {
    stdout: stream("stdout"),
    stderr: stream("stderr"),
    stdin: Object.assign(input, { isTTY: false }),
    env: {},
    cwd: process.cwd(),
  });
  return { code, ...out };
}

/**
 * Characters that make a terminal do something: C0 controls (tab included; newline is the one the
 * output itself is made of), DEL, C1 controls, line and paragraph separators, bidi marks, overrides
 * and isolates. In `--json` output these must appear escaped as well.
 */
const DRIVES_TERMINAL =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/;
/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/;

/** Names a hostile charm (or a hand-edited dump) can put where the CLI prints names. */
const HOSTILE_NAMES = [
  "\u001b[2J\u001b[H", // clear the screen, cursor home
  "x\nok   provider unit databag — valid", // a fake result line
  "\r\u001b[2Kok   all valid", // return + erase line, then a fake line
  "\u001b]0;pwned\u0007", // OSC: set the window title
  "\u009b31mred", // C1 CSI
  "del\u007f", // DEL
  "safe\u202edelif.exe", // right-to-left override
  "iso\u2066late\u2069", // bidi isolate
  "nul\u0000byte",
];

// ---------------------------------------------------------------------------------------------
// Class 1: linear-time patterns on input

describe("class 1: the CLI's patterns run in linear time on any key", () => {
  // 9 candidate positions per `-aaaaaaaaa` segment, multiplied per segment: 112 characters.
  const EXPLODING_KEY = `a${"-aaaaaaaaa".repeat(11)}!`;

  it(
    "a 112-character key made to backtrack is classified at once (subprocess: fails by hanging)",
    HANG,
    async () => {
      const r = await runCli(["validate", "--interface", "etcd", "--bag", "app", "--side", "provider"], {
        stdin: JSON.stringify({ [EXPLODING_KEY]: "1" }),
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("unexpected key");
    },
  );

  it("a 1 MB key of unit-name-like segments, and a 1 MB first line that looks like YAML", HANG, async () => {
    const big = `${"a-".repeat(500_000)}a/0`;
    const r = await runCli(["validate", "--interface", "etcd", "--bag", "app", "--side", "provider"], {
      stdin: JSON.stringify({ [big]: "1", [`${big}x`]: {} }),
    });
    expect(r.code).toBe(1);
    const yaml = await runCli(["validate", "--interface", "etcd"], {
      stdin: `${"a".repeat(1_000_000)}/0:   \nx`,
    });
    expect(yaml.code).toBe(2);
    expect(yaml.stderr).toContain("not valid JSON");
  });

  it("unit names are still recognised exactly (a dump is a dump, a bag is a bag)", async () => {
    const dump = (unit: string) => JSON.stringify({ [unit]: { leader: true, "relation-info": [] } });
    // A dump with no relation: the CLI recognises it and says there is nothing of a known interface.
    for (const unit of ["etcd/0", "kubernetes-control-plane/12", "pg-k8s/3", "a1-b2c/0"]) {
      const r = await run(["validate"], dump(unit));
      expect(r.stderr, unit).toContain("no relation of a known interface");
    }
    // Not unit names: read as a bare databag (then it needs --interface).
    for (const key of [
      "Etcd/0",
      "etcd/x",
      "etcd-/0",
      "etcd--a/0",
      "etcd-12/0",
      "pg-16/3",
      "1etcd/0",
      "etcd/0/1",
      "etcd",
    ]) {
      const r = await run(["validate"], dump(key));
      expect(r.stderr, key).toContain("a bare databag needs --interface");
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Class 7: hostile files

describe("class 7: hostile files are refused without blocking, over the cap without reading", () => {
  const args = (path: string) => ["validate", path, "--interface", "etcd", "--side", "provider"];

  it("a FIFO with no writer (subprocess: fails by hanging)", HANG, async () => {
    const fifo = join(tempDir(), "bag.json");
    execFileSync("mkfifo", [fifo]);
    const r = await runCli(args(fifo));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot read ${fifo}: not a regular file (a FIFO)`);
  });

  it("a symlink to a FIFO (subprocess: fails by hanging)", HANG, async () => {
    const dir = tempDir();
    execFileSync("mkfifo", [join(dir, "fifo")]);
    symlinkSync(join(dir, "fifo"), join(dir, "bag.json"));
    const r = await runCli(args(join(dir, "bag.json")));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not a regular file (a FIFO)");
  });

  it("/dev/zero: refused as a character device, nothing read", HANG, async () => {
    const r = await run(args("/dev/zero"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cannot read /dev/zero: not a regular file (a character device)");
  });

  it("a directory and a Unix socket", async () => {
    const dir = tempDir();
    const socket = join(dir, "bag.sock");
    await listenOn(socket);
    const d = await run(args(dir));
    expect(d.code).toBe(2);
    expect(d.stderr).toContain(`cannot read ${dir}: is a directory`);
    const s = await run(args(socket));
    expect(s.code).toBe(2);
    expect(s.stderr).toContain("not a regular file (a socket)");
  });

  it("a 1 GiB file is refused from its size, like stdin past the same cap", HANG, async () => {
    const big = join(tempDir(), "big.json");
    writeFileSync(big, "");
    execFileSync("truncate", ["-s", "1G", big]);
    const f = await run(args(big));
    expect(f.code).toBe(2);
    expect(f.stderr).toContain(`${big} is larger than the input limit (64 MiB)`);
    // stdin: 65 chunks of 1 MiB.
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const s = await run(
      ["validate", "--interface", "etcd"],
      Readable.from(
        (function* () {
          for (let i = 0; i < 65; i++) yield chunk;
        })(),
      ),
    );
    expect(s.code).toBe(2);
    expect(s.stderr).toContain("stdin is larger than the input limit (64 MiB)");
  });

  it("stdin from /dev/zero stops at the cap (subprocess: fails by hanging)", HANG, async () => {
    const fd = openSync("/dev/zero", "r");
    try {
      const r = await runCli(["validate", "--interface", "etcd"], { stdin: fd });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("stdin is larger than the input limit (64 MiB)");
    } finally {
      closeSync(fd);
    }
  });
});

describe("class 7: nothing printed from the input can drive the terminal", () => {
  /** A legacy etcd dump of `etcd/0` whose requirer bags carry hostile key names and unit names. */
  function hostileDump(names: readonly string[]): Record<string, unknown> {
    const bag = Object.fromEntries(names.map((n) => [n, "1"]));
    return {
      "etcd/0": {
        leader: true,
        "relation-info": [
          {
            "relation-id": 4,
            endpoint: "db",
            "related-endpoint": "etcd",
            "application-data": bag,
            "local-unit": { "in-scope": true, data: { connection_string: "https://10.0.0.1:2379" } },
            "related-units": Object.fromEntries(names.map((n, i) => [`kcp/${i}${n}`, { data: bag }])),
          },
        ],
      },
    };
  }

  it("key names, unit names and notes: escaped with colour off; no fake result line", async () => {
    const r = await run(["validate", "--no-color"], JSON.stringify(hostileDump(HOSTILE_NAMES)));
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(DRIVES_TERMINAL);
    expect(r.stderr).toBe("");
    // Every line is one the CLI means: the result lines are the real checks (1 valid, 10 invalid).
    const lines = r.stdout.split("\n");
    expect(lines.filter((l) => l.startsWith("ok")).length).toBe(1);
    expect(lines.filter((l) => l.startsWith("FAIL")).length).toBe(1 + HOSTILE_NAMES.length);
    expect(r.stdout).toContain("\\u001b[2J");
    expect(r.stdout).toContain("safe\\u202edelif.exe");
  });

  it("--json stays valid JSON, holds the names exactly, and carries no raw control character", async () => {
    const r = await run(["validate", "--json"], JSON.stringify(hostileDump(HOSTILE_NAMES)));
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(DRIVES_TERMINAL);
    const report = JSON.parse(r.stdout) as { checks: { owner?: string; violations: { key: string }[] }[] };
    const keys = new Set(report.checks.flatMap((c) => c.violations.map((v) => v.key)));
    for (const n of HOSTILE_NAMES) expect(keys.has(n), JSON.stringify(n)).toBe(true);
    expect(report.checks.map((c) => c.owner)).toContain(`kcp/0${HOSTILE_NAMES[0]}`);
  });

  it("error messages: endpoint and unit names from the dump, and the file name, are escaped", async () => {
    const names = HOSTILE_NAMES.map((n) => `ep${n}`);
    const dump = {
      "app/0": {
        leader: true,
        "relation-info": names.map((endpoint, i) => ({ "relation-id": i, endpoint, "application-data": {} })),
      },
    };
    const e = await run(["validate"], JSON.stringify(dump));
    expect(e.code).toBe(2);
    expect(e.stderr).toContain("no relation of a known interface");
    expect(e.stderr).not.toMatch(DRIVES_TERMINAL);
    const u = await run(
      ["validate"],
      JSON.stringify({
        "app/0": {
          leader: true,
          "relation-info": [{ endpoint: "db", "related-units": { [`kcp/0${HOSTILE_NAMES[1]}`]: "x" } }],
        },
      }),
    );
    expect(u.code).toBe(2);
    expect(u.stderr).not.toMatch(DRIVES_TERMINAL);
    const file = join(tempDir(), "bag\u001b[2J\u202e.json");
    writeFileSync(file, "{ not json");
    const f = await run(["validate", file, "--interface", "etcd"]);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain("bag\\u001b[2J\\u202e.json is not valid JSON");
    expect(f.stderr).not.toMatch(DRIVES_TERMINAL);
    const j = await run(["validate", file, "--interface", "etcd", "--json"]);
    expect(j.stdout).not.toMatch(DRIVES_TERMINAL);
    // Messages are prose for a human: the name is escaped there too (report fields keep it exact).
    expect((JSON.parse(j.stdout) as { error: { message: string } }).error.message).toContain(
      "bag\\u001b[2J\\u202e.json is not valid JSON",
    );
  });

  it("a 1 MB key name is shortened in the text report (whole in --json)", async () => {
    const long = `k${"\u001b".repeat(1000)}${"x".repeat(1_000_000)}`;
    const bag = JSON.stringify({ [long]: "1" });
    const r = await run(["validate", "--interface", "etcd", "--bag", "app", "--side", "provider"], bag);
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBeLessThan(4000);
    expect(r.stdout).toMatch(/more chars/);
    const j = await run(
      ["validate", "--interface", "etcd", "--bag", "app", "--side", "provider", "--json"],
      bag,
    );
    expect(
      (JSON.parse(j.stdout) as { checks: { violations: { key: string }[] }[] }).checks[0]?.violations[0]?.key,
    ).toBe(long);
  });

  it("hostile text in --interface, --endpoint and an unknown command is escaped too", async () => {
    const r = await run(["validate", "--interface", "etcd\u001b[2J"]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(DRIVES_TERMINAL);
    const c = await run(["\u001b]0;x\u0007"]);
    expect(c.code).toBe(2);
    expect(c.stderr).not.toMatch(DRIVES_TERMINAL);
  });
});

// ---------------------------------------------------------------------------------------------
// Class 12: validate's judgement

describe("class 12: validate judges like the real consumers", () => {
  const validate = (name: string, bag: Bag, extra: readonly string[] = []) =>
    run(["validate", "--interface", name, "--json", ...extra], JSON.stringify(bag));
  type Report = { ok: boolean; checks: { bag: string; violations: { key: string; rule: string }[] }[] };

  it("a comma list with empty items is a violation (consumers split on ',' and get an empty host)", async () => {
    const etcd = recorded("etcd_client.v0.json").provider_app_databag;
    const pg = recorded("postgresql_client.v0.json").provider_app_databag;
    const connect = recorded("connect_client.v0.json").provider_app_databag;
    const cases: [string, Bag, string][] = [
      ["etcd_client", { ...etcd, endpoints: "10.0.0.1:2379,," }, "endpoints"],
      ["etcd_client", { ...etcd, endpoints: ",10.0.0.1:2379" }, "endpoints"],
      [
        "postgresql_client",
        { ...pg, "read-only-endpoints": "10.0.0.1:5432, ,10.0.0.2:5432" },
        "read-only-endpoints",
      ],
      ["connect_client", { ...connect, endpoints: "http://10.0.0.1:8083," }, "endpoints"],
    ];
    for (const [name, bag, key] of cases) {
      const r = await validate(name, bag, ["--side", "provider"]);
      const report = JSON.parse(r.stdout) as Report;
      expect(r.code, `${name} ${bag[key]}`).toBe(1);
      expect(report.checks[0]?.violations).toContainEqual({ key, rule: expect.stringMatching(/empty item/) });
    }
    // The recorded bags themselves stay valid.
    for (const [name, bag] of [
      ["etcd_client", etcd],
      ["postgresql_client", pg],
      ["connect_client", connect],
    ] as const) {
      expect((await validate(name, bag, ["--side", "provider"])).code, name).toBe(0);
    }
  });

  it("an empty item inside a v1 response is named by request id", async () => {
    const valkey = recorded("valkey_client.v1.json").provider_app_databag;
    const requests = JSON.parse(valkey.requests!) as Record<string, unknown>[];
    requests[0] = { ...requests[0], endpoints: "10.0.0.1:6379,,10.0.0.2:6379" };
    const r = await validate("valkey_client", { ...valkey, requests: JSON.stringify(requests) }, [
      "--side",
      "provider",
    ]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.checks[0]?.violations).toContainEqual({
      key: `requests[${String(requests[0]?.["request-id"])}].endpoints`,
      rule: expect.stringMatching(/empty item/),
    });
  });

  it("requested-secrets entries that name no field of the interface are reported, by position", async () => {
    const pg = recorded("postgresql_client.v0.json").requirer_app_databag;
    const list = ["username", "password", "constructor", "no-such-field", "__proto__", "tls-ca"];
    const r = await validate("postgresql_client", { ...pg, "requested-secrets": JSON.stringify(list) }, [
      "--side",
      "requirer",
    ]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    const keys = report.checks[0]?.violations.map((v) => v.key);
    expect(keys).toEqual(["requested-secrets[2]", "requested-secrets[3]", "requested-secrets[4]"]);
    expect(r.stdout).not.toContain("no-such-field"); // the rule names the position, not the value
    // The Python default list is fine for every interface, etcd_client's included (it asks for `password`).
    const etcd = recorded("etcd_client.v0.json").requirer_app_databag;
    expect((await validate("etcd_client", etcd, ["--side", "requirer"])).code).toBe(0);
    const extra = JSON.stringify([...JSON.parse(etcd["requested-secrets"]!), "mtls-cert"]);
    const bad = await validate("etcd_client", { ...etcd, "requested-secrets": extra }, [
      "--side",
      "requirer",
    ]);
    expect(bad.code).toBe(1);
  });

  it("a bare legacy etcd databag is a unit databag by default (the interface has no app databag)", async () => {
    const bag = { connection_string: "https://10.0.0.1:2379,https://10.0.0.2:2379", version: "3.5.18" };
    const r = await run(["validate", "--interface", "etcd"], JSON.stringify(bag));
    expect(r.stdout).not.toContain("unexpected key");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("provider unit databag");
    // --bag app still checks the (always empty) app databag.
    expect(
      (
        await run(
          ["validate", "--interface", "etcd", "--bag", "app", "--side", "provider"],
          JSON.stringify(bag),
        )
      ).code,
    ).toBe(1);
  });
});
