/**
 * The zod schemas against the golden fixtures: every recorded databag and secret parses, every
 * JSON-valued string re-serialises to identical bytes, the generated JSON Schemas accept the real
 * bags and reject broken ones, and parse errors name the key without leaking the value.
 */
import {
  formatRequests,
  pyDumps,
  serializeRequestObject,
  serializeResponseObject,
  v0Snapshot,
} from "@charm-relations/juju-secrets-core/protocol";
import { parseBag } from "@charm-relations/juju-secrets-core/schema";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { valkeyClient } from "../src/definition.js";
import {
  isUsernameOfRelation,
  providerAppV0,
  providerAppV1,
  providerUnit,
  request,
  requirerAppV0,
  requirerAppV1,
  requirerUnit,
  response,
  tlsSecret,
  userSecret,
  valkeyJsonSchemas,
  valkeyUsername,
} from "../src/schema.js";

const providerAppBag = z.union([providerAppV1, providerAppV0]);
const requirerAppBag = z.union([requirerAppV1, requirerAppV0]);

import { validate } from "../../juju-secrets-core/test-support/json-schema.js";
import { type Fixture, loadFixture, type RecordedSnapshot } from "./harness.js";

const v1 = loadFixture("valkey_client.v1");
const v0 = loadFixture("valkey_client.v0-requirer");
const snapshots = (f: Fixture): [string, RecordedSnapshot][] => [
  ["after_relate", f.after_relate],
  ["before_remove_relation", f.before_remove_relation],
];
const ctx = { relation: { endpoint: "valkey-client", id: 0 }, side: "provider", bag: "app" } as const;
const responseOptions = {
  extraKeys: [...(valkeyClient.responseExtraKeys ?? [])],
  trailingMtlsCert: valkeyClient.trailingMtlsCert ?? false,
};
const requestOptions = { trailingMtlsCert: valkeyClient.trailingMtlsCert ?? false };

describe("recorded v1 databags", () => {
  for (const [when, snap] of snapshots(v1)) {
    it(`${when}: every bag parses with the v1 schemas`, () => {
      const provider = providerAppV1.parse(snap.provider_app_databag);
      expect(provider.requests).toHaveLength(2);
      expect(provider.requests?.[0]?.["sentinel-endpoints"]).toEqual(["10.1.0.10:26379"]);
      expect(provider.requests?.[0]?.mode).toBe("sentinel");
      expect(provider.requests?.[0]?.["mtls-cert"]).toBeNull();
      expect(Object.keys(provider.data ?? {})).toEqual(["589eb0c1e776d6fb", "b787d35c84b32edd"]);
      const requirer = requirerAppV1.parse(snap.requirer_app_databag);
      expect(requirer.requests.map((r) => r.resource)).toEqual(["requirer-charm:*", "*"]);
      expect(requirer.requests[0]?.["external-node-connectivity"]).toBe(false);
      for (const bag of Object.values(snap.requirer_unit_databags))
        expect(requirerUnit.parse(bag).data).toBeDefined();
      for (const bag of Object.values(snap.provider_unit_databags)) providerUnit.parse(bag);
      // The unions pick the right branch.
      expect(providerAppBag.parse(snap.provider_app_databag).version).toBe("v1");
      expect(requirerAppBag.parse(snap.requirer_app_databag)).toHaveProperty("requests");
    });

    it(`${when}: requests, data and snapshots re-serialise to identical bytes`, () => {
      const p = snap.provider_app_databag;
      const responses = JSON.parse(p.requests!) as Record<string, unknown>[];
      expect(formatRequests(responses.map((r) => serializeResponseObject(r, responseOptions)))).toBe(
        p.requests,
      );
      expect(pyDumps(JSON.parse(p.data!))).toBe(p.data);
      const r = snap.requirer_app_databag;
      const requests = JSON.parse(r.requests!) as Record<string, unknown>[];
      expect(formatRequests(requests.map((q) => serializeRequestObject(q, requestOptions)))).toBe(r.requests);
      for (const bag of Object.values(snap.requirer_unit_databags))
        expect(pyDumps(JSON.parse(bag.data!))).toBe(bag.data);
    });
  }

  it("every recorded secret parses: usernames relation-<id>-<request-id>, tls as false without a CA", () => {
    for (const [, snap] of snapshots(v1)) {
      for (const s of Object.values(snap.secrets)) {
        const content = s.content_by_revision[String(s.latest_revision)]!;
        const requestId = s.owner_label.split(".")[2]!;
        if (s.owner_label.endsWith(".user.secret")) {
          expect(userSecret.parse(content).username).toBe(valkeyUsername(0, requestId));
        } else {
          const tls = tlsSecret.parse(content);
          expect(tls.tls).toBe(false);
          expect(tls["tls-ca"]).toBeUndefined();
        }
      }
    }
  });
});

