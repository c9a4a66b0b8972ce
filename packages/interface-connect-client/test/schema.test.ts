import { parseJson, pyDumps, v0Snapshot } from "@charm-relations/juju-secrets-core/protocol";
import { parseBag } from "@charm-relations/juju-secrets-core/schema";
import { describe, expect, it } from "vitest";
import {
  connectJsonSchemas,
  httpUrlProblem,
  NOT_REQUIRED,
  pluginUrlProblem,
  providerAppV0,
  providerUnit,
  requirerAppV0,
  requirerUnit,
  restEndpointProblem,
  tlsSecret,
  userSecret,
} from "../src/index.js";
import { plainProviderAppDatabag, requirerAppDatabag } from "../src/testing.js";
import {
  type Bag,
  fixture,
  KNOWN_KEYWORDS,
  keywordsOf,
  RECORDED_PLUGIN_URL,
  validateJsonSchema,
} from "./helpers.js";

const snapshots = [fixture.after_relate, fixture.before_remove_relation];
const REL = { endpoint: "connect-client", id: 0 };
const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

describe("schemas accept every recorded databag and secret", () => {
  it.each(snapshots.map((s, i) => [i, s] as const))("snapshot %i: bags parse", (_i, snap) => {
    const req = requirerAppV0.parse(snap.requirer_app_databag);
    expect(req["plugin-url"]).toBe(RECORDED_PLUGIN_URL);
    expect(req["requested-secrets"]).toEqual([
      "username",
      "password",
      "tls",
      "tls-ca",
      "uris",
      "read-only-uris",
      "entity-name",
      "entity-password",
    ]);
    expect(req["provided-secrets"]).toEqual(["mtls-cert"]);
    const prov = providerAppV0.parse(snap.provider_app_databag);
    expect(prov.endpoints).toEqual(["http://10.1.0.10:8083"]);
    expect(prov.data?.["plugin-url"]).toBe(RECORDED_PLUGIN_URL);
    for (const bag of Object.values(snap.requirer_unit_databags)) {
      const unit = requirerUnit.parse(bag);
      expect(unit.data?.endpoints).toBe("http://10.1.0.10:8083");
    }
    for (const bag of Object.values(snap.provider_unit_databags)) expect(providerUnit.parse(bag)).toEqual({});
  });

  it("secret contents parse; tls 'disabled' reads as false and tls-ca 'disabled' as no CA", () => {
    for (const snap of snapshots) {
      for (const s of Object.values(snap.secrets)) {
        for (const content of Object.values(s.content_by_revision)) {
          if (s.owner_label.endsWith(".user.secret")) {
            expect(userSecret.parse(content).username).toBe("relation-0");
          } else {
            expect(tlsSecret.parse(content)).toEqual({ tls: false, "tls-ca": null });
          }
        }
      }
    }
  });

  it("JSON-valued strings re-serialise to the same bytes (pyDumps / v0Snapshot)", () => {
    let checked = 0;
    for (const snap of snapshots) {
      const bags: Bag[] = [
        snap.requirer_app_databag,
        snap.provider_app_databag,
        ...Object.values(snap.requirer_unit_databags),
      ];
      for (const bag of bags) {
        for (const key of ["requested-secrets", "provided-secrets"]) {
          const raw = bag[key];
          if (raw === undefined) continue;
          const parsed = parseJson(raw);
          expect(parsed.ok).toBe(true);
          expect(pyDumps(parsed.ok ? parsed.value : null)).toBe(raw);
          checked++;
        }
        if (bag.data !== undefined) {
          const parsed = JSON.parse(bag.data) as Bag;
          expect(v0Snapshot(parsed)).toBe(bag.data);
          checked++;
        }
      }
    }
    // The provider `data` is exactly the snapshot of the requirer app bag.
    expect(fixture.after_relate.provider_app_databag.data).toBe(
      v0Snapshot(fixture.after_relate.requirer_app_databag),
    );
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it("the builders reproduce the recorded requirer app bag byte for byte", () => {
    expect(requirerAppDatabag()).toEqual(fixture.after_relate.requirer_app_databag);
  });
});

describe("value rules", () => {
  it("plugin-url: http(s) URL or NOT-REQUIRED, nothing else", () => {
    expect(pluginUrlProblem(NOT_REQUIRED)).toBeUndefined();
    expect(pluginUrlProblem("http://10.1.1.200:8080/route/to/plugin")).toBeUndefined();
    expect(pluginUrlProblem("https://plugins.example.com/a.tar.gz?token=x")).toBeUndefined();
    for (const bad of [
      "not-required",
      "NOT-REQUIRED ",
      "ftp://h/p.tar",
      "file:///etc/passwd",
      "10.1.1.200/plugin",
      "",
      "http://",
    ]) {
      expect(pluginUrlProblem(bad), bad).toBeDefined();
    }
    const r = requirerAppV0.safeParse({ "plugin-url": NOT_REQUIRED });
    expect(r.success && r.data["plugin-url"]).toBeNull();
  });

  it("REST endpoints need a scheme and carry no credentials", () => {
    expect(restEndpointProblem("https://[fd00::1]:8083")).toBeUndefined();
    expect(restEndpointProblem("10.1.0.10:8083")).toBeDefined();
    expect(restEndpointProblem("http://admin:pw@10.1.0.10:8083")).toMatch(/credentials/);
    expect(httpUrlProblem("gopher://x")).toMatch(/only http/);
    const bad = parseBag(
      providerAppV0,
      { endpoints: "10.1.0.10:8083" },
      { relation: REL, side: "provider", bag: "app" },
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.key).toBe("endpoints");
      expect(bad.error.message).toContain('connect-client:0 provider app databag key "endpoints"');
      expect(bad.error.message).not.toContain("10.1.0.10");
    }
    const list = providerAppV0.parse({ endpoints: "http://10.1.0.10:8083, http://10.1.0.11:8083" });
    expect(list.endpoints).toEqual(["http://10.1.0.10:8083", "http://10.1.0.11:8083"]);
  });

  it("secret contents and the plain-text fallback: TLS on with a PEM, `disabled`, a missing password", () => {
    const on = tlsSecret.parse({ tls: "enabled", "tls-ca": PEM });
    expect(on.tls).toBe(true);
    expect(on["tls-ca"]).toBe(PEM);
    const plain = plainProviderAppDatabag(requirerAppDatabag({ requestedSecrets: false }));
    expect(providerAppV0.parse(plain)).toMatchObject({ username: "relation-0", tls: false, "tls-ca": null });
    const missing = parseBag(userSecret, { username: "u" }, { relation: REL, side: "provider", bag: "app" });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.issues[0]).toMatchObject({ key: "password", rule: "required" });
    const badTls = parseBag(
      providerAppV0,
      { endpoints: "http://a:8083", tls: "maybe" },
      { relation: REL, side: "provider", bag: "app" },
    );
    expect(badTls.ok).toBe(false);
  });
});

