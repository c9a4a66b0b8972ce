/**
 * kafka_client as the core engines run it: v1 and v0 on both sides, the requirer's client certificate
 * (`secret-mtls`, Fernet cross-model), readiness, the typed connection and data_interfaces' event names.
 */

import type { Contract, RelationRef } from "@charm-relations/juju-secrets-core";
import { defineInterface } from "@charm-relations/juju-secrets-core/interface";
import * as s from "./schema.js";

/** Everything a Kafka client needs for one answered topic request. */
export interface KafkaConnection {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only. */
  readonly requestId?: string;
  readonly topic: string;
  /** SCRAM-SHA-512 user (`relation-<id>[-<request-id>]`, or the entity's name) and password. */
  readonly username: string;
  readonly password: string;
  /** `bootstrap.servers`: `host:port` items (9092 SASL_PLAINTEXT, 9093 SASL_SSL, 9094 SSL for mTLS). */
  readonly bootstrapServer: readonly string[];
  /** The consumer group prefix the user may use (`relation-<id>-` for consumers unless asked for). */
  readonly consumerGroupPrefix?: string;
  /** `<zk host:port list>/<chroot>` (ZooKeeper-era kafka-operator only). */
  readonly zookeeperUris?: string;
  readonly tls: boolean;
  /** PEM of the broker CA; never the `"disabled"` placeholder. */
  readonly tlsCa?: string;
}

/** The endpoint name kafka-operator uses (`provides: kafka-client`). */
export const DEFAULT_KAFKA_ENDPOINT = "kafka-client";

export const kafkaClient = defineInterface({
  name: "kafka_client",
  defaultEndpoint: DEFAULT_KAFKA_ENDPOINT,
  contracts: { requirer: ["v1", "v0"], provider: ["v1", "v0"] },
  resourceKey: "topic",
  schemas: {
    v0: { requirerApp: s.requirerAppV0, providerApp: s.providerAppV0 },
    v1: { request: s.request, response: s.response },
    secrets: { ...s.kafkaSecrets, mtls: s.mtlsSecret },
  },
  // data_interfaces v1 KafkaResponseModel: both are `ExtraSecretStr` (v0: plain unless requested).
  fields: { "consumer-group-prefix": "extra", "zookeeper-uris": "extra" },
  // topic_created needs the user; a client also needs somewhere to connect.
  ready: { default: ["username", "password", "endpoints"], entity: ["entity-name", "endpoints"] },
  connection: (f, a): KafkaConnection => {
    const tls = f.tls ?? false;
    const tlsCa = f["tls-ca"];
    return {
      relation: a.relation,
      remoteApp: a.remoteApp,
      contract: a.contract,
      ...(a.requestId ? { requestId: a.requestId } : {}),
      topic: a.resource,
      username: f.username ?? f["entity-name"] ?? "",
      password: f.password ?? f["entity-password"] ?? "",
      bootstrapServer: f.endpoints ?? [],
      ...(f["consumer-group-prefix"] ? { consumerGroupPrefix: f["consumer-group-prefix"] } : {}),
      ...(f["zookeeper-uris"] ? { zookeeperUris: f["zookeeper-uris"] } : {}),
      tls,
      // The v0 generation wrote the flag into tls-ca too: only a CA while TLS is on is one to trust.
      ...(tls && tlsCa ? { tlsCa } : {}),
    };
  },
  created: { default: "topicCreated", entity: "topicEntityCreated" },
  changes: {
    endpoints: "bootstrapServerChanged",
    "consumer-group-prefix": "consumerGroupPrefixChanged",
    "zookeeper-uris": "zookeeperUrisChanged",
  },
  rotations: { tls: "tlsChanged" },
  requested: {
    default: "topicRequested",
    entity: "topicEntityRequested",
    permissions: "topicEntityPermissionsChanged",
  },
  requestExtraKeys: ["consumer-group-prefix"],
  mtls: true,
  // KafkaProvides creates an encryption-secret cross-model; the requirer re-sends its request then.
  crossModelEncryption: true,
});
