import { describe, expect, it } from "vitest";
import { ProtocolEncodeError, pyDumps } from "../src/protocol/json.js";
import {
  diffStatuses,
  formatStatuses,
  parseStatuses,
  type RelationStatus,
  statusMap,
  statusSeverity,
} from "../src/protocol/status.js";

const S4001: RelationStatus = { code: 4001, message: "Waiting for TLS", resolution: "Relate a TLS provider" };
const S1000: RelationStatus = { code: 1000, message: "Info é", resolution: "" };
const S5002: RelationStatus = { code: 5002, message: "Fatal", resolution: "Remove the relation" };

describe("formatStatuses", () => {
  it("sorts by code, orders keys code/message/resolution and writes Python JSON", () => {
    const reordered = { resolution: S4001.resolution, message: S4001.message, code: S4001.code };
    expect(formatStatuses([S5002, reordered, S1000])).toBe(
      String.raw`[{"code": 1000, "message": "Info \u00e9", "resolution": ""}, {"code": 4001, "message": "Waiting for TLS", "resolution": "Relate a TLS provider"}, {"code": 5002, "message": "Fatal", "resolution": "Remove the relation"}]`,
    );
  });

  it("writes [] for no statuses (Python's resolve of the last status)", () => {
    expect(formatStatuses([])).toBe("[]");
  });

  it("keeps one entry per code, the last raised winning", () => {
    const updated = { ...S4001, message: "Still waiting" };
    expect(JSON.parse(formatStatuses([S4001, S1000, updated]))).toEqual([S1000, updated]);
  });

  it("drops extra properties", () => {
    const extra = { ...S1000, secret: "x" } as RelationStatus;
    expect(formatStatuses([extra])).not.toContain("secret");
  });

  it("rejects non-integer codes and non-string texts, naming the field", () => {
    expect(() => formatStatuses([{ ...S1000, code: 1.5 }])).toThrow(ProtocolEncodeError);
    expect(() => formatStatuses([S1000, { ...S1000, code: Number.NaN }])).toThrow(/status\[1\]\.code/);
    expect(() => formatStatuses([{ ...S1000, message: 5 as unknown as string }])).toThrow(
      /status\[0\]\.message/,
    );
    expect(() => formatStatuses([{ ...S1000, resolution: null as unknown as string }])).toThrow(/resolution/);
  });

  it("builds the v1 snapshot status entry keyed by code string, in code order", () => {
    expect(pyDumps(statusMap([S4001, S1000]))).toBe(
      String.raw`{"1000": {"code": 1000, "message": "Info \u00e9", "resolution": ""}, "4001": {"code": 4001, "message": "Waiting for TLS", "resolution": "Relate a TLS provider"}}`,
    );
  });
});

describe("parseStatuses", () => {
  it("round-trips formatStatuses", () => {
    expect(parseStatuses(formatStatuses([S4001, S1000]))).toEqual({ ok: true, statuses: [S1000, S4001] });
  });

  it("treats missing and empty as no statuses", () => {
    expect(parseStatuses(undefined)).toEqual({ ok: true, statuses: [] });
    expect(parseStatuses("")).toEqual({ ok: true, statuses: [] });
    expect(parseStatuses("[]")).toEqual({ ok: true, statuses: [] });
  });

  it("accepts the v1 snapshot map form and already parsed arrays", () => {
    const map = JSON.parse(pyDumps(statusMap([S5002, S1000]))) as unknown;
    expect(parseStatuses(map)).toEqual({ ok: true, statuses: [S1000, S5002] });
    expect(parseStatuses([S4001])).toEqual({ ok: true, statuses: [S4001] });
  });

  it("is lenient: string codes, missing texts", () => {
    expect(parseStatuses('[{"code": "4001"}, {"code": 1000, "message": 7}]')).toEqual({
      ok: true,
      statuses: [
        { code: 1000, message: "", resolution: "" },
        { code: 4001, message: "", resolution: "" },
      ],
    });
  });

  it("reports entries without an integer code, keeping the valid ones", () => {
    const r = parseStatuses(
      '[{"code": 1000, "message": "m", "resolution": "r"}, {"message": "no code"}, 5, {"code": 1.5}]',
    );
    expect(r.ok).toBe(false);
    expect(r.statuses).toEqual([{ code: 1000, message: "m", resolution: "r" }]);
    if (!r.ok) {
      expect(r.error).toMatch(/status\[1\]\.code: expected an integer/);
      expect(r.error).toMatch(/status\[2\]: expected an object, got a number/);
      expect(r.error).toMatch(/status\[3\]\.code/);
      expect(r.error).not.toContain("no code");
    }
  });

  it("reports invalid JSON and scalars", () => {
    expect(parseStatuses("[{").ok).toBe(false);
    const r = parseStatuses('"x"');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/got a string/);
  });
});

describe("diffStatuses", () => {
  it("raises new codes and resolves vanished ones", () => {
    expect(diffStatuses([S1000, S4001], [S4001, S5002])).toEqual({ raised: [S5002], resolved: [S1000] });
  });

  it("compares by code only: a new message for the same code is neither", () => {
    expect(diffStatuses([S4001], [{ ...S4001, message: "other" }])).toEqual({ raised: [], resolved: [] });
  });

  it("handles empty sides and duplicate codes", () => {
    expect(diffStatuses([], [S4001, S1000])).toEqual({ raised: [S1000, S4001], resolved: [] });
    expect(diffStatuses([S4001, S4001], [])).toEqual({ raised: [], resolved: [S4001] });
  });
});

describe("statusSeverity", () => {
  it("classifies code ranges like Python's code // 1000", () => {
    expect([1000, 1999].map(statusSeverity)).toEqual(["informational", "informational"]);
    expect([4000, 4999].map(statusSeverity)).toEqual(["transitory", "transitory"]);
    expect([5000, 5999].map(statusSeverity)).toEqual(["fatal", "fatal"]);
    expect([0, 999, 2000, 3500, 6000, -1, 1.5].map(statusSeverity)).toEqual(Array(7).fill("unknown"));
  });
});
