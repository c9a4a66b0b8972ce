/**
 * kafka_client: a kafka-operator-like broker (one SCRAM user per topic request, answered with the
 * bootstrap servers and the consumer group prefix) and a client asking for a topic as producer and
 * consumer (one request in each contract). Rotation: the broker's leader sets new passwords (config
 * `password-seed`), which every client unit hears of as `credentialsRotated`.
 */

import { derivedPassword, type Scenario } from "@charm-relations/juju-secrets-core/testing";
import { KafkaProvider, type KafkaRequest, KafkaRequirer } from "./index.js";

const ENDPOINT = "kafka-client";

export const kafkaClientScenario: Scenario = {
  contracts: ["v1", "v0"],
  defaultContract: "v1",
  build: (contract) => ({
    provider: {
      app: "kafka",
      endpoint: ENDPOINT,
      units: 2,
      config: { "password-seed": "1" },
      setup(charm, ctx) {
        const provider = new KafkaProvider(charm, { endpoint: ENDPOINT });
        const password = (request: KafkaRequest) =>
          derivedPassword(charm.model.config()["password-seed"], "kafka", request.username);
        provider.on("topicRequested", ({ request }) => {
          ctx.record("topicRequested", {
            relation: request.relation.id,
            topic: request.topic,
            username: request.username,
          });
          provider.publish(request, {
            username: request.username,
            password: password(request),
            bootstrapServer: ["10.1.0.10:9092", "10.1.0.11:9092"],
            tls: false,
          });
        });
        provider.on("mtlsCertUpdated", ({ relation }) =>
          ctx.record("mtlsCertUpdated", { relation: relation.id }),
        );
        provider.on("invalid", ({ error }) => {
          ctx.record("invalid", { error: error.message });
          charm.model.setStatus("blocked", error.message);
        });
        provider.on("gone", ({ relation }) => ctx.record("gone", { relation: relation.id }));
        charm.on("configChanged", () => {
          if (!charm.model.isLeader()) return;
          // Same seed, same password: publishing again writes nothing and mints no revision.
          for (const request of provider.answeredRequests())
            provider.publish(request, { password: password(request) });
        });
      },
    },
    requirer: {
      app: "myapp",
      endpoint: ENDPOINT,
      units: 2,
      setup(charm, ctx) {
        const requirer = new KafkaRequirer(charm, {
          endpoint: ENDPOINT,
          contract,
          topic: "orders",
          extraUserRoles: ["producer", "consumer"],
        });
        requirer.on("topicCreated", ({ connection }) =>
          ctx.record("topicCreated", {
            topic: connection.topic,
            username: connection.username,
            bootstrapServer: connection.bootstrapServer,
            consumerGroupPrefix: connection.consumerGroupPrefix ?? "",
          }),
        );
        requirer.on("bootstrapServerChanged", ({ connection }) =>
          ctx.record("bootstrapServerChanged", { bootstrapServer: connection.bootstrapServer }),
        );
        requirer.on("credentialsRotated", ({ connection, groups }) =>
          ctx.record("credentialsRotated", { topic: connection.topic, groups }),
        );
        requirer.on("gone", ({ relation }) => ctx.record("gone", { relation: relation.id }));
        requirer.on("invalid", ({ error }) => {
          ctx.record("invalid", { error: error.message });
          charm.model.setStatus("blocked", error.message);
        });
      },
    },
    rotate: {
      description:
        "kafka's leader sets new passwords (config password-seed=2): each secret-user gets a new revision",
      apply: (sim) => sim.configure("kafka", { "password-seed": "2" }),
    },
  }),
};
