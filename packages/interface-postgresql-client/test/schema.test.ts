import { readFileSync } from "node:fs";
import { parseJson, pyDumps, v0Snapshot } from "@charm-relations/juju-secrets-core/protocol";
import { bagError } from "@charm-relations/juju-secrets-core/schema";
import { describe, expect, it } from "vitest";
import { validate } from "../../juju-secrets-core/test-support/json-schema.js";
import {
  EXAMPLE_PLAIN_PROVIDER_APP_DATABAG,
  JSON_SCHEMA_NAMES,
  jsonSchema,
  jsonSchemas,
  providerAnsweredAppV0,
  providerAppV0,
  providerUnit,
  requirerAppV0,
  requirerUnit,
  tlsSecret,
  userSecret,
} from "../src/index.js";

const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/postgresql_client.v0.json", import.meta.url), "utf8"),
);
const snapshots = [fixture.after_relate, fixture.before_remove_relation] as {
  provider_app_databag: Record<string, string>;
  provider_unit_databags: Record<string, Record<string, string>>;
  requirer_app_databag: Record<string, string>;
  requirer_unit_databags: Record<string, Record<string, string>>;
  secrets: Record<
    string,
    { owner_label: string; content_by_revision: Record<string, Record<string, string>> }
  >;
}[];
const REL = { endpoint: "database", id: 0 };

describe("the recorded databags parse", () => {
  it.each(snapshots.map((s, i) => [i, s] as const))(
    "snapshot %i: every bag and every secret revision",
    (_i, s) => {
      const provider = providerAppV0.parse(s.provider_app_databag);
      expect(provider.endpoints).toEqual(["10.1.0.10:5432"]);
      expect(provider.data).toMatchObject({ database: "myapp" });
      expect(providerAnsweredAppV0.safeParse(s.provider_app_databag).success).toBe(true);
      const requirer = requirerAppV0.parse(s.requirer_app_databag);
      expect(requirer["requested-secrets"]).toContain("read-only-uris");
      expect(requirer["provided-secrets"]).toEqual(["mtls-cert"]);
      for (const bag of Object.values(s.requirer_unit_databags)) {
        expect(requirerUnit.parse(bag).data).toMatchObject({ version: "16.8.1" });
      }
      for (const bag of Object.values(s.provider_unit_databags)) providerUnit.parse(bag);
      for (const secret of Object.values(s.secrets)) {
        const schema = secret.owner_label.endsWith(".user.secret") ? userSecret : tlsSecret;
        for (const content of Object.values(secret.content_by_revision)) schema.parse(content);
      }
      expect(tlsSecret.parse({ tls: "False", "tls-ca": "" })).toEqual({ tls: false, "tls-ca": "" });
    },
  );

  it("re-serialising every JSON-valued string gives the recorded bytes", () => {
    for (const s of snapshots) {
      const p = s.provider_app_databag;
      // `data` is the sorted snapshot of the requirer app bag, Python's json.dumps bytes.
      expect(v0Snapshot(s.requirer_app_databag)).toBe(p.data);
      expect(pyDumps((parseJson(p.data!) as { value: unknown }).value)).toBe(p.data);
      for (const bag of [s.requirer_app_databag, ...Object.values(s.requirer_unit_databags)]) {
        for (const k of ["requested-secrets", "provided-secrets", "data"]) {
          if (bag[k] === undefined) continue;
          expect(pyDumps((parseJson(bag[k]!) as { value: unknown }).value)).toBe(bag[k]);
        }
      }
      for (const bag of Object.values(s.requirer_unit_databags)) {
        const { data: _d, ...providerBag } = p;
        expect(bag.data).toBe(v0Snapshot(providerBag));
      }
    }
  });
});

