/**
 * Cross-model (protocol §7): the requirer's certificate cannot travel in a requirer-owned secret, so
 * it goes in its app bag as a Fernet token under the broker's `encryption-secret` (KafkaRequires
 * re-sends its request once that key appears); the broker reads the PEM and answers on both contracts.
 */
import type { Charm } from "@charm-relations/juju-secrets-core";
import { fernetDecrypt } from "@charm-relations/juju-secrets-core/protocol";
import { charmRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import type { KafkaConnection } from "../src/definition.js";
import { KafkaProvider } from "../src/provider.js";
import { KafkaRequirer } from "../src/requirer.js";
import { EventLog } from "./harness.js";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBxm\n-----END CERTIFICATE-----\n";

describe.each(["v0", "v1"] as const)("cross-model, %s", (contract) => {
  it("the certificate reaches the broker as a Fernet token; the client gets its user; cleanup is complete", async () => {
    const sim = new Simulation();
    const log = new EventLog();
    sim.deploy("kafka", {
      units: 2,
      endpoints: { "kafka-client": "provides:kafka_client" },
      runner: charmRunner((charm: Charm) => {
        const kafka = new KafkaProvider(charm);
        kafka.on("topicRequested", ({ request }) =>
          kafka.publish(request, {
            username: request.username,
            password: "pw",
            bootstrapServer: ["k:9094"],
            tls: true,
          }),
        );
        kafka.on("mtlsCertUpdated", (e) => log.record(charm.unit, "mtlsCertUpdated", e));
      }),
    });
    sim.deploy("app", {
      units: 2,
      modelUuid: "0d3a5a1e-7c55-4f1e-9a3c-6a1f2b3c4d5e",
      endpoints: { "kafka-client": "requires:kafka_client" },
      runner: charmRunner((charm: Charm) => {
        const kafka = new KafkaRequirer(charm, { contract, topic: "xm", mtlsCert: PEM });
        kafka.on("topicCreated", (e) => log.record(charm.unit, "topicCreated", e));
      }),
    });
    const id = sim.relate("kafka:kafka-client", "app:kafka-client");
    const r = await sim.settle();
    expect(r.failed).toEqual([]);
    const broker = sim.model.appBag(id, "kafka");
    const client = sim.model.appBag(id, "app");
    const key = sim.model.secretContent(broker["encryption-secret"]!)!["encryption-key"]!;
    const token =
      contract === "v0"
        ? client["mtls-cert"]!
        : (JSON.parse(client.requests!) as Record<string, string>[])[0]!["mtls-cert"]!;
    expect(token).not.toContain("BEGIN");
    expect(fernetDecrypt(key, token)).toBe(PEM);
    expect(client).not.toHaveProperty("secret-mtls");
    expect(log.of<{ cert: string }>("mtlsCertUpdated", "kafka/0").map((e) => e.cert)).toEqual([PEM]);
    for (const unit of ["app/0", "app/1"]) {
      const c = log.of<{ connection: KafkaConnection }>("topicCreated", unit)[0]!.connection;
      expect(c).toMatchObject({ topic: "xm", bootstrapServer: ["k:9094"], tls: true });
    }
    sim.removeRelation(id);
    expect((await sim.settle()).failed).toEqual([]);
    expect(sim.model.secrets()).toEqual([]);
  });
});
