/**
 * Both of our sides against the recorded Python v0 sides (`KafkaProvides` as kafka-operator's
 * ZooKeeper generation, `KafkaRequires` with topic, roles and a consumer group prefix): fed the other
 * side's recorded databag, each must write the recorded keys, secrets, labels and contents, and
 * resolve the recorded connection.
 */
import { createHash } from "node:crypto";
import type { Charm } from "@charm-relations/juju-secrets-core";
import type { JujuModel } from "@charm-relations/juju-secrets-core/testing";
import { beforeAll, describe, expect, it } from "vitest";
import type { KafkaConnection } from "../src/definition.js";
import { KafkaProvider, type KafkaRequest } from "../src/provider.js";
import { KafkaRequirer, type KafkaRequirerEvents } from "../src/requirer.js";
import {
  addRevision,
  ENDPOINT,
  EventLog,
  type HookOutcome,
  loadFixture,
  type RecordedSnapshot,
  relatedModel,
  rewrite,
  rewriteBag,
  runHook,
  seedRecordedSecrets,
} from "./harness.js";

const f = loadFixture("kafka_client.v0");
const rec = f.after_relate;
const ZK = "10.1.0.100:2181,10.1.0.101:2181,10.1.0.102:2181/provider";

/** recorded URI → ours, matched by owner label. */
function urisByLabel(model: JujuModel, snap: RecordedSnapshot): Map<string, string> {
  const out = new Map<string, string>();
  for (const [uri, s] of Object.entries(snap.secrets)) {
    const ours = model.secretByLabel(s.owner_label);
    if (ours) out.set(uri, model.secretUri(ours.xid));
  }
  return out;
}

describe("our provider vs the recorded KafkaRequires", () => {
  const { model, relationId } = relatedModel({ uuid: f.model_uuid });
  const log = new EventLog();
  const setup = (charm: Charm) => {
    const kafka = new KafkaProvider(charm, { endpoint: ENDPOINT });
    kafka.on("topicRequested", ({ request }) => {
      log.record(charm.unit, "topicRequested", request);
      kafka.publish(request, {
        username: request.username,
        password: "03e46721fbb4139b883356f13d49aaa1",
        bootstrapServer: ["10.1.0.10:9092"],
        zookeeperUris: ZK,
        tls: false,
      });
    });
    kafka.on("mtlsCertUpdated", (e) => log.record(charm.unit, "mtlsCertUpdated", e));
    kafka.on("invalid", (e) => log.record(charm.unit, "invalid", e));
  };
  let first: HookOutcome;
  beforeAll(async () => {
    model.setAppBag(relationId, "requirer", rec.requirer_app_databag);
    first = await runHook(model, { unit: "provider/0", kind: "relation-changed", relationId }, setup);
  });

  it("writes the recorded provider app bag byte for byte (modulo secret URIs)", () => {
    expect(first.ok).toBe(true);
    const uris = urisByLabel(model, rec);
    expect(model.appBag(relationId, "provider")).toEqual(rewriteBag(rec.provider_app_databag, uris));
    expect(model.unitBag(relationId, "provider/0")).toEqual({});
  });

  it("creates the recorded secrets: labels, contents, one revision, granted to the requirer", () => {
    const owned = model.secrets().filter((s) => s.owner.kind === "application" && s.owner.app === "provider");
    expect(owned.map((s) => s.label).sort()).toEqual([
      "kafka-client.0.tls.secret",
      "kafka-client.0.user.secret",
    ]);
    for (const s of Object.values(rec.secrets)) {
      const ours = model.secretByLabel(s.owner_label)!;
      expect(ours.latestRevision).toBe(1);
      expect(ours.revisions[0]!.content).toEqual(s.content_by_revision["1"]);
      expect(ours.grants).toEqual([{ relationId, kind: "application", target: "requirer" }]);
    }
  });

  it("emits topicRequested once with the request's topic, roles, prefix and username", () => {
    expect(log.names()).toEqual(["topicRequested"]);
    expect(log.of<KafkaRequest>("topicRequested")[0]).toMatchObject({
      contract: "v0",
      topic: "test-topic",
      extraUserRoles: ["producer", "consumer"],
      consumerGroupPrefix: "test-group-",
      username: "relation-0",
      mtls: false,
    });
  });

  it("a replayed relation-changed writes nothing; a non-leader does nothing", async () => {
    log.clear();
    for (const unit of ["provider/0", "provider/1"]) {
      const again = await runHook(model, { unit, kind: "relation-changed", relationId }, setup);
      expect(again.ok).toBe(true);
      expect(again.commit?.databags).toEqual([]);
      expect(again.commit?.secrets.updated).toEqual([]);
    }
    expect(log.names()).toEqual([]);
  });

  it("relation-broken on the leader removes both secrets", async () => {
    model.relation(relationId).dying = true;
    const out = await runHook(model, { unit: "provider/0", kind: "relation-broken", relationId }, setup);
    expect(out.ok).toBe(true);
    expect(
      model.secrets().filter((s) => s.owner.kind === "application" && s.owner.app === "provider"),
    ).toEqual([]);
  });
});

