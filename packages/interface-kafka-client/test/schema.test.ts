/**
 * The zod schemas against the recorded fixture: every databag and secret revision parses, every
 * JSON-valued string re-serialises to identical bytes, the JSON Schemas accept the real bags and
 * reject broken ones, hostile values are refused naming the key (never the value), and bad remote
 * data reaches a charm as `invalid` with nothing written.
 */
import type { Charm } from "@charm-relations/juju-secrets-core";
import { pyDumps, v0Snapshot } from "@charm-relations/juju-secrets-core/protocol";
import { parseBag } from "@charm-relations/juju-secrets-core/schema";
import { describe, expect, it } from "vitest";
import { validate } from "../../juju-secrets-core/test-support/json-schema.js";
import { descriptor, kafkaSecretJsonSchemas } from "../src/descriptor.js";
import { KafkaProvider } from "../src/provider.js";
import {
  extraSecret,
  kafkaUsername,
  providerAppV0,
  providerAppV1,
  request,
  requirerAppV0,
  requirerAppV1,
  requirerUnit,
  tlsSecret,
  userSecret,
} from "../src/schema.js";
import { EventLog, loadFixture, type RecordedSnapshot, relatedModel, runHook } from "./harness.js";

const f = loadFixture("kafka_client.v0");
const snapshots: [string, RecordedSnapshot][] = [
  ["after_relate", f.after_relate],
  ["before_remove_relation", f.before_remove_relation],
];

describe("the recorded v0 databags", () => {
  for (const [when, snap] of snapshots) {
    it(`${when}: every bag parses and every JSON value re-serialises byte for byte`, () => {
      const p = providerAppV0.parse(snap.provider_app_databag);
      expect(p.topic).toBe("test-topic");
      expect(p.endpoints).toEqual(["10.1.0.10:9092"]);
      expect(p["consumer-group-prefix"]).toBe("test-group-");
      expect(p["zookeeper-uris"]).toMatch(/\/provider$/);
      const r = requirerAppV0.parse(snap.requirer_app_databag);
      expect(r["extra-user-roles"]).toEqual(["producer", "consumer"]);
      expect(r["requested-secrets"]).toContain("tls-ca");
      const raw = snap.requirer_app_databag;
      for (const k of ["requested-secrets", "provided-secrets"])
        expect(pyDumps(JSON.parse(raw[k]!))).toBe(raw[k]);
      expect(v0Snapshot(JSON.parse(snap.provider_app_databag.data!))).toBe(snap.provider_app_databag.data);
      expect(v0Snapshot(raw)).toBe(snap.provider_app_databag.data);
      for (const bag of Object.values(snap.requirer_unit_databags)) {
        requirerUnit.parse(bag);
        expect(v0Snapshot(JSON.parse(bag.data!))).toBe(bag.data);
      }
    });
  }

  it("every secret revision parses: relation-0, tls disabled, tls-ca 'disabled' read as no CA", () => {
    for (const [, snap] of snapshots) {
      for (const s of Object.values(snap.secrets)) {
        for (const content of Object.values(s.content_by_revision)) {
          if (s.owner_label === "kafka-client.0.user.secret")
            expect(userSecret.parse(content).username).toBe(kafkaUsername(0));
          else expect(tlsSecret.parse(content)).toEqual({ tls: false, "tls-ca": null });
        }
      }
    }
  });
});

describe("the JSON Schemas", () => {
  const schemas = {
    provider: descriptor.jsonSchema("provider", "v0"),
    requirer: descriptor.jsonSchema("requirer", "v0"),
    requirerV1: descriptor.jsonSchema("requirer", "v1"),
    secrets: kafkaSecretJsonSchemas(),
  };
  it("accept every recorded bag and secret", () => {
    for (const [, snap] of snapshots) {
      expect(validate(schemas.provider.app, snap.provider_app_databag)).toEqual([]);
      expect(validate(schemas.requirer.app, snap.requirer_app_databag)).toEqual([]);
      for (const bag of Object.values(snap.requirer_unit_databags))
        expect(validate(schemas.requirer.unit, bag)).toEqual([]);
      for (const s of Object.values(snap.secrets)) {
        const group = s.owner_label.split(".")[2] as "user" | "tls";
        for (const c of Object.values(s.content_by_revision))
          expect(validate(schemas.secrets[group], c)).toEqual([]);
      }
    }
  });
  it("reject broken bags", () => {
    const good = f.after_relate.requirer_app_databag;
    expect(validate(schemas.requirer.app, { ...good, "requested-secrets": "[" })).not.toEqual([]);
    expect(validate(schemas.requirer.app, { version: "v1", requests: '[{"resource": "t"}]' })).not.toEqual(
      [],
    );
    expect(validate(schemas.secrets.user, { username: "u" })).not.toEqual([]);
  });
});

describe("hostile values", () => {
  it("topics and prefixes with '*' in the first three characters are refused, later ones allowed", () => {
    expect(requirerAppV0.safeParse({ topic: "**x" }).success).toBe(false);
    expect(requirerAppV0.safeParse({ topic: "abc*" }).success).toBe(true);
    expect(request.safeParse({ resource: "t", salt: "s", "consumer-group-prefix": "*" }).success).toBe(false);
    expect(request.safeParse({ resource: "t", salt: "s", "consumer-group-prefix": null }).success).toBe(true);
  });
  it("a bad bootstrap server in a v1 response names the key, not the value", () => {
    const requests = pyDumps([{ resource: "t", salt: "s", endpoints: "https://secret-host:9092" }]);
    const parsed = parseBag(
      providerAppV1,
      { version: "v1", requests },
      { relation: { endpoint: "kafka-client", id: 0 }, side: "provider", bag: "app" },
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.key).toBe("requests[0].endpoints[0]");
    expect(parsed.error.message).not.toContain("secret-host");
    expect(requirerAppV1.safeParse({ version: "v1", requests: "[]" }).success).toBe(true);
    expect(extraSecret.parse({ "zookeeper-uris": "zk:2181/x" })["zookeeper-uris"]).toBe("zk:2181/x");
  });
  it("a requirer asking for a bad topic gets invalid (naming topic) and nothing is written", async () => {
    const { model, relationId } = relatedModel();
    const log = new EventLog();
    const setup = (charm: Charm) => {
      const kafka = new KafkaProvider(charm);
      kafka.on("topicRequested", (e) => log.record(charm.unit, "topicRequested", e));
      kafka.on("invalid", (e) => log.record(charm.unit, "invalid", e.error.message));
    };
    model.setAppBag(relationId, "requirer", {
      ...f.after_relate.requirer_app_databag,
      topic: "*secret-topic",
    });
    const out = await runHook(model, { unit: "provider/0", kind: "relation-changed", relationId }, setup);
    expect(out.ok).toBe(true);
    expect(out.commit?.databags).toEqual([]);
    expect(log.names()).toEqual(["invalid"]);
    expect(log.of<string>("invalid")[0]).toContain("topic");
    expect(log.of<string>("invalid")[0]).not.toContain("secret-topic");
  });
});
