/**
 * Issue 15 class 3: Juju reads `relation-set --file -` as YAML 1.1 (go-yaml v2). The hook-tool fakes
 * read stdin by Juju's rules (refuse raw U+007F, C1 controls, U+FFFE/U+FFFF; fold raw NEL, LS, PS), and
 * what the library sends is stored byte for byte as meant — end to end through `ProcessBackend`.
 */

import { postgresqlClient } from "@charm-relations/interface-postgresql-client";
import { encodeRelationSettings } from "@charm-relations/juju-secrets-core/backend";
import { DataRequirer } from "@charm-relations/juju-secrets-core/interface";
import {
  JujuModel,
  MemoryBackend,
  runHookTool,
  unmarshalStringMap,
} from "@charm-relations/juju-secrets-core/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changed, hostileHook, resetProvider, runnerOf, world } from "../src/hardening.js";
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

/** A provider session on relation `rel` of the postgresql world, and a relation-set through the fake. */
async function fakeRelationSet(stdin: string | Uint8Array) {
  const w = await world("postgresql");
  const rel = w.relations[0]!;
  const model = JujuModel.fromJSON(w.state);
  const b = new MemoryBackend(model, { unit: "postgresql/0" });
  const result = runHookTool("relation-set", ["-r", `database:${rel}`, "--app", "--file", "-"], b, {
    stdin: () => stdin as string,
  });
  const bag = b.relationGet({ endpoint: "database", id: rel }, "postgresql", true);
  return { result, bag };
}