describe("our v0 requirer vs the recorded KafkaProvides", () => {
  const { model, relationId } = relatedModel({ uuid: f.model_uuid });
  const log = new EventLog();
  const events: (keyof KafkaRequirerEvents)[] = [
    "topicCreated",
    "bootstrapServerChanged",
    "credentialsRotated",
    "invalid",
  ];
  const setup = (charm: Charm) => {
    const kafka = new KafkaRequirer(charm, {
      contract: "v0",
      topic: "test-topic",
      extraUserRoles: ["producer", "consumer"],
      consumerGroupPrefix: "test-group-",
    });
    for (const name of events) kafka.on(name, (p) => log.record(charm.unit, name, p));
  };
  let uris = new Map<string, string>();

  it("writes the recorded requirer app and unit bags in relation-created", async () => {
    const out = await runHook(model, { unit: "requirer/0", kind: "relation-created", relationId }, setup);
    expect(out.ok).toBe(true);
    expect(model.appBag(relationId, "requirer")).toEqual(rec.requirer_app_databag);
    const { data: _, ...unit } = rec.requirer_unit_databags["requirer/0"]!;
    expect(model.unitBag(relationId, "requirer/0")).toEqual(unit);
  });

  it("resolves the recorded connection on every unit, with the recorded snapshot and labels", async () => {
    uris = seedRecordedSecrets(model, rec, relationId, new Map(), { revision: "first" });
    model.setAppBag(relationId, "provider", rewriteBag(rec.provider_app_databag, uris));
    for (const unit of ["requirer/0", "requirer/1"]) {
      const out = await runHook(model, { unit, kind: "relation-changed", relationId }, setup);
      expect(out.ok).toBe(true);
      expect(model.unitBag(relationId, unit).data).toBe(
        rewrite(rec.requirer_unit_databags[unit]!.data!, uris),
      );
      expect(log.names(unit)).toEqual(["topicCreated"]);
      const c = log.of<{ connection: KafkaConnection }>("topicCreated", unit)[0]!.connection;
      const observed = rec.requirer_observed[unit]!;
      expect(c.topic).toBe(observed.topic);
      expect(c.username).toBe(observed.username);
      expect(createHash("sha256").update(c.password).digest("hex").slice(0, 8)).toBe(observed.password_sha8);
      expect(c.bootstrapServer.join(",")).toBe(observed.endpoints);
      expect(c.consumerGroupPrefix).toBe(observed.consumer_group_prefix);
      expect(c.zookeeperUris).toBe(observed.zookeeper_uris);
      expect(c.tls).toBe(false);
      // The recorded `tls-ca: disabled` is no CA.
      expect(c.tlsCa).toBeUndefined();
      for (const s of Object.values(rec.secrets)) {
        expect(
          model.secret(uris.get(Object.keys(rec.secrets).find((k) => rec.secrets[k] === s)!)!)!
            .consumerLabels[unit],
        ).toBe(s.consumer_labels[0]);
      }
    }
  });

  it("the recorded password rotation (revision 2) reaches every unit as credentialsRotated", async () => {
    const [uri, s] = Object.entries(f.before_remove_relation.secrets).find(([, x]) =>
      x.owner_label.endsWith("user.secret"),
    )!;
    addRevision(model, uris.get(uri)!, s.content_by_revision["2"]!);
    for (const unit of ["requirer/0", "requirer/1"]) {
      log.clear();
      const out = await runHook(model, { unit, kind: "secret-changed", secretId: uris.get(uri)! }, setup);
      expect(out.ok).toBe(true);
      expect(log.names(unit)).toEqual(["credentialsRotated"]);
      const e = log.of<{ connection: KafkaConnection; groups: string[] }>("credentialsRotated", unit)[0]!;
      expect(e.groups).toEqual(["user"]);
      expect(e.connection.password).toBe(s.content_by_revision["2"]!.password);
    }
  });
});
