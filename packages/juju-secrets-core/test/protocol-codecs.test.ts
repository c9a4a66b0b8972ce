import { describe, expect, it } from "vitest";
import {
  formatBool,
  formatCommaList,
  isNoneCa,
  parseBool,
  parseCommaList,
  parseJsonArrayOfStrings,
  parseSecretUri,
  sameSecret,
} from "../src/protocol/codecs.js";
import { ProtocolEncodeError } from "../src/protocol/json.js";

const XID = "0qo3fklh59sgbav5gc67";
const UUID = "8c7e20bb-710f-4f64-b51d-4acb46656498";

describe("parseBool", () => {
  it("reads every true spelling, trimmed and case-insensitive", () => {
    for (const raw of ["true", "True", "TRUE", " enabled ", "yes", "On", "1"])
      expect(parseBool(raw)).toBe(true);
  });

  it("reads every false spelling, the empty string and a missing key as false", () => {
    for (const raw of ["false", "False", "disabled", "no", "OFF", "0", "", "  "])
      expect(parseBool(raw)).toBe(false);
    expect(parseBool(undefined)).toBe(false);
  });

  it("returns undefined (invalid) for anything else", () => {
    for (const raw of ["ture", "2", "y", "enable", "null", "truefalse"])
      expect(parseBool(raw)).toBeUndefined();
    expect(parseBool(5 as unknown as string)).toBeUndefined();
  });
});

describe("formatBool", () => {
  it("writes each real charm's spelling", () => {
    expect([formatBool(true, "true"), formatBool(false, "true")]).toEqual(["true", "false"]);
    expect([formatBool(true, "True"), formatBool(false, "True")]).toEqual(["True", "False"]);
    expect([formatBool(true, "enabled"), formatBool(false, "enabled")]).toEqual(["enabled", "disabled"]);
  });

  it("round-trips through parseBool for every spelling", () => {
    for (const spelling of ["true", "True", "enabled"] as const) {
      for (const v of [true, false]) expect(parseBool(formatBool(v, spelling))).toBe(v);
    }
  });
});

describe("comma lists", () => {
  it("splits on commas, trims and drops empty items", () => {
    expect(parseCommaList("10.0.0.1:5432, 10.0.0.2:5432,,  ,x")).toEqual([
      "10.0.0.1:5432",
      "10.0.0.2:5432",
      "x",
    ]);
    expect(parseCommaList("")).toEqual([]);
    expect(parseCommaList(undefined)).toEqual([]);
    expect(parseCommaList()).toEqual([]);
  });

  it("joins with ',' and no spaces, optionally sorted by code point", () => {
    expect(formatCommaList(["b:1", " a:2 ", ""])).toBe("b:1,a:2");
    expect(formatCommaList(["db_b", "db_a", "DB"], { sort: true })).toBe("DB,db_a,db_b");
    expect(formatCommaList([])).toBe("");
  });

  it("refuses items that contain a comma, naming the field", () => {
    expect(() => formatCommaList(["ok", "a,b"], { field: "prefix-databases" })).toThrow(ProtocolEncodeError);
    expect(() => formatCommaList(["ok", "a,b"], { field: "prefix-databases" })).toThrow(
      /prefix-databases\[1\]/,
    );
  });

  it("round-trips: parse(format(x)) equals the cleaned list", () => {
    const items = ["10.1.0.10:6379", "10.1.0.11:6379"];
    expect(parseCommaList(formatCommaList(items))).toEqual(items);
  });
});

describe("secret URIs", () => {
  it("accepts a bare xid", () => {
    expect(parseSecretUri(XID)).toEqual({ xid: XID, raw: XID, uri: XID });
  });

  it("accepts secret:<xid>", () => {
    expect(parseSecretUri(`secret:${XID}`)).toEqual({ xid: XID, raw: `secret:${XID}`, uri: `secret:${XID}` });
  });

  it("accepts secret://<model-uuid>/<xid> and keeps the raw text verbatim", () => {
    const uri = `secret://${UUID}/${XID}`;
    const parsed = parseSecretUri(uri);
    expect(parsed).toEqual({ xid: XID, modelUuid: UUID, raw: uri, uri });
    expect(parsed && "modelUuid" in parsed).toBe(true);
    expect("modelUuid" in (parseSecretUri(`secret:${XID}`) ?? {})).toBe(false);
  });

  it("rejects malformed ids and hosts", () => {
    for (const bad of [
      "",
      "secret:",
      "secret:short",
      `secret:${XID}x`,
      `secret:${XID.toUpperCase()}`,
      `secret://not-a-uuid/${XID}`,
      `secret://${UUID}/`,
      `secret://${UUID}`,
      `secret://${UUID}/${XID}/extra`,
      `https://${UUID}/${XID}`,
      "secret:aaa",
    ]) {
      expect(parseSecretUri(bad), bad).toBeUndefined();
    }
    expect(parseSecretUri(undefined as unknown as string)).toBeUndefined();
  });

  it("compares secrets by xid across forms", () => {
    expect(sameSecret(`secret://${UUID}/${XID}`, `secret:${XID}`)).toBe(true);
    expect(sameSecret(XID, parseSecretUri(`secret:${XID}`))).toBe(true);
    expect(sameSecret(`secret:${XID}`, "secret:0qo3fkluf9fn2f182spf")).toBe(false);
    expect(sameSecret("garbage", "garbage")).toBe(false);
    expect(sameSecret(undefined, XID)).toBe(false);
  });
});

describe("isNoneCa", () => {
  it("treats missing, empty and 'disabled' as no CA", () => {
    for (const v of [undefined, null, "", " ", "disabled", "Disabled"]) expect(isNoneCa(v)).toBe(true);
  });

  it("treats a PEM as a CA", () => {
    expect(isNoneCa("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")).toBe(false);
  });
});

describe("parseJsonArrayOfStrings", () => {
  it("reads requested-secrets style values", () => {
    expect(parseJsonArrayOfStrings('["username", "password"]')).toEqual({
      ok: true,
      value: ["username", "password"],
    });
    expect(parseJsonArrayOfStrings("[]")).toEqual({ ok: true, value: [] });
  });

  it("treats a missing or empty value as []", () => {
    expect(parseJsonArrayOfStrings(undefined)).toEqual({ ok: true, value: [] });
    expect(parseJsonArrayOfStrings("")).toEqual({ ok: true, value: [] });
  });

  it("reports invalid JSON, non-arrays and non-string items", () => {
    const cases: [string, RegExp][] = [
      ["[username]", /not valid JSON/],
      ['{"a": 1}', /array of strings/],
      ['"username"', /array of strings/],
      ['["a", 1]', /item 1 is a number/],
      ['["a", null]', /item 1 is null/],
    ];
    for (const [raw, error] of cases) {
      const r = parseJsonArrayOfStrings(raw);
      expect(r.ok, raw).toBe(false);
      if (!r.ok) expect(r.error).toMatch(error);
    }
  });
});
