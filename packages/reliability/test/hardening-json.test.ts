/**
 * Issue 15 classes 2, 8 and 11: deep and oversized JSON, v1 request floods, and wrong-typed items
 * inside JSON-valued fields. A bad relation ends typed or blocked with nothing written; the others are
 * still served.
 */
import { requirerAppV0, requirerUnit } from "@charm-relations/interface-postgresql-client";
import { computeRequestId, pyDumps } from "@charm-relations/juju-secrets-core/protocol";
import { bagError } from "@charm-relations/juju-secrets-core/schema";
import { JujuModel } from "@charm-relations/juju-secrets-core/testing";
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  blockedMessages,
  changed,
  hostileHook,
  refusal,
  resetProvider,
  runnerOf,
  world,
  wroteOn,
} from "../src/hardening.js";
import { removeCharmDirs } from "../src/lifecycle.js";

afterAll(removeCharmDirs);

const deep = (n: number): string => `${"[".repeat(n)}${"]".repeat(n)}`;

/** v1 request objects for `n` distinct resources, as a requirer writes them. */
function requests(n: number, extra: (i: number) => Record<string, unknown> = () => ({})): string {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const resource = `db${i}`;
    const salt = `salt${String(i).padStart(12, "0")}`;
    out.push({ resource, "request-id": computeRequestId(resource, salt), salt, ...extra(i) });
  }
  return pyDumps(out);
}

describe("class 2: deep and oversized JSON", () => {
  it("provider: a v1 request with an unknown key nested 5,000 deep is refused, typed, nothing written", async () => {
    const w = await world("postgresql");
    const rel = w.relations[1]!; // postgresql ↔ reports, v1
    const raw = `[{"resource": "orders", "salt": "AAAAAAAAAAAAAAAA", "x": ${deep(5000)}}]`;
    const r = await hostileHook(
      runnerOf("postgresql", "postgresql"),
      w.state,
      changed("postgresql/0", rel),
      (m) => m.setAppBag(rel, "reports", { ...m.appBag(rel, "reports"), requests: raw }),
    );
    expect(refusal(r, `database:${rel}`, "requests", rel)).toBe("refused");
  });

  it("requirer: a v1 response with an unknown key nested 100,000 deep is refused, typed, nothing written", async () => {
    const w = await world("postgresql");
    const rel = w.relations[1]!;
    const r = await hostileHook(
      runnerOf("postgresql", "reports"),
      w.state,
      changed("reports/0", rel),
      (m) => {
        const bag = m.appBag(rel, "postgresql");
        const objects = JSON.parse(bag.requests!) as Record<string, unknown>[];
        const text = pyDumps(objects).replace(/"resource": /, `"x": ${deep(100_000)}, "resource": `);
        m.setAppBag(rel, "postgresql", { ...bag, requests: text });
      },
    );
    expect(refusal(r, `database:${rel}`, "requests", rel)).toBe("refused");
  });

  it("requirer: a v0 status nested 100,000 deep is refused", async () => {
    const w = await world("postgresql");
    const rel = w.relations[0]!;
    const r = await hostileHook(runnerOf("postgresql", "app"), w.state, changed("app/0", rel), (m) =>
      m.setAppBag(rel, "postgresql", { ...m.appBag(rel, "postgresql"), status: deep(100_000) }),
    );
    expect(refusal(r, `database:${rel}`, "status", rel)).toBe("refused");
  });

  it("provider: a 2 MiB requests value is refused by size, before it is parsed", async () => {
    const w = await world("postgresql");
    const rel = w.relations[1]!;
    const raw = requests(1, () => ({ comment: "x".repeat(2 * 1024 * 1024) }));
    const parse = vi.spyOn(JSON, "parse");
    const r = await hostileHook(
      runnerOf("postgresql", "postgresql"),
      w.state,
      changed("postgresql/0", rel),
      (m) => m.setAppBag(rel, "reports", { ...m.appBag(rel, "reports"), requests: raw }),
    );
    const parsedHuge = parse.mock.calls.some(([text]) => typeof text === "string" && text.length > 2_000_000);
    parse.mockRestore();
    expect(refusal(r, `database:${rel}`, "requests", rel)).toBe("refused");
    expect(blockedMessages(r).join(" ")).toMatch(/larger than|too large|limit/i);
    expect(parsedHuge).toBe(false);
  });

  it("requirer: a 2 MiB endpoints value is refused by size", async () => {
    const w = await world("postgresql");
    const rel = w.relations[0]!;
    const r = await hostileHook(runnerOf("postgresql", "app"), w.state, changed("app/0", rel), (m) =>
      m.setAppBag(rel, "postgresql", {
        ...m.appBag(rel, "postgresql"),
        endpoints: "10.0.0.1:5432,".repeat(160_000),
      }),
    );
    expect(refusal(r, `database:${rel}`, "endpoints", rel)).toBe("refused");
  });
});

