/**
 * kafka_client: a kafka-operator-like broker (one SCRAM user per topic request, answered with the
 * bootstrap servers and the consumer group prefix) and a client asking for a topic as producer and
 * consumer (one request in each contract). Rotation: the broker's leader sets new passwords (config
 * `password-seed`), which every client unit hears of as `credentialsRotated`.
 */

import { type Scenario, seededScenario } from "@charm-relations/juju-secrets-core/testing";
import { KafkaProvider, KafkaRequirer } from "./index.js";

export const kafkaClientScenario: Scenario = seededScenario({
  contracts: ["v1", "v0"],
  endpoint: "kafka-client",
  provider: {
    app: "kafka",
    create: (charm, endpoint) => new KafkaProvider(charm, { endpoint }),
    listen: (provider, ctx, answer) => {
      provider.on("topicRequested", ({ request }) => {
        ctx.record("topicRequested", {
          relation: request.relation.id,
          topic: request.topic,
          username: request.username,
        });
        answer(request);
      });
      provider.on("mtlsCertUpdated", ({ relation }) =>
        ctx.record("mtlsCertUpdated", { relation: relation.id }),
      );
    },
    answer: (provider, request, password) =>
      provider.publish(request, {
        username: request.username,
        password: password("kafka", request.username),
        bootstrapServer: ["10.1.0.10:9092", "10.1.0.11:9092"],
        tls: false,
      }),
  },
  requirer: {
    app: "myapp",
    create: (charm, endpoint, contract) =>
      new KafkaRequirer(charm, {
        endpoint,
        contract,
        topic: "orders",
        extraUserRoles: ["producer", "consumer"],
      }),
    listen: (requirer, ctx) => {
      requirer.on("topicCreated", ({ connection: c }) =>
        ctx.record("topicCreated", {
          topic: c.topic,
          username: c.username,
          bootstrapServer: c.bootstrapServer,
          consumerGroupPrefix: c.consumerGroupPrefix ?? "",
        }),
      );
      requirer.on("bootstrapServerChanged", ({ connection: c }) =>
        ctx.record("bootstrapServerChanged", { bootstrapServer: c.bootstrapServer }),
      );
    },
    rotated: (c) => ({ topic: c.topic }),
  },
  rotation:
    "kafka's leader sets new passwords (config password-seed=2): each secret-user gets a new revision",
});
