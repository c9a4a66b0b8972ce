import { describe, expect, it } from "vitest";
import {
  diffBags,
  isEmptyDiff,
  parseV0Snapshot,
  v0Snapshot,
  withoutSnapshot,
} from "../src/protocol/snapshot.js";

const REQUESTED =
  '["username", "password", "tls", "tls-ca", "uris", "read-only-uris", "entity-name", "entity-password"]';

describe("diffBags", () => {
  it("reports added, changed and deleted keys", () => {
    const old = { a: "1", b: "2", c: "3" };
    const current = { b: "2", c: "33", d: "4" };
    expect(diffBags(old, current)).toEqual({ added: ["d"], changed: ["c"], deleted: ["a"] });
  });

  it("is empty for equal bags and complete against an empty snapshot", () => {
    expect(isEmptyDiff(diffBags({ a: "1" }, { a: "1" }))).toBe(true);
    const d = diffBags({}, { version: "1", endpoints: "e" });
    expect(d).toEqual({ added: ["endpoints", "version"], changed: [], deleted: [] });
    expect(isEmptyDiff(d)).toBe(false);
  });

  it("treats an empty-string value as present and different from a missing key", () => {
    expect(diffBags({}, { "tls-ca": "" })).toEqual({ added: ["tls-ca"], changed: [], deleted: [] });
    expect(diffBags({ "tls-ca": "x" }, { "tls-ca": "" })).toEqual({
      added: [],
      changed: ["tls-ca"],
      deleted: [],
    });
  });

  it("does not mistake inherited names for keys", () => {
    expect(diffBags({}, { toString: "x" })).toEqual({ added: ["toString"], changed: [], deleted: [] });
    expect(diffBags({ constructor: "x" }, {})).toEqual({ added: [], changed: [], deleted: ["constructor"] });
  });
});

describe("v0Snapshot", () => {
  it("reproduces the spec's provider app bag data from the requirer app bag", () => {
    const requirerAppBag = {
      database: "myapp",
      "requested-secrets": REQUESTED,
      "provided-secrets": '["mtls-cert"]',
    };
    expect(v0Snapshot(requirerAppBag)).toBe(
      String.raw`{"database": "myapp", "provided-secrets": "[\"mtls-cert\"]", "requested-secrets": "[\"username\", \"password\", \"tls\", \"tls-ca\", \"uris\", \"read-only-uris\", \"entity-name\", \"entity-password\"]"}`,
    );
  });

  it("drops the other side's own data key and sorts keys by UTF-8 bytes", () => {
    const bag = {
      version: "16.8.1",
      data: '{"x": "y"}',
      "secret-user": "secret:u",
      endpoints: "e",
      Z: "upper",
    };
    expect(v0Snapshot(bag)).toBe(
      '{"Z": "upper", "endpoints": "e", "secret-user": "secret:u", "version": "16.8.1"}',
    );
  });

  it("keeps sorted order for integer-like keys (which a plain object would reorder)", () => {
    expect(v0Snapshot({ "9": "a", "10": "b", x: "c" })).toBe('{"10": "b", "9": "a", "x": "c"}');
  });

  it("is {} for an empty bag and escapes like Python", () => {
    expect(v0Snapshot({})).toBe("{}");
    expect(v0Snapshot({ data: "ignored" })).toBe("{}");
    expect(v0Snapshot({ k: "é" })).toBe(String.raw`{"k": "\u00e9"}`);
  });

  it("does not mutate the input", () => {
    const bag = { data: "d", b: "2", a: "1" };
    v0Snapshot(bag);
    expect(bag).toEqual({ data: "d", b: "2", a: "1" });
    expect(withoutSnapshot(bag)).toEqual({ b: "2", a: "1" });
  });
});

describe("parseV0Snapshot", () => {
  it("round-trips v0Snapshot", () => {
    const bag = { database: "myapp", "requested-secrets": REQUESTED };
    expect(parseV0Snapshot(v0Snapshot(bag))).toEqual({ ok: true, present: true, bag });
  });

  it("gives {} for a missing or empty value", () => {
    expect(parseV0Snapshot(undefined)).toEqual({ ok: true, present: false, bag: {} });
    expect(parseV0Snapshot()).toEqual({ ok: true, present: false, bag: {} });
    expect(parseV0Snapshot("")).toEqual({ ok: true, present: false, bag: {} });
  });

  it("gives {} with ok: false for invalid JSON or a non-object, without quoting it", () => {
    for (const raw of ["{not json", "[1, 2]", '"text"', "null", "7"]) {
      const r = parseV0Snapshot(raw);
      expect(r.ok, raw).toBe(false);
      expect(r.bag).toEqual({});
      if (!r.ok) expect(r.error).not.toContain("not json");
    }
    const r = parseV0Snapshot("[1, 2]");
    if (!r.ok) expect(r.error).toMatch(/expected a JSON object, got an array/);
  });

  it("re-encodes non-string members (a Python v1 provider's v0 snapshot) to their databag strings", () => {
    const raw = `{"resource": "requirer-charm:*", "salt": "TBWbGQA5gi4E3rgJ", "provided-secrets": ["mtls-cert"], "requested-secrets": ${REQUESTED}, "n": 5, "f": 1.5, "b": true, "z": null}`;
    const r = parseV0Snapshot(raw);
    expect(r.ok).toBe(true);
    expect(r.bag).toEqual({
      resource: "requirer-charm:*",
      salt: "TBWbGQA5gi4E3rgJ",
      "provided-secrets": '["mtls-cert"]',
      "requested-secrets": REQUESTED,
      n: "5",
      f: "1.5",
      b: "true",
      z: "null",
    });
  });

  it("keeps a __proto__ key as a plain key", () => {
    const r = parseV0Snapshot('{"__proto__": "x", "a": "1"}');
    expect(Object.keys(r.bag)).toEqual(["__proto__", "a"]);
    expect(Object.getPrototypeOf(r.bag)).toBe(Object.prototype);
  });
});