describe("recorded v0 databags (v1 provider answering DatabaseRequires)", () => {
  for (const [when, snap] of snapshots(v0)) {
    it(`${when}: every bag parses with the v0 schemas`, () => {
      const provider = providerAppV0.parse(snap.provider_app_databag);
      expect(provider.sentinel_endpoints).toEqual(["10.1.0.10:26379"]);
      expect(provider.database).toBe("requirer-charm:*");
      expect(provider.version).toBe("9.0.1");
      // The Python provider's snapshot is a v1-style object with real arrays.
      expect(provider.data?.["requested-secrets"]).toBeInstanceOf(Array);
      const requirer = requirerAppV0.parse(snap.requirer_app_databag);
      expect(requirer.database).toBe("requirer-charm:*");
      expect(requirer["requested-secrets"]).toContain("tls-ca");
      for (const bag of Object.values(snap.requirer_unit_databags)) requirerUnit.parse(bag);
      expect(providerAppBag.parse(snap.provider_app_databag)).toHaveProperty("sentinel_endpoints");
      expect(requirerAppBag.parse(snap.requirer_app_databag)).toHaveProperty("database");
    });

    it(`${when}: snapshots and secret lists re-serialise to identical bytes`, () => {
      for (const bag of Object.values(snap.requirer_unit_databags)) {
        expect(v0Snapshot(JSON.parse(bag.data!) as Record<string, string>)).toBe(bag.data);
        if (bag["requested-secrets"])
          expect(pyDumps(JSON.parse(bag["requested-secrets"]))).toBe(bag["requested-secrets"]);
      }
      const r = snap.requirer_app_databag;
      expect(pyDumps(JSON.parse(r["requested-secrets"]!))).toBe(r["requested-secrets"]);
      expect(pyDumps(JSON.parse(r["provided-secrets"]!))).toBe(r["provided-secrets"]);
      expect(pyDumps(JSON.parse(snap.provider_app_databag.data!))).toBe(snap.provider_app_databag.data);
    });
  }

  it("v0 usernames are relation-<id>; every revision parses", () => {
    for (const [, snap] of snapshots(v0)) {
      for (const s of Object.values(snap.secrets)) {
        for (const content of Object.values(s.content_by_revision)) {
          if (s.owner_label === "valkey-client.0.user.secret")
            expect(userSecret.parse(content).username).toBe("relation-0");
          else expect(tlsSecret.parse(content).tls).toBe(false);
        }
      }
    }
  });
});

describe("upstream spec examples (hand-made: no nulls, no data)", () => {
  it("parse with the same schemas", () => {
    const requests =
      '[{"resource": "application:*", "request-id": "836763deea236532", "salt": "xqbPuYzzl2iiKeyN", "endpoints": "valkey-1.valkey-endpoints:6379", "read-only-endpoints": "valkey-0.valkey-endpoints:6379,valkey-2.valkey-endpoints:6379", "secret-user": "secret://bc7400b7-2fce-41dd-8509-14a984455cda/d7fmpmvmp25c7618tfb0", "secret-tls": "secret://bc7400b7-2fce-41dd-8509-14a984455cda/d7fmpmvmp25c7618tfbg", "version": "9.0.1", "mode": "sentinel", "sentinel-endpoints": "valkey-0.valkey-endpoints:26379,valkey-1.valkey-endpoints:26379,valkey-2.valkey-endpoints:26379"}]';
    const parsed = providerAppV1.parse({ version: "v1", requests });
    expect(parsed.requests?.[0]?.["read-only-endpoints"]).toEqual([
      "valkey-0.valkey-endpoints:6379",
      "valkey-2.valkey-endpoints:6379",
    ]);
    requirerAppV1.parse({
      version: "v1",
      requests:
        '[{"resource": "application:*", "request-id": "836763deea236532", "salt": "xqbPuYzzl2iiKeyN"}]',
    });
    requirerAppV0.parse({
      database: "application:*",
      "requested-secrets": '["username", "password", "tls", "tls-ca"]',
    });
    const flat = providerAppV0.parse({
      database: "application:*",
      endpoints: "valkey-1.valkey-endpoints:6379",
      mode: "sentinel",
      "read-only-endpoints": "valkey-0.valkey-endpoints:6379,valkey-2.valkey-endpoints:6379",
      resource: "application:*",
      salt: "azApUR5VGy94ABXj",
      "secret-tls": "secret://bc7400b7-2fce-41dd-8509-14a984455cda/d7fmtknmp25c7618tfdg",
      "secret-user": "secret://bc7400b7-2fce-41dd-8509-14a984455cda/d7fmtknmp25c7618tfd0",
      sentinel_endpoints: "valkey-0.valkey-endpoints:26379,valkey-1.valkey-endpoints:26379",
      version: "9.0.1",
    });
    expect(flat.sentinel_endpoints).toHaveLength(2);
  });
});

