/**
 * The v1 contract end to end: our requirer against our provider on the in-memory model, and the wire
 * bytes each side writes checked against what data_interfaces v1 (`KafkaRequestModel` /
 * `KafkaResponseModel`, kafka-operator's handler) dumps: every model key in order with nulls,
 * `consumer-group-prefix` after the base keys of a request, `consumer-group-prefix`/`zookeeper-uris`
 * in `secret-extra`, `tls` a JSON boolean, `data` keyed by request id. Plus mTLS, rotation, cleanup.
 */
import type { Charm } from "@charm-relations/juju-secrets-core";
import { computeRequestId } from "@charm-relations/juju-secrets-core/protocol";
import { charmRunner, Simulation, settleClean } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import type { KafkaConnection } from "../src/definition.js";
import { KafkaProvider, type KafkaRequest } from "../src/provider.js";
import { KafkaRequirer } from "../src/requirer.js";
import { EventLog } from "./harness.js";

const PEM = (n: string) => `-----BEGIN CERTIFICATE-----\nMIIB${n}\n-----END CERTIFICATE-----\n`;

function world(requirerConfig: Record<string, unknown> = {}) {
  const sim = new Simulation();
  const log = new EventLog();
  sim.deploy("kafka", {
    units: 2,
    endpoints: { "kafka-client": "provides:kafka_client" },
    config: { password: "pw-1", tls: false },
    runner: charmRunner((charm: Charm) => {
      const kafka = new KafkaProvider(charm);
      const answer = (request: KafkaRequest) =>
        kafka.publish(request, {
          username: request.username,
          password: String(charm.model.config().password),
          bootstrapServer: [request.mtls ? "10.1.0.10:9094" : "10.1.0.10:9092"],
          tls: charm.model.config().tls === true,
          ...(charm.model.config().tls === true ? { tlsCa: PEM("CA") } : {}),
        });
      kafka.on("topicRequested", ({ request }) => {
        log.record(charm.unit, "topicRequested", request);
        answer(request);
      });
      kafka.on("mtlsCertUpdated", (e) => log.record(charm.unit, "mtlsCertUpdated", e));
      kafka.on("requestRemoved", (e) => log.record(charm.unit, "requestRemoved", e));
      charm.on("configChanged", () => {
        if (charm.model.isLeader()) for (const r of kafka.answeredRequests()) answer(r);
      });
    }),
  });
  sim.deploy("app", {
    units: 2,
    endpoints: { "kafka-client": "requires:kafka_client" },
    config: requirerConfig,
    runner: charmRunner((charm: Charm) => {
      const cfg = charm.model.config();
      const kafka = new KafkaRequirer(charm, {
        topic: "orders",
        extraUserRoles: ["producer", "consumer"],
        consumerGroupPrefix: "grp-",
        ...(typeof cfg.cert === "string" ? { mtlsCert: cfg.cert } : {}),
      });
      for (const name of [
        "topicCreated",
        "bootstrapServerChanged",
        "credentialsRotated",
        "tlsChanged",
        "invalid",
      ] as const)
        kafka.on(name, (p) => log.record(charm.unit, name, p));
      charm.on("configChanged", () => {
        if (typeof cfg.cert === "string" && charm.model.isLeader()) kafka.setMtlsCert(cfg.cert);
      });
    }),
  });
  const id = sim.relate("kafka:kafka-client", "app:kafka-client");
  return { sim, log, id };
}

const parse = (s: string | undefined) => JSON.parse(s ?? "null") as Record<string, unknown>[];

