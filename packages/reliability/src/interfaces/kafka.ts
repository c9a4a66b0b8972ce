/**
 * kafka_client through `@charm-relations/interface-kafka-client`: a broker charm (one SCRAM user per
 * topic request, password stable per `rotate` generation) and client charms on v1 (with a client
 * certificate) and v0; their lifecycle, and hostile cases for both sides and both contracts.
 */

import { KafkaProvider, KafkaRequirer } from "@charm-relations/interface-kafka-client";
import type { Charm, Contract } from "@charm-relations/juju-secrets-core";
import { charmRunner } from "@charm-relations/juju-secrets-core/testing";
import fc from "fast-check";
import { EventLog, makePassword, type PasswordMode, passwordSeed } from "../generic.js";
import { badHostPorts, type HostileTarget, schemeHostPorts } from "../hostile.js";
import { providerBases, requirerBases, settledWorld, unknownResponse } from "../hostile-bases.js";
import { V0_ANSWER_ROLES, V0_REQUEST_ROLES, V1_ANSWER_ROLES, V1_REQUEST_ROLES } from "../hostile-generic.js";
import type { LifecycleSpec } from "../lifecycle.js";

const EP = "kafka-client";
const SUBJECT = "kafka_client";
const CERT = "-----BEGIN CERTIFICATE-----\nMIIBreliability\n-----END CERTIFICATE-----\n";

export interface CharmOptions {
  readonly passwords?: PasswordMode;
  readonly log?: EventLog;
}

export function kafkaProvider(options: CharmOptions = {}): (charm: Charm) => void {
  const seed = passwordSeed(options.passwords ?? "derived");
  return (charm) => {
    const provider = new KafkaProvider(charm, { endpoint: EP });
    const log = (e: string, d = "") => options.log?.add(charm.unit, e, d);
    const shared = { bootstrapServer: ["10.1.0.10:9092", "10.1.0.11:9092"], tls: false };
    const password = (r: { username: string }) =>
      makePassword(seed, `${r.username}#${String(charm.model.config().rotate ?? "0")}`);
    provider.on("topicRequested", ({ request }) => {
      log("topicRequested", request.topic);
      provider.publish(request, { username: request.username, password: password(request), ...shared });
    });
    provider.on("mtlsCertUpdated", ({ relation }) => log("mtlsCertUpdated", String(relation.id)));
    provider.on("gone", ({ relation }) => log("gone", String(relation.id)));
    if (options.log) provider.on("invalid", ({ error }) => log("requestInvalid", error.message));
    charm.on("configChanged", () => {
      if (!charm.model.isLeader()) return;
      for (const r of provider.answeredRequests()) provider.publish(r, { password: password(r) });
    });
    charm.on("relationBroken", () => charm.model.setStatus("active", ""));
  };
}

export function kafkaRequirer(contract: Contract, options: CharmOptions = {}): (charm: Charm) => void {
  return (charm) => {
    const requirer = new KafkaRequirer(charm, {
      endpoint: EP,
      contract,
      topic: "orders",
      extraUserRoles: ["producer", "consumer"],
      ...(contract === "v1" ? { mtlsCert: CERT } : { consumerGroupPrefix: "legacy-" }),
    });
    const log = (e: string, d = "") => options.log?.add(charm.unit, e, d);
    requirer.on("topicCreated", ({ connection }) =>
      log("created", `${connection.relation.id} ${connection.topic}`),
    );
    requirer.on("credentialsRotated", ({ connection }) =>
      log("rotated", `${connection.relation.id} ${connection.topic}`),
    );
    requirer.on("gone", ({ relation }) => log("gone", String(relation.id)));
    if (options.log) requirer.on("invalid", ({ error }) => log("invalid", error.message));
  };
}