describe("JSON Schemas generated from the zod schemas", () => {
  const schemas = valkeyJsonSchemas();

  it("accept every recorded databag of both fixtures", () => {
    for (const f of [v1, v0]) {
      for (const [, snap] of snapshots(f)) {
        expect(validate(schemas.provider.app, snap.provider_app_databag)).toEqual([]);
        expect(validate(schemas.requirer.app, snap.requirer_app_databag)).toEqual([]);
        for (const bag of Object.values(snap.provider_unit_databags))
          expect(validate(schemas.provider.unit, bag)).toEqual([]);
        for (const bag of Object.values(snap.requirer_unit_databags))
          expect(validate(schemas.requirer.unit, bag)).toEqual([]);
      }
    }
  });

  it("describe the JSON inside `requests` and reject broken bags", () => {
    const good = v1.after_relate.requirer_app_databag;
    const requests = JSON.parse(good.requests!) as Record<string, unknown>[];
    const noSalt = requests.map(({ salt: _s, ...rest }) => rest);
    expect(validate(schemas.requirer.app, { ...good, requests: pyDumps(noSalt) })).not.toEqual([]);
    expect(validate(schemas.requirer.app, { ...good, requests: "[{" })).not.toEqual([]);
    expect(validate(schemas.requirer.app, { ...good, version: "v2" })).not.toEqual([]);
    const badId = requests.map((r) => ({ ...r, "request-id": "NOT-HEX" }));
    expect(validate(schemas.requirer.app, { ...good, requests: pyDumps(badId) })).not.toEqual([]);
    expect(validate(schemas.requirer.app, {})).not.toEqual([]);
    expect(validate(schemas.requirer.unit, { data: "not json" })).not.toEqual([]);
  });
});

describe("hostile provider data", () => {
  it("a bad endpoint inside a v1 response names the key, not the value", () => {
    const bag = { ...v1.after_relate.provider_app_databag };
    const responses = JSON.parse(bag.requests!) as Record<string, unknown>[];
    responses[1]!.endpoints = "https://secret-host-name:6379";
    const parsed = parseBag(providerAppV1, { ...bag, requests: pyDumps(responses) }, ctx);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.key).toBe("requests[1].endpoints[0]");
    expect(parsed.error.message).not.toContain("secret-host-name");
  });

  it("tls reads every boolean spelling and rejects the rest", () => {
    expect(tlsSecret.parse({ tls: "True" }).tls).toBe(true);
    expect(tlsSecret.parse({ tls: "enabled", "tls-ca": "PEM" }).tls).toBe(true);
    expect(tlsSecret.parse({ tls: "false" }).tls).toBe(false);
    expect(tlsSecret.safeParse({ tls: "maybe" }).success).toBe(false);
    expect(tlsSecret.safeParse({}).success).toBe(false);
  });

  it("request and response objects require their echo keys", () => {
    expect(request.safeParse({ resource: "a:*" }).success).toBe(false);
    expect(request.safeParse({ resource: "", salt: "x" }).success).toBe(false);
    expect(response.safeParse({ resource: "a:*", salt: "s", "secret-user": "not-a-uri" }).success).toBe(
      false,
    );
    expect(response.safeParse({ resource: "a:*", salt: "s", mode: "cluster" }).success).toBe(true);
  });
});

describe("usernames", () => {
  it("follow valkey-operator's rules and match by relation exactly", () => {
    expect(valkeyUsername(3, "589eb0c1e776d6fb")).toBe("relation-3-589eb0c1e776d6fb");
    expect(valkeyUsername(3)).toBe("relation-3");
    expect(isUsernameOfRelation("relation-3", 3)).toBe(true);
    expect(isUsernameOfRelation("relation-3-589eb0c1e776d6fb", 3)).toBe(true);
    expect(isUsernameOfRelation("relation-30-589eb0c1e776d6fb", 3)).toBe(false);
    expect(isUsernameOfRelation("relation-30", 3)).toBe(false);
    expect(isUsernameOfRelation("default", 3)).toBe(false);
  });
});
