/**
 * `KafkaProvider`: the broker side of `kafka_client`. It serves v1 requirers (one or more topics per
 * relation) and v0 `KafkaRequires` requirers on one endpoint, tells the charm which users and ACLs to
 * create (and which client certificates to trust), and publishes in kafka-operator's spelling.
 *
 *   kafka.on("topicRequested", ({ request }) => kafka.publish(request, { username, password, … }));
 */

import type { Charm, Contract, RelationRef } from "@charm-relations/juju-secrets-core";
import {
  answerFields,
  InterfaceProvider,
  type ProviderEvents,
  type ProviderOptions,
  type ProviderRequest,
  parseAnswer,
  tlsAnswerFields,
} from "@charm-relations/juju-secrets-core/interface";
import { kafkaClient } from "./definition.js";
import { type KafkaResponseInput, kafkaUsername, responseInput } from "./schema.js";

/** One topic request, as the broker charm sees it. */
export interface KafkaRequest {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only (a v0 requirer has one implicit request per relation). */
  readonly requestId?: string;
  readonly topic: string;
  /** `producer`, `consumer`, `admin` (any other string is passed through for the charm to refuse). */
  readonly extraUserRoles: readonly string[];
  /**
   * The prefix to grant: the requirer's, else `<username>-` when the roles include `consumer` (as
   * kafka-operator); published with the credentials unless the answer names another.
   */
  readonly consumerGroupPrefix?: string;
  /** The user kafka-operator creates for it: `relation-<id>-<request-id>` or `relation-<id>`. */
  readonly username: string;
  /** The requirer sent a client certificate (read it with `clientCertificate`). */
  readonly mtls: boolean;
}

/** `topicRequested`, `topicEntityRequested`, `mtlsCertUpdated`, `requestRemoved`, `invalid`, `gone`. */
export type KafkaProviderEvents = ProviderEvents<typeof kafkaClient, KafkaRequest>;

function toRequest(r: ProviderRequest): KafkaRequest {
  const username = kafkaUsername(r.relation.id, r.contract === "v1" ? r.requestId : undefined);
  const asked = r.raw["consumer-group-prefix"];
  const prefix =
    typeof asked === "string" && asked !== ""
      ? asked
      : r.extraUserRoles.includes("consumer")
        ? `${username}-`
        : undefined;
  return {
    relation: r.relation,
    remoteApp: r.remoteApp,
    contract: r.contract,
    ...(r.requestId ? { requestId: r.requestId } : {}),
    topic: r.resource,
    extraUserRoles: r.extraUserRoles,
    ...(prefix ? { consumerGroupPrefix: prefix } : {}),
    username,
    mtls: r.mtlsSecret !== undefined || typeof r.raw["mtls-cert"] === "string",
  };
}

const V0_TLS = { on: "enabled", off: "disabled", offCa: "disabled" } as const;
const V1_TLS = { on: "true", off: "false" } as const;

export class KafkaProvider extends InterfaceProvider<typeof kafkaClient, KafkaRequest, KafkaResponseInput> {
  constructor(charm: Charm, options: ProviderOptions = {}) {
    super(charm, kafkaClient, options, toRequest);
  }

  /** The client certificate (PEM) a request carries, if any (any unit: for the truststore). */
  clientCertificate(request: Pick<KafkaRequest, "relation" | "requestId">): string | undefined {
    return this.clientCertificates().find(
      (c) => c.relation.id === request.relation.id && c.requestId === request.requestId,
    )?.cert;
  }

  /** The same fields (bootstrap servers, TLS …) to every answered request (leader); credentials are per request. */
  override publishAll(response: Omit<KafkaResponseInput, "username" | "password">): void {
    this.publishAllShared(response);
  }

  /** Validated input → canonical fields in kafka-operator's spelling for the request's contract. */
  protected fieldsOf(
    input: KafkaResponseInput,
    request: KafkaRequest | undefined,
  ): Record<string, string | undefined> {
    const { tls, tlsCa, bootstrapServer, ...rest } = parseAnswer(responseInput, input);
    const v0 = request?.contract === "v0";
    // v0 clients read `enabled`/`disabled` and, while off, `tls-ca: disabled` (kafka-operator's v0
    // generation); v1 models dump a JSON boolean and drop the CA.
    const tlsFields = tlsAnswerFields(tls, tlsCa, v0 ? V0_TLS : V1_TLS);
    const fields = { ...answerFields({ ...rest, endpoints: bootstrapServer }), ...tlsFields };
    if (request && rest.consumerGroupPrefix === undefined && request.consumerGroupPrefix && fields.username) {
      fields["consumer-group-prefix"] = request.consumerGroupPrefix;
    }
    // v0 clients read the topic back from the provider bag, as kafka-operator echoes it.
    if (v0 && fields.username) fields.topic = request.topic;
    return fields;
  }
}
