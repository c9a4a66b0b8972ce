/**
 * The `kafka_client` wire format as zod schemas (interfaces-data-platform-more.md §2): the single
 * source of truth for parsing, types and JSON Schema. v1 (kafka-operator since November 2025): the
 * request extra `consumer-group-prefix`; the answer's `consumer-group-prefix`/`zookeeper-uris` in
 * `secret-extra`, `tls` `"true"`/`"false"`. v0 (`KafkaRequires`): flat keys, `tls` `"enabled"`/
 * `"disabled"`, `tls-ca` `"disabled"` while off (read as no CA).
 */

import { isNoneCa, parseCommaList } from "@charm-relations/juju-secrets-core/protocol";
import {
  hostPort,
  mtlsSecret,
  providerUnit,
  requirerUnit,
  v0ProviderApp,
  v0RequirerApp,
  v1ProviderApp,
  v1Request,
  v1RequirerApp,
  v1Response,
  wireBool,
} from "@charm-relations/juju-secrets-core/schema";
import * as z from "zod";

/** The roles kafka-operator grants (`admin` makes the user a super user). */
export const KAFKA_ROLES = ["producer", "consumer", "admin"] as const;
export type KafkaRole = (typeof KAFKA_ROLES)[number];

/** `relation-<id>-<request-id>` (v1) or `relation-<id>` (v0): the SCRAM users kafka-operator creates. */
export function kafkaUsername(relationId: number, requestId?: string): string {
  return requestId ? `relation-${relationId}-${requestId}` : `relation-${relationId}`;
}

/** A topic (or consumer group prefix): data_interfaces refuses a `*` in the first three characters. */
export const topicName = () =>
  z.string().refine((v) => v !== "" && !v.slice(0, 3).includes("*"), {
    message: "expected a non-empty name without '*' in its first three characters",
  });

/** A comma list of `host:port` bootstrap servers; `""` reads as none. */
export const bootstrapList = () =>
  z
    .string()
    .transform((v) => parseCommaList(v))
    .pipe(z.array(hostPort()));

/** `tls-ca`: a PEM bundle, or `"disabled"` / `""` for none (read as `null`). */
const tlsCa = () => z.string().transform((v) => (isNoneCa(v) ? null : v));

// ---------------------------------------------------------------------------------------------
// Secret contents

/** `secret-user`: `relation-<id>[-<request-id>]` and a 32-character password. */
export const userSecret = z.looseObject({
  username: z.string().min(1),
  password: z.string().min(1),
  uris: z.string().optional(),
});

/** `secret-tls`: `tls` `enabled`/`disabled` (v0) or `true`/`false` (v1); `tls-ca` a PEM or `disabled`. */
export const tlsSecret = z.looseObject({ tls: wireBool().optional(), "tls-ca": tlsCa().optional() });

/** `secret-extra` (v1; v0 only when requested): the consumer group prefix and ZooKeeper URIs. */
export const extraSecret = z.looseObject({
  "consumer-group-prefix": z.string().optional(),
  "zookeeper-uris": z.string().optional(),
});

/** `secret-entity`: a custom user or group (entity requests); a GROUP has no password. */
export const entitySecret = z.looseObject({
  "entity-name": z.string().min(1),
  "entity-password": z.string().optional(),
});

/** `secret-mtls` (requirer-owned): the client certificate the broker trusts (kafka-operator's SSL port). */
export { mtlsSecret };

/** The provider-owned secret groups. */
export const kafkaSecrets = { user: userSecret, tls: tlsSecret, extra: extraSecret, entity: entitySecret };

// ---------------------------------------------------------------------------------------------
// Databags

/** One v1 request: the topic as `resource`, then `consumer-group-prefix` after the base keys. */
export const request = v1Request({
  resource: topicName(),
  "consumer-group-prefix": topicName().nullable().optional(),
});

/** One v1 response: base keys only (the Kafka fields are in `secret-extra`); readers keep unknown keys. */
export const response = v1Response({
  endpoints: bootstrapList().nullable().optional(),
  "read-only-endpoints": bootstrapList().nullable().optional(),
});

export const requirerAppV1 = v1RequirerApp(request);
export const providerAppV1 = v1ProviderApp(response);

/** A `KafkaRequires` client (v0): topic, roles, consumer group prefix, client certificate. */
export const requirerAppV0 = v0RequirerApp({
  topic: topicName(),
  "consumer-group-prefix": topicName().optional(),
});

/** The flat answer (v0 generation of kafka-operator, and the current charm's compatibility answer). */
export const providerAppV0 = v0ProviderApp(
  {
    topic: z.string().optional(),
    endpoints: bootstrapList().optional(),
    "consumer-group-prefix": z.string().optional(),
    "zookeeper-uris": z.string().optional(),
    version: z.string().optional(),
  },
  kafkaSecrets,
);

export { providerUnit, requirerUnit };

// ---------------------------------------------------------------------------------------------
// What a provider charm publishes (validated before anything is written)

const serverInput = z.union([z.array(hostPort()), bootstrapList()]);

export const responseInput = z.strictObject({
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  entityName: z.string().min(1).optional(),
  entityPassword: z.string().min(1).optional(),
  /** The bootstrap servers (`endpoints` on the wire). */
  bootstrapServer: serverInput.optional(),
  consumerGroupPrefix: z.string().min(1).nullable().optional(),
  zookeeperUris: z.string().min(1).nullable().optional(),
  tls: z.boolean().optional(),
  tlsCa: z.string().min(1).nullable().optional(),
});
/** Fields a provider publishes for a request; omitted fields are left as they are, `null` removes one. */
export type KafkaResponseInput = z.input<typeof responseInput>;

export type RequestObject = z.output<typeof request>;
export type ResponseObject = z.output<typeof response>;
export type UserSecret = z.output<typeof userSecret>;
export type TlsSecret = z.output<typeof tlsSecret>;
export type ExtraSecret = z.output<typeof extraSecret>;
export type EntitySecret = z.output<typeof entitySecret>;