describe("JSON Schema", () => {
  it("exists for every bag and secret, is cached but returned as a copy", () => {
    expect(JSON_SCHEMA_NAMES).toEqual([
      "requirer-app",
      "requirer-unit",
      "provider-app",
      "provider-app-answered",
      "provider-unit",
      "secret-user",
      "secret-tls",
      "secret-entity",
      "requested-entity-secret",
    ]);
    const a = jsonSchema("requirer-app");
    a.title = "changed";
    expect(jsonSchema("requirer-app").title).not.toBe("changed");
    expect(() => jsonSchema("nope" as never)).toThrow(/no JSON Schema named "nope"/);
  });

  it("validates its own examples and the recorded bags", () => {
    for (const [name, schema] of Object.entries(jsonSchemas())) {
      for (const example of schema.examples as unknown[]) expect(validate(schema, example), name).toEqual([]);
    }
    for (const s of snapshots) {
      expect(validate(jsonSchema("provider-app"), s.provider_app_databag)).toEqual([]);
      expect(validate(jsonSchema("provider-app-answered"), s.provider_app_databag)).toEqual([]);
      expect(validate(jsonSchema("requirer-app"), s.requirer_app_databag)).toEqual([]);
      for (const bag of Object.values(s.requirer_unit_databags))
        expect(validate(jsonSchema("requirer-unit"), bag)).toEqual([]);
      for (const bag of Object.values(s.provider_unit_databags))
        expect(validate(jsonSchema("provider-unit"), bag)).toEqual([]);
      for (const secret of Object.values(s.secrets)) {
        const name = secret.owner_label.endsWith(".user.secret") ? "secret-user" : "secret-tls";
        for (const content of Object.values(secret.content_by_revision))
          expect(validate(jsonSchema(name), content)).toEqual([]);
      }
    }
    expect(validate(jsonSchema("provider-app-answered"), EXAMPLE_PLAIN_PROVIDER_APP_DATABAG)).toEqual([]);
  });

  it("rejects what the zod schemas reject where JSON Schema can say it", () => {
    const bad: [string, Record<string, unknown>][] = [
      ["requirer-app", { "requested-secrets": "[]" }],
      ["requirer-app", { database: "x", "entity-type": "ROLE" }],
      ["requirer-app", { database: "x", "requested-secrets": '["a", 1]' }],
      ["requirer-app", { database: "x", "requested-secrets": "not json" }],
      ["requirer-app", { database: "x", "entity-permissions": '[{"resource_name": "t"}]' }],
      ["requirer-app", { database: "x", "external-node-connectivity": "maybe" }],
      ["requirer-app", { database: "x", "requested-entity-secret": "http://x" }],
      ["provider-app", { endpoints: "10.0.0.1:-1" }],
      ["provider-app", { endpoints: "10.0.0.1" }],
      ["provider-app", { "secret-user": "secret:short" }],
      ["provider-app", { uris: "mysql://u:p@h/db" }],
      ["provider-app", { status: '[{"code": "x"}]' }],
      ["provider-app", { tls: "yes please" }],
      ["provider-app-answered", { database: "myapp", endpoints: "10.1.0.10:5432", version: "16" }],
      ["provider-unit", { state: "almost" }],
      ["secret-user", { password: "p" }],
      ["secret-entity", {}],
      ["requirer-unit", { data: '{"a": 1}' }],
    ];
    for (const [name, bag] of bad) {
      expect(validate(jsonSchema(name), bag), `${name} ${JSON.stringify(bag)}`).not.toEqual([]);
    }
  });
});