describe("class 8: v1 request floods", () => {
  it("4,000 requests on one relation: refused by the cap, nothing written, the other relation served", {
    timeout: 600_000,
  }, async () => {
    const w = await world("postgresql");
    const [v0, v1] = [w.relations[0]!, w.relations[1]!];
    const flood = (m: JujuModel) => m.setAppBag(v1, "reports", { version: "v1", requests: requests(4000) });
    const r = await hostileHook(
      runnerOf("postgresql", "postgresql"),
      w.state,
      changed("postgresql/0", v1),
      flood,
    );
    expect(refusal(r, `database:${v1}`, "requests", v1)).toBe("refused");
    expect(blockedMessages(r).join(" ")).toMatch(/100/);
    expect(r.calls.length).toBeLessThan(20);
    // The other relation's hooks still run (rotation over every relation included), the flood aside.
    const other = await hostileHook(
      runnerOf("postgresql", "postgresql"),
      w.state,
      changed("postgresql/0", v0),
      (m) => {
        flood(m);
        resetProvider(m, v0, "postgresql");
      },
    );
    expect(other.ok, String(other.error)).toBe(true);
    expect(JujuModel.fromJSON(other.state).appBag(v0, "postgresql")["secret-user"]).toBeDefined();
    const rotate = await hostileHook(
      runnerOf("postgresql", "postgresql"),
      w.state,
      { unit: "postgresql/0", kind: "config-changed" },
      (m) => {
        flood(m);
        m.application("postgresql").config.rotate = "7";
      },
    );
    expect(rotate.ok, String(rotate.error)).toBe(true);
    expect(rotate.commit?.secrets.updated.length).toBeGreaterThan(0);
  });

  it("at the cap, a fresh provider's hook costs hook-tool calls and JSON work linear in the requests", {
    timeout: 600_000,
  }, async () => {
    const w = await world("postgresql");
    const rel = w.relations[1]!;
    const cost = async (n: number) => {
      const parse = vi.spyOn(JSON, "parse");
      const r = await hostileHook(
        runnerOf("postgresql", "postgresql"),
        w.state,
        changed("postgresql/0", rel),
        (m) => {
          resetProvider(m, rel, "postgresql");
          m.setAppBag(rel, "reports", { version: "v1", requests: requests(n) });
        },
      );
      const parsedChars = parse.mock.calls.reduce((a, [t]) => a + (typeof t === "string" ? t.length : 0), 0);
      parse.mockRestore();
      expect(r.ok, String(r.error)).toBe(true);
      expect(wroteOn(r, rel)).toBeDefined();
      const published = JSON.parse(
        JujuModel.fromJSON(r.state).appBag(rel, "postgresql").requests!,
      ) as unknown[];
      expect(published).toHaveLength(n);
      return { calls: r.calls.length, parsedChars, bytes: requests(n).length };
    };
    const half = await cost(50);
    const full = await cost(100);
    // One secret-add + secret-grant per secret group per request, plus a constant: no per-request rescans.
    expect(full.calls).toBeLessThanOrEqual(2 * half.calls + 10);
    // Each remote or own JSON value is parsed a bounded number of times (not once per request).
    expect(full.parsedChars).toBeLessThanOrEqual(2.2 * half.parsedChars + 10_000);
    expect(full.parsedChars).toBeLessThan(20 * full.bytes);
  });
});

describe("class 11: wrong-typed items inside JSON-valued fields name the real rule", () => {
  const relation = { endpoint: "database", id: 3 };
  const cases: [string, Record<string, string>, string][] = [
    ["requested-secrets", { database: "app", "requested-secrets": '["username", 5]' }, "requested-secrets"],
    ["provided-secrets", { database: "app", "provided-secrets": "[null]" }, "provided-secrets"],
    [
      "entity-permissions",
      {
        database: "app",
        "entity-type": "USER",
        "entity-permissions": '[{"resource_name": 7, "resource_type": "TABLE", "privileges": ["SELECT"]}]',
      },
      "entity-permissions",
    ],
    [
      "entity-permissions privileges",
      {
        database: "app",
        "entity-type": "USER",
        "entity-permissions": '[{"resource_name": "t", "resource_type": "TABLE", "privileges": [true]}]',
      },
      "entity-permissions",
    ],
  ];
  it.each(cases)("%s", (_name, bag, key) => {
    const error = bagError(requirerAppV0, bag, { relation, side: "requirer", bag: "app" });
    expect(error).toBeDefined();
    const issue = error!.issues.find((i) => i.key.startsWith(key))!;
    expect(issue.rule).not.toBe("required");
    expect(issue.shape).not.toBe("nothing");
    expect(issue.rule).toMatch(/expected/i);
  });

  it("a requirer unit snapshot with a non-string value", () => {
    const error = bagError(
      requirerUnit,
      { data: '{"database": 5}' },
      { relation, side: "requirer", bag: "unit" },
    );
    expect(error?.issues[0]?.rule).not.toBe("required");
    expect(error?.issues[0]?.shape).toBe("number");
  });
});