describe("class 3: the fake relation-set reads stdin as go-yaml v2 does", () => {
  const refused: [string, string][] = [
    ["raw U+007F", "my\x7fapp"],
    ["raw U+0080", "a\x80b"],
    ["raw U+009F", "a\x9fb"],
    ["raw U+FFFE", "a\ufffeb"],
    ["raw U+FFFF", "a\uffffb"],
    ["raw U+0000", "a\0b"],
    ["raw ESC", "a\x1bb"],
  ];
  it.each(refused)("%s is refused with Juju's error", async (_name, value) => {
    const { result, bag } = await fakeRelationSet(`{"k": "${value}"}`);
    expect(result).toEqual({
      stdout: "",
      stderr: "ERROR yaml: control characters are not allowed\n",
      exitCode: 1,
    });
    expect(bag.k).toBeUndefined();
  });

  const folded: [string, string, string][] = [
    ["raw NEL", "a\x85b", "a b"],
    ["two raw NELs", "a\x85\x85b", "a\nb"],
    ["raw LS with blanks", "a \u2028 b", "a\u2028b"],
    ["raw PS", "x\u2029y", "x\u2029y"],
    ["raw LF", "line1\nline2", "line1 line2"],
    ["raw CRLF and indentation", "a\r\n    b", "a b"],
  ];
  it.each(folded)("%s is folded", async (_name, value, stored) => {
    const { result, bag } = await fakeRelationSet(`{"k": "${value}"}`);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(bag.k).toBe(stored);
  });

  const escapes: [string, string, string][] = [
    ["\\u007f", "my\\u007fapp", "my\x7fapp"],
    ["\\u0085", "a\\u0085b", "a\x85b"],
    ["\\U0001F600", "\\U0001F600", "\u{1F600}"],
    ["\\N \\L \\P \\_ \\e", "\\N\\L\\P\\_\\e", "\x85\u2028\u2029\xa0\x1b"],
    ["\\0 and \\x7f", "\\0\\x7f", "\0\x7f"],
  ];
  it.each(escapes)("escape %s is decoded", async (_name, escaped, stored) => {
    const { result, bag } = await fakeRelationSet(`{"k": "${escaped}"}`);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(bag.k).toBe(stored);
  });

  it("refuses what go-yaml refuses in escapes (\\/, surrogate escapes) and invalid UTF-8", async () => {
    expect((await fakeRelationSet('{"k": "a\\/b"}')).result.stderr).toBe(
      "ERROR yaml: found unknown escape character\n",
    );
    expect((await fakeRelationSet('{"k": "\\ud83d\\ude00"}')).result.stderr).toBe(
      "ERROR yaml: found invalid Unicode character escape code\n",
    );
    const bytes = Buffer.concat([Buffer.from('{"k": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect((await fakeRelationSet(bytes)).result.stderr).toBe("ERROR yaml: invalid trailing UTF-8 octet\n");
  });

  it("plain scalars stay text, null deletes, collections are unmarshal errors", async () => {
    const { result, bag } = await fakeRelationSet('{"a": true, "b": 1.50, "c": null, "d": "x"}');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(bag).toMatchObject({ a: "true", b: "1.50", d: "x" });
    expect(bag.c).toBeUndefined();
    const seq = await fakeRelationSet('{"a": [1, 2]}');
    expect(seq.result.stderr).toBe(
      "ERROR yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into string\n",
    );
  });
});

describe("class 3: what the library writes is stored exactly as meant", () => {
  it("any keys and values (every code point, lone surrogates aside) round-trip through Juju's reader", () => {
    const text = fc.string({ unit: "binary", maxLength: 40 }).filter((s) => !/[\uD800-\uDFFF]/u.test(s));
    fc.assert(
      fc.property(
        fc.dictionary(
          text.filter((k) => k !== ""),
          text,
          { maxKeys: 5 },
        ),
        (bag) => {
          const stdin = encodeRelationSettings(bag, "test");
          expect(/^[\x20-\x7e]*$/.test(stdin)).toBe(true);
          expect(unmarshalStringMap(stdin)).toEqual(new Map(Object.entries(bag)));
        },
      ),
      { numRuns: 300, seed: 15 },
    );
  });

  const hostileNames = [
    "my\x7fapp",
    "a\x85b",
    "x\u2028y",
    "p\u2029q",
    "u\ufffev",
    "w\uffffz",
    "nul\0byte",
    "emoji\u{1F600}",
    "tab\tand\nnewline",
    'quote"back\\slash',
  ];

  it.each(hostileNames)("in memory: database %j is echoed and stored exactly", async (database) => {
    const w = await world("postgresql");
    const rel = w.relations[0]!;
    const r = await hostileHook(
      runnerOf("postgresql", "postgresql"),
      w.state,
      changed("postgresql/0", rel),
      (m) => {
        resetProvider(m, rel, "postgresql");
        m.setAppBag(rel, "app", { ...m.appBag(rel, "app"), database });
      },
    );
    // The provider may refuse the name (a typed refusal) but must not fail in relation-set.
    expect(r.ok, String(r.error)).toBe(true);
    const own = JujuModel.fromJSON(r.state).appBag(rel, "postgresql");
    if (own.database !== undefined) expect(own.database).toBe(database);
  });

  it("end to end: a requirer asks for database my\\x7fapp; the provider's hook succeeds and stores it exactly", {
    timeout: 120_000,
  }, async () => {
    const w = await world("postgresql");
    const v0 = w.relations[0]!;
    const database = "my\x7fapp";
    // The requirer writes its request through ProcessBackend and the fakes too.
    const requirer = processRunner(
      (charm) => {
        new DataRequirer(charm, "database", postgresqlClient, {
          contract: "v0",
          requests: [{ resource: database }],
        });
      },
      { bin },
    );
    const asked = await hostileHook(
      requirer,
      w.state,
      { unit: "app/0", kind: "relation-created", relationId: v0 },
      (m) => {
        m.setAppBag(v0, "app", {});
        resetProvider(m, v0, "postgresql");
      },
    );
    expect(asked.ok, String(asked.error)).toBe(true);
    expect(JujuModel.fromJSON(asked.state).appBag(v0, "app").database).toBe(database);
    const answered = await hostileHook(
      processRunner(postgresqlProvider(), { bin }),
      asked.state,
      changed("postgresql/0", v0),
    );
    expect(answered.ok, String(answered.error)).toBe(true);
    const own = JujuModel.fromJSON(answered.state).appBag(v0, "postgresql");
    expect(own.database).toBe(database);
    expect(JSON.parse(own.data!).database).toBe(database);
  });
});