describe("v1: our requirer and our provider", () => {
  it("write data_interfaces v1's exact bytes and settle with a connection on every unit", async () => {
    const { sim, log, id } = world();
    await settleClean(sim, "relate");
    const req = sim.model.appBag(id, "app");
    expect(Object.keys(req).sort()).toEqual(["requests", "version"]);
    const { salt, "request-id": rid } = parse(req.requests)[0] as { salt: string; "request-id": string };
    expect(rid).toBe(computeRequestId("orders", salt));
    expect(req.requests).toBe(
      `[{"resource": "orders", "request-id": "${rid}", "salt": "${salt}", "extra-user-roles": "producer,consumer", ` +
        `"extra-group-roles": null, "external-node-connectivity": false, "entity-type": null, "entity-permissions": null, ` +
        `"secret-mtls": null, "consumer-group-prefix": "grp-"}]`,
    );
    const bag = sim.model.appBag(id, "kafka");
    const [resp] = parse(bag.requests);
    const uri = (g: string) => String(resp![`secret-${g}`]);
    expect(bag.requests).toBe(
      `[{"resource": "orders", "request-id": "${rid}", "salt": "${salt}", "endpoints": "10.1.0.10:9092", ` +
        `"read-only-endpoints": null, "secret-user": "${uri("user")}", "secret-tls": "${uri("tls")}", ` +
        `"secret-extra": "${uri("extra")}", "secret-entity": null, "version": null}]`,
    );
    expect(bag.data).toBe(
      `{"${rid}": {"resource": "orders", "request-id": "${rid}", "salt": "${salt}", "extra-user-roles": "producer,consumer", "consumer-group-prefix": "grp-"}}`,
    );
    expect(bag.version).toBe("v1");
    const content = (g: string) => sim.model.secretContent(uri(g));
    expect(content("user")).toEqual({ username: `relation-${id}-${rid}`, password: "pw-1" });
    expect(content("tls")).toEqual({ tls: "false" });
    expect(content("extra")).toEqual({ "consumer-group-prefix": "grp-" });
    expect(sim.model.secretByLabel(`kafka-client.${id}.${rid}.extra.secret`)).toBeDefined();
    expect(log.names("kafka/0")).toEqual(["topicRequested"]);
    for (const unit of ["app/0", "app/1"]) {
      expect(log.names(unit)).toEqual(["topicCreated"]);
      const c = log.of<{ connection: KafkaConnection }>("topicCreated", unit)[0]!.connection;
      expect(c).toMatchObject({
        contract: "v1",
        requestId: rid,
        topic: "orders",
        username: `relation-${id}-${rid}`,
        password: "pw-1",
        bootstrapServer: ["10.1.0.10:9092"],
        consumerGroupPrefix: "grp-",
        tls: false,
      });
    }
  });

  it("rotates the password and turns TLS on: every requirer unit sees the new values", async () => {
    const { sim, log, id } = world();
    await settleClean(sim, "relate");
    log.clear();
    sim.configure("kafka", { password: "pw-2", tls: true });
    await settleClean(sim, "rotate");
    for (const unit of ["app/0", "app/1"]) {
      expect(log.names(unit).sort()).toEqual(["credentialsRotated", "credentialsRotated", "tlsChanged"]);
      const last = log.of<{ connection: KafkaConnection }>("credentialsRotated", unit).at(-1)!.connection;
      expect(last).toMatchObject({ password: "pw-2", tls: true, tlsCa: PEM("CA") });
    }
    const [resp] = parse(sim.model.appBag(id, "kafka").requests);
    expect(sim.model.secretContent(String(resp!["secret-tls"]))).toEqual({
      tls: "true",
      "tls-ca": PEM("CA"),
    });
  });

  it("carries the client certificate in a requirer-owned secret-mtls, and its rotation", async () => {
    const { sim, log, id } = world({ cert: PEM("one") });
    await settleClean(sim, "relate");
    const [request] = parse(sim.model.appBag(id, "app").requests);
    const rid = String(request!["request-id"]);
    const mtls = sim.model.secretByLabel(`kafka-client.${id}.${rid}.mtls.secret`)!;
    expect(mtls.owner).toEqual({ kind: "application", app: "app" });
    expect(request!["secret-mtls"]).toBe(sim.model.secretUri(mtls.xid));
    expect(sim.model.secretContent(String(request!["secret-mtls"]))).toEqual({ "mtls-cert": PEM("one") });
    expect(log.of<KafkaRequest>("topicRequested")[0]!.mtls).toBe(true);
    expect(log.of<{ cert: string; fresh: boolean }>("mtlsCertUpdated", "kafka/0")[0]).toMatchObject({
      cert: PEM("one"),
    });
    const [resp] = parse(sim.model.appBag(id, "kafka").requests);
    expect(resp!.endpoints).toBe("10.1.0.10:9094");
    log.clear();
    sim.configure("app", { cert: PEM("two") });
    await settleClean(sim, "rotate cert");
    const updates = log.of<{ cert: string; oldCert?: string }>("mtlsCertUpdated");
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.every((u) => u.cert === PEM("two"))).toBe(true);
    expect(sim.model.secretByLabel(`kafka-client.${id}.${rid}.mtls.secret`)!.latestRevision).toBe(2);
  });

  it("leaves no secret of either side once the relation is removed", async () => {
    const { sim, id } = world({ cert: PEM("one") });
    await settleClean(sim, "relate");
    expect(sim.model.secrets().length).toBeGreaterThanOrEqual(4);
    sim.removeRelation(id);
    await settleClean(sim, "remove-relation");
    expect(sim.model.secrets().map((s) => s.label)).toEqual([]);
  });
});