describe("bad input on each field: typed error naming the key, never the value", () => {
  const requirerCases: [string, Record<string, string>][] = [
    ["database", {}],
    ["database", { database: "" }],
    ["database", { database: "ab*" }],
    ["database", { database: "a*b" }],
    ["database", { database: " myapp" }],
    ["requested-secrets", { database: "x", "requested-secrets": '{"username": true}' }],
    ["provided-secrets", { database: "x", "provided-secrets": "[1]" }],
    ["entity-type", { database: "x", "entity-type": "user" }],
    ["entity-permissions", { database: "x", "entity-type": "USER", "entity-permissions": "[]x" }],
    [
      "entity-permissions",
      {
        database: "x",
        "entity-type": "USER",
        "entity-permissions": '[{"resource_name": "t", "resource_type": "TABLE", "privileges": []}]',
      },
    ],
    [
      "entity-permissions",
      {
        database: "x",
        "entity-permissions": '[{"resource_name": "t", "resource_type": "T", "privileges": ["SELECT"]}]',
      },
    ],
    ["requested-entity-secret", { database: "x", "requested-entity-secret": "s3cr3t-value" }],
    ["external-node-connectivity", { database: "x", "external-node-connectivity": "sometimes" }],
    ["extra-user-roles", { database: "x", "entity-type": "GROUP", "extra-user-roles": "admin" }],
    ["extra-group-roles", { database: "x", "extra-group-roles": "charmed_read" }],
  ];
  it.each(requirerCases)("requirer app bag: %s", (key, bag) => {
    const err = bagError(requirerAppV0, bag, { relation: REL, side: "requirer", bag: "app" });
    expect(err?.name).toBe("RemoteDataError");
    // Inside JSON values the path goes on (`entity-permissions[0].privileges`).
    expect(err?.key?.startsWith(key)).toBe(true);
    expect(err?.message).toMatch(new RegExp(`^database:0 requirer app databag key "${key}`));
    expect(err?.message).not.toContain("s3cr3t-value");
  });

  const providerCases: [string, Record<string, string>][] = [
    ["endpoints", { endpoints: "192.168.0.7:-1" }],
    ["endpoints", { endpoints: "host:70000" }],
    ["read-only-endpoints", { "read-only-endpoints": "postgresql://h:1" }],
    ["version", { version: "" }],
    ["secret-user", { "secret-user": "secret://not-a-uuid/0qo3fklh59sgbav5gc67" }],
    ["secret-tls", { "secret-tls": "0qo3" }],
    ["secret-entity", { "secret-entity": "x" }],
    ["subordinated", { subordinated: "yes!" }],
    ["status", { status: '[{"code": 4001, "message": "m"}]' }],
    ["data", { data: "{" }],
    ["uris", { uris: "postgresq://relation-0:pw@h:5432/db" }],
    ["tls", { tls: "Tru" }],
    ["username", { username: "" }],
  ];
  it.each(providerCases)("provider app bag: %s", (key, bag) => {
    const err = bagError(providerAppV0, bag, { relation: REL, side: "provider", bag: "app" });
    expect(err?.key?.startsWith(key)).toBe(true);
    expect(err?.issues[0]?.side).toBe("provider");
    for (const v of Object.values(bag)) if (v.length > 4) expect(err?.message).not.toContain(v);
  });

  it("secret content: every field checked with its codec (the engine names it secret-<group>/<field>)", () => {
    const where = { relation: REL, side: "provider", bag: "app" } as const;
    const err = bagError(userSecret.partial(), { username: "u", uris: "jdbc:pg" }, where);
    expect(err?.issues.map((i) => i.key)).toEqual(["uris"]);
    expect(err?.message).not.toContain("jdbc:pg");
    expect(bagError(tlsSecret, { tls: "maybe" }, where)?.key).toBe("tls");
    expect(bagError(tlsSecret, { tls: "False", "tls-ca": "" }, where)).toBeUndefined();
    expect(bagError(userSecret, { username: "" }, where)?.key).toBe("username");
  });

  it("reads every boolean spelling, comma lists leniently, and keeps unknown keys", () => {
    for (const [v, b] of [
      ["True", true],
      ["true", true],
      ["enabled", true],
      [" YES ", true],
      ["1", true],
      ["False", false],
      ["false", false],
      ["disabled", false],
      ["", false],
      ["off", false],
    ] as const) {
      expect(providerAppV0.parse({ tls: v }).tls, v).toBe(b);
    }
    expect(providerAppV0.parse({ endpoints: " a:1, b:2,, " }).endpoints).toEqual(["a:1", "b:2"]);
    expect(providerAppV0.parse({ endpoints: "[::1]:5432" }).endpoints).toEqual(["[::1]:5432"]);
    expect(providerAppV0.parse({ "prefix-databases": "db1,db2" })["prefix-databases"]).toEqual([
      "db1",
      "db2",
    ]);
    expect(providerAppV0.parse({ resource: "x", salt: "y" })).toMatchObject({
      resource: "x",
      salt: "y",
    });
    expect(requirerAppV0.parse({ database: "myapp*", alias: "a1" })).toMatchObject({
      database: "myapp*",
    });
  });
});
