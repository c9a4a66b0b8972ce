/**
 * The recorded mongodb_client databags (fixtures/mongodb_client.v0.json, written by the Python library on
 * both sides) through our schemas: every bag and secret revision accepted, every JSON-in-a-string value
 * re-serialised to the recorded bytes, and the JSON Schemas agreeing with zod.
 */
import { readFileSync } from "node:fs";
import { parseJson, pyDumps, v0Snapshot } from "@charm-relations/juju-secrets-core/protocol";
import { describe, expect, it } from "vitest";
import { validate } from "../../juju-secrets-core/test-support/json-schema.js";
import {
  mongodbJsonSchemas,
  mongodbUri,
  providerAnsweredAppV0,
  providerAppV0,
  providerUnit,
  requirerAppV0,
  requirerUnit,
  userSecret,
} from "../src/index.js";

interface Snapshot {
  provider_app_databag: Record<string, string>;
  provider_unit_databags: Record<string, Record<string, string>>;
  requirer_app_databag: Record<string, string>;
  requirer_unit_databags: Record<string, Record<string, string>>;
  secrets: Record<
    string,
    { owner_label: string; content_by_revision: Record<string, Record<string, string>> }
  >;
}
const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/mongodb_client.v0.json", import.meta.url), "utf8"),
);
const snapshots = [fixture.after_relate, fixture.before_remove_relation] as Snapshot[];
const reDump = (s: string) => pyDumps((parseJson(s) as { value: unknown }).value);

describe("the recorded databags", () => {
  it.each(snapshots.map((s, i) => [i, s] as const))(
    "snapshot %i: every bag and secret revision parses",
    (_i, s) => {
      const provider = providerAppV0.parse(s.provider_app_databag);
      expect(provider.endpoints).toEqual(["10.1.0.10"]);
      expect(provider.replset).toBe("provider");
      expect(provider.data).toMatchObject({ database: "myapp" });
      expect(providerAnsweredAppV0.safeParse(s.provider_app_databag).success).toBe(true);
      const requirer = requirerAppV0.parse(s.requirer_app_databag);
      expect(requirer.database).toBe("myapp");
      expect(requirer["provided-secrets"]).toEqual(["mtls-cert"]);
      for (const bag of Object.values(s.requirer_unit_databags)) {
        expect(requirerUnit.parse(bag).data).toMatchObject({ endpoints: "10.1.0.10", replset: "provider" });
      }
      for (const bag of Object.values(s.provider_unit_databags)) providerUnit.parse(bag);
      for (const secret of Object.values(s.secrets)) {
        expect(secret.owner_label).toBe("database.0.user.secret");
        for (const content of Object.values(secret.content_by_revision)) {
          const user = userSecret.parse(content);
          expect(user.username).toBe("relation-0");
          expect(user.uris).toBe(
            mongodbUri({
              username: "relation-0",
              password: user.password!,
              hosts: ["10.1.0.10"],
              database: "myapp",
              replset: "provider",
            }),
          );
        }
      }
    },
  );

  it("re-serialises every JSON-valued string to the recorded bytes", () => {
    for (const s of snapshots) {
      const p = s.provider_app_databag;
      expect(v0Snapshot(s.requirer_app_databag)).toBe(p.data);
      expect(reDump(p.data!)).toBe(p.data);
      for (const bag of [s.requirer_app_databag, ...Object.values(s.requirer_unit_databags)]) {
        for (const k of ["requested-secrets", "provided-secrets", "data"]) {
          if (bag[k] !== undefined) expect(reDump(bag[k]!)).toBe(bag[k]);
        }
      }
      const { data: _d, ...answer } = p;
      for (const bag of Object.values(s.requirer_unit_databags)) expect(bag.data).toBe(v0Snapshot(answer));
    }
  });
});

describe("value rules", () => {
  it("bounds the requested database name as MongoDB does (under 64 bytes), naming `database`", () => {
    const base = { "requested-secrets": '["username", "password"]' };
    expect(requirerAppV0.safeParse({ ...base, database: "d".repeat(63) }).success).toBe(true);
    for (const database of ["d".repeat(64), "é".repeat(32), "d".repeat(1 << 20)]) {
      const r = requirerAppV0.safeParse({ ...base, database });
      expect(r.error?.issues[0]?.path).toEqual(["database"]);
      expect(r.error?.issues[0]?.message).toContain("64 bytes");
    }
  });

  it("reads hosts with or without port and one connection string, refuses junk naming the field", () => {
    expect(providerAppV0.parse({ endpoints: "10.1.0.10,10.1.0.11:27018" }).endpoints).toEqual([
      "10.1.0.10",
      "10.1.0.11:27018",
    ]);
    const bad = providerAppV0.safeParse({ endpoints: "mongodb://10.1.0.10" });
    expect(bad.error?.issues[0]?.path).toEqual(["endpoints"]);
    const uri = "mongodb://u:p@10.1.0.10:27017,10.1.0.11:27017/db?replicaSet=rs&authSource=admin";
    expect(userSecret.parse({ username: "u", password: "p", uris: uri }).uris).toBe(uri);
    expect(userSecret.safeParse({ username: "u", uris: "postgresql://x" }).error?.issues[0]?.path).toEqual([
      "uris",
    ]);
  });

  it("writes the connection string like mongodb-operator (quote_plus, replicaSet, authSource)", () => {
    expect(
      mongodbUri({
        username: "relation-3",
        password: "a b/c+d!",
        hosts: ["10.0.0.1", "10.0.0.2"],
        database: "my db",
        replset: "mongodb",
      }),
    ).toBe(
      "mongodb://relation-3:a+b%2Fc%2Bd%21@10.0.0.1:27017,10.0.0.2:27017/my+db?replicaSet=mongodb&authSource=admin",
    );
    expect(mongodbUri({ username: "u", password: "p", hosts: ["mongos.local:27018"], database: "d" })).toBe(
      "mongodb://u:p@mongos.local:27018/d?authSource=admin",
    );
  });
});

describe("JSON Schema", () => {
  it("accepts the recorded bags and secrets, refuses what zod refuses", () => {
    const js = mongodbJsonSchemas();
    for (const s of snapshots) {
      expect(validate(js.providerApp!, s.provider_app_databag)).toEqual([]);
      expect(validate(js.providerAnsweredApp!, s.provider_app_databag)).toEqual([]);
      expect(validate(js.requirerApp!, s.requirer_app_databag)).toEqual([]);
      for (const bag of Object.values(s.requirer_unit_databags))
        expect(validate(js.requirerUnit!, bag)).toEqual([]);
      for (const bag of Object.values(s.provider_unit_databags))
        expect(validate(js.providerUnit!, bag)).toEqual([]);
      for (const secret of Object.values(s.secrets)) {
        for (const content of Object.values(secret.content_by_revision))
          expect(validate(js.userSecret!, content)).toEqual([]);
      }
    }
    expect(validate(js.requirerApp!, { "requested-secrets": "[]" })).not.toEqual([]);
    expect(validate(js.providerApp!, { endpoints: "mongodb://10.1.0.10" })).not.toEqual([]);
    expect(validate(js.userSecret!, { password: "x" })).not.toEqual([]);
  });
});
