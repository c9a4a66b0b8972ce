import { parseBag } from "@charm-relations/juju-secrets-core/schema";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import {
  appBag,
  CONNECTION_STRING_PATTERN,
  checkClientCredentials,
  EtcdInputError,
  etcdJsonSchemas,
  etcdMajorVersion,
  formatConnectionString,
  parseConnectionString,
  providerUnit,
  requirerUnit,
} from "../src/index.js";
import {
  checkEtcdProviderUnitBag,
  checkEtcdRequirerUnitBag,
  etcdMemberUrls,
  etcdProviderUnitBag,
} from "../src/testing.js";
import { CREDS_1, CREDS_2, fixture, pem, secretFragments, withoutJujuKeys } from "./helpers.js";

const REF = { endpoint: "etcd", id: 0 };
const providerCtx = { relation: REF, side: "provider", bag: "unit" } as const;

/**
 * A deliberately small JSON Schema validator, independent of zod, for the keywords our generated
 * schemas use. It refuses unknown keywords so nothing is silently ignored.
 */
function validate(schema: Record<string, unknown>, value: unknown, path = "$"): string[] {
  const known = new Set([
    "$schema",
    "type",
    "properties",
    "additionalProperties",
    "pattern",
    "description",
    "required",
  ]);
  for (const k of Object.keys(schema))
    if (!known.has(k)) throw new Error(`validator does not know keyword ${k}`);
  const errors: string[] = [];
  if (schema.type === "string") {
    if (typeof value !== "string") return [`${path}: not a string`];
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) {
      errors.push(`${path}: does not match pattern`);
    }
    return errors;
  }
  if (schema.type === "object") {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      return [`${path}: not an object`];
    const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const r of (schema.required ?? []) as string[])
      if (!(r in value)) errors.push(`${path}.${r}: required`);
    for (const [k, v] of Object.entries(value)) {
      const sub = props[k];
      if (sub) errors.push(...validate(sub, v, `${path}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${path}.${k}: not allowed`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
        errors.push(...validate(schema.additionalProperties as Record<string, unknown>, v, `${path}.${k}`));
      }
    }
    return errors;
  }
  throw new Error(`validator does not know type ${String(schema.type)}`);
}

