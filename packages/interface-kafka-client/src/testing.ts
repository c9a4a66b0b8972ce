/**
 * Testing helpers for charms that use this package (`@charm-relations/interface-kafka-client/testing`):
 * builders for real `kafka_client` databags, reference counterpart charms, and conformance checks that
 * run your charm on the in-memory Juju model against our reference counterpart and assert the wire
 * format kafka-operator and its Python clients expect.
 *
 *   for (const c of providerConformance({ runner: charmRunner(setup) })) it(c.name, c.run);
 */

import type { Charm } from "@charm-relations/juju-secrets-core";
import {
  DEFAULT_PROVIDED_SECRETS,
  DEFAULT_REQUESTED_SECRETS,
  formatRequests,
  pyDumps,
  serializeRequestObject,
} from "@charm-relations/juju-secrets-core/protocol";
import {
  type ConformanceCheck,
  ConformanceError,
  type ConformanceTarget,
  charmRunner,
  check,
  checkRemovalLeavesNoSecrets,
  checkReplayWritesNothing,
  firstIssue,
  type InterfaceTesting,
  relateTarget,
  v1RequirerAppBag,
} from "@charm-relations/juju-secrets-core/testing";
import { DEFAULT_KAFKA_ENDPOINT, kafkaClient } from "./definition.js";
import { KafkaProvider } from "./provider.js";
import { KafkaRequirer } from "./requirer.js";
import { kafkaClientScenario } from "./scenario.js";
import {
  providerAppV0,
  providerAppV1,
  requirerAppV0,
  requirerAppV1,
  tlsSecret,
  userSecret,
} from "./schema.js";

export { type ConformanceCheck, ConformanceError, type ConformanceTarget };

type Bag = Record<string, string>;
const DEFAULTS = { endpoint: DEFAULT_KAFKA_ENDPOINT, interface: "kafka_client" } as const;

/** A v1 requirer app bag asking for `topics` (salts random unless given), as data_interfaces v1 writes it. */
export function v1RequirerBag(
  topics: readonly string[],
  options: { roles?: string; salts?: readonly string[] } = {},
): Bag {
  const requests = topics.map((resource) => ({ resource, "extra-user-roles": options.roles ?? null }));
  return v1RequirerAppBag(kafkaClient, requests, options.salts);
}

/** A v0 `KafkaRequires` app bag for one topic. */
export function v0RequirerBag(
  topic: string,
  options: { roles?: string; consumerGroupPrefix?: string } = {},
): Bag {
  return {
    topic,
    ...(options.roles ? { "extra-user-roles": options.roles } : {}),
    ...(options.consumerGroupPrefix ? { "consumer-group-prefix": options.consumerGroupPrefix } : {}),
    "provided-secrets": pyDumps([...DEFAULT_PROVIDED_SECRETS]),
    "requested-secrets": pyDumps([...DEFAULT_REQUESTED_SECRETS]),
  };
}

/** Our reference broker: answers every topic request with a fixed bootstrap server, TLS off. */
export function referenceProvider(charm: Charm): void {
  const kafka = new KafkaProvider(charm);
  kafka.on("topicRequested", ({ request }) =>
    kafka.publish(request, {
      username: request.username,
      password: "reference-password",
      bootstrapServer: ["10.1.0.10:9092"],
      tls: false,
    }),
  );
}

/** Our reference client: asks for topic `test-topic` as a producer and consumer (v1 unless `contract`). */
export function referenceRequirer(contract: "v0" | "v1" = "v1") {
  return (charm: Charm): void =>
    void new KafkaRequirer(charm, {
      contract,
      topic: "test-topic",
      extraUserRoles: ["producer", "consumer"],
    });
}

function secretOf(sim: { model: { secretContent(uri: string): Bag | undefined } }, uri: unknown): Bag {
  return typeof uri === "string" ? (sim.model.secretContent(uri) ?? {}) : {};
}

/**
 * Checks for a broker charm (its runner must construct a `KafkaProvider` or speak the same wire
 * format): v1 and v0 clients get kafka-operator's keys, usernames and secrets, a replayed hook writes
 * nothing, and no secret outlives the relation.
 */
