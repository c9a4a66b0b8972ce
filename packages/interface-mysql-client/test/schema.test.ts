/**
 * The recorded mysql_client databags (fixtures/mysql_client.v0.json, written by the Python library on
 * both sides) through our schemas: every bag and secret revision accepted, every JSON-in-a-string value
 * re-serialised to the recorded bytes, and the JSON Schemas agreeing with zod.
 */
import { readFileSync } from "node:fs";
import { databaseRequestSpec } from "@charm-relations/juju-secrets-core/interface";
import { parseJson, pyDumps, v0Snapshot } from "@charm-relations/juju-secrets-core/protocol";
import { describe, expect, it } from "vitest";
import { validate } from "../../juju-secrets-core/test-support/json-schema.js";
import {
  mysqlJsonSchemas,
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
const fixture = JSON.parse(readFileSync(new URL("./fixtures/mysql_client.v0.json", import.meta.url), "utf8"));
const snapshots = [fixture.after_relate, fixture.before_remove_relation] as Snapshot[];
const reDump = (s: string) => pyDumps((parseJson(s) as { value: unknown }).value);

describe("the recorded databags", () => {
  it.each(snapshots.map((s, i) => [i, s] as const))(
    "snapshot %i: every bag and secret revision parses",
    (_i, s) => {
      const provider = providerAppV0.parse(s.provider_app_databag);
      expect(provider.endpoints).toEqual(["10.1.0.10:3306"]);
      expect(provider["read-only-endpoints"]).toEqual(["10.1.0.10:3306"]);
      expect(provider.version).toBe("8.0.39-0ubuntu0.22.04.1");
      expect(provider.data).toMatchObject({ database: "myapp" });
      expect(providerAnsweredAppV0.safeParse(s.provider_app_databag).success).toBe(true);
      const requirer = requirerAppV0.parse(s.requirer_app_databag);
      expect(requirer.database).toBe("myapp");
      expect(requirer["provided-secrets"]).toEqual(["mtls-cert"]);
      for (const bag of Object.values(s.requirer_unit_databags)) {
        expect(requirerUnit.parse(bag).data).toMatchObject({ version: "8.0.39-0ubuntu0.22.04.1" });
      }
      for (const bag of Object.values(s.provider_unit_databags)) providerUnit.parse(bag);
      for (const secret of Object.values(s.secrets)) {
        expect(secret.owner_label).toBe("database.0.user.secret");
        for (const content of Object.values(secret.content_by_revision)) {
          expect(userSecret.parse(content).username).toBe("relation-0_19278713a1924e4");
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
  it("reads the K8s and mysql-router endpoint spellings, refuses junk naming the field", () => {
    const k8s = "mysql-k8s-primary.dev.svc.cluster.local.:3306";
    expect(providerAppV0.parse({ endpoints: k8s }).endpoints).toEqual([k8s]);
    const socket = "file:///var/snap/charmed-mysql/common/run/mysqlrouter/mysql.sock";
    expect(
      providerAppV0.parse({ endpoints: socket, "read-only-endpoints": "10.0.0.1:6447" }).endpoints,
    ).toEqual([socket]);
    const bad = providerAppV0.safeParse({ endpoints: "http://10.0.0.1:3306" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["endpoints"]);
  });

  it("refuses bad requirer options before anything is written", () => {
    expect(() => databaseRequestSpec({ database: " myapp" })).toThrow(/database/);
    expect(() => databaseRequestSpec({ database: "myapp", extraGroupRoles: ["r"] })).toThrow(
      /extraGroupRoles/,
    );
    expect(
      databaseRequestSpec({ database: "mysql_innodb_cluster_metadata", extraUserRoles: ["mysqlrouter"] }),
    ).toEqual({
      resource: "mysql_innodb_cluster_metadata",
      extraUserRoles: ["mysqlrouter"],
    });
  });
});

describe("JSON Schema", () => {
  it("accepts the recorded bags and secrets, refuses what zod refuses", () => {
    const js = mysqlJsonSchemas();
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
    expect(validate(js.providerApp!, { endpoints: "no port" })).not.toEqual([]);
    expect(validate(js.userSecret!, { password: "x" })).not.toEqual([]);
  });
});
