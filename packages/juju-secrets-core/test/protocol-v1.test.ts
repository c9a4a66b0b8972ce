import { describe, expect, it } from "vitest";
import { ProtocolEncodeError, pyDumps } from "../src/protocol/json.js";
import { statusMap } from "../src/protocol/status.js";
import {
  computeRequestId,
  findV0Resource,
  formatRequests,
  formatV1Data,
  generateSalt,
  parseRequestsValue,
  parseV1Data,
  REQUEST_KEY_ORDER,
  RESPONSE_KEY_ORDER,
  requestIdOf,
  serializeRequestObject,
  serializeResponseObject,
  V0_RESOURCE_ALIASES,
  v1DataEntry,
} from "../src/protocol/v1.js";

describe("salt and request id", () => {
  it("computes the spec's check value", () => {
    expect(computeRequestId("application:*", "xqbPuYzzl2iiKeyN")).toBe("c4c5c119c9345ffa");
    expect(computeRequestId("/my/keys/", "kkkkkkkk")).toBe("df0718fb3c8aecca");
  });

  it("hashes the UTF-8 bytes of resource:salt", () => {
    // Python: hashlib.sha256("é:s".encode()).hexdigest()[:16]; a Latin-1 or UTF-16 hash would differ.
    expect(computeRequestId("é", "s")).toBe("27a5e51866c3bf81");
  });

  it("generates 16-character [A-Za-z0-9] salts that differ", () => {
    const salts = Array.from({ length: 200 }, generateSalt);
    for (const salt of salts) expect(salt).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(new Set(salts).size).toBe(200);
  });

  it("draws every character equally often (no modulo bias)", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 3875; i++) for (const ch of generateSalt()) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // 62,000 draws: 1,000 expected per character, σ ≈ 31. Modulo bias would give A–H about 1,220.
    for (const [ch, n] of counts) {
      expect(n, ch).toBeGreaterThan(850);
      expect(n, ch).toBeLessThan(1150);
    }
  });

  it("takes the request id, or recomputes it from resource and salt", () => {
    expect(requestIdOf({ "request-id": "abc", resource: "x", salt: "y" })).toBe("abc");
    expect(requestIdOf({ "request-id": null, resource: "application:*", salt: "xqbPuYzzl2iiKeyN" })).toBe(
      "c4c5c119c9345ffa",
    );
    expect(requestIdOf({ salt: "s" })).toBe(computeRequestId("", "s"));
    expect(requestIdOf({ resource: "x" })).toBeUndefined();
  });
});

describe("key orders and aliases", () => {
  it("lists the model orders of protocol §5.2/§5.3", () => {
    expect([...REQUEST_KEY_ORDER]).toEqual([
      "resource",
      "request-id",
      "salt",
      "extra-user-roles",
      "extra-group-roles",
      "external-node-connectivity",
      "entity-type",
      "entity-permissions",
      "secret-mtls",
    ]);
    expect([...RESPONSE_KEY_ORDER]).toEqual([
      "resource",
      "request-id",
      "salt",
      "endpoints",
      "read-only-endpoints",
      "secret-user",
      "secret-tls",
      "secret-extra",
      "secret-entity",
      "version",
    ]);
    expect([...V0_RESOURCE_ALIASES]).toEqual([
      "database",
      "subject",
      "topic",
      "index",
      "plugin-url",
      "prefix",
    ]);
  });

  it("finds a v0 bag's resource by alias priority", () => {
    expect(findV0Resource({ prefix: "/p/", database: "db" })).toEqual({ resource: "db", field: "database" });
    expect(findV0Resource({ "plugin-url": "http://x" })).toEqual({
      resource: "http://x",
      field: "plugin-url",
    });
    expect(findV0Resource({ database: "", prefix: "/p/" })).toEqual({ resource: "/p/", field: "prefix" });
    expect(findV0Resource({ "requested-secrets": "[]" })).toBeUndefined();
  });
});