describe("golden fixture (interfaces.md §3.1, constructed)", () => {
  const fx = fixture();

  it("every provider unit bag parses, Juju keys included, and keeps every value byte for byte", () => {
    for (const [unit, bag] of Object.entries(fx.provider_unit_databags)) {
      const r = parseBag(providerUnit, bag, providerCtx);
      expect(r.ok, unit).toBe(true);
      if (!r.ok) continue;
      for (const [k, v] of Object.entries(bag))
        expect(r.value[k as keyof typeof r.value], `${unit} ${k}`).toBe(v);
    }
  });

  it("the spec's literal example (abbreviated PEMs) parses too", () => {
    for (const bag of Object.values(fx.spec_example)) {
      expect(parseBag(providerUnit, bag, providerCtx).ok).toBe(true);
    }
  });

  it("requirer unit bags and both app bags parse", () => {
    for (const bag of Object.values(fx.requirer_unit_databags)) {
      expect(parseBag(requirerUnit, bag, { ...providerCtx, side: "requirer" }).ok).toBe(true);
    }
    expect(appBag.safeParse(fx.provider_app_databag).success).toBe(true);
    expect(appBag.safeParse(fx.requirer_app_databag).success).toBe(true);
  });

  it("re-serialising a parsed bag with the builder gives the same bytes", () => {
    for (const bag of Object.values(fx.provider_unit_databags)) {
      const r = providerUnit.parse(bag);
      const rebuilt = etcdProviderUnitBag({
        connectionString: r.connection_string ?? "",
        version: r.version ?? "",
        credentials: { key: r.client_key ?? "", cert: r.client_cert ?? "", ca: r.client_ca ?? "" },
      });
      expect(JSON.stringify(rebuilt, Object.keys(rebuilt).sort())).toBe(
        JSON.stringify(withoutJujuKeys(bag), Object.keys(withoutJujuKeys(bag)).sort()),
      );
    }
  });

  it("the builders reproduce layer-etcd's sorted member list", () => {
    const { members, port } = fx.inputs;
    expect(etcdMemberUrls(members, port).join(",")).toBe(
      fx.provider_unit_databags["etcd/0"]?.connection_string,
    );
    expect(formatConnectionString(etcdMemberUrls(members, port).reverse())).toBe(
      fx.provider_unit_databags["etcd/0"]?.connection_string,
    );
  });

  it("the testing checks accept the fixture and reject a requirer that writes", () => {
    expect(checkEtcdProviderUnitBag(fx.provider_unit_databags["etcd/1"] ?? {})).toEqual({ ok: true });
    expect(checkEtcdRequirerUnitBag(fx.requirer_unit_databags["kubernetes-control-plane/0"] ?? {})).toEqual({
      ok: true,
    });
    const bad = checkEtcdRequirerUnitBag({ connection_string: "https://a:1" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.key).toBe("connection_string");
  });
});

describe("JSON Schema", () => {
  const schemas = etcdJsonSchemas();
  const fx = fixture();

  it("validates every real bag of the fixture", () => {
    for (const bag of [...Object.values(fx.provider_unit_databags), ...Object.values(fx.spec_example)]) {
      expect(validate(schemas.provider.unit, bag)).toEqual([]);
    }
    for (const bag of Object.values(fx.requirer_unit_databags))
      expect(validate(schemas.requirer.unit, bag)).toEqual([]);
    expect(validate(schemas.provider.app, fx.provider_app_databag)).toEqual([]);
    expect(validate(schemas.requirer.app, fx.requirer_app_databag)).toEqual([]);
  });

  it("rejects what the zod schema rejects", () => {
    const cases: Record<string, string>[] = [
      { connection_string: "10.5.0.11:2379" },
      { connection_string: "https://a:1, ,https://b:2" },
      { version: "3.4.22\n--evil" },
      { client_cert: "not a pem" },
      { client_key: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----" },
    ];
    for (const bag of cases) {
      expect(validate(schemas.provider.unit, bag), JSON.stringify(Object.keys(bag))).not.toEqual([]);
      expect(providerUnit.safeParse(bag).success).toBe(false);
    }
    expect(validate(schemas.requirer.unit, { client_key: "x" })).not.toEqual([]);
    expect(validate(schemas.provider.app, { connection_string: "https://a:1" })).not.toEqual([]);
  });

  it("round-trips through zod's own JSON Schema reader", () => {
    const back = z.fromJSONSchema(schemas.provider.unit as Parameters<typeof z.fromJSONSchema>[0]);
    for (const bag of Object.values(fx.provider_unit_databags))
      expect(back.safeParse(bag).success).toBe(true);
    expect(back.safeParse({ connection_string: "10.5.0.11:2379" }).success).toBe(false);
  });
});

describe("schema details", () => {
  it("connection strings: one or more URLs, whitespace tolerated, empty allowed on read", () => {
    expect(CONNECTION_STRING_PATTERN.test("https://10.0.0.1:2379")).toBe(true);
    expect(CONNECTION_STRING_PATTERN.test("http://a:2379, https://b:2379")).toBe(true);
    expect(CONNECTION_STRING_PATTERN.test("")).toBe(true);
    expect(CONNECTION_STRING_PATTERN.test("https://a:1,")).toBe(false);
    expect(CONNECTION_STRING_PATTERN.test("a:1")).toBe(false);
    expect(parseConnectionString(" https://a:1 ,https://b:2")).toEqual(["https://a:1", "https://b:2"]);
  });

  it("an empty version means etcd 2.x", () => {
    expect(etcdMajorVersion("")).toBe(2);
    expect(etcdMajorVersion(undefined)).toBe(2);
    expect(etcdMajorVersion("3.4.22")).toBe(3);
    expect(etcdMajorVersion("v3.5.0")).toBe(3);
    expect(etcdMajorVersion("2.3.8")).toBe(2);
    expect(etcdMajorVersion("unknown")).toBeUndefined();
  });

  it("a malformed bag names relation, side, key and rule but never the value", () => {
    const secret = CREDS_1.key.replace("PRIVATE KEY", "PRIVATE KYE");
    const r = parseBag(providerUnit, { client_key: secret }, providerCtx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.key).toBe("client_key");
    expect(r.error.message).toMatch(
      /^etcd:0 provider unit databag key "client_key": expected a PEM private key/,
    );
    for (const fragment of secretFragments()) expect(r.error.message).not.toContain(fragment);
  });
});

describe("formatConnectionString", () => {
  it("sorts and de-duplicates a list, keeps a string as given", () => {
    expect(formatConnectionString(["https://b:1", "https://a:1", "https://b:1"])).toBe(
      "https://a:1,https://b:1",
    );
    expect(formatConnectionString("https://b:1,https://a:1")).toBe("https://b:1,https://a:1");
  });

  it("rejects bad items with the index, and empty input", () => {
    expect(() => formatConnectionString(["https://a:1", "10.0.0.2:2379"])).toThrow(
      expect.objectContaining({ name: "EtcdInputError", field: "connection_string[1]" }),
    );
    expect(() => formatConnectionString([])).toThrow(EtcdInputError);
    expect(() => formatConnectionString("")).toThrow(EtcdInputError);
    expect(() => formatConnectionString("https://a:1,b")).toThrow(EtcdInputError);
    expect(() => formatConnectionString(42 as unknown as string)).toThrow(EtcdInputError);
  });
});

describe("checkClientCredentials", () => {
  const fieldOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(EtcdInputError);
      for (const fragment of secretFragments()) expect((e as Error).message).not.toContain(fragment);
      return (e as EtcdInputError).field;
    }
    return undefined;
  };

  it("accepts matching PEMs unchanged", () => {
    expect(checkClientCredentials(CREDS_1)).toEqual(CREDS_1);
    expect(checkClientCredentials({ ...CREDS_2, ca: CREDS_2.ca + CREDS_2.ca })).toBeTruthy(); // a CA bundle
  });

  it("names the field of each problem", () => {
    expect(fieldOf(() => checkClientCredentials({ ...CREDS_1, cert: "garbage" }))).toBe("client_cert");
    expect(
      fieldOf(() =>
        checkClientCredentials({
          ...CREDS_1,
          ca: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
        }),
      ),
    ).toBe("client_ca");
    expect(fieldOf(() => checkClientCredentials({ ...CREDS_1, key: "" }))).toBe("client_key");
    expect(fieldOf(() => checkClientCredentials({ ...CREDS_1, key: CREDS_2.key }))).toBe("client_key");
    expect(fieldOf(() => checkClientCredentials({ ...CREDS_1, key: pem("ec.key") }))).toBe("client_key");
    expect(
      fieldOf(() =>
        checkClientCredentials({ ...CREDS_1, key: CREDS_1.key.replace(/\n[A-Za-z0-9+/]{10}/, "\n!!") }),
      ),
    ).toBe("client_key");
    expect(fieldOf(() => checkClientCredentials({ ...CREDS_1, cert: 7 } as never))).toBe("client_cert");
    expect(fieldOf(() => checkClientCredentials(null as never))).toBe("credentials");
  });
});
