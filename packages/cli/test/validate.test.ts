import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findInterface, INTERFACES, SIDES } from "../src/interfaces.js";
import { checkBag, detectContract, guessSide, validateDatabag } from "../src/validate.js";
import { SECRETISH } from "./cases.js";
import { type Fixture, fixture, REPO_FIXTURES } from "./helpers.js";

const recorded = readdirSync(REPO_FIXTURES).filter((f) => f.endsWith(".json"));

describe("the registry against every recorded databag", () => {
  it("covers every fixture file", () => {
    expect(recorded.length).toBeGreaterThanOrEqual(5);
  });

  for (const name of recorded) {
    const fx: Fixture = fixture(name);
    for (const moment of ["after_relate", "before_remove_relation"] as const) {
      it(`${name} ${moment}: every bag validates, and its side and contract are recognised`, () => {
        const entry = findInterface(fx.interface)!;
        const snap = fx[moment];
        const contract = detectContract(snap.provider_app_databag);
        expect(detectContract(snap.requirer_app_databag)).toBe(contract);
        const bags: [(typeof SIDES)[number], "app" | "unit", Record<string, string>][] = [
          ["provider", "app", snap.provider_app_databag],
          ["requirer", "app", snap.requirer_app_databag],
          ...Object.values(snap.provider_unit_databags).map((b) => ["provider", "unit", b] as const),
          ...Object.values(snap.requirer_unit_databags).map((b) => ["requirer", "unit", b] as const),
        ] as never;
        for (const [side, bag, data] of bags) {
          const check = checkBag(entry, data, { side, bag, contract });
          expect(check.violations, `${side} ${bag}`).toEqual([]);
          // Side detection from the keys agrees with the recording (empty bags tell nothing).
          if (Object.keys(data).length) expect(guessSide(data, bag, entry)).toBe(side);
        }
      });
    }
  }
});

describe("checkBag", () => {
  const pg = findInterface("postgresql_client")!;

  it("reports key, rule and shape, never the value", () => {
    const r = checkBag(
      pg,
      { database: "", "secret-user": SECRETISH },
      { side: "provider", bag: "app", contract: "v0" },
    );
    expect(r.ok).toBe(false);
    // In the schema's key order; both keys are named.
    expect([...r.violations].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: "database", rule: expect.any(String), shape: "empty string" },
      {
        key: "secret-user",
        rule: expect.stringMatching(/secret URI/),
        shape: `string of ${SECRETISH.length} chars`,
      },
    ]);
    expect(JSON.stringify(r)).not.toContain(SECRETISH);
  });

  it("says when a bag speaks a contract the package has no schema for", () => {
    const r = checkBag(
      pg,
      { version: "v1", requests: "[]" },
      { side: "requirer", bag: "app", contract: "v1" },
    );
    expect(r.violations).toEqual([
      {
        key: "version",
        rule: "contract v1 is not covered by @charm-relations/interface-postgresql-client (it validates v0)",
      },
    ]);
  });

  it("non-string values are violations, not crashes", () => {
    const r = checkBag(pg, { database: 42 }, { side: "requirer", bag: "app", contract: "v0" });
    expect(r.violations[0]).toMatchObject({ key: "database", shape: "number" });
  });

  it("auto contract and guessed side are explained in the notes", () => {
    const valkey = findInterface("valkey_client")!;
    const report = validateDatabag(valkey, { version: "v1", requests: "[]" }, "x", {
      bag: "app",
      contract: "auto",
    });
    expect(report.notes).toEqual([
      "side: requirer (from the keys present; pass --side to override)",
      'contract: v1 (version is "v1")',
    ]);
    expect(report.ok).toBe(true);
  });
});

describe("JSON Schemas from the packages", () => {
  for (const entry of INTERFACES) {
    for (const side of SIDES) {
      for (const contract of entry.contracts) {
        it(`${entry.name} ${side} ${contract}`, () => {
          const { app, unit } = entry.jsonSchema(side, contract);
          for (const s of [app, unit]) {
            expect(s.type).toBe("object");
            expect(JSON.parse(JSON.stringify(s))).toEqual(s); // plain JSON
          }
          // What the wire carries: every declared property of a databag is a string (or "anything").
          for (const p of Object.values((app.properties ?? {}) as Record<string, { type?: string }>)) {
            expect([undefined, "string"]).toContain(p.type);
          }
          if (entry.resourceKey && side === "requirer" && contract === "v0") {
            expect(app.required).toContain(entry.resourceKey);
          }
          if (contract === "v1")
            expect((app.properties as Record<string, unknown>).version).toMatchObject({ const: "v1" });
        });
      }
    }
  }
});
