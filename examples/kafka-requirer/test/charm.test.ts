/**
 * The client example in-process on the simulated model: the package's conformance checks (v1 and
 * v0), its statuses (blocked → waiting until the credentials are readable → active `ready: …`) and
 * the rendered client.properties.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KafkaProvider } from "@charm-relations/interface-kafka-client";
import { requirerConformance } from "@charm-relations/interface-kafka-client/testing";
import type { Charm } from "@charm-relations/juju-secrets-core";
import { charmRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { PROPERTIES_FILE, setup } from "../src/charm.js";

const dataDir = () => mkdtempSync(join(tmpdir(), "kafka-requirer-"));

describe("kafka-requirer example", () => {
  for (const contract of ["v1", "v0"]) {
    for (const c of requirerConformance({
      runner: charmRunner(setup),
      config: { contract, "data-dir": dataDir() },
    }))
      it(`${contract}: ${c.name}`, c.run);
  }

  it("is waiting until the credentials are readable, then active and rendered", async () => {
    const sim = new Simulation({ lifecycle: false });
    let grant = false;
    const broker = (charm: Charm) => {
      const kafka = new KafkaProvider(charm);
      const answer = () => {
        for (const r of kafka.pendingRequests())
          kafka.publish(r, {
            username: r.username,
            password: "pw",
            bootstrapServer: ["10.1.0.10:9092"],
            tls: false,
          });
      };
      kafka.on("topicRequested", () => {
        if (grant) answer();
      });
      charm.on("configChanged", () => {
        if (grant && charm.model.isLeader()) answer();
      });
    };
    const dir = dataDir();
    sim.deploy("kafka", {
      runner: charmRunner(broker),
      endpoints: { "kafka-client": "provides:kafka_client" },
    });
    sim.deploy("app", {
      runner: charmRunner(setup),
      endpoints: { "kafka-client": "requires:kafka_client" },
      config: { "data-dir": dir, topic: "orders" },
    });
    sim.configure("app", {});
    await sim.settle();
    expect(sim.model.unitStatus("app/0")).toEqual({
      status: "blocked",
      message: "needs a kafka-client relation",
    });
    sim.relate("kafka", "app");
    await sim.settle();
    expect(sim.model.unitStatus("app/0")).toEqual({
      status: "waiting",
      message: "waiting for Kafka credentials",
    });
    grant = true;
    sim.configure("kafka", {});
    await sim.settle();
    expect(sim.model.unitStatus("app/0")?.status).toBe("active");
    expect(sim.model.unitStatus("app/0")?.message).toMatch(
      /^ready: relation-\d+-[0-9a-f]{16} on topic orders \(v1\)$/,
    );
    const props = readFileSync(join(dir, PROPERTIES_FILE), "utf8");
    expect(props).toContain("bootstrap.servers=10.1.0.10:9092\nsecurity.protocol=SASL_PLAINTEXT\n");
    expect(props).toContain('password="pw"');
  });
});
