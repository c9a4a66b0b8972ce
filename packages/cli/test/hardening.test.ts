/**
 * The pieces behind issue 15's CLI classes: terminal escaping, the linear-time shape checks (proved
 * equal to the regular expressions they replace on every short string of a small alphabet), the
 * capped file reader, and validate's judgement beyond the schemas.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { escapeControls, shown, toJson } from "../src/escape.js";
import { InputError, readFileCapped } from "../src/input.js";
import { findInterface, INTERFACES } from "../src/interfaces.js";
import { judge, providerFields } from "../src/judgement.js";
import { hasUrlCredentials, isUnitName, looksLikeYamlDump } from "../src/patterns.js";

/** Every concatenation of 0..max items of `alphabet`. */
function* strings(alphabet: readonly string[], max: number): Generator<string> {
  let level = [""];
  yield "";
  for (let n = 1; n <= max; n++) {
    const next: string[] = [];
    for (const s of level) for (const c of alphabet) next.push(s + c);
    yield* next;
    level = next;
  }
}

describe("linear-time shape checks agree with the patterns they replace", () => {
  it("isUnitName ≡ /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*\\/\\d+$/", () => {
    const old = /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*\/\d+$/;
    const all = [...strings(["a", "b", "1", "-", "/", "0", "A", " "], 6)];
    expect(all.filter((s) => isUnitName(s) !== old.test(s))).toEqual([]);
    expect(all.filter(isUnitName).length).toBeGreaterThan(100);
  });

  it("hasUrlCredentials ≡ /[a-z][a-z0-9+.-]*:\\/\\/[^/\\s:@]+:[^@\\s/]+@/i", () => {
    const old = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^@\s/]+@/i;
    // Tokens rather than characters, so that six of them can spell `a://a:a@` and its near misses.
    const all = [...strings(["a", "Z1+", "://", ":", "/", "@", " ", "-"], 6)];
    expect(all.filter((s) => hasUrlCredentials(s) !== old.test(s))).toEqual([]);
    expect(all.filter(hasUrlCredentials).length).toBeGreaterThan(20);
    for (const s of ["postgresql://u:p@h/db", "x HTTP://u:p:q@h", "1://u:p@h", "a://u@h", "a://:p@h"]) {
      expect(hasUrlCredentials(s), s).toBe(old.test(s));
    }
  });

  it("looksLikeYamlDump: the first line alone, unit-like, ending in a colon", () => {
    expect(looksLikeYamlDump("myapp/0:\n  leader: true")).toBe(true);
    expect(looksLikeYamlDump("my-app-2/10:  \r\nx")).toBe(true);
    expect(looksLikeYamlDump("myapp/0: x")).toBe(false);
    expect(looksLikeYamlDump('{"myapp/0": {}}')).toBe(false);
    expect(looksLikeYamlDump("x\nmyapp/0:")).toBe(false);
  });
});

describe("escaping what is printed from the input", () => {
  it("escapes C0, DEL, C1, separators, bidi and zero-width controls; leaves other text alone", () => {
    expect(escapeControls("a\u001b[2Jb\r\n\t\u0000\u007f\u009b\u2028\u202e\u2067\u200b\ufeff")).toBe(
      "a\\u001b[2Jb\\r\\n\\t\\u0000\\u007f\\u009b\\u2028\\u202e\\u2067\\u200b\\ufeff",
    );
    expect(escapeControls("database é 😀 /x\\y")).toBe("database é 😀 /x\\y");
    expect(escapeControls(escapeControls("\u001b"))).toBe("\\u001b");
  });

  it("shortens long names without splitting a surrogate pair", () => {
    expect(shown("x".repeat(10), 10)).toBe("x".repeat(10));
    expect(shown("x".repeat(11), 10)).toBe(`${"x".repeat(10)}…[1 more chars]`);
    expect(shown(`${"x".repeat(9)}😀y`, 10)).toBe(`${"x".repeat(9)}…[3 more chars]`);
  });

  it("toJson: the same value, no raw DEL, C1 or bidi character", () => {
    const value = { "k\u007f\u0085": ["\u202e\u2028", "\u001b"], n: 1 };
    const text = toJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).not.toMatch(/[\u007f-\u009f\u2028\u202e\u001b]/);
  });
});

describe("readFileCapped", () => {
  const dir = mkdtempSync(join(tmpdir(), "cli-hardening-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads up to the cap, refuses one byte more, reads files that report size 0", async () => {
    const f = join(dir, "f.json");
    writeFileSync(f, "x".repeat(100));
    expect(await readFileCapped(f, "f.json", 100)).toBe("x".repeat(100));
    await expect(readFileCapped(f, "f.json", 99)).rejects.toThrow(
      new InputError("f.json is larger than the input limit (99 bytes)"),
    );
    expect(await readFileCapped("/proc/self/status", "status", 1 << 20)).toMatch(/^Name:/);
    await expect(readFileCapped(join(dir, "none"), "none")).rejects.toThrow("cannot read none: no such file");
    await expect(readFileCapped(join(f, "x"), "x")).rejects.toThrow("cannot read x: no such file");
  });
});

describe("validate's judgement beyond the schemas", () => {
  it("provider fields: each interface's own plus Python's default list; never machinery or requirer fields", () => {
    for (const entry of INTERFACES) {
      const fields = providerFields(entry);
      for (const f of ["username", "password", "tls", "tls-ca", "uris", "read-only-uris"])
        expect(fields.has(f)).toBe(true);
      for (const f of ["data", "status", "requests", "salt", "secret-user", "mtls-cert", "constructor"])
        expect(fields.has(f), `${entry.name} ${f}`).toBe(false);
    }
    expect(providerFields(findInterface("valkey_client")!).has("sentinel-endpoints")).toBe(true);
    expect(providerFields(findInterface("postgresql_client")!).has("sentinel-endpoints")).toBe(false);
  });

  it("comma lists: empty and blank items reported, once per key; other keys and the data snapshot ignored", () => {
    const pg = findInterface("postgresql_client")!;
    expect(
      judge(
        pg,
        {
          endpoints: "a:1,,b:2",
          "read-only-endpoints": "a:1, ",
          database: "a,,b",
          data: '{"endpoints": ","}',
        },
        "provider",
      ),
    ).toEqual([
      { key: "endpoints", rule: expect.stringContaining("item 2 of 3") },
      { key: "read-only-endpoints", rule: expect.stringContaining("item 2 of 2") },
    ]);
    expect(judge(pg, { endpoints: "a:1,b:2", "prefix-databases": "" }, "provider")).toEqual([]);
    // Inherited names are not own keys: nothing to report, nothing thrown.
    expect(judge(pg, JSON.parse('{"__proto__": {"endpoints": ",,"}}'), "provider")).toEqual([]);
  });
});
