/** Helpers the interface packages share for their zod schemas: validators, key prefixes, JSON Schema. */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import type { ProviderRequest } from "../src/contract/types.js";
import { RemoteDataError } from "../src/errors.js";
import { parseJsonObjects } from "../src/protocol/json.js";
import {
  bagError,
  jsonField,
  jsonString,
  lazySchema,
  prefixIssueKeys,
  requestValidator,
  toWireJsonSchema,
} from "../src/schema/index.js";

const relation = { endpoint: "db", id: 4 };
const ctx = { relation, side: "requirer", bag: "app" } as const;
const v0 = z.object({ database: z.string().min(1) });
const v1 = z.object({ resource: z.string().regex(/^[a-z]+$/), salt: z.string() });

const request = (contract: "v0" | "v1", raw: Record<string, unknown>): ProviderRequest => ({
  relation,
  remoteApp: "app",
  contract,
  ...(contract === "v1" ? { requestId: "0123456789abcdef" } : {}),
  resource: "",
  extraUserRoles: [],
  extraGroupRoles: [],
  externalNodeConnectivity: false,
  raw,
});

describe("bagError / prefixIssueKeys / requestValidator", () => {
  it("bagError: undefined for a good bag, the typed error naming the key (never the value) otherwise", () => {
    expect(bagError(v0, { database: "x" }, ctx)).toBeUndefined();
    const error = bagError(v0, { database: "" }, ctx);
    expect(error).toBeInstanceOf(RemoteDataError);
    expect(error!.issues.map((i) => [i.key, i.side, i.bag])).toEqual([["database", "requirer", "app"]]);
  });

  it("prefixIssueKeys puts every key under the prefix", () => {
    const error = bagError(v1, {}, ctx)!;
    expect(prefixIssueKeys(error, "requests[ab].").issues.map((i) => i.key)).toEqual([
      "requests[ab].resource",
      "requests[ab].salt",
    ]);
  });

  it("requestValidator checks v0 bags flat and v1 objects under their request id", () => {
    const validate = requestValidator(v0, v1);
    expect(validate(request("v0", { database: "x" }))).toBeUndefined();
    expect(validate(request("v1", { resource: "abc", salt: "s" }))).toBeUndefined();
    expect(validate(request("v0", {}))!.issues.map((i) => i.key)).toEqual(["database"]);
    expect(validate(request("v1", { resource: "ABC", salt: "s" }))!.issues.map((i) => i.key)).toEqual([
      "requests[0123456789abcdef].resource",
    ]);
  });
});

describe("jsonField and toWireJsonSchema", () => {
  it("documents a jsonField as JSON content with its inner schema; a plain jsonString stays a string", () => {
    const schema = z.object({ list: jsonField(z.array(z.string())), raw: jsonString(z.number()) });
    const js = toWireJsonSchema(schema) as { properties: Record<string, Record<string, unknown>> };
    expect(js.properties.list).toMatchObject({
      type: "string",
      contentMediaType: "application/json",
      contentSchema: { type: "array", items: { type: "string" } },
    });
    expect(js.properties.list!.contentSchema).not.toHaveProperty("$schema");
    expect(js.properties.raw).toEqual({ type: "string" });
    // Parsing is jsonString's.
    expect(schema.safeParse({ list: '["a"]', raw: "1" }).success).toBe(true);
    expect(schema.safeParse({ list: "[1]", raw: "1" }).success).toBe(false);
  });
});

describe("lazySchema", () => {
  it("builds the schema on first use, once, and stands for it in parsing, composition and JSON Schema", () => {
    let builds = 0;
    const bag = lazySchema(() => {
      builds += 1;
      return z.looseObject({ database: z.string().min(1), roles: jsonField(z.array(z.string())).optional() });
    });
    const shape = lazySchema(() => ({ endpoints: z.string() }));
    expect(builds).toBe(0); // importing a module of such schemas builds nothing
    expect(bag.parse({ database: "x", roles: '["a"]', other: "kept" })).toEqual({
      database: "x",
      roles: ["a"],
      other: "kept",
    });
    expect(bag.safeParse({ database: "" }).success).toBe(false);
    expect(builds).toBe(1);
    expect(bag instanceof z.ZodObject).toBe(true);
    expect(Object.keys(bag.shape)).toEqual(["database", "roles"]);
    const composed = z.union([bag, z.object({ v: z.literal("v1") })]);
    expect(composed.safeParse({ database: "y" }).success).toBe(true);
    expect(Object.keys(z.object(shape).shape)).toEqual(["endpoints"]);
    expect(toWireJsonSchema(bag)).toMatchObject({
      type: "object",
      required: ["database"],
      properties: { roles: { type: "string", contentMediaType: "application/json" } },
    });
    expect(builds).toBe(1);
  });
});

describe("parseJsonObjects", () => {
  it("keeps the objects of a JSON array and nothing else", () => {
    expect(parseJsonObjects('[{"a": 1}, 2, null, [3], {"b": "x"}]')).toEqual([{ a: 1 }, { b: "x" }]);
    expect(parseJsonObjects(undefined)).toEqual([]);
    expect(parseJsonObjects('{"a": 1}')).toEqual([]);
    expect(parseJsonObjects("[{")).toEqual([]);
  });
});
