import { pyDumps } from "@charm-relations/juju-secrets-core/protocol";
import { parseBag } from "@charm-relations/juju-secrets-core/schema";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import {
  etcdClient,
  etcdClientJsonSchemas,
  mtlsSecret,
  normaliseEndpoint,
  providerAppV0,
  providerAppV1,
  requirerAppV0,
  requirerAppV1,
  requirerUnit,
  tlsSecret,
  userSecret,
} from "../src/index.js";

const providerApp = z.union([providerAppV1, providerAppV0]);
const requirerApp = z.union([requirerAppV1, requirerAppV0]);

import { validate } from "../../juju-secrets-core/test-support/json-schema.js";
import {
  FIXTURE,
  type FixtureSnapshot,
  fixtureSecret,
  V1_PROVIDER_APP,
  V1_REQUIRER_APP,
  V1_REQUIRER_UNIT,
} from "./helpers.js";

const SNAPSHOTS: [string, FixtureSnapshot][] = [
  ["after_relate", FIXTURE.after_relate],
  ["before_remove_relation", FIXTURE.before_remove_relation],
];

const CERT = fixtureSecret(FIXTURE.after_relate, "etcd-client.0.mtls.secret").content_by_revision["1"]![
  "mtls-cert"
]!;

const ctx = { relation: { endpoint: "etcd-client", id: 0 }, side: "provider" as const, bag: "app" as const };