export function kafkaLifecycle(options: CharmOptions = {}): LifecycleSpec {
  const o = { passwords: options.passwords ?? "derived", log: options.log ?? new EventLog() };
  return {
    name: "kafka_client v1 (mTLS) + v0",
    apps: [
      {
        name: "kafka",
        units: 2,
        endpoints: { [EP]: "provides:kafka_client" },
        runner: charmRunner(kafkaProvider(o)),
      },
      {
        name: "client",
        units: 2,
        endpoints: { [EP]: "requires:kafka_client" },
        runner: charmRunner(kafkaRequirer("v1", o)),
      },
      {
        name: "legacy",
        units: 1,
        endpoints: { [EP]: "requires:kafka_client" },
        runner: charmRunner(kafkaRequirer("v0", o)),
      },
    ],
    steps: [
      { op: "relate", a: `kafka:${EP}`, b: `client:${EP}` },
      { op: "relate", a: `kafka:${EP}`, b: `legacy:${EP}` },
      { op: "configure", app: "kafka", config: { rotate: "1" } },
      { op: "add-unit", app: "client" },
      { op: "set-leader", unit: "kafka/1" },
      { op: "configure", app: "kafka", config: { rotate: "2" } },
      { op: "set-leader", unit: "client/1" },
      { op: "remove-unit", unit: "client/2" },
      // Leaders leave while the relations live on (LP#1979811): nothing of the relation may go.
      { op: "remove-unit", unit: "kafka/1" },
      { op: "remove-unit", unit: "client/1" },
      { op: "remove-relation", index: 0 },
      { op: "remove-relation", index: 1 },
    ],
  };
}

/** Topics data_interfaces refuses (`*` in the first three characters). */
const badTopic = fc.constantFrom("*", "a*b", "**x", "");

export function kafkaTargets(): HostileTarget[] {
  const world = async () => {
    const w = await settledWorld(kafkaLifecycle());
    return { state: w.state, v1: w.relations[0]!, v0: w.relations[1]! };
  };
  const endpointsStrict = { endpoints: fc.oneof(badHostPorts, schemeHostPorts) };
  return [
    {
      name: "kafka_client provider v1",
      subject: SUBJECT,
      endpoint: EP,
      setup: kafkaProvider(),
      roles: {
        ...V1_REQUEST_ROLES,
        v1: {
          ...V1_REQUEST_ROLES.v1!,
          secretUris: ["secret-mtls"],
          strict: { ...V1_REQUEST_ROLES.v1!.strict, resource: badTopic, "consumer-group-prefix": badTopic },
          free: ["resource"],
        },
      },
      bases: async () => {
        const w = await world();
        return providerBases(w.state, { relationId: w.v1, local: "kafka", remote: "client" });
      },
    },
    {
      name: "kafka_client provider v0",
      subject: SUBJECT,
      endpoint: EP,
      setup: kafkaProvider(),
      roles: {
        ...V0_REQUEST_ROLES,
        strict: { topic: badTopic, "consumer-group-prefix": badTopic },
        free: ["topic"],
      },
      bases: async () => {
        const w = await world();
        return providerBases(w.state, { relationId: w.v0, local: "kafka", remote: "legacy" });
      },
    },
    {
      name: "kafka_client requirer v1",
      subject: SUBJECT,
      endpoint: EP,
      setup: kafkaRequirer("v1"),
      roles: {
        ...V1_ANSWER_ROLES,
        v1: { ...V1_ANSWER_ROLES.v1!, unknownResponse, strict: endpointsStrict, free: ["version"] },
      },
      bases: async () => {
        const w = await world();
        return requirerBases(w.state, { relationId: w.v1, local: "client", remote: "kafka" });
      },
    },
    {
      name: "kafka_client requirer v0",
      subject: SUBJECT,
      endpoint: EP,
      setup: kafkaRequirer("v0"),
      roles: {
        ...V0_ANSWER_ROLES,
        strict: endpointsStrict,
        free: ["version", "topic", "consumer-group-prefix", "zookeeper-uris"],
      },
      bases: async () => {
        const w = await world();
        return requirerBases(w.state, { relationId: w.v0, local: "legacy", remote: "kafka" });
      },
    },
  ];
}