describe("JSON Schema", () => {
  const schemas = connectJsonSchemas();

  it("uses only keywords the checker understands (so a pass is meaningful)", () => {
    for (const s of Object.values(schemas)) {
      const unknown = [...keywordsOf(s)].filter((k) => !KNOWN_KEYWORDS.has(k));
      expect(unknown).toEqual([]);
    }
  });

  it("validates every recorded bag and secret", () => {
    for (const snap of snapshots) {
      expect(validateJsonSchema(schemas.requirerApp, snap.requirer_app_databag)).toEqual([]);
      expect(validateJsonSchema(schemas.providerApp, snap.provider_app_databag)).toEqual([]);
      for (const bag of Object.values(snap.requirer_unit_databags))
        expect(validateJsonSchema(schemas.requirerUnit, bag)).toEqual([]);
      for (const bag of Object.values(snap.provider_unit_databags))
        expect(validateJsonSchema(schemas.providerUnit, bag)).toEqual([]);
      for (const s of Object.values(snap.secrets)) {
        const schema = s.owner_label.endsWith(".user.secret") ? schemas.userSecret : schemas.tlsSecret;
        for (const content of Object.values(s.content_by_revision))
          expect(validateJsonSchema(schema, content)).toEqual([]);
      }
    }
  });

  it("rejects what the zod schemas reject", () => {
    expect(validateJsonSchema(schemas.requirerApp, { "requested-secrets": "[]" })).not.toEqual([]);
    expect(validateJsonSchema(schemas.requirerApp, { "plugin-url": "ftp://x/y" })).not.toEqual([]);
    expect(
      validateJsonSchema(schemas.requirerApp, { "plugin-url": NOT_REQUIRED, "requested-secrets": "{}" }),
    ).not.toEqual([]);
    expect(validateJsonSchema(schemas.providerApp, { endpoints: "10.1.0.10:8083" })).not.toEqual([]);
    expect(validateJsonSchema(schemas.providerApp, { "secret-user": 3 })).not.toEqual([]);
  });
});