describe("golden fixture: every recorded databag and secret parses", () => {
  it.each(SNAPSHOTS)("%s: app and unit databags", (_, snap) => {
    const req = requirerAppV0.parse(snap.requirer_app_databag);
    expect(req.prefix).toBe("/requirer/");
    expect(req["provided-secrets"]).toEqual(["mtls-cert"]);
    expect(req["requested-secrets"]).toHaveLength(8);
    expect(requirerApp.parse(snap.requirer_app_databag)).toMatchObject({ prefix: "/requirer/" });
    const prov = providerAppV0.parse(snap.provider_app_databag);
    expect(prov.endpoints).toEqual(["10.1.0.10:2379"]);
    expect(prov.version).toBe("3.5.18");
    expect(prov.data?.prefix).toBe("/requirer/");
    expect(providerApp.parse(snap.provider_app_databag)).toMatchObject({ version: "3.5.18" });
    for (const bag of Object.values(snap.requirer_unit_databags)) {
      const unit = requirerUnit.parse(bag);
      expect(unit.data).toMatchObject({ endpoints: "10.1.0.10:2379", version: "3.5.18" });
    }
  });

  it.each(SNAPSHOTS)("%s: every revision of every secret", (_, snap) => {
    let n = 0;
    for (const secret of Object.values(snap.secrets)) {
      const schema = secret.owner_label.endsWith(".user.secret")
        ? userSecret
        : secret.owner_label.endsWith(".tls.secret")
          ? tlsSecret
          : mtlsSecret;
      for (const content of Object.values(secret.content_by_revision)) {
        expect(schema.safeParse(content).success).toBe(true);
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(3);
    const user = userSecret.parse(fixtureSecret(snap, "etcd-client.0.user.secret").content_by_revision["1"]);
    expect(user).toMatchObject({
      username: "requirer-charm",
      uris: ["https://10.1.0.10:2379"],
      password: "",
    });
    expect(
      tlsSecret.parse(fixtureSecret(snap, "etcd-client.0.tls.secret").content_by_revision["1"]).tls,
    ).toBe(true);
  });

  it.each(SNAPSHOTS)("%s: JSON-valued strings re-serialise to identical bytes", (_, snap) => {
    const jsonValues = [
      snap.requirer_app_databag["requested-secrets"]!,
      snap.requirer_app_databag["provided-secrets"]!,
      snap.provider_app_databag.data!,
      ...Object.values(snap.requirer_unit_databags).flatMap((b) => Object.values(b)),
    ];
    expect(jsonValues.length).toBeGreaterThanOrEqual(6);
    for (const raw of jsonValues) expect(pyDumps(JSON.parse(raw))).toBe(raw);
  });

  it("the constructed v1 example parses, and its JSON round-trips", () => {
    const req = requirerAppV1.parse(V1_REQUIRER_APP);
    expect(req.requests[0]).toMatchObject({ resource: "/requirer/", "request-id": "608a1f70eef7ba96" });
    const prov = providerAppV1.parse(V1_PROVIDER_APP);
    expect(prov.requests?.[0]?.endpoints).toEqual(["10.1.0.10:2379"]);
    expect(prov.data?.["608a1f70eef7ba96"]).toMatchObject({ salt: "Qm3xV9tLr2aB7cWd" });
    expect(requirerUnit.parse(V1_REQUIRER_UNIT).data).toHaveProperty("608a1f70eef7ba96");
    for (const raw of [
      V1_REQUIRER_APP.requests,
      V1_PROVIDER_APP.requests,
      V1_PROVIDER_APP.data,
      V1_REQUIRER_UNIT.data,
    ]) {
      expect(pyDumps(JSON.parse(raw))).toBe(raw);
    }
    expect(requirerApp.parse(V1_REQUIRER_APP)).toHaveProperty("version", "v1");
  });
});

describe("JSON Schema", () => {
  const schemas = etcdClientJsonSchemas();

  it("has a schema for every databag and secret, each a 2020-12 object schema with a title", () => {
    expect(Object.keys(schemas).sort()).toEqual([
      "mtlsSecret",
      "providerAppV0",
      "providerAppV1",
      "requirerAppV0",
      "requirerAppV1",
      "requirerUnit",
      "tlsSecret",
      "userSecret",
    ]);
    for (const s of Object.values(schemas)) {
      expect(s.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(s.type).toBe("object");
      expect(String(s.title)).toMatch(/^etcd_client /);
    }
  });

  it("validates the real bags and secrets of the golden fixture and the v1 example", () => {
    for (const [, snap] of SNAPSHOTS) {
      expect(validate(schemas.requirerAppV0!, snap.requirer_app_databag)).toEqual([]);
      expect(validate(schemas.providerAppV0!, snap.provider_app_databag)).toEqual([]);
      for (const bag of Object.values(snap.requirer_unit_databags))
        expect(validate(schemas.requirerUnit!, bag)).toEqual([]);
      for (const secret of Object.values(snap.secrets)) {
        const which = secret.owner_label.endsWith(".user.secret")
          ? "userSecret"
          : secret.owner_label.endsWith(".tls.secret")
            ? "tlsSecret"
            : "mtlsSecret";
        for (const c of Object.values(secret.content_by_revision))
          expect(validate(schemas[which]!, c)).toEqual([]);
      }
    }
    expect(validate(schemas.requirerAppV1!, V1_REQUIRER_APP)).toEqual([]);
    expect(validate(schemas.providerAppV1!, V1_PROVIDER_APP)).toEqual([]);
    expect(validate(schemas.requirerUnit!, V1_REQUIRER_UNIT)).toEqual([]);
  });

  it("rejects what the zod schemas reject", () => {
    const good = FIXTURE.after_relate.provider_app_databag;
    const cases: [string, Record<string, unknown>, Record<string, string>][] = [
      ["providerAppV0", schemas.providerAppV0!, { ...good, endpoints: "not an endpoint" }],
      ["providerAppV0", schemas.providerAppV0!, { ...good, "secret-user": "secret-ish" }],
      ["providerAppV0", schemas.providerAppV0!, { ...good, tls: "maybe" }],
      ["providerAppV0", schemas.providerAppV0!, { ...good, data: "{not json" }],
      ["requirerAppV0", schemas.requirerAppV0!, { "requested-secrets": "[]" }],
      ["requirerAppV0", schemas.requirerAppV0!, { prefix: "/a/", "requested-secrets": '{"a": 1}' }],
      ["requirerAppV1", schemas.requirerAppV1!, { ...V1_REQUIRER_APP, version: "v2" }],
      ["requirerAppV1", schemas.requirerAppV1!, { ...V1_REQUIRER_APP, requests: '[{"resource": "/x/"}]' }],
      ["userSecret", schemas.userSecret!, { username: "u", uris: "10.0.0.1:2379" }],
      ["mtlsSecret", schemas.mtlsSecret!, { "mtls-cert": "no pem here" }],
    ];
    for (const [name, schema, bag] of cases) {
      expect(validate(schema, bag), `${name} ${JSON.stringify(bag).slice(0, 60)}`).not.toEqual([]);
      const zod = {
        providerAppV0,
        requirerAppV0,
        requirerAppV1,
        userSecret,
        mtlsSecret,
      }[name as "providerAppV0"];
      expect(zod.safeParse(bag).success).toBe(false);
    }
  });
});

describe("values", () => {
  it("endpoints: host:port, legacy https:// items reduced to host:port, garbage refused", () => {
    expect(providerAppV0.parse({ endpoints: "10.0.0.1:2379, 10.0.0.2:2379," }).endpoints).toEqual([
      "10.0.0.1:2379",
      "10.0.0.2:2379",
    ]);
    expect(
      providerAppV0.parse({ endpoints: "https://10.0.0.1:2379,https://[fd00::1]:2379" }).endpoints,
    ).toEqual(["10.0.0.1:2379", "[fd00::1]:2379"]);
    expect(normaliseEndpoint("etcd-0.etcd.svc:2379")).toBe("etcd-0.etcd.svc:2379");
    expect(normaliseEndpoint("10.0.0.1")).toBeUndefined();
    expect(providerAppV0.safeParse({ endpoints: "" }).success).toBe(false);
  });

  it("tls: every spelling the real charms write", () => {
    for (const [v, out] of [
      ["True", true],
      ["true", true],
      ["False", false],
      ["enabled", true],
      ["", false],
    ] as const) {
      expect(tlsSecret.parse({ "tls-ca": CERT, tls: v }).tls).toBe(out);
    }
    expect(tlsSecret.safeParse({ "tls-ca": CERT, tls: "sometimes" }).success).toBe(false);
  });

  it("a bad bag becomes a RemoteDataError naming relation, side and key, never the value", () => {
    const r = parseBag(providerAppV0, { endpoints: "s3cr3t-looking-value" }, ctx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.key).toBe("endpoints");
    expect(r.error.message).toContain('etcd-client:0 provider app databag key "endpoints"');
    expect(r.error.message).not.toContain("s3cr3t");
  });

  it("secret contents: a user secret needs only the username (uris optional, as in the Python v1 model)", () => {
    expect(userSecret.safeParse({ username: "requirer-charm" }).success).toBe(true);
    expect(userSecret.safeParse({ username: "u", uris: "https://10.0.0.1:2379" }).success).toBe(true);
    expect(userSecret.safeParse({ username: "u", uris: "10.0.0.1:2379" }).success).toBe(false);
    expect(userSecret.safeParse({ username: "" }).success).toBe(false);
    expect(tlsSecret.safeParse({ "tls-ca": CERT }).success).toBe(true);
    expect(tlsSecret.safeParse({ "tls-ca": "" }).success).toBe(true); // "no CA" (protocol §2.4)
    expect(tlsSecret.safeParse({ "tls-ca": "not a certificate" }).success).toBe(false);
  });

  it("the interface definition matches the spec (prefix, mTLS, cross-model, the Python library's readiness)", () => {
    expect(etcdClient).toMatchObject({
      name: "etcd_client",
      resourceKey: "prefix",
      mtls: true,
      crossModelEncryption: true,
    });
    // The Python v1 requirer is ready on `secret-user`: the username, and somewhere to connect.
    expect([...etcdClient.ready.default].sort()).toEqual(["endpoints", "username"]);
  });
});