export function providerConformance(target: ConformanceTarget): ConformanceCheck[] {
  const relate = (contract: "v0" | "v1") =>
    relateTarget(target, "provides", charmRunner(referenceRequirer(contract)), DEFAULTS);
  return [
    {
      name: "answers a v1 client: response with secret-user and secret-tls, data entry, relation-<id>-<request-id>",
      run: async () => {
        const { sim, id } = await relate("v1");
        const raw = sim.model.appBag(id, "provider");
        const bag = providerAppV1.safeParse(raw);
        check(bag.success, `provider app bag: ${firstIssue(bag)}`);
        const [r] = JSON.parse(raw.requests ?? "[]") as Record<string, unknown>[];
        check(r !== undefined, "no response to the v1 request");
        const rid = String(r["request-id"]);
        check(
          rid in (bag.data.data ?? {}),
          "no data entry for the request id (Python v1 clients fail without it)",
        );
        const user = userSecret.safeParse(secretOf(sim, r["secret-user"]));
        check(user.success, `secret-user: ${firstIssue(user)}`);
        check(user.data.username === `relation-${id}-${rid}`, `username should be relation-${id}-${rid}`);
        const tls = secretOf(sim, r["secret-tls"]).tls;
        check(tls === "true" || tls === "false", 'v1 tls must be "true" or "false" (a JSON boolean)');
        check(!("consumer-group-prefix" in r), "consumer-group-prefix belongs in secret-extra in v1");
        await checkReplayWritesNothing(sim, "provider", id, { secrets: true });
        await checkRemovalLeavesNoSecrets(sim, "provider", id);
      },
    },
    {
      name: "answers a v0 client flat: topic echo, enabled/disabled, relation-<id>, consumer group prefix",
      run: async () => {
        const { sim, id } = await relate("v0");
        const raw = sim.model.appBag(id, "provider");
        const bag = providerAppV0.safeParse(raw);
        check(bag.success, `provider app bag: ${firstIssue(bag)}`);
        check(raw.version !== "v1" && raw.requests === undefined, "a v0 client must get the flat contract");
        check(raw.topic === "test-topic", "the topic must be echoed as topic");
        check(raw["consumer-group-prefix"] === `relation-${id}-`, "consumers get relation-<id>- as prefix");
        check(
          secretOf(sim, raw["secret-user"]).username === `relation-${id}`,
          `username should be relation-${id}`,
        );
        const tls = secretOf(sim, raw["secret-tls"]);
        check(tls.tls === "enabled" || tls.tls === "disabled", 'v0 tls must be "enabled" or "disabled"');
        check(tlsSecret.safeParse(tls).success, "secret-tls content");
        await checkRemovalLeavesNoSecrets(sim, "provider", id);
      },
    },
  ];
}

/** Checks for a client charm: its request bytes, a snapshot per unit, a replay that writes nothing. */
export function requirerConformance(target: ConformanceTarget): ConformanceCheck[] {
  return [
    {
      name: "sends its request in the exact bytes of data_interfaces and gets connected on every unit",
      run: async () => {
        const { sim, id } = await relateTarget(target, "requires", charmRunner(referenceProvider), DEFAULTS);
        const raw = sim.model.appBag(id, "requirer");
        if (raw.version === "v1") {
          const bag = requirerAppV1.safeParse(raw);
          check(bag.success, `requirer app bag: ${firstIssue(bag)}`);
          const again = formatRequests(
            (JSON.parse(raw.requests!) as Record<string, unknown>[]).map((r) =>
              serializeRequestObject(r, { extraKeys: [...(kafkaClient.requestExtraKeys ?? [])] }),
            ),
          );
          check(again === raw.requests, "requests must list every model key in order, nulls included");
        } else {
          const bag = requirerAppV0.safeParse(raw);
          check(bag.success, `requirer app bag: ${firstIssue(bag)}`);
          check(
            raw["requested-secrets"] === pyDumps([...DEFAULT_REQUESTED_SECRETS]),
            "requested-secrets: the default list",
          );
        }
        for (const unit of sim.model.application("requirer").units)
          check(sim.model.unitBag(id, unit).data !== undefined, `${unit} keeps no snapshot of the answer`);
        await checkReplayWritesNothing(sim, "requirer", id);
        await checkRemovalLeavesNoSecrets(sim, "requirer", id);
      },
    },
  ];
}

export { kafkaClientScenario };

/** What the tools run kafka_client with (`@charm-relations/cli/registry`). */
export const testingDescriptor: InterfaceTesting = { name: "kafka_client", scenario: kafkaClientScenario };
