/**
 * `KafkaRequirer`: the client side of `kafka_client`. It asks for one or more topics per relation (v1,
 * the default, as kafka-operator speaks since November 2025) or exactly one (v0, as `KafkaRequires`),
 * with roles, a consumer group prefix and optionally a client certificate for mTLS (kept in a
 * requirer-owned `secret-mtls`, or Fernet-encrypted cross-model).
 *
 *   const kafka = new KafkaRequirer(charm, { topic: "orders", extraUserRoles: ["producer"] });
 *   kafka.on("topicCreated", ({ connection }) => …);
 */

import type { Charm } from "@charm-relations/juju-secrets-core";
import {
  type EntityPermission,
  InterfaceRequirer,
  type RequestSpec,
  type RequirerEvents,
  type RequirerOptionsWith,
} from "@charm-relations/juju-secrets-core/interface";
import { kafkaClient } from "./definition.js";
import { type KafkaRole, topicName } from "./schema.js";

export interface KafkaRequestOptions {
  /** The topic (`*` allowed after the first three characters: a prefixed ACL). */
  readonly topic: string;
  /** Further topics, each its own request and user (v1 only). */
  readonly moreTopics?: readonly string[];
  /** `producer`, `consumer`, `admin` (a super user). */
  readonly extraUserRoles?: readonly KafkaRole[];
  /** The consumer group prefix to be granted (default: the provider's `relation-<id>-` for consumers). */
  readonly consumerGroupPrefix?: string;
  /** A client certificate (PEM) for mTLS on the broker's SSL listener; later with `setMtlsCert`. */
  readonly mtlsCert?: string;
  /** Ask for a custom user or group (`topicEntityCreated`) with these permissions (TOPIC/GROUP). */
  readonly entityType?: "USER" | "GROUP";
  readonly entityPermissions?: readonly EntityPermission[];
}

/** `{ endpoint?, contract?, topic, … }`, or `{ endpoint?, request: () => ({ topic, … }) }`. */
export type KafkaRequirerOptions = RequirerOptionsWith<KafkaRequestOptions>;

/** `topicCreated`, `bootstrapServerChanged`, `credentialsRotated`, … (all `{ relation, remoteApp, connection }`). */
export type KafkaRequirerEvents = RequirerEvents<typeof kafkaClient>;

export class KafkaRequirer extends InterfaceRequirer<typeof kafkaClient, KafkaRequestOptions> {
  constructor(charm: Charm, options: KafkaRequirerOptions) {
    const v0 = (options.contract ?? "v1") === "v0";
    super(charm, kafkaClient, options, (o) => {
      const topics = [...new Set([o.topic, ...(o.moreTopics ?? [])])];
      for (const [i, t] of topics.entries()) checkName(t, i === 0 ? "topic" : `moreTopics[${i - 1}]`);
      if (v0 && topics.length !== 1)
        throw new TypeError("KafkaRequirer: the v0 contract takes exactly one topic");
      if (o.consumerGroupPrefix !== undefined) checkName(o.consumerGroupPrefix, "consumerGroupPrefix");
      return topics.map((topic) => spec(topic, o));
    });
  }

  /** The topics this requirer asks for. */
  get topics(): string[] {
    return this.requests.map((r) => r.resource);
  }
}

function spec(topic: string, o: KafkaRequestOptions): RequestSpec {
  return {
    resource: topic,
    ...(o.extraUserRoles?.length ? { extraUserRoles: o.extraUserRoles } : {}),
    ...(o.mtlsCert ? { mtlsCert: o.mtlsCert } : {}),
    ...(o.entityType ? { entityType: o.entityType } : {}),
    ...(o.entityPermissions ? { entityPermissions: o.entityPermissions } : {}),
    ...(o.consumerGroupPrefix ? { extra: { "consumer-group-prefix": o.consumerGroupPrefix } } : {}),
  };
}

function checkName(value: unknown, what: string): void {
  if (!topicName().safeParse(value).success) {
    throw new TypeError(
      `KafkaRequirer: ${what} must be a non-empty name without '*' in its first three characters`,
    );
  }
}
