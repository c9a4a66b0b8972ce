/**
 * The example integrator in-process on the Simulation against this package's reference provider:
 * statuses, the request it sends, what it logs on rotation, a bad `plugin-url`; and the exported
 * requirer conformance suite.
 */
import {
  charmRunner,
  referenceProvider,
  requirerConformance,
} from "@charm-relations/interface-connect-client/testing";
import { Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { setup } from "../src/charm.js";

const UUID = "0318ba22-7bb6-4c71-a69b-d3ea86536e1c";
const PLUGIN = "http://10.1.1.200:8080/route/to/plugin";

async function deployed(
  config: Record<string, unknown> = { "plugin-url": PLUGIN, "integrator-name": "mysql-source" },
) {
  const sim = new Simulation({ uuid: UUID });
  sim.deploy("integrator", {
    runner: charmRunner(setup),
    units: 2,
    endpoints: { "connect-client": "requires:connect_client" },
    config,
  });
  sim.deploy("kafka-connect", {
    runner: referenceProvider(),
    units: 1,
    endpoints: { "connect-client": "provides:connect_client" },
  });
  expect((await sim.settle()).settled).toBe(true);
  return sim;
}

describe("example integrator", () => {
  it("waiting before, then ready with the connector name kafka-connect-operator expects", async () => {
    const sim = await deployed();
    expect(sim.model.unitStatus("integrator/1")).toEqual({
      status: "waiting",
      message: `waiting for Kafka Connect (plugin ${PLUGIN})`,
    });
    const id = sim.relate("kafka-connect", "integrator");
    expect((await sim.settle()).settled).toBe(true);
    expect(sim.model.appBag(id, "integrator")["plugin-url"]).toBe(PLUGIN);
    for (const unit of ["integrator/0", "integrator/1"]) {
      expect(sim.model.unitStatus(unit)).toEqual({
        status: "active",
        message: `ready: connector mysql-source_r${id}_${UUID.replace(/-/g, "")} via http://10.1.0.10:8083 as relation-${id}, tls off`,
      });
      const created = `integration created on connect-client:${id}: connector mysql-source_r${id}_${UUID.replace(/-/g, "")} via http://10.1.0.10:8083 as relation-${id}, tls off`;
      expect(sim.model.logs(unit).some((l) => l.message.endsWith(created))).toBe(true);
    }
  });

  it("logs a password rotation on every unit (Python's requirer stays silent)", async () => {
    const sim = await deployed();
    const id = sim.relate("kafka-connect", "integrator");
    await sim.settle();
    const uri = sim.model.appBag(id, "kafka-connect")["secret-user"]!;
    const s = sim.model.secret(uri)!;
    s.revisions.push({ revision: 2, content: { ...sim.model.secretContent(uri)!, password: "rotated" } });
    s.latestRevision = 2;
    for (const unit of ["integrator/0", "integrator/1"]) {
      const h = await sim.runHook(unit, "secret-changed", { secretId: uri });
      expect(h.ok).toBe(true);
      expect(
        h.logs.some((l) => l.message.endsWith(`credentials rotated on connect-client:${id} (user)`)),
      ).toBe(true);
    }
  });

  it("a bad plugin-url blocks and sends nothing; fixing the config sends the request", async () => {
    const sim = await deployed({ "plugin-url": "ftp://10.1.1.200/plugin.tar" });
    const id = sim.relate("kafka-connect", "integrator");
    expect((await sim.settle()).settled).toBe(true);
    expect(sim.model.unitStatus("integrator/0")).toEqual({
      status: "blocked",
      message: "invalid plugin-url: only http:// and https:// URLs are allowed, or NOT-REQUIRED",
    });
    expect(sim.model.appBag(id, "integrator")).toEqual({});
    sim.configure("integrator", { "plugin-url": "NOT-REQUIRED" });
    expect((await sim.settle()).settled).toBe(true);
    expect(sim.model.appBag(id, "integrator")["plugin-url"]).toBe("NOT-REQUIRED");
    expect(sim.model.unitStatus("integrator/1").message).toMatch(/^ready: connector example_r/);
  });
});

describe("example integrator: connect_client conformance", () => {
  for (const c of requirerConformance({ runner: charmRunner(setup), config: { "plugin-url": PLUGIN } }))
    it(c.name, c.run);
});
