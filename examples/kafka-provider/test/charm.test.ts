/**
 * The broker example in-process on the simulated model: the package's conformance checks (v1 and v0
 * clients), a bad config value blocking instead of failing, and the users file following requests.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { providerConformance, referenceRequirer } from "@charm-relations/interface-kafka-client/testing";
import { charmRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { CLIENTS_FILE, type Client, setup } from "../src/charm.js";

const dataDir = () => mkdtempSync(join(tmpdir(), "kafka-provider-"));

describe("kafka-provider example", () => {
  for (const c of providerConformance({ runner: charmRunner(setup), config: { "data-dir": dataDir() } }))
    it(c.name, c.run);

  it("blocks on a host it cannot publish, without failing a hook or writing an answer", async () => {
    const sim = new Simulation({ lifecycle: false });
    const dir = dataDir();
    sim.deploy("kafka", {
      runner: charmRunner(setup),
      endpoints: { "kafka-client": "provides:kafka_client" },
      config: { "data-dir": dir, hosts: "https://broker" },
    });
    sim.deploy("app", {
      runner: charmRunner(referenceRequirer()),
      endpoints: { "kafka-client": "requires:kafka_client" },
    });
    const id = sim.relate("kafka", "app");
    const r = await sim.settle();
    expect(r.failed).toEqual([]);
    expect(sim.model.unitStatus("kafka/0")?.status).toBe("blocked");
    expect(sim.model.unitStatus("kafka/0")?.message).toContain("bootstrapServer");
    expect(sim.model.appBag(id, "kafka").requests).toBeUndefined();
  });

  it("renders one user per request, with its topic, roles and password hash", async () => {
    const sim = new Simulation({ lifecycle: false });
    const dir = dataDir();
    sim.deploy("kafka", {
      runner: charmRunner(setup),
      endpoints: { "kafka-client": "provides:kafka_client" },
      config: { "data-dir": dir },
    });
    sim.deploy("app", {
      runner: charmRunner(referenceRequirer("v0")),
      endpoints: { "kafka-client": "requires:kafka_client" },
    });
    const id = sim.relate("kafka", "app");
    await sim.settle();
    const clients = (JSON.parse(readFileSync(join(dir, CLIENTS_FILE), "utf8")) as { clients: Client[] })
      .clients;
    expect(clients).toMatchObject([
      {
        username: `relation-${id}`,
        topic: "test-topic",
        roles: ["producer", "consumer"],
        consumerGroupPrefix: `relation-${id}-`,
      },
    ]);
    sim.removeRelation(id);
    await sim.settle();
    expect(JSON.parse(readFileSync(join(dir, CLIENTS_FILE), "utf8"))).toEqual({ clients: [] });
  });
});

describe("kafka-provider config check", () => {
  it("config-changed with a bad host blocks every unit; a good one makes them active", async () => {
    const sim = new Simulation({ lifecycle: false });
    sim.deploy("kafka", {
      runner: charmRunner(setup),
      units: 2,
      endpoints: { "kafka-client": "provides:kafka_client" },
      config: { "data-dir": dataDir() },
    });
    sim.configure("kafka", { hosts: "broker one" });
    await sim.settle();
    for (const u of ["kafka/0", "kafka/1"]) expect(sim.model.unitStatus(u)?.status).toBe("blocked");
    sim.configure("kafka", { hosts: "10.1.0.10" });
    await sim.settle();
    for (const u of ["kafka/0", "kafka/1"]) expect(sim.model.unitStatus(u)?.status).toBe("active");
  });
});
