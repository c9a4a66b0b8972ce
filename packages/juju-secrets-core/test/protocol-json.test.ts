import { describe, expect, it } from "vitest";
import { CharmRelationsError } from "../src/errors.js";
import {
  compareUtf8,
  ProtocolEncodeError,
  parseJson,
  pyDumps,
  pyDumpsString,
  sortedEntries,
  sortedKeys,
} from "../src/protocol/json.js";

describe("pyDumps", () => {
  it("reproduces the spec's verified json.dumps example byte for byte", () => {
    const value = { a: "é\x7f\x00\u2028😀<>&'/", b: [1, true, null] };
    expect(pyDumps(value)).toBe(
      String.raw`{"a": "\u00e9\u007f\u0000\u2028\ud83d\ude00<>&'/", "b": [1, true, null]}`,
    );
  });

  it("uses the short escapes and lowercase \\u escapes for other controls", () => {
    expect(pyDumpsString('\b\f\n\r\t"\\ \x1f')).toBe(String.raw`"\b\f\n\r\t\"\\ \u001f"`);
    expect(pyDumps("\u00ff\uffff\u0100")).toBe(String.raw`"\u00ff\uffff\u0100"`);
  });

  it("escapes lone surrogates like Python does for unpaired code points", () => {
    expect(pyDumps("\ud800x")).toBe(String.raw`"\ud800x"`);
  });

  it("leaves printable ASCII (incl. / < > & ') literal", () => {
    const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i))
      .join("")
      .replace(/["\\]/g, "");
    expect(pyDumps(printable)).toBe(`"${printable}"`);
  });

  it("separates with ', ' and ': ' and keeps insertion order", () => {
    expect(pyDumps({ z: 1, a: [2, 3], m: {} })).toBe('{"z": 1, "a": [2, 3], "m": {}}');
    expect(pyDumps([])).toBe("[]");
    expect(pyDumps([[], {}])).toBe("[[], {}]");
    expect(pyDumps(null)).toBe("null");
    expect(pyDumps(false)).toBe("false");
  });

  it("writes integers like Python, including negatives, -0 and bigints", () => {
    expect(pyDumps([0, -5, 1000, -0])).toBe("[0, -5, 1000, 0]");
    expect(pyDumps(12345678901234567890n)).toBe("12345678901234567890");
  });

  it("keeps a Map's key order, even for integer-like keys a plain object would reorder", () => {
    expect(
      pyDumps(
        new Map([
          ["9", 1],
          ["10", 2],
        ]),
      ),
    ).toBe('{"9": 1, "10": 2}');
    expect(pyDumps({ "9": 1, "10": 2 })).toBe('{"9": 1, "10": 2}'); // the JS rule, documented
    expect(pyDumps({ b: 1, "10": 2 })).toBe('{"10": 2, "b": 1}');
  });

  it("rejects floats, NaN, Infinity and unsafe integers with the path of the value", () => {
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      expect(() => pyDumps({ status: [{ code: bad }] })).toThrow(ProtocolEncodeError);
    }
    try {
      pyDumps({ status: [{ code: 1.5 }] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CharmRelationsError);
      expect((e as ProtocolEncodeError).field).toBe("$.status[0].code");
      expect((e as Error).message).not.toContain("1.5");
    }
  });

  it("rejects undefined inside objects and arrays, and at the top level", () => {
    expect(() => pyDumps({ a: undefined })).toThrow(/\$\.a/);
    expect(() => pyDumps([1, undefined])).toThrow(/\$\[1\]/);
    expect(() => pyDumps(undefined)).toThrow(ProtocolEncodeError);
  });

  it("rejects functions, symbols, class instances, non-string Map keys and cycles", () => {
    expect(() => pyDumps({ f: () => 1 })).toThrow(ProtocolEncodeError);
    expect(() => pyDumps(Symbol("x"))).toThrow(ProtocolEncodeError);
    expect(() => pyDumps(new Date(0))).toThrow(/plain objects/);
    expect(() => pyDumps(new Map([[1, 2]]))).toThrow(/keys must be strings/);
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => pyDumps(cyclic)).toThrow(/circular/);
  });

  it("allows the same object twice when it is not a cycle", () => {
    const shared = { x: 1 };
    expect(pyDumps([shared, shared])).toBe('[{"x": 1}, {"x": 1}]');
  });

  it("accepts null-prototype objects", () => {
    const o = Object.create(null) as Record<string, unknown>;
    o["k"] = "v";
    expect(pyDumps(o)).toBe('{"k": "v"}');
  });

  it("round-trips arbitrary ASCII/Unicode strings through JSON.parse", () => {
    const samples = ["", "plain", "é€😀", "\u0000\u001f\u007f\u0080", "line\nbreak", 'q"uote\\'];
    for (const s of samples) expect(JSON.parse(pyDumps(s))).toBe(s);
  });
});

describe("parseJson", () => {
  it("returns the value for valid JSON", () => {
    expect(parseJson('{"a": [1, null]}')).toEqual({ ok: true, value: { a: [1, null] } });
    expect(parseJson("null")).toEqual({ ok: true, value: null });
  });

  it("never throws and never quotes the input in its error", () => {
    const secret = "hunter2-password";
    for (const text of [secret, `{"a": "${secret}"`, `["${secret}" x]`, "", "   ", "{,}"]) {
      const r = parseJson(text);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error).toMatch(/not valid JSON/);
        expect(r.error).not.toContain(secret);
        expect(r.error).not.toContain("hunter2");
      }
    }
  });

  it("reports non-string input as an error instead of throwing", () => {
    expect(parseJson(undefined as unknown as string).ok).toBe(false);
  });
});

describe("sortedKeys / compareUtf8", () => {
  it("sorts keys by UTF-8 byte order", () => {
    expect(
      Object.keys(
        sortedKeys({ version: "1", database: "x", "secret-user": "u", "read-only-endpoints": "e" }),
      ),
    ).toEqual(["database", "read-only-endpoints", "secret-user", "version"]);
  });

  it("orders by code point, not UTF-16 code unit (astral after U+FFFF-range BMP chars)", () => {
    // UTF-16 puts U+1F600 (surrogates D83D…) before U+FF21; UTF-8 puts it after.
    expect(["😀", "\uff21"].sort()).toEqual(["😀", "\uff21"]);
    expect(["😀", "\uff21"].sort(compareUtf8)).toEqual(["\uff21", "😀"]);
    expect(Buffer.compare(Buffer.from("\uff21"), Buffer.from("😀"))).toBe(-1);
  });

  it("puts a prefix first and treats equal strings as equal", () => {
    expect(compareUtf8("secret", "secret-user")).toBe(-1);
    expect(compareUtf8("secret-user", "secret")).toBe(1);
    expect(compareUtf8("abc", "abc")).toBe(0);
    expect(compareUtf8("B", "a")).toBe(-1);
  });

  it("returns a new object and keeps a __proto__ key as data", () => {
    const input = JSON.parse('{"b": "1", "__proto__": "x", "a": "2"}') as Record<string, string>;
    const out = sortedKeys(input);
    expect(out).not.toBe(input);
    expect(Object.keys(out)).toEqual(["__proto__", "a", "b"]);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(sortedEntries({ b: 1, a: 2 })).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
  });
});
