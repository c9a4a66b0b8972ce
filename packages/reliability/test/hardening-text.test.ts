/**
 * Issue 15 class 4: remote text reaching a status or a log is escaped and capped, and `ProcessBackend`
 * never hands the kernel a NUL or an oversized argv (no `TypeError`, no `E2BIG`).
 */
import { CharmRelationsError } from "@charm-relations/juju-secrets-core";
import { ProcessBackend } from "@charm-relations/juju-secrets-core/backend";
import { pyDumps } from "@charm-relations/juju-secrets-core/protocol";
import { JujuModel } from "@charm-relations/juju-secrets-core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  blockedMessages,
  changed,
  hostileHook,
  resetProvider,
  runnerOf,
  world,
  wroteOn,
} from "../src/hardening.js";
import { postgresqlProvider } from "../src/interfaces/postgresql.js";
import { removeCharmDirs } from "../src/lifecycle.js";
import { createFaultyBin, type FaultyBin, processRunner } from "../src/process-faults.js";

let bin: FaultyBin;
beforeAll(() => {
  bin = createFaultyBin();
});
afterAll(() => {
  bin?.dispose();
  removeCharmDirs();
});

/** An entity request whose permission object carries one unexpected key named `key`. */
function withExtraKey(key: string) {
  return (m: JujuModel, rel: number) => {
    resetProvider(m, rel, "postgresql");
    m.setAppBag(rel, "app", {
      ...m.appBag(rel, "app"),
      "entity-type": "USER",
      "entity-permissions": pyDumps([
        { resource_name: "t", resource_type: "TABLE", privileges: ["SELECT"], [key]: "x" },
      ]),
    });
  };
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe("class 4: remote key names in statuses", () => {
  const keys: [string, string][] = [
    ["a 200 kB key", "k".repeat(200_000)],
    ["a NUL", "evil\0key"],
    ["ESC/OSC/CR sequences", "\x1b]0;pwned\x07\r\x1b[2K\x1b[32mok\x1b[0m"],
    ["C1 controls and DEL", "a\x85b\x9bc\x7fd"],
    ["a BiDi override and LS", "x\u202ey\u2028z"],
  ];

  it.each(keys)("through ProcessBackend and the fakes: %s", { timeout: 120_000 }, async (_name, key) => {
    const w = await world("postgresql");
    const rel = w.relations[0]!;
    const r = await hostileHook(
      processRunner(postgresqlProvider(), { bin }),
      w.state,
      changed("postgresql/0", rel),
      (m) => withExtraKey(key)(m, rel),
    );
    expect(r.ok, `${(r.error as Error)?.name}: ${String((r.error as Error)?.message).slice(0, 200)}`).toBe(
      true,
    );
    const [message] = blockedMessages(r);
    expect(message).toContain(`database:${rel}`);
    expect(message).toContain("entity-permissions");
    expect(message!.length).toBeLessThanOrEqual(1024);
    expect(message).not.toMatch(CONTROL);
    expect(wroteOn(r, rel)).toBeUndefined();
  });

  it.each(keys)("in memory: %s", async (_name, key) => {
    const w = await world("postgresql");
    const rel = w.relations[0]!;
    const r = await hostileHook(
      runnerOf("postgresql", "postgresql"),
      w.state,
      changed("postgresql/0", rel),
      (m) => withExtraKey(key)(m, rel),
    );
    expect(r.ok, String(r.error)).toBe(true);
    const status = JujuModel.fromJSON(r.state).unit("postgresql/0").status;
    expect(status.status).toBe("blocked");
    expect(status.message.length).toBeLessThanOrEqual(1024);
    expect(status.message).not.toMatch(CONTROL);
    expect(status.message).not.toContain("\u202e");
  });
});

describe("class 4: ProcessBackend argv", () => {
  const backend = () => new ProcessBackend({ env: { PATH: bin.dir }, onWarning: () => {} });
  const typed = (f: () => void) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(CharmRelationsError);
      expect(String((e as Error).message)).not.toMatch(/E2BIG|null bytes/);
      return;
    }
  };
  it("a NUL in a status message, a log line or a version is a typed error or escaped, never a TypeError", () => {
    typed(() => backend().statusSet("active", "a\0b", false));
    typed(() => backend().jujuLog("INFO", "a\0b"));
    typed(() => backend().applicationVersionSet("1\0"));
    typed(() => backend().relationGet({ endpoint: "database", id: 0 }, "app\0", true));
  });

  it("an oversized argv is a typed error or truncated, never E2BIG", () => {
    typed(() => backend().statusSet("active", "x".repeat(3_000_000), false));
    typed(() => backend().applicationVersionSet("v".repeat(300_000)));
    typed(() => backend().secretGet({ label: "l".repeat(300_000) }));
  });
});