describe("serializeRequestObject", () => {
  const minimal = { resource: "application:*", "request-id": "c4c5c119c9345ffa", salt: "xqbPuYzzl2iiKeyN" };
  const recorded =
    '[{"resource": "application:*", "request-id": "c4c5c119c9345ffa", "salt": "xqbPuYzzl2iiKeyN", "extra-user-roles": null, "extra-group-roles": null, "external-node-connectivity": false, "entity-type": null, "entity-permissions": null, "secret-mtls": null, "mtls-cert": null}]';

  it("reproduces the recorded dpcharmlibs request (trailing mtls-cert)", () => {
    expect(formatRequests([serializeRequestObject(minimal, { trailingMtlsCert: true })])).toBe(recorded);
  });

  it("reproduces the charmhub v1 form without mtls-cert", () => {
    expect(formatRequests([serializeRequestObject(minimal)])).toBe(
      recorded.replace(', "mtls-cert": null', ""),
    );
  });

  it("is idempotent on its own output", () => {
    const once = serializeRequestObject(minimal, { trailingMtlsCert: true });
    expect(pyDumps(serializeRequestObject(once, { trailingMtlsCert: true }))).toBe(pyDumps(once));
  });

  it("places mtls-cert before interface extras, then unknown keys", () => {
    const out = serializeRequestObject(
      { "x-unknown": 1, "consumer-group-prefix": "cg-", ...minimal },
      { extraKeys: ["consumer-group-prefix", "other-extra"], trailingMtlsCert: true },
    );
    expect(Object.keys(out).slice(9)).toEqual([
      "mtls-cert",
      "consumer-group-prefix",
      "other-extra",
      "x-unknown",
    ]);
    expect(out["other-extra"]).toBeNull();
  });

  it("writes booleans and entity permissions as real JSON values", () => {
    const out = serializeRequestObject({
      ...minimal,
      "external-node-connectivity": "true",
      "entity-type": "USER",
      "extra-user-roles": ["admin", "reader"],
      "entity-permissions":
        '[{"privileges": ["SELECT"], "resource_type": "TABLE", "resource_name": "items", "x": 1}]',
    });
    expect(pyDumps(out)).toBe(
      '{"resource": "application:*", "request-id": "c4c5c119c9345ffa", "salt": "xqbPuYzzl2iiKeyN", "extra-user-roles": "admin,reader", "extra-group-roles": null, "external-node-connectivity": true, "entity-type": "USER", "entity-permissions": [{"resource_name": "items", "resource_type": "TABLE", "privileges": ["SELECT"]}], "secret-mtls": null}',
    );
  });

  it("turns a v0 alias into resource and defaults a missing resource to ''", () => {
    const out = serializeRequestObject({ database: "myapp", salt: "s" });
    expect(out["resource"]).toBe("myapp");
    expect(out).not.toHaveProperty("database");
    expect(serializeRequestObject({ salt: "s" })["resource"]).toBe("");
  });

  it("rejects bad field types, naming the field", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ resource: "r" }, /request\.salt/],
      [{ ...minimal, resource: 5 }, /request\.resource/],
      [{ ...minimal, "entity-type": "ROLE" }, /request\.entity-type/],
      [{ ...minimal, "external-node-connectivity": "maybe" }, /external-node-connectivity/],
      [{ ...minimal, "entity-permissions": "{" }, /entity-permissions/],
      [
        { ...minimal, "entity-permissions": [{ resource_name: "t" }] },
        /entity-permissions\[0\]\.resource_type/,
      ],
      [{ ...minimal, "entity-permissions": {} }, /entity-permissions: expected an array/],
      [{ ...minimal, "secret-mtls": "0qo3fh3a03iact07s1h9" }, /secret-mtls: expected a secret URI/],
      [{ ...minimal, "extra-user-roles": 3 }, /extra-user-roles/],
    ];
    for (const [input, error] of cases) {
      expect(() => serializeRequestObject(input), String(error)).toThrow(ProtocolEncodeError);
      expect(() => serializeRequestObject(input)).toThrow(error);
    }
  });

  it("keeps a __proto__ unknown key as data", () => {
    const input = JSON.parse('{"resource": "r", "salt": "s", "__proto__": {"polluted": true}}') as Record<
      string,
      unknown
    >;
    const out = serializeRequestObject(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(pyDumps(out)).toContain('"__proto__": {"polluted": true}');
  });
});

describe("serializeResponseObject", () => {
  it("reproduces the recorded charmhub v1 response", () => {
    const resp = {
      resource: "/my/keys/",
      "request-id": "df0718fb3c8aecca",
      salt: "kkkkkkkk",
      endpoints: ["10.0.0.1:2379", "10.0.0.2:2379"],
      "secret-user": "secret:aaa",
      "secret-tls": "secret:bbb",
      version: "3.6.5",
    };
    expect(formatRequests([serializeResponseObject(resp)])).toBe(
      '[{"resource": "/my/keys/", "request-id": "df0718fb3c8aecca", "salt": "kkkkkkkk", "endpoints": "10.0.0.1:2379,10.0.0.2:2379", "read-only-endpoints": null, "secret-user": "secret:aaa", "secret-tls": "secret:bbb", "secret-extra": null, "secret-entity": null, "version": "3.6.5"}]',
    );
  });

  it("ends with interface fields, then mtls-cert, then unknown keys (dpcharmlibs valkey)", () => {
    const out = serializeResponseObject(
      { zzz: "kept", mode: "sentinel", resource: "*", salt: "s", "sentinel-endpoints": "10.1.0.10:26379" },
      { extraKeys: ["sentinel-endpoints", "mode"], trailingMtlsCert: true },
    );
    expect(Object.keys(out).slice(10)).toEqual(["sentinel-endpoints", "mode", "mtls-cert", "zzz"]);
  });

  it("refuses secret-backed fields in the object, naming the field and not the value", () => {
    for (const field of [
      "username",
      "password",
      "uris",
      "read-only-uris",
      "tls",
      "tls-ca",
      "entity-name",
      "entity-password",
    ]) {
      try {
        serializeResponseObject({ resource: "r", salt: "s", [field]: "hunter2" });
        expect.unreachable(field);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolEncodeError);
        expect((e as ProtocolEncodeError).field).toBe(`response.${field}`);
        expect((e as Error).message).not.toContain("hunter2");
      }
    }
    // null means "not set" and is allowed (and not written).
    expect(serializeResponseObject({ resource: "r", salt: "s", password: null })).not.toHaveProperty(
      "password",
    );
  });

  it("rejects a bare xid as a secret reference and a missing salt", () => {
    expect(() => serializeResponseObject({ salt: "s", "secret-user": "0qo3fi46isser5detj9m" })).toThrow(
      /secret-user/,
    );
    expect(() => serializeResponseObject({ resource: "r" })).toThrow(/response\.salt/);
  });
});