describe("v0 requirer against our provider", () => {
  it("gets the flat answer with enabled/disabled spellings and username relation-<id>", async () => {
    const sim = new Simulation();
    sim.deploy("kafka", {
      endpoints: { "kafka-client": "provides:kafka_client" },
      runner: charmRunner((charm) => {
        const kafka = new KafkaProvider(charm);
        kafka.on("topicRequested", ({ request }) =>
          kafka.publish(request, {
            username: request.username,
            password: "pw",
            bootstrapServer: "10.1.0.10:9093",
            tls: true,
            tlsCa: PEM("CA"),
          }),
        );
      }),
    });
    sim.deploy("app", {
      endpoints: { "kafka-client": "requires:kafka_client" },
      runner: charmRunner(
        (charm) =>
          void new KafkaRequirer(charm, { contract: "v0", topic: "logs", extraUserRoles: ["consumer"] }),
      ),
    });
    const id = sim.relate("kafka:kafka-client", "app:kafka-client");
    await settleClean(sim, "relate");
    const bag = sim.model.appBag(id, "kafka");
    expect(bag).toMatchObject({
      topic: "logs",
      endpoints: "10.1.0.10:9093",
      "consumer-group-prefix": `relation-${id}-`,
    });
    expect(sim.model.secretContent(bag["secret-tls"]!)).toEqual({ tls: "enabled", "tls-ca": PEM("CA") });
    expect(sim.model.secretContent(bag["secret-user"]!)).toEqual({
      username: `relation-${id}`,
      password: "pw",
    });
  });
});

describe.each(["v1", "v0"] as const)("entity requests (%s)", (contract) => {
  it("topicEntityRequested → entity secret → topicEntityCreated with the entity as user", async () => {
    const sim = new Simulation();
    const log = new EventLog();
    const permissions = [
      { resource_name: "orders", resource_type: "TOPIC", privileges: ["READ", "DESCRIBE"] },
    ];
    sim.deploy("kafka", {
      endpoints: { "kafka-client": "provides:kafka_client" },
      runner: charmRunner((charm: Charm) => {
        const kafka = new KafkaProvider(charm);
        kafka.on("topicRequested", (e) => log.record(charm.unit, "topicRequested", e));
        kafka.on("topicEntityRequested", ({ request }) => {
          log.record(charm.unit, "topicEntityRequested", request);
          kafka.publish(request, { entityName: "reader", entityPassword: "pw", bootstrapServer: ["k:9092"] });
        });
      }),
    });
    sim.deploy("app", {
      units: 2,
      endpoints: { "kafka-client": "requires:kafka_client" },
      runner: charmRunner((charm: Charm) => {
        const kafka = new KafkaRequirer(charm, {
          contract,
          topic: "orders",
          entityType: "USER",
          entityPermissions: permissions,
        });
        kafka.on("topicCreated", (e) => log.record(charm.unit, "topicCreated", e));
        kafka.on("topicEntityCreated", (e) => log.record(charm.unit, "topicEntityCreated", e));
      }),
    });
    const id = sim.relate("kafka:kafka-client", "app:kafka-client");
    expect((await sim.settle()).failed).toEqual([]);
    expect(log.names("kafka/0")).toEqual(["topicEntityRequested"]);
    const bag = sim.model.appBag(id, "kafka");
    const uri = contract === "v0" ? bag["secret-entity"] : String(parse(bag.requests)[0]!["secret-entity"]);
    expect(sim.model.secretContent(uri!)).toEqual({ "entity-name": "reader", "entity-password": "pw" });
    for (const unit of ["app/0", "app/1"]) {
      expect(log.names(unit)).toEqual(["topicEntityCreated"]);
      const c = log.of<{ connection: KafkaConnection }>("topicEntityCreated", unit)[0]!.connection;
      expect(c).toMatchObject({
        topic: "orders",
        username: "reader",
        password: "pw",
        bootstrapServer: ["k:9092"],
      });
    }
  });
});
