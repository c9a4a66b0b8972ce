import { describe, expect, it } from "vitest";
import { classifyInput, InputError, parseJsonInput } from "../src/input.js";
import { SECRETISH } from "./cases.js";
import { fixture, showUnitDump } from "./helpers.js";

const parse = (text: string) => parseJsonInput({ source: "x.json", text });

describe("parseJsonInput", () => {
  it("never repeats the input in its errors, wherever the JSON breaks", () => {
    const valid = JSON.stringify({
      database: "myapp",
      password: SECRETISH,
      nested: { list: [1, "two", SECRETISH] },
    });
    let errors = 0;
    for (let cut = 1; cut < valid.length; cut++) {
      for (const text of [valid.slice(0, cut), `${valid.slice(0, cut)}!${valid.slice(cut)}`]) {
        try {
          parse(text);
        } catch (e) {
          errors++;
          expect(e).toBeInstanceOf(InputError);
          const message = (e as Error).message;
          expect(message).toMatch(
            /^x\.json is not valid JSON( at line \d+, column \d+| \(it ends too early\))?$/,
          );
          expect(message).not.toContain(SECRETISH.slice(0, 4));
        }
      }
    }
    expect(errors).toBeGreaterThan(valid.length);
  });

  it("says empty input is empty, and hints at --format=json for YAML", () => {
    expect(() => parse(" \n")).toThrow("x.json is empty: expected JSON");
    expect(() => parse("myapp/0:\n  leader: true\n")).toThrow(
      /looks like YAML: run juju show-unit <unit> --format=json$/,
    );
  });
});

describe("classifyInput", () => {
  it("a JSON object of strings is a databag; so is one with wrong value types (they become violations)", () => {
    expect(classifyInput({ database: "myapp" }, "x")).toEqual({
      kind: "databag",
      bag: { database: "myapp" },
    });
    expect(classifyInput({ database: 5 }, "x").kind).toBe("databag");
    expect(classifyInput({}, "x").kind).toBe("databag");
  });

  it("recognises a juju show-unit dump and reads every relation from the dumped unit's point of view", () => {
    const dump = showUnitDump(fixture("postgresql_client.v0.json"), {
      unit: "requirer/1",
      endpoint: "database",
      apps: { provider: "postgresql", requirer: "myapp" },
      extraRelations: true,
    });
    const input = classifyInput(dump, "x");
    if (input.kind !== "show-unit") throw new Error("not a dump");
    expect(input.units).toEqual(["myapp/1"]);
    expect(input.relations.map((r) => `${r.endpoint}:${r.relationId}`)).toEqual([
      "cluster:7",
      "database:0",
      "logging:9",
    ]);
    const db = input.relations[1]!;
    expect(db).toMatchObject({
      unit: "myapp/1",
      app: "myapp",
      leader: false,
      relatedEndpoint: "database",
      remoteApp: "postgresql",
    });
    expect(db.applicationData.endpoints).toBe("10.1.0.10:5432");
    expect(Object.keys(db.relatedUnits)).toEqual(["postgresql/0", "postgresql/1"]);
    expect(db.localUnitData?.data).toBeTypeOf("string");
  });

  it("accepts one relation-info entry copied out of a dump", () => {
    const input = classifyInput(
      { "relation-id": 4, endpoint: "db", "related-endpoint": "etcd", "application-data": {} },
      "x",
    );
    expect(input.kind).toBe("show-unit");
  });

  it("names the broken part of a malformed dump", () => {
    const bad = (info: unknown) => () =>
      classifyInput({ "app/0": { charm: "x", "relation-info": info } }, "dump.json");
    expect(bad("nope")).toThrow("dump.json: app/0 relation-info is a string, expected an array");
    expect(bad([5])).toThrow("dump.json: app/0 relation-info[0] is a number, expected an object");
    expect(bad([{ "application-data": {} }])).toThrow("dump.json: app/0 relation-info[0] has no endpoint");
    expect(bad([{ endpoint: "db", "related-units": { "x/0": { data: [] } } }])).toThrow(
      "related-units.x/0.data is an array, expected an object",
    );
    expect(() => classifyInput([{}], "dump.json")).toThrow("dump.json holds an array");
    expect(() => classifyInput(null, "dump.json")).toThrow("dump.json holds null");
  });
});