describe("parseRequestsValue", () => {
  it("reads an array of objects, keeping unknown keys", () => {
    expect(parseRequestsValue('[{"resource": "a", "x": [1]}]')).toEqual({
      ok: true,
      requests: [{ resource: "a", x: [1] }],
    });
  });

  it("treats missing or empty as no requests", () => {
    expect(parseRequestsValue(undefined)).toEqual({ ok: true, requests: [] });
    expect(parseRequestsValue("")).toEqual({ ok: true, requests: [] });
  });

  it("names the problem otherwise", () => {
    const cases: [string, RegExp][] = [
      ["[{", /not valid JSON/],
      ['{"resource": "a"}', /array of objects, got an object/],
      ['[{"resource": "a"}, "b"]', /item 1 is a string/],
      ["[[]]", /item 0 is an array/],
      ["[null]", /item 0 is null/],
    ];
    for (const [raw, error] of cases) {
      const r = parseRequestsValue(raw);
      expect(r.ok, raw).toBe(false);
      if (!r.ok) expect(r.error).toMatch(error);
    }
  });
});

describe("v1 data entries", () => {
  it("drops nulls and defaults, keeping model order (spec §5.6 provider example)", () => {
    const req = serializeRequestObject(
      {
        resource: "/my/keys/",
        "request-id": "df0718fb3c8aecca",
        salt: "kkkkkkkk",
        "secret-mtls": "secret:d2fjn1fmp25004or68b0",
      },
      { trailingMtlsCert: true },
    );
    expect(formatV1Data([["df0718fb3c8aecca", v1DataEntry(req, REQUEST_KEY_ORDER)]])).toBe(
      '{"df0718fb3c8aecca": {"resource": "/my/keys/", "request-id": "df0718fb3c8aecca", "salt": "kkkkkkkk", "secret-mtls": "secret:d2fjn1fmp25004or68b0"}}',
    );
  });

  it("drops resource '' and external-node-connectivity false but keeps true and other falsy values", () => {
    expect(
      v1DataEntry({ resource: "", salt: "s", "external-node-connectivity": false }, REQUEST_KEY_ORDER),
    ).toEqual({
      salt: "s",
    });
    expect(
      v1DataEntry(
        { salt: "s", "external-node-connectivity": true, "extra-user-roles": "", n: 0 },
        REQUEST_KEY_ORDER,
      ),
    ).toEqual({ salt: "s", "extra-user-roles": "", "external-node-connectivity": true, n: 0 });
  });

  it("puts keyOrder keys first, then the rest in object order; without keyOrder keeps object order", () => {
    const obj = { mode: "sentinel", version: "9", resource: "r", salt: "s" };
    expect(Object.keys(v1DataEntry(obj, RESPONSE_KEY_ORDER))).toEqual([
      "resource",
      "salt",
      "version",
      "mode",
    ]);
    expect(Object.keys(v1DataEntry(obj))).toEqual(["mode", "version", "resource", "salt"]);
  });

  it("formats and parses data with a status entry, which is not a request id", () => {
    const raw = formatV1Data([
      ["589eb0c1e776d6fb", { resource: "a" }],
      ["status", statusMap([{ code: 4001, message: "m", resolution: "r" }])],
    ]);
    expect(raw).toBe(
      '{"589eb0c1e776d6fb": {"resource": "a"}, "status": {"4001": {"code": 4001, "message": "m", "resolution": "r"}}}',
    );
    const parsed = parseV1Data(raw);
    expect(parsed.ok).toBe(true);
    expect([...parsed.entries.keys()]).toEqual(["589eb0c1e776d6fb"]);
    expect(parsed.statuses).toEqual([{ code: 4001, message: "m", resolution: "r" }]);
  });

  it("parses missing data as empty and reports malformed data", () => {
    expect(parseV1Data(undefined)).toMatchObject({ ok: true, present: false });
    expect(parseV1Data("[]")).toMatchObject({ ok: false, present: true });
    expect(parseV1Data("{")).toMatchObject({ ok: false });
    const partly = parseV1Data('{"a": {"resource": "x"}, "b": "oops"}');
    expect(partly.ok).toBe(false);
    expect([...partly.entries.keys()]).toEqual(["a"]);
    if (!partly.ok) expect(partly.error).toMatch(/entry "b" is a string/);
  });
});
