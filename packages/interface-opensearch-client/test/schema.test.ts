/**
 * The schemas accept every recorded bag and secret, re-serialise the JSON-valued strings to the
 * recorded bytes, refuse what opensearch-operator could not have written, and publish JSON Schemas that
 * accept the recorded bags. The requirer refuses options it could not send.
 */
import { readFileSync } from "node:fs";
import type { Charm } from "@charm-relations/juju-secrets-core";
import { parseJson, pyDumps } from "@charm-relations/juju-secrets-core/protocol";
import { describe, expect, it } from "vitest";
import {
  entitySecret,
  OpenSearchRequirer,
  opensearchJsonSchemas,
  providerAppV0,
  providerUnit,
  requirerAppV0,
  requirerUnit,
  tlsSecret,
  userSecret,
} from "../src/index.js";

type Bag = Record<string, string>;
const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/opensearch_client.v0.json", import.meta.url), "utf8"),
);
const snapshots = [fixture.after_relate, fixture.before_remove_relation] as {
  provider_app_databag: Bag;
  provider_unit_databags: Record<string, Bag>;
  requirer_app_databag: Bag;
  requirer_unit_databags: Record<string, Bag>;
  secrets: Record<string, { owner_label: string; content_by_revision: Record<string, Bag> }>;
}[];
const JSON_KEYS = ["data", "requested-secrets", "provided-secrets"];

describe("the recorded databags", () => {
  it.each(snapshots.map((s, i) => [i, s] as const))(
    "snapshot %i: every bag and every secret revision parses",
    (_i, s) => {
      const provider = providerAppV0.parse(s.provider_app_databag);
      expect(provider).toMatchObject({ endpoints: ["10.1.0.10:9200"], index: "myindex", version: "2.17.0" });
      expect(provider.data).toMatchObject({ index: "myindex", "extra-user-roles": "admin" });
      const requirer = requirerAppV0.parse(s.requirer_app_databag);
      expect(requirer).toMatchObject({
        index: "myindex",
        "extra-user-roles": ["admin"],
        "provided-secrets": ["mtls-cert"],
      });
      for (const bag of Object.values(s.requirer_unit_databags))
        expect(requirerUnit.parse(bag).data).toMatchObject({ index: "myindex" });
      for (const bag of Object.values(s.provider_unit_databags)) providerUnit.parse(bag);
      for (const secret of Object.values(s.secrets)) {
        const schema = secret.owner_label.endsWith(".user.secret") ? userSecret : tlsSecret;
        for (const content of Object.values(secret.content_by_revision))
          expect(schema.parse(content)).toEqual(content);
      }
    },
  );

  it("re-serialising every JSON-valued string gives the recorded bytes", () => {
    let checked = 0;
    for (const s of snapshots) {
      for (const bag of [
        s.provider_app_databag,
        s.requirer_app_databag,
        ...Object.values(s.requirer_unit_databags),
      ]) {
        for (const k of JSON_KEYS.filter((k) => bag[k] !== undefined)) {
          expect(pyDumps((parseJson(bag[k]!) as { value: unknown }).value)).toBe(bag[k]);
          checked++;
        }
      }
    }
    expect(checked).toBe(14);
  });

  it("the JSON Schemas accept the recorded bags and mark the index required", () => {
    const schemas = opensearchJsonSchemas();
    // Every recorded value is a string matching its property's pattern; required keys are present.
    const accepts = (schema: Record<string, unknown>, bag: Bag) => {
      const props = schema.properties as Record<string, { type?: string; pattern?: string }>;
      for (const k of (schema.required ?? []) as string[]) expect(bag, k).toHaveProperty(k);
      for (const [k, v] of Object.entries(bag)) {
        expect(props[k]?.type ?? "string", k).toBe("string");
        if (props[k]?.pattern) expect(v, k).toMatch(new RegExp(props[k].pattern, "u"));
      }
    };
    for (const s of snapshots) {
      accepts(schemas.providerApp, s.provider_app_databag);
      accepts(schemas.requirerApp, s.requirer_app_databag);
      for (const bag of Object.values(s.requirer_unit_databags)) accepts(schemas.requirerUnit, bag);
    }
    expect(schemas.requirerApp.required).toEqual(["index"]);
    expect(Object.keys(schemas.providerApp.properties as object)).toEqual(
      expect.arrayContaining(["index", "endpoints", "version", "secret-user", "secret-tls"]),
    );
    expect(JSON.stringify(schemas.providerApp)).toContain("application/json");
    expect(Object.keys(schemas.entitySecret.properties as object)).toEqual([
      "entity-name",
      "entity-password",
    ]);
  });
});

describe("what the schemas refuse", () => {
  it.each([
    ["endpoints with a scheme", { endpoints: "https://10.1.0.10:9200" }, "endpoints"],
    ["a port out of range", { endpoints: "10.1.0.10:99999" }, "endpoints"],
    ["an empty index echo", { index: "" }, "index"],
    ["a secret reference that is no URI", { "secret-user": "not a uri" }, "secret-user"],
    ["a snapshot that is not JSON", { data: '{"index": "x"' }, "data"],
  ])("%s", (_name, bag, key) => {
    const r = providerAppV0.safeParse(bag);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path[0]).toBe(key);
  });

  it("a request without index, with a GROUP and user roles, or permissions without entity-type", () => {
    expect(requirerAppV0.safeParse({ "extra-user-roles": "admin" }).success).toBe(false);
    expect(
      requirerAppV0.safeParse({ index: "i", "entity-type": "GROUP", "extra-user-roles": "admin" }).success,
    ).toBe(false);
    expect(requirerAppV0.safeParse({ index: "i", "entity-permissions": "[]" }).success).toBe(false);
    expect(userSecret.safeParse({ password: "p" }).success).toBe(false);
    expect(entitySecret.safeParse({ "entity-name": "" }).success).toBe(false);
  });
});

describe("requirer options", () => {
  const charm = { on: () => () => {}, model: {} } as unknown as Charm;
  it.each([
    [{ index: "" }, "index"],
    [{ index: " myindex" }, "index"],
    [{ index: "i", extraUserRoles: ["admin,default"] }, "extraUserRoles"],
    [{ index: "i", entityType: "GROUP", extraUserRoles: ["admin"] }, "extraUserRoles"],
    [{ index: "i", entityPermissions: [] }, "entityPermissions"],
  ] as const)("%j is refused naming %s", (options, field) => {
    expect(() => new OpenSearchRequirer(charm, options as never)).toThrow(expect.objectContaining({ field }));
  });
});
